package budget

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/reports"
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name         string
		expr         string
		wantPassed   bool
		wantMeasured float64
		wantUnit     string
		wantSamples  int64
		wantMessage  string
	}{
		{"percentile of the one matching endpoint", "p95(GET /api/users/*) < 150ms", true, 12.007, "ms", 1204,
			"p95 of GET /api/users/{id} was 12ms, budget 150ms (1,204 samples)"},
		{"percentile broken", "p99(GET /api/users/*) < 150ms", false, 212.095, "ms", 1204,
			"p99 of GET /api/users/{id} was 212ms, budget 150ms (1,204 samples)"},
		{"glob over two endpoints names the worst", "p99(GET /api/users*) < 150ms", false, 212.095, "ms", 1704,
			"p99 of GET /api/users* (2 endpoints) was 212ms, budget 150ms (1,704 samples); worst: GET /api/users/{id} at 212ms (1,204 samples)"},
		{"all endpoints", "p95 < 150ms", true, 90.047, "ms", 2004,
			"p95 of all 4 endpoints was 90ms, budget 150ms (2,004 samples)"},
		{"max shows the digits that break it", "max < 212ms", false, 212.095, "ms", 2004,
			"max of all 4 endpoints was 212.1ms, budget 212ms (2,004 samples); worst: GET /api/users/{id} at 212.1ms (1,204 samples)"},
		{"mean, any method", "mean(/api/users) < 50ms", true, 40.016, "ms", 500,
			"mean of GET /api/users was 40ms, budget 50ms (500 samples)"},
		{"archetype", "p99.9(archetype=active) < 20ms", false, 20.015, "ms", 1000,
			"p99.9 of archetype active was 20.02ms, budget 20ms (1,000 samples)"},
		{"at the limit with <=", "p95(GET /api/users/{id}) <= 12.007ms", true, 12.007, "ms", 1204,
			"p95 of GET /api/users/{id} was 12.007ms, budget at most 12.007ms (1,204 samples)"},
		{"at the limit with <", "p95(GET /api/users/{id}) < 12.007ms", false, 12.007, "ms", 1204,
			"p95 of GET /api/users/{id} was 12.007ms, budget 12.007ms (1,204 samples)"},
		{"error rate of the run", "error_rate < 1%", true, 1200.0 / 2004, "%", 2004,
			"error rate was 0.599%, budget 1% (2,004 requests)"},
		{"error rate of an endpoint", "error_rate(POST /api/auth/login) < 1%", false, 3, "%", 300,
			"error rate of POST /api/auth/login was 3%, budget 1% (300 requests)"},
		{"error rate of an archetype", "error_rate(archetype=active) < 1%", true, 0.1, "%", 1000,
			"error rate of archetype active was 0.1%, budget 1% (1,000 requests)"},
		{"errors", "errors < 10", false, 12, "", 2004,
			"12 unexpected errors, budget 10 (2,004 requests)"},
		{"errors of a glob", "errors(GET *) == 0", false, 3, "", 1704,
			"3 unexpected errors in GET * (2 endpoints), budget 0 (1,704 requests)"},
		{"rps from requests and duration", "rps > 200", true, 200.4, "req/s", 2004,
			"throughput was 200.4 req/s, budget above 200 req/s (2,004 requests in 10s)"},
		{"rps of an endpoint", "rps(POST *) >= 50", false, 30, "req/s", 300,
			"throughput of POST /api/auth/login was 30 req/s, budget at least 50 req/s (300 requests in 10s)"},
		{"requests", "requests >= 1000", true, 2004, "", 2004,
			"2,004 requests, budget at least 1,000"},
		{"requests of an idle archetype", "requests(archetype=admin) > 0", false, 0, "", 0,
			"0 requests by archetype admin, budget above 0"},
		{"heap per VU", "heap_per_vu < 8KiB", false, 9420, "B", 100,
			"heap per VU was 9.2KiB, budget 8KiB (100 VUs); with fewer than 1000 VUs the run's fixed costs (connection pool, histograms, buffers) dominate this figure: judge heap per VU on a larger population"},
		{"heap peak", "heap_peak < 1GiB", true, 600 << 20, "B", 1,
			"heap peak was 600MiB, budget 1GiB"},
		{"goroutine leaks", "goroutine_leaks == 0", false, 2, "", 1,
			"2 goroutines leaked, budget 0; first: goroutine 42 [chan receive]"},
		{"coverage", "coverage >= 100%", false, 87.5, "%", 8,
			"coverage was 87.5%, budget at least 100% (7 of 8 operations answered as described); never called: DELETE /api/users/{id}"},
		{"coverage met", "coverage >= 0.85", true, 87.5, "%", 8,
			"coverage was 87.5%, budget at least 85% (7 of 8 operations answered as described)"},
		{"violations", "violations == 0", false, 3, "", 8,
			"3 contract violations, budget 0 (8 operations checked); in POST /api/auth/login (2), POST /api/users (1)"},
		{"dropped", "dropped == 0", true, 0, "", 100,
			"0 sessions dropped, budget 0 (100 scheduled sessions)"},
		{"dropped rate", "dropped_rate < 1%", true, 0, "%", 100,
			"dropped rate (dropped / scheduled sessions) was 0%, budget 1% (0 dropped of 100 scheduled sessions)"},
	}
	s := fixtureSummary(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustParse(t, tt.expr)
			got := Evaluate(s, []Budget{b})
			require.Len(t, got, 1)
			v := got[0]
			assert.Equal(t, tt.wantMessage, v.Message)
			assert.Equal(t, tt.wantPassed, v.Passed)
			assert.InDelta(t, tt.wantMeasured, v.Measured, 1e-9)
			assert.Equal(t, tt.wantUnit, v.Unit)
			assert.Equal(t, tt.wantSamples, v.Samples)
			assert.Equal(t, b.Name(), v.Name)
			assert.Equal(t, b.String(), v.Expr)
		})
	}
}

