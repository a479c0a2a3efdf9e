package reports

import (
	"fmt"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Defaults of the criteria a regression must meet besides the threshold.
const (
	// DefaultMinSamples is the fewest requests an endpoint must have on
	// each side to be judged: a percentile of a handful of requests is
	// one unlucky request.
	DefaultMinSamples = 100
	// DefaultFloorMs is the smallest absolute slowdown that counts:
	// 0.2 ms → 0.3 ms is +50% and nothing anyone feels.
	DefaultFloorMs = 1.0
	// DefaultAlpha is the significance level of the statistical test: the
	// chance that two runs of the same build flag a given endpoint.
	DefaultAlpha = 0.01
)

// Criteria say when a slower endpoint is a regression: it must be
// material — slower by more than Threshold (relative) and by at least
// FloorMs (absolute), with at least MinSamples requests on each side — and
// significant: the test of the two histograms must reject "the new run is
// no slower" at level Alpha.
//
// The test is a one-sided two-proportion z test on exceedances: take the
// old run's value of the judged metric (its p95, say) and count, on each
// side, the share of samples above it. The old share is about 5 % by
// construction; if the new run is truly slower at p95, its share is larger
// by more than chance allows. The test reads the judged quantile straight
// from the HDR histograms (exact bucket counts), so a slowdown in the tail
// is seen even when the median does not move, and it uses every sample, not
// the two percentiles alone.
type Criteria struct {
	Metric     Metric
	Threshold  float64
	MinSamples int64
	FloorMs    float64
	Alpha      float64
}

// DefaultCriteria returns the criteria of trafficsim-compare for metric m
// and threshold, with the default sample minimum, floor and alpha.
func DefaultCriteria(m Metric, threshold float64) Criteria {
	return Criteria{Metric: m, Threshold: threshold, MinSamples: DefaultMinSamples, FloorMs: DefaultFloorMs, Alpha: DefaultAlpha}
}

// Verdict is the judgement of one endpoint.
type Verdict struct {
	Regressed bool
	// Reason says why the endpoint is flagged, or why not, in a few words:
	// "p=3e-09 < 0.01, +2.40ms", "not significant (p=0.41)", "too few
	// samples (12 < 100)".
	Reason string
	// P is the test's p-value; NaN when the test did not run.
	P float64
}

// Judge judges the endpoint against c.
func (d EndpointDelta) Judge(c Criteria) Verdict {
	no := func(format string, args ...any) Verdict {
		return Verdict{Reason: fmt.Sprintf(format, args...), P: math.NaN()}
	}
	change, ok := d.Change(c.Metric)
	switch {
	case d.Old == nil || d.New == nil:
		return no("on one side only")
	case !ok:
		return no("nothing to compare")
	case change <= c.Threshold+1e-9:
		return no("")
	}
	abs := d.New.Latency.Value(c.Metric) - d.Old.Latency.Value(c.Metric)
	if n := min(d.Old.Requests, d.New.Requests); n < c.MinSamples {
		return no("too few samples (%s < %s)", formatCount(n), formatCount(c.MinSamples))
	}
	if abs < c.FloorMs {
		return no("below the floor (+%sms < %sms)", formatNumber(abs), formatNumber(c.FloorMs))
	}
	if d.Old.hist == nil || d.New.hist == nil {
		return no("no histogram to test")
	}
	p := exceedanceTest(d.Old.hist, d.New.hist, c.Metric)
	if !(p < c.Alpha) {
		return Verdict{Reason: fmt.Sprintf("not significant (p=%s)", formatP(p)), P: p}
	}
	return Verdict{Regressed: true, P: p,
		Reason: fmt.Sprintf("+%sms, %s vs %s samples, p=%s < %g", formatNumber(abs),
			formatCount(d.Old.Requests), formatCount(d.New.Requests), formatP(p), c.Alpha)}
}

// quantileOf is the quantile (0–100) a metric names; max is judged at the
// old run's largest sample.
func quantileOf(m Metric) float64 {
	switch m {
	case MetricP50:
		return 50
	case MetricP95:
		return 95
	case MetricP99:
		return 99
	}
	return 100
}

// exceedanceTest returns the one-sided p-value of "new has a larger share
// of samples above old's value of m than old has" (two-proportion z test,
// pooled variance).
func exceedanceTest(old, new *hdrhistogram.Histogram, m Metric) float64 {
	cut := old.ValueAtQuantile(quantileOf(m)) // the highest value of its bucket
	n1, n2 := float64(old.TotalCount()), float64(new.TotalCount())
	if n1 == 0 || n2 == 0 {
		return math.NaN()
	}
	k1, k2 := float64(countAbove(old, cut)), float64(countAbove(new, cut))
	p1, p2 := k1/n1, k2/n2
	pooled := (k1 + k2) / (n1 + n2)
	se := math.Sqrt(pooled * (1 - pooled) * (1/n1 + 1/n2))
	if se == 0 {
		if p2 > p1 {
			return 0
		}
		return 1
	}
	z := (p2 - p1) / se
	return 0.5 * math.Erfc(z/math.Sqrt2) // P(Z > z)
}

// countAbove counts the samples of h in buckets above the one holding v.
func countAbove(h *hdrhistogram.Histogram, v int64) int64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.From > v {
			n += b.Count
		}
	}
	return n
}

// formatP prints a p-value with two significant digits.
func formatP(p float64) string {
	if math.IsNaN(p) {
		return "n/a"
	}
	return fmt.Sprintf("%.2g", p)
}
