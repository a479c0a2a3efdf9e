package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// testStart is the start time of every fixture run, fixed so reports are
// reproducible.
var testStart = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// fixtureEndpoints are the route templates of the fixture runs, with the
// endpoint group their latency is charted under and their median latency.
var fixtureEndpoints = []struct {
	method, route, group string
	medianMicros         float64
}{
	{"POST", "/api/auth/register", "auth", 18000},
	{"POST", "/api/auth/login", "auth", 42000},
	{"GET", "/api/users/{id}", "users", 6000},
	{"PUT", "/api/users/{id}", "users", 9000},
	{"GET", "/api/users", "users", 12000},
	{"DELETE", "/api/admin/users/{id}", "admin", 15000},
}

// latencySamples draws n log-normal latencies in microseconds around median.
func latencySamples(rng *rand.Rand, n int, median float64) []int64 {
	out := make([]int64, n)
	for i := range out {
		v := median * math.Exp(0.6*rng.NormFloat64())
		out[i] = max(1, int64(v))
	}
	return out
}

// endpointFromSamples builds an Endpoint the way the harness does: an HDR
// histogram of the samples, encoded, and the percentiles read from it.
func endpointFromSamples(tb testing.TB, method, route string, samples []int64) Endpoint {
	tb.Helper()
	h := NewHistogram()
	for _, v := range samples {
		if err := h.RecordValue(v); err != nil {
			tb.Fatalf("record %d: %v", v, err)
		}
	}
	enc, err := EncodeHistogram(h)
	if err != nil {
		tb.Fatalf("encode histogram: %v", err)
	}
	n := int64(len(samples))
	e := Endpoint{
		Name:      method + " " + route,
		Method:    method,
		Route:     route,
		Requests:  n,
		Codes:     map[string]int64{"200": n},
		P50Ms:     MillisAt(h, 50),
		P95Ms:     MillisAt(h, 95),
		P99Ms:     MillisAt(h, 99),
		MaxMs:     float64(h.Max()) / 1000,
		MeanMs:    h.Mean() / 1000,
		Histogram: enc,
	}
	if n > 0 {
		slowest := slices.Max(samples)
		e.Slowest = []SlowRequest{{TraceID: fmt.Sprintf("4bf92f3577b34da6a3ce%012x", slowest), LatencyMs: float64(slowest) / 1000, Status: 200, Sampled: true}}
	}
	return e
}

