package budget

import (
	"fmt"
	"strconv"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/trafficsim/trafficsim/reports"
)

// Evaluate judges every budget against a run's summary and returns one
// verdict per budget, in the order given. It reads s and never changes it;
// s may be the summary of a whole run, of merged shards, or one the caller
// built for a recent window of a run that is still going (see the package
// documentation). A budget with nothing to measure fails with a message
// containing "no data"; it never passes. A nil s fails every budget that
// way.
func Evaluate(s *reports.Summary, bs []Budget) []reports.Budget {
	ev := &evaluator{s: s, hists: make(map[any]decoded)}
	out := make([]reports.Budget, 0, len(bs))
	for _, b := range bs {
		out = append(out, ev.evaluate(b))
	}
	return out
}

// evaluator judges budgets against one summary, decoding each histogram at
// most once.
type evaluator struct {
	s     *reports.Summary
	hists map[any]decoded // by *reports.Endpoint or *reports.Archetype
}

// decoded is a histogram decoded from a summary, or why it could not be.
type decoded struct {
	h   *hdrhistogram.Histogram
	err error
}

// evaluate judges one budget.
func (ev *evaluator) evaluate(b Budget) reports.Budget {
	m, ok := lookupMetric(b.metric)
	if !ok {
		return b.verdictFailed(0, "invalid budget: build budgets with Parse, ParseList or ParseFile")
	}
	if ev.s == nil {
		return b.noData(b.subject(), "no summary")
	}
	if m.kind == kindDuration {
		return ev.latency(b)
	}
	switch b.metric {
	case "error_rate", "errors", "rps", "requests":
		return ev.traffic(b)
	case "heap_per_vu", "heap_peak", "goroutine_leaks":
		return ev.resources(b)
	case "coverage", "violations":
		return ev.contract(b)
	case "dropped", "dropped_rate":
		return ev.dropped(b)
	case "checks":
		return ev.checks(b)
	}
	return b.verdictFailed(0, fmt.Sprintf("%s: no evaluation for this metric", b.metric))
}

// verdict returns the verdict on a measured value; message says why.
func (b Budget) verdict(measured float64, samples int64, message string) reports.Budget {
	v := b.base()
	v.Passed = b.op.holds(measured, b.limit)
	v.Measured = measured
	v.Samples = samples
	v.Message = message
	return v
}

// verdictFailed returns a failed verdict that measured nothing.
func (b Budget) verdictFailed(samples int64, message string) reports.Budget {
	v := b.base()
	v.Samples = samples
	v.Message = message
	return v
}

// noData returns the failed verdict of a budget with nothing to measure.
func (b Budget) noData(subject, reason string) reports.Budget {
	return b.verdictFailed(0, subject+": no data — "+reason)
}

// base returns the parts of a verdict that do not depend on the run.
func (b Budget) base() reports.Budget {
	var unit string
	if m, ok := lookupMetric(b.metric); ok {
		unit = m.kind.unit()
	}
	return reports.Budget{
		Name:  b.Name(),
		Expr:  b.String(),
		Limit: b.limit,
		Unit:  unit,
		Abort: b.Abort,
	}
}

// was writes "<subject> was <measured>, budget <limit> (<data>)".
func (b Budget) was(subject string, measured float64, data string) string {
	m, _ := lookupMetric(b.metric)
	msg := fmt.Sprintf("%s was %s, budget %s", subject, formatMeasured(m.kind, measured, b.limit), b.bound())
	if data != "" {
		msg += " (" + data + ")"
	}
	return msg
}

// bound phrases the limit for a message: "150ms", "at least 200 req/s".
func (b Budget) bound() string {
	m, _ := lookupMetric(b.metric)
	switch m.kind {
	case kindCount:
		return b.op.bound(humanInt(int64(b.limit)))
	case kindRate:
		return b.op.bound(b.text + " req/s")
	}
	return b.op.bound(b.text)
}

// subject names what a budget measures, as written: "p95 of GET
// /api/users/*", "error rate", "throughput of archetype admin".
func (b Budget) subject() string {
	label := b.metric
	switch b.metric {
	case "error_rate":
		label = "error rate"
	case "errors":
		label = "unexpected errors"
	case "rps":
		label = "throughput"
	case "heap_per_vu":
		label = "heap per VU"
	case "heap_peak":
		label = "heap peak"
	case "goroutine_leaks":
		label = "goroutine leaks"
	case "violations":
		label = "contract violations"
	case "dropped":
		label = "dropped sessions"
	case "dropped_rate":
		label = "dropped rate"
	case "checks":
		label = "checks passed"
	}
	switch b.sel.kind {
	case selGlob:
		return label + " of " + b.sel.String()
	case selArchetype:
		return label + " of archetype " + b.sel.archetype
	case selCheck:
		return "check " + strconv.Quote(b.sel.check) + " passed"
	}
	return label
}

// histogram returns the decoded histogram of an endpoint or archetype,
// decoding it on first use; key is the *reports.Endpoint or
// *reports.Archetype that holds encoded.
func (ev *evaluator) histogram(key any, encoded string) (*hdrhistogram.Histogram, error) {
	if d, ok := ev.hists[key]; ok {
		return d.h, d.err
	}
	h, err := reports.DecodeHistogram(encoded)
	ev.hists[key] = decoded{h: h, err: err}
	return h, err
}
