package learn

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkLearn_MillionLines reads and learns from a JSON-lines log of
// 1,000,000 requests written to a file, and reports the seconds and the
// peak heap it took (the target: under 60 s and 1 GiB on two cores).
func BenchmarkLearn_MillionLines(b *testing.B) {
	const lines = 1_000_000
	path := filepath.Join(b.TempDir(), "access.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := synthLog(f, lines, 3); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		peak, stop := watchHeap()
		start := time.Now()
		l, err := ReadFile(path, ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		m, err := Learn(l, Options{Gap: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		stop()
		if l.Len() != lines || len(m.Archetypes) == 0 {
			b.Fatalf("%d requests, %d archetypes", l.Len(), len(m.Archetypes))
		}
		b.ReportMetric(took.Seconds(), "s/1M-lines")
		b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MiB")
	}
}

// watchHeap samples the heap in use every 10 ms until stop is called.
func watchHeap() (*uint64, func()) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return &peak, func() { close(done); wg.Wait() }
}
