package reports_test

import (
	"fmt"
	"os"

	"github.com/trafficsim/trafficsim/reports"
)

// release returns a small summary of two endpoints; every request of
// GET /api/users/{id} takes usersScale times as long as in the first
// release.
func release(runID string, usersScale float64) *reports.Summary {
	s := &reports.Summary{RunID: runID, Simulation: "TestPopulate", Requests: 2000, RPS: 100, DurationSeconds: 20, ErrorsUnexpected: 2}
	for _, e := range []struct {
		name  string
		n     int64
		errs  int64
		topMs float64 // latencies spread evenly up to this
	}{{"GET /api/users/{id}", 1200, 0, 20 * usersScale}, {"POST /api/auth/login", 800, 2, 100}} {
		h := reports.NewHistogram()
		for i := range e.n {
			_ = h.RecordValue(int64(float64(i+1) / float64(e.n) * e.topMs * 1000))
		}
		enc, _ := reports.EncodeHistogram(h)
		s.Endpoints = append(s.Endpoints, reports.Endpoint{
			Name: e.name, Requests: e.n, ErrorsUnexpected: e.errs, Histogram: enc,
			P50Ms: reports.MillisAt(h, 50), P95Ms: reports.MillisAt(h, 95), P99Ms: reports.MillisAt(h, 99), MaxMs: float64(h.Max()) / 1000,
		})
	}
	return s
}

// Compare two releases' summaries and judge them on p95 with a 10%
// threshold, as `trafficsim-compare` does.
func ExampleCompare() {
	old, cur := release("v1.4.0", 1), release("v1.5.0", 1.2)
	c := reports.Compare(old, cur)
	for _, d := range c.Regressions(reports.MetricP95, reports.DefaultThreshold) {
		change, _ := d.Change(reports.MetricP95)
		fmt.Printf("%s: p95 %.0f ms → %.0f ms (%+.0f%%)\n", d.Name, d.Old.Latency.P95, d.New.Latency.P95, change*100)
	}
	if err := c.WriteText(os.Stdout, reports.MetricP95, reports.DefaultThreshold); err != nil {
		fmt.Println(err)
	}
	// Output:
	// GET /api/users/{id}: p95 19 ms → 23 ms (+20%)
	// old: TestPopulate v1.4.0, 2,000 requests in 20s
	// new: TestPopulate v1.5.0, 2,000 requests in 20s
	// judged on p95, regression above +10.0% and +1.00ms, with at least 100 samples a side, significant at p < 0.01 (exceedance z test on the histograms)
	//
	// endpoint              old p50  old p95  old p99  new p50  new p95  new p99  Δ p95   requests old → new  error rate old → new
	// GET /api/users/{id}   10.0     19.0     19.8     12.0     22.8     23.8     +20.0%  1,200 → 1,200       0.00% → 0.00%         REGRESSION (+3.79ms, 1,200 vs 1,200 samples, p=3.1e-31 < 0.01)
	// POST /api/auth/login  50.0     95.0     99.0     50.0     95.0     99.0     +0.0%   800 → 800           0.25% → 0.25%
	//
	// totals: requests 2,000 → 2,000; rps 100 → 100 (+0.0%); error rate 0.10% → 0.10% (+0.00 pp)
	// result: 1 regression on p95 above +10.0%: GET /api/users/{id}
}
