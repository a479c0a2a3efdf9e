package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/internal/tbtest"
	"github.com/trafficsim/trafficsim/reports"
)

// stallingHandler answers at once, except that every period it stalls for
// stall: requests that arrive during a stall wait until it ends.
func stallingHandler(start time.Time, period, stall time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			phase := time.Since(start) % period
			if phase >= period-stall {
				select {
				case <-time.After(period - phase):
				case <-r.Context().Done():
				}
			}
		}
		w.Write([]byte("{}"))
	}
}

func TestOpenModel_latencyIncludesStallsAndDropsAreCounted(t *testing.T) {
	const (
		rate   = 60.0
		period = 2500 * time.Millisecond
		stall  = time.Second
	)
	srv := httptest.NewServer(stallingHandler(time.Now(), period, stall))
	t.Cleanup(srv.Close)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Rate, cfg.Duration, cfg.MaxVUs = rate, 6*time.Second, 40
	sim := New(t, cfg)
	sim.Archetype("visitor", 1, Between(1, 1), (&userLog{}).journey("/page"))
	s := sim.MustRun(context.Background()).Summary

	ep := s.Endpoint("GET /page")
	require.NotNil(t, ep)
	h, err := reports.DecodeHistogram(ep.Histogram)
	require.NoError(t, err)
	// Two stalls of 1 s happen in 6 s; every session due during one waits
	// out the rest of it, so its latency is counted from when it was due.
	slow := int64(0)
	for _, b := range h.Distribution() {
		if b.From >= 300_000 { // 300 ms in µs
			slow += b.Count
		}
	}
	assert.Greater(t, ep.MaxMs, 700.0, "the stall shows in the latency")
	assert.Greater(t, slow, int64(30), "sessions due during the stalls are slow, not hidden")
	assert.Greater(t, s.Dropped, int64(0), "starts beyond -max-vus are dropped and counted")
	assert.Equal(t, "open", s.Model)
	// Every planned start ran, was dropped or was not reached: exactly.
	assert.EqualValues(t, s.Scheduled, int64(s.Users)+s.Dropped+s.NotReached)
}

func TestOpenModel_followsTheStages(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Duration = 0
	cfg.Stages = []Stage{{Duration: 3 * time.Second, Target: 40}, {Duration: 3 * time.Second, Target: 40}, {Duration: 3 * time.Second, Target: 0}}
	var mu sync.Mutex
	var starts []time.Time
	sim := New(t, cfg)
	sim.Archetype("visitor", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		_, err := vu.Do(ctx, Get("/page"))
		return err
	})
	s := sim.MustRun(context.Background()).Summary

	// Planned: 0→40/s over 3 s = 60 sessions; 40/s for 3 s = 120; 40→0 = 60.
	// The first session starts at the plan's start.
	require.NotEmpty(t, starts)
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	per := make([]int, 3)
	for _, at := range starts {
		per[min(int(at.Sub(starts[0])/(3*time.Second)), 2)]++
	}
	for i, want := range []float64{60, 120, 60} {
		assert.InDelta(t, want, float64(per[i]), want*0.1, "stage %d: %v", i+1, per)
	}
	assert.Zero(t, s.Dropped)
	assert.EqualValues(t, 240, s.Scheduled, "the stages' integral, exactly")
	assert.EqualValues(t, len(starts), s.Requests)
}

func TestAbort_deadTargetEndsTheRunWithinTheWindow(t *testing.T) {
	var dead atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dead.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Think = 20, "const:20ms"
	cfg.AbortWindow = 3 * time.Second
	time.AfterFunc(500*time.Millisecond, func() { dead.Store(true) })
	tb := tbtest.New(t).HoldCleanups()
	sim := New(tb, cfg)
	sim.Archetype("u", 1, Between(100000, 100000), (&userLog{}).journey("/x"))
	start := time.Now()
	s := sim.MustRun(context.Background()).Summary
	assert.Less(t, time.Since(start), 3*cfg.AbortWindow, "aborted within the window")
	errs := tb.Finish()
	require.Len(t, errs, 1, "an aborted run fails the test")
	assert.Contains(t, errs[0], "stopped early (aborted:")
	assert.True(t, s.Partial)
	assert.True(t, strings.HasPrefix(s.PartialReason, "aborted:"), s.PartialReason)
	assert.Contains(t, s.PartialReason, "-abort-error-rate")
}

func TestAbort_budgetMarkedAbort(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		w.Write([]byte("{}"))
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.AbortWindow = 10, 3*time.Second
	cfg.Budgets = []string{"p95(GET /x) < 5ms abort"}
	tb := tbtest.New(t).HoldCleanups()
	sim := New(tb, cfg)
	sim.Archetype("u", 1, Between(100000, 100000), (&userLog{}).journey("/x"))
	start := time.Now()
	s := sim.MustRun(context.Background()).Summary
	assert.Less(t, time.Since(start), 10*time.Second)
	errs := tb.Finish()
	require.Len(t, errs, 2, "the broken budget and the stop: %q", errs)
	assert.Contains(t, errs[0], "budget/p95/GET_/x/abort: p95 of GET /x")
	assert.Contains(t, errs[1], "stopped early (aborted by budget")
	assert.True(t, s.Partial)
	assert.Contains(t, s.PartialReason, "aborted by budget")
}

func TestContinuous_replacesUsersWithNewIdentities(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Continuous, cfg.Duration, cfg.RecordSequences = 4, true, 1500*time.Millisecond, true
	cfg.Think = "const:10ms"
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(3, 3), (&userLog{}).journey("/x"))
	res := sim.MustRun(context.Background())
	assert.False(t, res.Summary.Partial, "the duration ending is a normal end")
	assert.Greater(t, res.Summary.Users, 20, "finished users were replaced")
	assert.Contains(t, res.Sequences, 4, "replacements take new indexes after the population")
}

func TestContinuous_cleansUpFinishedUsersEveryInterval(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Continuous, cfg.Cleanup = 3, true, true
	cfg.Duration, cfg.CleanupInterval, cfg.Think = 1500*time.Millisecond, 300*time.Millisecond, "const:20ms"
	var mu sync.Mutex
	var periodic, final int
	var finishedSeen, activeSeen bool
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(5, 5), (&userLog{}).journey("/x"))
	sim.OnCleanup(func(ctx context.Context, scope CleanupScope) error {
		mu.Lock()
		defer mu.Unlock()
		if scope.Final {
			final++
			return nil
		}
		periodic++
		finishedSeen = finishedSeen || scope.Finished(0) // the first users end after 5 requests
		for i := range 100 {
			activeSeen = activeSeen || !scope.Finished(i)
		}
		return nil
	})
	sim.MustRun(context.Background())
	assert.GreaterOrEqual(t, periodic, 3, "a cleanup every -cleanup-interval")
	assert.Equal(t, 1, final, "and one at the end")
	assert.True(t, finishedSeen, "finished users may go")
	assert.True(t, activeSeen, "active users are kept")
}
