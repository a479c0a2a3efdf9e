package record_test

import (
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/harness/metrics"
	"github.com/trafficsim/trafficsim/harness/record"
)

// BenchmarkRecord measures the per-request recording path: HDR histograms
// per endpoint and archetype, the timeline's interval, counters and the
// Prometheus collectors.
func BenchmarkRecord(b *testing.B) {
	coll := metrics.New(metrics.RunInfo{RunID: "bench", Seed: "1", Version: "dev"})
	rec := record.New([]string{"new", "active"}, coll)
	e := rec.Endpoint("GET", "/api/users/{id}")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		o := record.Outcome{Arch: 1, Status: 200, Latency: 1500 * time.Microsecond, Bytes: 512}
		for pb.Next() {
			rec.Observe(e, &o)
		}
	})
}
