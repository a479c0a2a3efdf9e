package harness

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPacedUsers runs users that each GET, think a second, GET again,
// for 20 seconds, against the trivial target in a process of its own: a
// demand of one request per user per second. It reports the rate served
// over the run and over its steady part (after the ramp), and the process's
// peak resident memory during the run. With requests in flight bounded by
// -max-in-flight, connections grow with the work, not with the users, so
// 10,000 users are served at about 10,000 requests a second on a handful
// of connections. Run it with `make bench BENCH=PacedUsers COUNT=1`.
func BenchmarkPacedUsers(b *testing.B) {
	target := startHelperTarget(b, -1)
	for _, n := range []int{10000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			for b.Loop() {
				pacedUsers(b, target.URL, n)
			}
		})
	}
}

func pacedUsers(b *testing.B, target string, n int) {
	const (
		length = 20 * time.Second
		ramp   = time.Second
	)
	cfg := DefaultConfig()
	cfg.Target, cfg.Users, cfg.Think, cfg.Progress = target, n, "const:1s", 0
	cfg.ReportDir, cfg.Duration, cfg.Ramp = b.TempDir(), length, ramp
	sim := New(b, cfg)
	sim.Archetype("paced", 1, Between(1000, 1000), func(ctx context.Context, vu *VU) error {
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	if err := resetPeakResident(); err != nil {
		b.Logf("peak resident memory not reset: %v", err)
	}
	s := sim.MustRun(context.Background()).Summary
	peak, err := peakResidentBytes()
	if err != nil {
		b.Logf("peak resident memory unknown: %v", err)
	}
	var steady, steadySeconds float64
	for _, tk := range s.Timeline {
		if tk.T > (ramp+2*time.Second).Seconds() && tk.T <= length.Seconds() {
			steady += float64(tk.Requests)
			steadySeconds += s.IntervalSeconds
		}
	}
	if s.ErrorsUnexpected > 0 {
		b.Errorf("%d unexpected errors: %v", s.ErrorsUnexpected, s.ErrorsByKind)
	}
	b.ReportMetric(s.RPS, "req/s")
	if steadySeconds > 0 {
		b.ReportMetric(steady/steadySeconds, "steady-req/s")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(s.Saturation.QueuedRequests), "queued")
}
