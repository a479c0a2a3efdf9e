package reports_test

import (
	"fmt"
	"os"

	"github.com/trafficsim/trafficsim/reports"
)

// release returns a small summary with one endpoint's latency figures.
func release(runID string, p95 float64) *reports.Summary {
	return &reports.Summary{
		RunID: runID, Simulation: "TestPopulate", Requests: 2000, RPS: 100, DurationSeconds: 20,
		ErrorsUnexpected: 2,
		Endpoints: []reports.Endpoint{
			{Name: "GET /api/users/{id}", Requests: 1200, P50Ms: 6, P95Ms: p95, P99Ms: 40, MaxMs: 80},
			{Name: "POST /api/auth/login", Requests: 800, ErrorsUnexpected: 2, P50Ms: 30, P95Ms: 90, P99Ms: 140, MaxMs: 200},
		},
	}
}

// Compare two releases' summaries and judge them on p95 with a 10%
// threshold, as `trafficsim-compare` does.
func ExampleCompare() {
	old, cur := release("v1.4.0", 15), release("v1.5.0", 18)
	c := reports.Compare(old, cur)
	for _, d := range c.Regressions(reports.MetricP95, reports.DefaultThreshold) {
		change, _ := d.Change(reports.MetricP95)
		fmt.Printf("%s: p95 %.0f ms → %.0f ms (%+.0f%%)\n", d.Name, d.Old.Latency.P95, d.New.Latency.P95, change*100)
	}
	if err := c.WriteText(os.Stdout, reports.MetricP95, reports.DefaultThreshold); err != nil {
		fmt.Println(err)
	}
	// Output:
	// GET /api/users/{id}: p95 15 ms → 18 ms (+20%)
	// old: TestPopulate v1.4.0, 2,000 requests in 20s
	// new: TestPopulate v1.5.0, 2,000 requests in 20s
	// judged on p95, regression above +10.0%
	//
	// endpoint              old p50  old p95  old p99  new p50  new p95  new p99  Δ p95   requests old → new  error rate old → new
	// GET /api/users/{id}   6.00     15.0     40.0     6.00     18.0     40.0     +20.0%  1,200 → 1,200       0.00% → 0.00%         REGRESSION
	// POST /api/auth/login  30.0     90.0     140      30.0     90.0     140      +0.0%   800 → 800           0.25% → 0.25%
	//
	// totals: requests 2,000 → 2,000; rps 100 → 100 (+0.0%); error rate 0.10% → 0.10% (+0.00 pp)
	// result: 1 regression on p95 above +10.0%: GET /api/users/{id}
}
