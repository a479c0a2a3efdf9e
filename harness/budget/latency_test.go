package budget

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/reports"
)

// TestEvaluate_mergedPercentileIsExact checks that a budget over two
// endpoints measures exactly what one histogram of all their samples
// would, and not an average of the two endpoints' percentiles.
func TestEvaluate_mergedPercentileIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fast, slow, union := reports.NewHistogram(), reports.NewHistogram(), reports.NewHistogram()
	for range 5000 {
		v := 1000 + rng.Int64N(20_000) // 1–21 ms
		require.NoError(t, fast.RecordValue(v))
		require.NoError(t, union.RecordValue(v))
	}
	for range 1000 {
		v := 100_000 + rng.Int64N(400_000) // 100–500 ms
		require.NoError(t, slow.RecordValue(v))
		require.NoError(t, union.RecordValue(v))
	}
	fastText, err := reports.EncodeHistogram(fast)
	require.NoError(t, err)
	slowText, err := reports.EncodeHistogram(slow)
	require.NoError(t, err)
	s := &reports.Summary{Endpoints: []reports.Endpoint{
		{Name: "GET /api/users", Requests: 5000, Histogram: fastText},
		{Name: "GET /api/users/{id}", Requests: 1000, Histogram: slowText},
	}}

	tests := []struct {
		expr string
		want float64
	}{
		{"p50(GET /api/users*) < 1h", reports.MillisAt(union, 50)},
		{"p90(GET /api/users*) < 1h", reports.MillisAt(union, 90)},
		{"p95(GET /api/users*) < 1h", reports.MillisAt(union, 95)},
		{"p99(GET /api/users*) < 1h", reports.MillisAt(union, 99)},
		{"p99.9(GET /api/users*) < 1h", reports.MillisAt(union, 99.9)},
		{"max(GET /api/users*) < 1h", float64(union.Max()) / 1000},
		{"mean(GET /api/users*) < 1h", union.Mean() / 1000},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := Evaluate(s, []Budget{mustParse(t, tt.expr)})[0]
			assert.Equal(t, tt.want, got.Measured, "merged histograms must give the union's figure exactly")
			assert.Equal(t, int64(6000), got.Samples)
			assert.True(t, got.Passed)
		})
	}

	t.Run("not an average of percentiles", func(t *testing.T) {
		got := Evaluate(s, []Budget{mustParse(t, "p90(GET /api/users*) < 1h")})[0]
		average := (reports.MillisAt(fast, 90) + reports.MillisAt(slow, 90)) / 2
		// p90 of the union falls among the slow endpoint's samples (1/6 of
		// all), far from the average of the two p90s.
		assert.Greater(t, got.Measured, 100.0)
		assert.NotEqual(t, average, got.Measured)
	})
}

func TestBudget_stat(t *testing.T) {
	h := histogramOf(t, samples{1000, 90}, samples{50_000, 10})
	tests := []struct {
		expr string
		want float64
	}{
		{"p50 < 1s", reports.MillisAt(h, 50)},
		{"p95 < 1s", reports.MillisAt(h, 95)},
		{"max < 1s", float64(h.Max()) / 1000},
		{"mean < 1s", h.Mean() / 1000},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			assert.Equal(t, tt.want, mustParse(t, tt.expr).stat(h))
		})
	}
	assert.InDelta(t, 1.0, mustParse(t, "p50 < 1s").stat(h), 0.01)
	assert.InDelta(t, 50.0, mustParse(t, "p95 < 1s").stat(h), 0.05)
}
