package loadtests

import (
	"testing"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
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
		res := populate(b, cfg, opts).MustRun(b.Context())
		srv.Close()
		res.ReportMetrics(b)
	}
}