func TestEvaluate_noData(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		change func(s *reports.Summary)
		want   string
	}{
		{"glob matches no endpoint", "p95(GET /api/userz/*) < 150ms", nil,
			"p95 of GET /api/userz/*: no data — no endpoint matched; did you mean GET /api/users? (known: GET /api/users/{id}, GET /api/users, POST /api/auth/login, DELETE /api/users/{id})"},
		{"known list is cut", "p95(GET /nothing) < 150ms", func(s *reports.Summary) {
			for _, n := range []string{"GET /a", "GET /b", "GET /c"} {
				s.Endpoints = append(s.Endpoints, reports.Endpoint{Name: n})
			}
		}, "p95 of GET /nothing: no data — no endpoint matched (known: GET /api/users/{id}, GET /api/users, POST /api/auth/login, DELETE /api/users/{id}, GET /a, and 2 more)"},
		{"endpoint without requests", "p95(DELETE *) < 1s", nil,
			"p95 of DELETE /api/users/{id}: no data — no requests recorded"},
		{"endpoints without requests", "p95(DELETE *) < 1s", func(s *reports.Summary) {
			s.Endpoints = append(s.Endpoints, reports.Endpoint{Name: "DELETE /api/posts/{id}"})
		}, "p95 of DELETE * (2 endpoints): no data — 2 endpoints matched, none recorded a request"},
		{"no endpoints at all", "p95 < 1s", func(s *reports.Summary) { s.Endpoints = nil },
			"p95: no data — the summary has no endpoints"},
		{"archetype without requests", "p95(archetype=admin) < 1s", nil,
			"p95 of archetype admin: no data — no requests recorded"},
		{"unknown archetype", "p95(archetype=nobody) < 1s", nil,
			"p95 of archetype nobody: no data — no archetype nobody (known: active, admin)"},
		{"no archetypes", "error_rate(archetype=admin) < 1%", func(s *reports.Summary) { s.Archetypes = nil },
			"error rate of archetype admin: no data — no archetype admin (the summary has no archetypes)"},
		{"error rate without requests", "error_rate < 1%", func(s *reports.Summary) { s.Requests = 0 },
			"error rate: no data — no requests"},
		{"error rate of an idle endpoint", "error_rate(DELETE *) < 1%", nil,
			"error rate of DELETE *: no data — no requests"},
		{"errors without requests", "errors == 0", func(s *reports.Summary) { s.Requests = 0 },
			"unexpected errors: no data — no requests"},
		{"rps without requests", "rps > 1", func(s *reports.Summary) { s.Requests = 0 },
			"throughput: no data — no requests"},
		{"rps without duration", "rps > 1", func(s *reports.Summary) { s.DurationSeconds = 0 },
			"throughput: no data — the summary's duration_seconds is not set"},
		{"requests of an unmatched glob", "requests(GET /x) >= 1", func(s *reports.Summary) { s.Endpoints = nil },
			"requests of GET /x: no data — no endpoint matched (the summary has no endpoints)"},
		{"heap per VU without VUs", "heap_per_vu < 8KiB", func(s *reports.Summary) { s.Users, s.PeakVUs = 0, 0 },
			"heap per VU: no data — no virtual users"},
		{"heap not measured", "heap_per_vu < 8KiB", func(s *reports.Summary) { s.Resources = reports.Resources{} },
			"heap per VU: no data — memory was not measured"},
		{"heap peak not measured", "heap_peak < 1GiB", func(s *reports.Summary) { s.Resources = reports.Resources{} },
			"heap peak: no data — memory was not measured"},
		{"goroutines not measured", "goroutine_leaks == 0", func(s *reports.Summary) { s.Resources = reports.Resources{} },
			"goroutine leaks: no data — goroutines were not measured (resources.goroutines_peak is 0)"},
		{"coverage unknown", "coverage >= 0%", func(s *reports.Summary) { s.Coverage = nil },
			"coverage: no data — no API description known (coverage is not set)"},
		{"violations without operations", "violations == 0", func(s *reports.Summary) { s.Operations = nil },
			"contract violations: no data — no API description known (operations are empty)"},
		{"dropped without sessions", "dropped == 0", func(s *reports.Summary) { s.Users = 0 },
			"dropped sessions: no data — no sessions scheduled"},
		{"dropped rate without sessions", "dropped_rate < 1%", func(s *reports.Summary) { s.Users = 0 },
			"dropped rate: no data — no sessions scheduled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixtureSummary(t)
			if tt.change != nil {
				tt.change(s)
			}
			got := Evaluate(s, []Budget{mustParse(t, tt.expr)})
			require.Len(t, got, 1)
			assert.Equal(t, tt.want, got[0].Message)
			assert.False(t, got[0].Passed, "no data must never pass")
			assert.Zero(t, got[0].Samples)
			assert.Contains(t, got[0].Message, "no data")
		})
	}
}

