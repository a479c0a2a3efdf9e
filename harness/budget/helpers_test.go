package budget

import (
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/reports"
)

// samples is a latency recorded count times, in microseconds.
type samples struct {
	micros int64
	count  int64
}

// histogramOf returns a latency histogram holding the given samples.
func histogramOf(tb testing.TB, ss ...samples) *hdrhistogram.Histogram {
	tb.Helper()
	h := reports.NewHistogram()
	for _, s := range ss {
		require.NoError(tb, h.RecordValues(s.micros, s.count), "record %dus", s.micros)
	}
	return h
}

// encoded returns the encoded form of a histogram holding the samples,
// as it appears in summary.json.
func encoded(tb testing.TB, ss ...samples) string {
	tb.Helper()
	text, err := reports.EncodeHistogram(histogramOf(tb, ss...))
	require.NoError(tb, err)
	return text
}

// mustParse parses an expression the test knows to be valid.
func mustParse(tb testing.TB, expr string) Budget {
	tb.Helper()
	b, err := Parse(expr)
	require.NoError(tb, err, "parse %q", expr)
	return b
}

// fixtureSummary returns a run with known figures: four endpoints (one
// without requests), two archetypes (one without requests), resources,
// an API description and a 10 s duration.
func fixtureSummary(tb testing.TB) *reports.Summary {
	tb.Helper()
	coverage := 0.875
	ms := func(n int64) int64 { return n * 1000 }
	return &reports.Summary{
		RunID:            "run-1",
		Model:            "closed",
		DurationSeconds:  10,
		Users:            100,
		PeakVUs:          100,
		Requests:         2004,
		ErrorsUnexpected: 12,
		Endpoints: []reports.Endpoint{
			{
				Name: "GET /api/users/{id}", Method: "GET", Route: "/api/users/{id}",
				Requests: 1204, ErrorsUnexpected: 3,
				Histogram: encoded(tb, samples{ms(12), 1144}, samples{ms(212), 60}),
			},
			{
				Name: "GET /api/users", Method: "GET", Route: "/api/users",
				Requests: 500, Histogram: encoded(tb, samples{ms(40), 500}),
			},
			{
				Name: "POST /api/auth/login", Method: "POST", Route: "/api/auth/login",
				Requests: 300, ErrorsUnexpected: 9, Histogram: encoded(tb, samples{ms(90), 300}),
			},
			{Name: "DELETE /api/users/{id}", Method: "DELETE", Route: "/api/users/{id}"},
		},
		Archetypes: []reports.Archetype{
			{Name: "active", Users: 80, Requests: 1000, ErrorsUnexpected: 1, Histogram: encoded(tb, samples{ms(20), 1000})},
			{Name: "admin", Users: 20},
		},
		Coverage: &coverage,
		Operations: []reports.Operation{
			{Name: "GET /api/users/{id}", Requests: 1204, AsDescribed: 1204},
			{Name: "GET /api/users", Requests: 500, AsDescribed: 500},
			{Name: "POST /api/auth/login", Requests: 300, AsDescribed: 300, Violations: 2},
			{Name: "POST /api/users", Requests: 1, AsDescribed: 1, Violations: 1},
			{Name: "PUT /api/users/{id}", Requests: 1, AsDescribed: 1},
			{Name: "PATCH /api/users/{id}", Requests: 1, AsDescribed: 1},
			{Name: "GET /health", Requests: 1, AsDescribed: 1},
			{Name: "DELETE /api/users/{id}"},
		},
		Resources: reports.Resources{
			HeapPeakBytes:   600 << 20,
			HeapPerVUBytes:  9420,
			GoroutinesPeak:  250,
			GoroutineLeaks:  2,
			LeakDescription: "goroutine 42 [chan receive]:\nmain.worker()",
		},
	}
}
