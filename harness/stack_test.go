package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// stackInUse is the goroutine stack memory in use after a full GC (which
// also shrinks the stacks that can shrink).
func stackInUse() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// parkedStackPerUser runs n users that each run steps (their journey's
// first part, requests included) and then think for an hour, and returns the
// goroutine stack bytes per user once they all think.
func parkedStackPerUser(t *testing.T, n int, steps Journey) float64 {
	t.Helper()
	srv := startHelperTarget(t, -1)
	cfg := DefaultConfig()
	cfg.Target, cfg.Users, cfg.Progress, cfg.ReportDir, cfg.Duration = srv.URL, n, 0, t.TempDir(), 0
	cfg.MinRequests, cfg.MaxRequests, cfg.Ramp = 1000, 1000, time.Second
	cfg.MaxInFlight = 4 // few workers and connections, whose stacks are not the users'
	var thinking atomic.Int64
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(1000, 1000), func(ctx context.Context, vu *VU) error {
		if err := steps(ctx, vu); err != nil {
			return err
		}
		thinking.Add(1)
		return vu.Sleep(ctx, time.Hour)
	})
	before := stackInUse()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { acceptPartial(sim.Run(ctx)) }) // the test stops it
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for thinking.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if thinking.Load() < int64(n) {
		t.Fatalf("%d of %d users reached their pause", thinking.Load(), n)
	}
	time.Sleep(100 * time.Millisecond) // the last users reach their pause
	return float64(stackInUse()-before) / float64(n)
}

// TestThinkingUser_Stack holds the memory design of a thinking user: its
// goroutine stays at the runtime's 2 KiB minimum stack whatever the harness
// did for it — requests sent and answered, JSON bodies encoded and decoded
// (on a pool worker, not on the user's stack), logins recorded, strings
// formatted. A goroutine that once needs more than about 1,100 bytes of
// stack gets 4 KiB and never shrinks back (the runtime shrinks a stack only
// while less than a quarter of it is in use), which would double what a
// hundred thousand users cost; so would new goroutines starting at 4 KiB,
// which the runtime does when the stacks it scans are deep on average.
func TestThinkingUser_Stack(t *testing.T) {
	if testing.Short() {
		t.Skip("parks thousands of users")
	}
	if raceEnabled {
		t.Skip("the race detector's instrumentation makes every stack larger; the bound holds for the code users run")
	}
	type reply struct {
		OK   bool           `json:"ok"`
		More map[string]any `json:"more"`
	}
	const users, limit = 2000, 2048 + 256 // the minimum stack, and room for the run's own goroutines
	for _, tc := range []struct {
		name  string
		steps Journey
	}{
		{"get", func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err }},
		{"two requests", func(ctx context.Context, vu *VU) error {
			if _, err := vu.Do(ctx, Get("/x")); err != nil {
				return err
			}
			_, err := vu.Do(ctx, Get("/x")) // after a think time
			return err
		}},
		{"post json", func(ctx context.Context, vu *VU) error {
			_, err := vu.Do(ctx, Post("/x").JSON(map[string]string{"email": vu.Email(""), "password": "p"}))
			return err
		}},
		{"decode", func(ctx context.Context, vu *VU) error {
			req := Get("/x")
			resp, err := vu.Do(ctx, req)
			if err != nil {
				return err
			}
			var r reply
			if !vu.Decode(req, resp, &r) || !r.OK {
				return fmt.Errorf("decode: %+v", r)
			}
			return nil
		}},
		{"format", func(ctx context.Context, vu *VU) error {
			req := Get("/x").Param("q", fmt.Sprintf("user %d of %s", vu.Index, vu.Archetype))
			_, err := vu.Do(ctx, req)
			return err
		}},
		{"login recorded", func(ctx context.Context, vu *VU) error {
			_, err := vu.Do(ctx, Get("/x"))
			vu.RecordLogin(kind.LoginSuccess)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			perUser := parkedStackPerUser(t, users, tc.steps)
			t.Logf("%.0f stack bytes per thinking user", perUser)
			if perUser > limit {
				t.Errorf("a thinking user's goroutine holds %.0f stack bytes, more than the 2 KiB minimum stack (limit %d)", perUser, limit)
			}
		})
	}
}

// TestThinkingUser_noGoroutineBetweenCalls: a user whose journey call has
// returned holds no goroutine while it thinks before the next call, however
// deep that call went; the stop ends such users without starting one each.
func TestThinkingUser_noGoroutineBetweenCalls(t *testing.T) {
	const users = 2000
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { served.Add(1) }))
	t.Cleanup(srv.Close)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Think, cfg.Ramp, cfg.Duration, cfg.MaxInFlight = users, "const:1h", 200*time.Millisecond, 0, 8
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(3, 3), func(ctx context.Context, vu *VU) error {
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var res *Result
	wg.Go(func() { res, _ = sim.Run(ctx) })
	deadline := time.Now().Add(30 * time.Second)
	for served.Load() < users+1 && time.Now().Before(deadline) { // and the preflight
		time.Sleep(10 * time.Millisecond)
	}
	require.EqualValues(t, users+1, served.Load(), "every user made its first request")
	time.Sleep(100 * time.Millisecond)
	during := runtime.NumGoroutine() - base
	assert.Less(t, during, 100, "%d goroutines for %d users thinking between calls", during, users)
	stopAt := time.Now()
	cancel()
	wg.Wait()
	require.NotNil(t, res)
	res.AcceptPartial()
	assert.Less(t, time.Since(stopAt), 3*time.Second)
	assert.Equal(t, users, res.Summary.Users)
	assert.Zero(t, res.Summary.Resources.GoroutineLeaks, res.Summary.Resources.LeakDescription)
	assert.EqualValues(t, users, res.Summary.Requests, "no request after the stop")
}