func TestEvaluate_nilSummary(t *testing.T) {
	got := Evaluate(nil, []Budget{mustParse(t, "p95(GET /x) < 1s"), mustParse(t, "error_rate < 1%")})
	require.Len(t, got, 2)
	assert.Equal(t, "p95 of GET /x: no data — no summary", got[0].Message)
	assert.Equal(t, "error rate: no data — no summary", got[1].Message)
	for _, v := range got {
		assert.False(t, v.Passed)
	}
}

func TestEvaluate_verdictFields(t *testing.T) {
	bs, err := ParseList([]string{"rps > 50 abort", "p95(GET /api/users/*) < 1.5s", "heap_peak < 512MiB"})
	require.NoError(t, err)
	got := Evaluate(fixtureSummary(t), bs)
	require.Len(t, got, 3, "one verdict per budget")
	want := []reports.Budget{
		{Name: "budget/rps/abort", Expr: "rps > 50 abort", Limit: 50, Unit: "req/s", Abort: true},
		{Name: "budget/p95/GET_/api/users/*", Expr: "p95(GET /api/users/*) < 1.5s", Limit: 1500, Unit: "ms"},
		{Name: "budget/heap_peak", Expr: "heap_peak < 512MiB", Limit: 512 << 20, Unit: "B"},
	}
	for i, w := range want {
		assert.Equal(t, w.Name, got[i].Name, "verdicts keep the budgets' order")
		assert.Equal(t, w.Expr, got[i].Expr)
		assert.Equal(t, w.Limit, got[i].Limit)
		assert.Equal(t, w.Unit, got[i].Unit)
		assert.Equal(t, w.Abort, got[i].Abort)
	}
}

