package budget

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/reports"
)

// FewVUs is the population below which heap_per_vu mostly measures the
// run's fixed costs spread over few users (444 KiB "per VU" at 40 users),
// which its message says.
const FewVUs = 1000

// resources judges the load generator's own costs: heap_per_vu,
// heap_peak and goroutine_leaks.
func (ev *evaluator) resources(b Budget) reports.Budget {
	r := ev.s.Resources
	measuredMemory := r.HeapPeakBytes > 0 || r.HeapPerVUBytes > 0
	switch b.metric {
	case "heap_per_vu":
		vus := ev.s.PeakVUs
		if vus <= 0 {
			vus = ev.s.Users
		}
		switch {
		case vus <= 0:
			return b.noData(b.subject(), "no virtual users")
		case !measuredMemory:
			return b.noData(b.subject(), "memory was not measured")
		}
		v := b.verdict(r.HeapPerVUBytes, int64(vus), b.was("heap per VU", r.HeapPerVUBytes, plural(int64(vus), "VU")))
		if vus < FewVUs {
			v.Message += fmt.Sprintf("; with fewer than %d VUs the run's fixed costs (connection pool, histograms, buffers) dominate this figure: judge heap per VU on a larger population", FewVUs)
		}
		return v
	case "heap_peak":
		if !measuredMemory {
			return b.noData(b.subject(), "memory was not measured")
		}
		peak := float64(r.HeapPeakBytes)
		return b.verdict(peak, 1, b.was("heap peak", peak, ""))
	}
	// goroutine_leaks: a run that checked for leaks has seen at least its
	// own goroutine, so a zero peak means the check did not run.
	if r.GoroutinesPeak <= 0 {
		return b.noData(b.subject(), "goroutines were not measured (resources.goroutines_peak is 0)")
	}
	n := int64(r.GoroutineLeaks)
	msg := fmt.Sprintf("%s leaked, budget %s", plural(n, "goroutine"), b.bound())
	v := b.verdict(float64(n), 1, msg)
	if !v.Passed && r.LeakDescription != "" {
		v.Message += "; first: " + strings.TrimSuffix(firstLine(r.LeakDescription), ":")
	}
	return v
}

// contract judges coverage and violations against the API description.
func (ev *evaluator) contract(b Budget) reports.Budget {
	ops := ev.s.Operations
	if b.metric == "coverage" {
		if ev.s.Coverage == nil {
			return b.noData(b.subject(), "no API description known (coverage is not set)")
		}
		pct := *ev.s.Coverage * 100
		data := ""
		var missing, reached []string
		for _, o := range ops {
			switch {
			case o.Requests == 0:
				missing = append(missing, o.Name)
			case !o.Covered():
				reached = append(reached, o.Name+" ("+classList(o.ByClass)+")")
			}
		}
		if len(ops) > 0 {
			data = fmt.Sprintf("%d of %s answered as described", len(ops)-len(missing)-len(reached), plural(int64(len(ops)), "operation"))
		}
		v := b.verdict(pct, int64(max(len(ops), 1)), b.was("coverage", pct, data))
		if !v.Passed && len(missing) > 0 {
			v.Message += "; never called: " + listNames(missing)
		}
		if !v.Passed && len(reached) > 0 {
			v.Message += "; reached, never answered as described: " + listNames(reached)
		}
		return v
	}
	if len(ops) == 0 {
		return b.noData(b.subject(), "no API description known (operations are empty)")
	}
	var total int64
	var where []string
	for _, o := range ops {
		if o.Violations > 0 {
			total += o.Violations
			where = append(where, o.Name+" ("+strconv.FormatInt(o.Violations, 10)+")")
		}
	}
	msg := fmt.Sprintf("%s, budget %s (%s checked)", plural(total, "contract violation"), b.bound(), plural(int64(len(ops)), "operation"))
	v := b.verdict(float64(total), int64(len(ops)), msg)
	if !v.Passed && len(where) > 0 {
		v.Message += "; in " + listNames(where)
	}
	return v
}

// dropped judges the open model's sessions that could not start on time:
// dropped (a count) and dropped_rate (dropped sessions / scheduled
// sessions, in %). Scheduled is the summary's own figure (every session
// the plan scheduled: started, dropped or not reached); a summary without
// it (the closed model, older files) schedules what it started or dropped.
func (ev *evaluator) dropped(b Budget) reports.Budget {
	dropped := ev.s.Dropped
	scheduled := ev.s.Scheduled
	if scheduled <= 0 {
		scheduled = int64(ev.s.Users) + dropped
	}
	if scheduled <= 0 {
		return b.noData(b.subject(), "no sessions scheduled")
	}
	data := plural(scheduled, "scheduled session")
	if b.metric == "dropped" {
		msg := fmt.Sprintf("%s dropped, budget %s (%s)", plural(dropped, "session"), b.bound(), data)
		return b.verdict(float64(dropped), scheduled, msg)
	}
	rate := float64(dropped) / float64(scheduled) * 100
	return b.verdict(rate, scheduled, b.was("dropped rate (dropped / scheduled sessions)", rate, humanInt(dropped)+" dropped of "+data))
}

// classList writes an operation's answers by status class: "3xx 6, 4xx 2".
func classList(byClass map[string]int64) string {
	keys := make([]string, 0, len(byClass))
	for k := range byClass {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+strconv.FormatInt(byClass[k], 10))
	}
	if len(parts) == 0 {
		return "no answer"
	}
	return strings.Join(parts, ", ")
}
