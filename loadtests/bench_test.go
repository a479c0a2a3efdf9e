package loadtests

import (
	"testing"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/reports"
)

// BenchmarkPopulate runs the default Populate simulation against a fresh
// in-process user service per iteration and reports what a release is
// compared on: requests per second, overall latency percentiles, the
// unexpected error rate and the generator's heap per user. `make bench`
// writes these lines to reports/out/bench.txt for benchstat.
func BenchmarkPopulate(b *testing.B) {
	opts := adminOptions(b)
	for b.Loop() {
		srv := userservice.NewServer(b, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword})
		cfg := harness.DefaultConfig()
		cfg.Target, cfg.ReportDir, cfg.Progress = srv.URL, b.TempDir(), 0
		s := populate(b, cfg, opts).Run(b.Context()).Summary
		srv.Close()

		all := reports.NewHistogram()
		for _, e := range s.Endpoints {
			h, err := reports.DecodeHistogram(e.Histogram)
			if err != nil {
				b.Fatal(err)
			}
			all.Merge(h)
		}
		b.ReportMetric(s.RPS, "req/s")
		b.ReportMetric(reports.MillisAt(all, 50), "p50-ms")
		b.ReportMetric(reports.MillisAt(all, 95), "p95-ms")
		b.ReportMetric(reports.MillisAt(all, 99), "p99-ms")
		b.ReportMetric(100*float64(s.ErrorsUnexpected)/float64(max(s.Requests, 1)), "err-%")
		b.ReportMetric(s.Resources.HeapPerVUBytes, "B/VU")
	}
}
