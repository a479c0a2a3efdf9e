// Package budget parses the budgets that gate a simulation in CI and judges
// them against a run's reports.Summary.
//
// A budget is one line of text, so it fits in a flag, a YAML file and a
// test alike:
//
//	p95(POST /api/auth/login) < 150ms     latency percentile (any pNN), max, mean
//	p99(/api/users/*) <= 300ms            glob over endpoint names, any method
//	p95(archetype=admin) < 300ms          over one archetype's requests
//	error_rate < 1%                       unexpected errors / requests
//	error_rate(GET /api/users*) < 0.01    the same for some endpoints
//	errors < 10                           unexpected errors, absolute
//	rps > 200                             throughput; requests >= 1000
//	heap_per_vu < 8KiB                    heap_peak < 512MiB
//	goroutine_leaks == 0                  violations == 0 (contract)
//	coverage >= 100%                      operations exercised
//	dropped == 0                          dropped_rate < 1% (open model)
//	rps > 50 abort                        stop the run early when broken
//
// In a glob, "*" matches any run of characters, "/" and braces included,
// so "GET /api/users/*" matches "GET /api/users/{id}" and
// "GET /api/users/{id}/posts". A latency budget over several endpoints is
// judged on their merged HDR histograms: the percentile of all their
// samples together, exactly, not an average of percentiles.
//
// Use it at the end of a run, one subtest per budget:
//
//	bs, err := budget.ParseFile("loadtests/budgets.yaml")
//	if err != nil {
//		t.Fatal(err) // names the file, line and column
//	}
//	for _, v := range budget.Evaluate(summary, bs) {
//		t.Run(v.Name, func(t *testing.T) {
//			if !v.Passed {
//				t.Error(v.Message)
//			}
//		})
//	}
//
// # Nothing measured is not a pass
//
// A budget with no samples — a glob matching no endpoint, endpoints that
// recorded no request, a run without requests, coverage without an API
// description — fails with a message containing "no data" and Samples 0.
//
// # Abort budgets during a run
//
// Evaluate works on any *reports.Summary, so no separate windowed API is
// needed: while a run goes on, the harness judges the budgets with Abort
// set every few seconds. For those whose Windowed method reports true
// (latency, rates, heap per VU) it builds a small Summary of the last
// window, say 30 s — Endpoints and Archetypes with that window's
// histograms and counts, Requests, ErrorsUnexpected, Dropped,
// DurationSeconds set to the window's length, Resources — and the others
// (errors, dropped, violations, heap_peak, which only grow) on the
// cumulative Summary so far. A verdict with Samples == 0 means "no data
// yet" and should not stop the run. Budgets that can only be known at the
// end (requests, coverage, goroutine_leaks) are refused with "abort" at
// parse time.
package budget
