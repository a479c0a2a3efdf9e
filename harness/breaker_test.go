package harness

import (
	"context"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/internal/tbtest"
	"github.com/trafficsim/trafficsim/reports"
)

// maxProbes bounds the probes a breaker can send in elapsed time: the k-th
// probe waits out cooldowns of c, 2c, ... 2^(k-1)·c (c = BreakerCooldown),
// so k probes need (2^k − 1)·c. (Valid while no cooldown reaches the cap,
// that is for runs under a minute.)
func maxProbes(elapsed time.Duration) int64 {
	return int64(math.Floor(math.Log2(float64(elapsed)/float64(BreakerCooldown) + 1)))
}

func TestBreaker_deadEndpointGetsOnlyProbesWhileTheRestRunsOn(t *testing.T) {
	var bad, good atomic.Int64
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bad":
			bad.Add(1)
			http.Error(w, "down for good", http.StatusServiceUnavailable)
		case "/good":
			good.Add(1)
			w.Write([]byte(`{}`))
		}
	})
	const users, threshold = 8, 5
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Breaker, cfg.AbortErrorRate = users, threshold, 0
	cfg.Think, cfg.Duration = "const:1ms", 1500*time.Millisecond
	cfg.MaxRequests = 1_000_000
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(1_000_000, 1_000_000), func(ctx context.Context, vu *VU) error {
		for {
			for _, route := range []string{"/good", "/bad"} {
				if _, err := vu.Do(ctx, Get(route)); err != nil {
					return err
				}
			}
		}
	})
	start := time.Now()
	res := sim.MustRun(context.Background())
	elapsed := time.Since(start)
	s := res.Summary
	checkReports(t, res)

	badEp, goodEp := s.Endpoint("GET /bad"), s.Endpoint("GET /good")
	require.NotNil(t, badEp)
	require.NotNil(t, goodEp)
	limit := int64(threshold+users-1) + maxProbes(elapsed)
	t.Logf("elapsed %s: /bad sent %d of %d (limit %d); /good sent %d", elapsed, bad.Load(), badEp.Requests, limit, good.Load())
	assert.LessOrEqual(t, bad.Load(), limit, "the dead endpoint sees the failures that opened it and the probes, no more")
	assert.GreaterOrEqual(t, bad.Load(), int64(threshold))
	assert.Equal(t, s.ErrorsByKind[string(kind.HTTP5xx)], bad.Load(), "every request that reached it failed")
	assert.Equal(t, bad.Load(), badEp.Requests, "requests are what was sent")
	assert.Positive(t, badEp.Blocked, "the rest were not sent, and counted apart")
	assert.Equal(t, s.Blocked, badEp.Blocked)
	assert.Zero(t, s.ErrorsByKind[string(kind.CircuitOpen)], "a blocked request is no error of a request")
	assert.Equal(t, badEp.Requests, badEp.ErrorsUnexpected, "error_rate shows the outage")
	h, err := reports.DecodeHistogram(badEp.Histogram)
	require.NoError(t, err)
	assert.Equal(t, bad.Load(), h.TotalCount(), "only requests sent have a latency")

	assert.Equal(t, good.Load(), goodEp.Requests, "the healthy endpoint got every request")
	assert.Zero(t, goodEp.ErrorsUnexpected)
	assert.Greater(t, goodEp.Requests, 20*bad.Load(), "and was hammered as usual")
	assert.InDelta(t, goodEp.Requests, badEp.Requests+badEp.Blocked, users, "journeys went on alternating")
}

func TestBreaker_rejectedRequestsSpendTheBudget(t *testing.T) {
	tests := []struct {
		name    string
		breaker int
	}{
		{"on", 3},
		{"off", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			})
			const users, budget = 4, 150
			cfg := withReportDir(t, testConfig(srv.URL))
			cfg.Users, cfg.Breaker, cfg.AbortErrorRate = users, tt.breaker, 0
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(budget, budget), (&userLog{}).journey("/x"))
			start := time.Now()
			res := sim.MustRun(context.Background())
			elapsed := time.Since(start)
			s := res.Summary
			checkReports(t, res)
			assert.False(t, s.Partial)
			assert.EqualValues(t, users*budget, s.Requests+s.Blocked, "sent + blocked = planned: every user spent its whole budget")
			assert.Equal(t, srv.hits.Load(), s.Requests, "requests are what went on the wire")
			assert.Equal(t, srv.hits.Load(), s.ErrorsUnexpected)
			assert.Equal(t, srv.hits.Load(), s.ErrorsByKind[string(kind.HTTP5xx)])
			assert.InDelta(t, float64(s.Requests)/s.DurationSeconds, s.RPS, 1e-6, "req/s counts only requests sent")
			if tt.breaker == 0 {
				assert.EqualValues(t, users*budget, srv.hits.Load(), "-breaker=0 sends everything")
				assert.Zero(t, s.Blocked)
				return
			}
			assert.LessOrEqual(t, srv.hits.Load(), int64(tt.breaker+users-1)+maxProbes(elapsed))
			assert.Equal(t, users*budget-srv.hits.Load(), s.Blocked)
		})
	}
}

func TestBreaker_abortCheckStillFires(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Breaker, cfg.Think = 4, 2, "const:1ms"
	cfg.AbortWindow, cfg.Duration = 2*time.Second, 20*time.Second
	cfg.MaxRequests = 1_000_000
	tb := tbtest.New(t).HoldCleanups()
	sim := New(tb, cfg)
	sim.Archetype("u", 1, Between(1_000_000, 1_000_000), (&userLog{}).journey("/x"))
	start := time.Now()
	res := sim.MustRun(context.Background())
	assert.Len(t, tb.Finish(), 1, "the aborted run fails the test")
	s := res.Summary
	assert.Less(t, time.Since(start), 15*time.Second, "aborted long before -duration")
	assert.True(t, s.Partial)
	assert.Contains(t, s.PartialReason, "-abort-error-rate")
	assert.Greater(t, s.Blocked, 10*srv.hits.Load(), "most requests were not sent")
	checkReports(t, res)
}