func TestEvaluate_badHistogram(t *testing.T) {
	s := fixtureSummary(t)
	s.Endpoints[1].Histogram = "not a histogram"
	got := Evaluate(s, []Budget{mustParse(t, "p95(GET /api/users) < 1s"), mustParse(t, "max(GET *) < 1s")})
	for _, v := range got {
		assert.False(t, v.Passed)
		assert.Zero(t, v.Samples)
	}
	assert.Contains(t, got[0].Message, "p95 of GET /api/users: read the histogram of GET /api/users: decode histogram:")
	assert.Contains(t, got[1].Message, "max of GET * (2 endpoints): read the histogram of GET /api/users: decode histogram:")
}

func TestEvaluate_rpsFromSummary(t *testing.T) {
	s := fixtureSummary(t)
	s.RPS = 150 // the run's own figure wins over requests / duration
	got := Evaluate(s, []Budget{mustParse(t, "rps >= 100"), mustParse(t, "rps(GET /api/users) > 60")})
	assert.Equal(t, "throughput was 150 req/s, budget at least 100 req/s (2,004 requests in 10s)", got[0].Message)
	assert.True(t, got[0].Passed)
	assert.Equal(t, "throughput of GET /api/users was 50 req/s, budget above 60 req/s (500 requests in 10s)", got[1].Message)
	assert.False(t, got[1].Passed)
}

// TestEvaluate_window shows the documented way to judge abort budgets
// during a run: a small Summary of the last window goes to Evaluate.
func TestEvaluate_window(t *testing.T) {
	window := &reports.Summary{
		DurationSeconds:  30,
		Requests:         600,
		ErrorsUnexpected: 30,
		Endpoints: []reports.Endpoint{{
			Name: "GET /api/users/{id}", Requests: 600, ErrorsUnexpected: 30,
			Histogram: encoded(t, samples{5000, 570}, samples{900000, 30}),
		}},
	}
	bs, err := ParseList([]string{"p99(GET /api/users/*) < 500ms abort", "error_rate < 1% abort", "rps > 10 abort"})
	require.NoError(t, err)
	got := Evaluate(window, bs)
	assert.Equal(t, "p99 of GET /api/users/{id} was 900ms, budget 500ms (600 samples)", got[0].Message)
	assert.Equal(t, "error rate was 5%, budget 1% (600 requests)", got[1].Message)
	assert.Equal(t, "throughput was 20 req/s, budget above 10 req/s (600 requests in 30s)", got[2].Message)
	assert.Equal(t, []bool{false, false, true}, []bool{got[0].Passed, got[1].Passed, got[2].Passed})
}

// TestEvaluate_droppedRateIsOfScheduledSessions: 16 of 91 sessions dropped
// is 17.6 %, however many requests the 75 started sessions made (the rate
// was once divided by requests + dropped and read 0.3 %).
func TestEvaluate_droppedRateIsOfScheduledSessions(t *testing.T) {
	s := &reports.Summary{Users: 75, Requests: 5350, Dropped: 16, Scheduled: 91}
	b, err := Parse("dropped_rate < 1%")
	require.NoError(t, err)
	v := Evaluate(s, []Budget{b})[0]
	assert.False(t, v.Passed)
	assert.InDelta(t, 16.0/91*100, v.Measured, 1e-9)
	assert.EqualValues(t, 91, v.Samples)
	assert.Equal(t, "dropped rate (dropped / scheduled sessions) was 17.6%, budget 1% (16 dropped of 91 scheduled sessions)", v.Message)
}
