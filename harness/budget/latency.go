package budget

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/trafficsim/trafficsim/reports"
)

// part is one histogram that goes into a latency budget.
type part struct {
	name string
	h    *hdrhistogram.Histogram
}

// latency judges a percentile, max or mean over the merged histograms of
// the selected endpoints (or of the archetype). Merging HDR histograms is
// lossless, so the percentile is the one of all the samples together, not
// an average of the endpoints' percentiles.
func (ev *evaluator) latency(b Budget) reports.Budget {
	t := ev.pick(b.sel, true)
	if t.missing != "" {
		return b.noData(b.subject(), t.missing)
	}
	subject := b.metric + " of " + t.label
	parts, err := ev.parts(t)
	if err != nil {
		return b.verdictFailed(0, subject+": "+err.Error())
	}
	merged := reports.NewHistogram()
	var dropped int64
	for _, p := range parts {
		dropped += merged.Merge(p.h)
	}
	n := merged.TotalCount()
	if n == 0 {
		reason := "no requests recorded"
		if len(parts) > 1 {
			reason = fmt.Sprintf("%d endpoints matched, none recorded a request", len(parts))
		}
		return b.noData(subject, reason)
	}
	measured := b.stat(merged)
	v := b.verdict(measured, n, b.was(subject, measured, plural(n, "sample")))
	if !v.Passed && len(parts) > 1 {
		v.Message += b.worst(parts)
	}
	if dropped > 0 {
		v.Message += fmt.Sprintf("; %s outside the histogram's range left out", plural(dropped, "sample"))
	}
	return v
}

// parts returns the decoded histograms of a selection.
func (ev *evaluator) parts(t selection) ([]part, error) {
	if a := t.archetype; a != nil {
		h, err := ev.histogram(a, a.Histogram)
		if err != nil {
			return nil, fmt.Errorf("read the histogram of archetype %s: %w", a.Name, err)
		}
		return []part{{name: t.label, h: h}}, nil
	}
	parts := make([]part, 0, len(t.endpoints))
	for _, e := range t.endpoints {
		h, err := ev.histogram(e, e.Histogram)
		if err != nil {
			return nil, fmt.Errorf("read the histogram of %s: %w", e.Name, err)
		}
		parts = append(parts, part{name: e.Name, h: h})
	}
	return parts, nil
}

// stat returns the budget's statistic of a microsecond histogram, in ms.
func (b Budget) stat(h *hdrhistogram.Histogram) float64 {
	switch b.metric {
	case "max":
		return float64(h.Max()) / 1000
	case "mean":
		return h.Mean() / 1000
	}
	return reports.MillisAt(h, b.quantile)
}

// worst names the part with the highest statistic, so a broken budget over
// many endpoints says where to look: "; worst: GET /x at 300ms (12 samples)".
func (b Budget) worst(parts []part) string {
	var (
		name    string
		highest float64
		samples int64
	)
	for _, p := range parts {
		if p.h.TotalCount() == 0 {
			continue
		}
		if v := b.stat(p.h); name == "" || v > highest {
			name, highest, samples = p.name, v, p.h.TotalCount()
		}
	}
	if name == "" {
		return ""
	}
	return fmt.Sprintf("; worst: %s at %s (%s)", name, formatMeasured(kindDuration, highest, b.limit), plural(samples, "sample"))
}
