package harness

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPool_boundedInFlight: against a target slower than the demand, no
// more than -max-in-flight requests are ever in flight at the target, for
// users that think (their exchanges on workers) and users that do not
// (exchanges on their own goroutines) alike; the wait in line is part of
// each request's latency and the run reports it as saturation in
// summary.json and report.html.
func TestPool_boundedInFlight(t *testing.T) {
	const (
		users       = 40
		maxInFlight = 4
		serve       = 20 * time.Millisecond
		perUser     = 5
	)
	for _, think := range []string{"none", "const:1ms"} {
		t.Run("think="+think, func(t *testing.T) {
			var now, peak atomic.Int64
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				n := now.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(serve)
				now.Add(-1)
				w.Write([]byte(`{"ok":true}`))
			})
			cfg := withReportDir(t, testConfig(srv.URL))
			cfg.Users, cfg.Think, cfg.MaxInFlight = users, think, maxInFlight
			cfg.MinRequests, cfg.MaxRequests = perUser, perUser
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(perUser, perUser), func(ctx context.Context, vu *VU) error {
				_, err := vu.Do(ctx, Get("/slow"))
				return err
			})
			res := sim.MustRun(context.Background())
			s := res.Summary

			assert.EqualValues(t, users*perUser, s.Requests)
			assert.LessOrEqual(t, peak.Load(), int64(maxInFlight), "requests in flight at the target")
			sat := s.Saturation
			assert.Equal(t, maxInFlight, sat.MaxInFlight)
			assert.Positive(t, sat.QueuedRequests, "requests that waited for a slot")
			// 40 users on 4 slots: most of the others wait at once, whether
			// counted by the slots or in the dispatcher's queue.
			assert.GreaterOrEqual(t, sat.PeakQueued, int64(users/2), "peak of requests waiting at once")
			assert.Greater(t, sat.QueueWaitMaxMs, float64(serve.Milliseconds()))
			// 40 users share 4 slots of 20 ms each: a request waits for
			// about nine others, so the median latency is far above the
			// target's 20 ms — the wait is in the latency.
			require.Len(t, s.Endpoints, 1)
			assert.Greater(t, s.Endpoints[0].P50Ms, 3*float64(serve.Milliseconds()), "latency includes the wait in line")
			assert.Contains(t, s.Notes[len(s.Notes)-1], "saturated")

			html, err := os.ReadFile(filepath.Join(res.Dir, "report.html"))
			require.NoError(t, err)
			assert.Contains(t, string(html), "requests queued (saturated)")
		})
	}
}
