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
)

// memInUse is the heap and stack memory in use after a full GC.
func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// BenchmarkIdleUsers measures the memory of a virtual user that is thinking
// between requests: every user makes one request, then thinks for an hour;
// once all are thinking, heap and stacks after GC, less what was in use
// before the run, divided by the users — the harness's side of the shared
// connection pool included. The target runs in a process of its own
// (TestHelperTarget), so its connections and goroutines are not counted as
// the generator's. RSS-MiB is the whole process's resident memory then.
func BenchmarkIdleUsers(b *testing.B) {
	target := startHelperTarget(b, -1)
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			for b.Loop() {
				perVU, rss := idleUsers(b, target.URL, n)
				b.ReportMetric(perVU, "B/VU")
				b.ReportMetric(float64(rss)/(1<<20), "RSS-MiB")
			}
		})
	}
}

// idleUsers runs n users into their hour of thinking and returns the memory
// per user and the process's resident memory at that moment.
func idleUsers(b *testing.B, target string, n int) (float64, uint64) {
	cfg := DefaultConfig()
	cfg.Target, cfg.Users, cfg.Think, cfg.Progress = target, n, "const:1h", 0
	cfg.ReportDir, cfg.Duration = b.TempDir(), 0
	var thinking atomic.Int64
	sim := New(b, cfg)
	sim.Archetype("idle", 1, Between(2, 2), func(ctx context.Context, vu *VU) error {
		if _, err := vu.Do(ctx, Get("/x")); err != nil {
			return err
		}
		thinking.Add(1)
		_, err := vu.Do(ctx, Get("/x")) // thinks for an hour first
		return err
	})
	before := memInUse()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { acceptPartial(sim.Run(ctx)) }) // the benchmark stops it
	for thinking.Load() < int64(n) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the last users reach their timers
	perVU := float64(memInUse()-before) / float64(n)
	rss, err := residentBytes()
	if err != nil {
		b.Logf("resident memory unknown: %v", err)
	}
	cancel()
	wg.Wait()
	return perVU, rss
}

// BenchmarkThroughput_SlowGateway: a Pushgateway that answers only after
// 10 s must not slow the users: throughput with it over throughput without.
func BenchmarkThroughput_SlowGateway(b *testing.B) {
	const (
		workers = 32
		window  = 3 * time.Second
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	defer srv.Close()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		case <-release: // the benchmark is over
		}
	}))
	defer slow.Close()
	defer close(release)
	for b.Loop() {
		target := &helperTarget{URL: srv.URL}
		without := harnessLoop(b, target, workers, window, "", HeadersBrowser).rate()
		with := harnessLoop(b, target, workers, window, slow.URL, HeadersBrowser).rate()
		b.ReportMetric(without, "no-gateway-req/s")
		b.ReportMetric(with, "slow-gateway-req/s")
		b.ReportMetric(with/without, "ratio")
	}
}
