package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Metric names the latency figure of an endpoint a comparison judges.
type Metric string

// The metrics Compare can judge; p95 is the default because it moves with
// real slowdowns but not with one unlucky request, as max does.
const (
	MetricP50 Metric = "p50"
	MetricP95 Metric = "p95"
	MetricP99 Metric = "p99"
	MetricMax Metric = "max"

	DefaultMetric = MetricP95
)

// DefaultThreshold is the relative slowdown (new/old − 1) above which an
// endpoint counts as a regression: 10%.
const DefaultThreshold = 0.10

// allMetrics lists every Metric.
var allMetrics = []Metric{MetricP50, MetricP95, MetricP99, MetricMax}

// ParseMetric parses "p50", "p95", "p99" or "max".
func ParseMetric(s string) (Metric, error) {
	m := Metric(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(allMetrics, m) {
		return "", fmt.Errorf("unknown metric %q: want p50, p95, p99 or max", s)
	}
	return m, nil
}

// Latency holds an endpoint's latency figures in milliseconds.
type Latency struct {
	P50, P95, P99, Max float64
}

// Value returns the figure m names; 0 for an unknown metric.
func (l Latency) Value(m Metric) float64 {
	switch m {
	case MetricP50:
		return l.P50
	case MetricP95:
		return l.P95
	case MetricP99:
		return l.P99
	case MetricMax:
		return l.Max
	}
	return 0
}

// EndpointStats are one side's figures for an endpoint.
type EndpointStats struct {
	Requests         int64
	ErrorsUnexpected int64
	// ErrorRate is ErrorsUnexpected / Requests: errors injected on purpose
	// are not a regression.
	ErrorRate float64
	Latency   Latency

	hist *hdrhistogram.Histogram // decoded from the summary; nil when it has none
}

// EndpointDelta compares one endpoint between two runs. Old or New is nil
// when the endpoint appears only in the other run.
type EndpointDelta struct {
	Name string
	Old  *EndpointStats
	New  *EndpointStats
}

// Change returns new/old − 1 for metric m. ok is false when the endpoint is
// missing from a side, has no requests on a side, or its old value is 0:
// there is nothing to compare, so such an endpoint cannot regress (the
// table shows "only old", "only new" or "n/a").
func (d EndpointDelta) Change(m Metric) (change float64, ok bool) {
	if d.Old == nil || d.New == nil || d.Old.Requests == 0 || d.New.Requests == 0 {
		return 0, false
	}
	o, n := d.Old.Latency.Value(m), d.New.Latency.Value(m)
	if o <= 0 {
		return 0, false
	}
	return n/o - 1, true
}

// Regressed reports whether metric m grew by more than threshold (0.10 for
// 10%) and the growth is material and significant under DefaultCriteria
// (see Judge). A change equal to the threshold, up to floating-point
// rounding (10 ms → 11 ms at 10%), is not a regression.
func (d EndpointDelta) Regressed(m Metric, threshold float64) bool {
	return d.Judge(DefaultCriteria(m, threshold)).Regressed
}

// RunStats are the totals of one side of a comparison.
type RunStats struct {
	RunID           string
	Simulation      string
	Requests        int64
	RPS             float64
	DurationSeconds float64
	Partial         bool
	// ErrorRate is ErrorsUnexpected / Requests.
	ErrorRate float64
}

// Comparison is the difference between two runs, endpoint by endpoint. It
// holds every metric, so one comparison can be judged on any Metric and
// threshold with Regressions.
type Comparison struct {
	Old, New RunStats
	// Endpoints are sorted by name and include those found in only one run.
	Endpoints []EndpointDelta
}

// Compare compares two runs, typically the last release's summary.json and
// this one's. Endpoints are matched by name (method and route template).
func Compare(old, new *Summary) Comparison {
	c := Comparison{Old: runStats(old), New: runStats(new)}
	index := map[string]int{}
	add := func(s *Summary, side func(*EndpointDelta) **EndpointStats) {
		if s == nil {
			return
		}
		for _, e := range s.Endpoints {
			i, ok := index[e.Name]
			if !ok {
				i = len(c.Endpoints)
				index[e.Name] = i
				c.Endpoints = append(c.Endpoints, EndpointDelta{Name: e.Name})
			}
			st := &EndpointStats{
				Requests:         e.Requests,
				ErrorsUnexpected: e.ErrorsUnexpected,
				ErrorRate:        ratio(e.ErrorsUnexpected, e.Requests),
				Latency:          Latency{P50: e.P50Ms, P95: e.P95Ms, P99: e.P99Ms, Max: e.MaxMs},
			}
			if e.Histogram != "" {
				if h, err := DecodeHistogram(e.Histogram); err == nil {
					st.hist = h // a histogram that does not decode leaves the endpoint untested
				}
			}
			*side(&c.Endpoints[i]) = st
		}
	}
	add(old, func(d *EndpointDelta) **EndpointStats { return &d.Old })
	add(new, func(d *EndpointDelta) **EndpointStats { return &d.New })
	slices.SortFunc(c.Endpoints, func(a, b EndpointDelta) int { return cmp.Compare(a.Name, b.Name) })
	return c
}

func runStats(s *Summary) RunStats {
	if s == nil {
		return RunStats{}
	}
	return RunStats{
		RunID: s.RunID, Simulation: s.Simulation, Requests: s.Requests, RPS: s.RPS,
		DurationSeconds: s.DurationSeconds, Partial: s.Partial,
		ErrorRate: ratio(s.ErrorsUnexpected, s.Requests),
	}
}

// Regressions returns the endpoints whose metric m grew by more than
// threshold, materially and significantly (DefaultCriteria), in name order.
func (c Comparison) Regressions(m Metric, threshold float64) []EndpointDelta {
	return c.RegressionsWith(DefaultCriteria(m, threshold))
}

// RegressionsWith returns the endpoints that regressed under cr, in name
// order.
func (c Comparison) RegressionsWith(cr Criteria) []EndpointDelta {
	var out []EndpointDelta
	for _, d := range c.Endpoints {
		if d.Judge(cr).Regressed {
			out = append(out, d)
		}
	}
	return out
}

// OnlyInOld returns the names of endpoints the new run never called.
func (c Comparison) OnlyInOld() []string {
	var out []string
	for _, d := range c.Endpoints {
		if d.New == nil {
			out = append(out, d.Name)
		}
	}
	return out
}

// OnlyInNew returns the names of endpoints the old run never called.
func (c Comparison) OnlyInNew() []string {
	var out []string
	for _, d := range c.Endpoints {
		if d.Old == nil {
			out = append(out, d.Name)
		}
	}
	return out
}
