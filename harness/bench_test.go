package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tsmetrics "github.com/trafficsim/trafficsim/harness/metrics"
)

// BenchmarkRecord measures the per-request recording path: HDR histograms
// per endpoint and archetype, the timeline's interval, counters and the
// Prometheus collectors.
func BenchmarkRecord(b *testing.B) {
	coll := tsmetrics.New(tsmetrics.RunInfo{RunID: "bench", Seed: "1", Version: "dev"})
	rec := NewRecorder([]string{"new", "active"}, coll)
	e := rec.endpoint("GET", "/api/users/{id}")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		o := outcome{arch: 1, status: 200, latency: 1500 * time.Microsecond, bytes: 512}
		for pb.Next() {
			rec.observe(e, &o)
		}
	})
}

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
// before the run, divided by the users — the shared connection pool included.
func BenchmarkIdleUsers(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
			defer srv.Close()
			for b.Loop() {
				perVU := idleUsers(b, srv.URL, n)
				b.ReportMetric(perVU, "B/VU")
			}
		})
	}
}

func idleUsers(b *testing.B, target string, n int) float64 {
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
	wg.Go(func() { sim.Run(ctx) })
	for thinking.Load() < int64(n) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the last users reach their timers
	perVU := float64(memInUse()-before) / float64(n)
	cancel()
	wg.Wait()
	return perVU
}

// BenchmarkThroughput compares the harness with a plain loop of goroutines
// calling net/http on the same kind of Transport, against a trivial loopback
// handler: one archetype doing GET in a loop with no think time.
func BenchmarkThroughput(b *testing.B) {
	const (
		workers = 32
		window  = 3 * time.Second
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	defer srv.Close()
	for b.Loop() {
		plain := plainLoop(srv.URL, workers, window)
		harnessRate := harnessLoop(b, srv.URL, workers, window, "")
		b.ReportMetric(plain, "plain-req/s")
		b.ReportMetric(harnessRate, "harness-req/s")
		b.ReportMetric(harnessRate/plain, "ratio")
	}
}

func plainLoop(target string, workers int, window time.Duration) float64 {
	tr := &http.Transport{MaxIdleConnsPerHost: 1024}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	deadline := time.Now().Add(window)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				resp, err := client.Get(target + "/x")
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / window.Seconds()
}

func harnessLoop(b *testing.B, target string, workers int, window time.Duration, gateway string) float64 {
	cfg := DefaultConfig()
	cfg.Pushgateway, cfg.PushInterval = gateway, time.Second
	cfg.Target, cfg.Users, cfg.Think, cfg.Progress = target, workers, "none", 0
	cfg.ReportDir, cfg.Duration, cfg.Ramp = b.TempDir(), window, time.Nanosecond
	cfg.MinRequests, cfg.MaxRequests = 1<<30, 1<<30
	sim := New(b, cfg)
	sim.Archetype("loop", 1, Between(1, 1<<30), func(ctx context.Context, vu *VU) error {
		for {
			if _, err := vu.Do(ctx, Get("/x")); err != nil {
				return err
			}
		}
	})
	s := sim.Run(context.Background()).Summary
	return float64(s.Requests) / window.Seconds()
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
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer slow.CloseClientConnections()
	for b.Loop() {
		without := harnessLoop(b, srv.URL, workers, window, "")
		with := harnessLoop(b, srv.URL, workers, window, slow.URL)
		b.ReportMetric(without, "no-gateway-req/s")
		b.ReportMetric(with, "slow-gateway-req/s")
		b.ReportMetric(with/without, "ratio")
	}
}