// newTestSummary returns a realistic summary of a two-minute run: 120 ticks,
// six endpoints in three groups, four archetypes, errors of three kinds,
// operations with one never exercised and one violated, and a broken budget.
func newTestSummary(tb testing.TB) *Summary {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	s := &Summary{
		RunID:           "run-20250314-092653",
		Simulation:      "TestPopulate",
		Version:         "v0.3.1",
		Seed:            42,
		Target:          "http://127.0.0.1:8080",
		Model:           "closed",
		Started:         testStart,
		DurationSeconds: 120,
		Users:           200,
		PeakVUs:         200,
		ErrorsByKind:    map[string]int64{},
		LoginAttempts:   map[string]int64{"success": 900, "wrong_password": 80, "locked": 3},
		BytesRead:       48 << 20,
		IntervalSeconds: 1,
		Notes:           []string{"max-request-count raised to 10 for archetype admin"},
	}
	groupSamples := map[string][]int64{}
	for _, fe := range fixtureEndpoints {
		samples := latencySamples(rng, 400+rng.IntN(600), fe.medianMicros)
		e := endpointFromSamples(tb, fe.method, fe.route, samples)
		e.ErrorsUnexpected = int64(rng.IntN(5))
		e.ErrorsExpected = int64(rng.IntN(20))
		e.Codes["200"] -= e.ErrorsUnexpected + e.ErrorsExpected
		e.Codes["500"] = e.ErrorsUnexpected
		e.Codes["404"] = e.ErrorsExpected
		s.Endpoints = append(s.Endpoints, e)
		s.Requests += e.Requests
		s.ErrorsUnexpected += e.ErrorsUnexpected
		s.ErrorsExpected += e.ErrorsExpected
		s.ErrorsByKind["http_5xx"] += e.ErrorsUnexpected
		s.ErrorsByKind["http_4xx"] += e.ErrorsExpected
		groupSamples[fe.group] = append(groupSamples[fe.group], samples...)
	}
	s.ErrorsByKind["timeout"] = 2
	s.RPS = float64(s.Requests) / s.DurationSeconds
	for i, name := range []string{"new", "active", "admin", "power"} {
		samples := latencySamples(rng, 300, 10000)
		e := endpointFromSamples(tb, "", name, samples)
		s.Archetypes = append(s.Archetypes, Archetype{
			Name: name, Users: []int{40, 100, 40, 20}[i], Requests: e.Requests,
			P50Ms: e.P50Ms, P95Ms: e.P95Ms, P99Ms: e.P99Ms, Histogram: e.Histogram,
		})
	}
	for i := range 120 {
		t := Tick{
			T:          float64(i + 1),
			Requests:   int64(40 + rng.IntN(20)),
			ActiveVUs:  min(200, 10*(i+1)),
			Errors:     map[string]int64{"http_4xx": int64(rng.IntN(3)), "http_5xx": int64(rng.IntN(2))},
			Latency:    map[string]Percentiles{},
			HeapBytes:  uint64(20<<20 + i<<16),
			Goroutines: 250 + i,
		}
		if i%30 == 29 {
			t.Errors["timeout"] = 1
		}
		for _, g := range []struct {
			name string
			base float64
		}{{"auth", 40}, {"users", 8}, {"admin", 15}} {
			j := 1 + 0.3*rng.Float64()
			t.Latency[g.name] = Percentiles{P50: g.base * j, P95: g.base * 2.5 * j, P99: g.base * (3 + 2*rng.Float64())}
		}
		s.Timeline = append(s.Timeline, t)
	}
	cov := 5.0 / 6.0
	s.Coverage = &cov
	s.Operations = []Operation{
		{Name: "POST /api/auth/register", Requests: 700, AsDescribed: 700, ByClass: map[string]int64{"2xx": 690, "4xx": 10}},
		{Name: "POST /api/auth/login", Requests: 983, AsDescribed: 983, ByClass: map[string]int64{"2xx": 900, "4xx": 83}},
		{Name: "GET /api/users/{id}", Requests: 800, AsDescribed: 800, Violations: 2, Examples: []string{
			`GET /api/users/{id} 200: response body: property "email" is missing`,
			`GET /api/users/{id} 200: response body: "created_at" is not a date-time`,
		}},
		{Name: "PUT /api/users/{id}", Requests: 500, AsDescribed: 500},
		{Name: "GET /api/users", Requests: 600, AsDescribed: 600},
		{Name: "GET /api/users/{id}/sessions"},
	}
	s.Resources = Resources{HeapPeakBytes: 28 << 20, HeapPerVUBytes: 4096, GoroutinesPeak: 369, FDLimit: 1 << 20}
	s.Push = PushStats{Enabled: true, Gateway: "http://127.0.0.1:9091", Pushes: 24, Failures: 1,
		ByKind: map[string]int64{"timeout": 1}, LastError: "push to http://127.0.0.1:9091: context deadline exceeded"}
	s.Budgets = []Budget{
		{Name: "budget/p95/POST /api/auth/login", Expr: "p95(POST /api/auth/login) < 100ms", Passed: false,
			Measured: s.Endpoint("POST /api/auth/login").P95Ms, Limit: 100, Unit: "ms", Samples: s.Endpoint("POST /api/auth/login").Requests,
			Message: fmt.Sprintf("p95 of POST /api/auth/login is %.1fms, over the 100ms budget", s.Endpoint("POST /api/auth/login").P95Ms)},
		{Name: "budget/error_rate/all", Expr: "error_rate < 2%", Passed: true, Measured: 0.004, Limit: 0.02, Samples: s.Requests,
			Message: "error rate 0.40% is under 2%"},
		{Name: "budget/leaks/goroutines", Expr: "no leaks", Passed: true, Samples: 1, Message: "no goroutine leaked"},
	}
	return s
}
