package loadtests

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
)

// TestDefaultRun_KeepsItsPromises checks what a default run promises against the
// in-process service: every operation of its OpenAPI description exercised,
// wrong-password logins at -error-rate and each answered 401, no unexpected
// 5xx.
func TestDefaultRun_KeepsItsPromises(t *testing.T) {
	opts := adminOptions(t)
	cfg := harness.DefaultConfig()
	cfg.ReportDir, cfg.Progress = t.TempDir(), 0
	cfg = withTarget(t, cfg, opts)
	s := populate(t, cfg, opts).MustRun(t.Context()).Summary

	t.Run("every operation exercised", func(t *testing.T) {
		for _, op := range userservice.Operations() {
			e := s.Endpoint(op)
			if assert.NotNil(t, e, "%s never requested", op) {
				assert.Positive(t, e.Requests, op)
			}
		}
	})
	t.Run("wrong passwords at the error rate, each answered 401", func(t *testing.T) {
		wrong, ok := s.LoginAttempts["wrong_password"], s.LoginAttempts["success"]
		total := wrong + ok
		require.Positive(t, total)
		share := 100 * float64(wrong) / float64(total)
		t.Logf("%d of %d logins used a wrong password: %.2f%% (-error-rate %g%%)", wrong, total, share, cfg.ErrorRate)
		tol := binomialTolerance(cfg.ErrorRate/100, total)
		assert.InDelta(t, cfg.ErrorRate, share, tol, "within ±3σ of a binomial of %d attempts (±%.2f points)", total, tol)
		login := s.Endpoint("POST /api/auth/login")
		require.NotNil(t, login)
		assert.Equal(t, wrong, login.Codes["401"], "the service answered every wrong password with 401")
		assert.Equal(t, wrong, login.ErrorsExpected, "and each counted as an expected error")
		assert.Zero(t, s.LoginAttempts["error"]+s.LoginAttempts["locked"])
	})
	t.Run("no unexpected 5xx", func(t *testing.T) {
		assert.Zero(t, s.ErrorsByKind["http_5xx"])
		for _, e := range s.Endpoints {
			for code := range e.Codes {
				assert.NotEqual(t, byte('5'), code[0], "%s answered %s", e.Name, code)
			}
		}
	})
	t.Run("injected errors apart from unexpected ones", func(t *testing.T) {
		assert.Positive(t, s.ErrorsExpected)
		assert.Less(t, float64(s.ErrorsUnexpected), 0.01*float64(s.Requests))
	})
}

// TestSameSeed_SameSequences: two runs with the same seed against
// fresh services give every user the same sequence of endpoint names.
func TestSameSeed_SameSequences(t *testing.T) {
	opts := adminOptions(t)
	run := func() map[int][]string {
		cfg := harness.DefaultConfig()
		cfg.Users, cfg.MaxRequests, cfg.Seed = 60, 80, 42
		cfg.ReportDir, cfg.Progress, cfg.RecordSequences = t.TempDir(), 0, true
		cfg = withTarget(t, cfg, opts)
		return populate(t, cfg, opts).MustRun(t.Context()).Sequences
	}
	a, b := run(), run()
	require.Len(t, a, 60)
	for idx, seq := range a {
		require.Equal(t, seq, b[idx], "user %d", idx)
	}
}

// binomialTolerance is three standard deviations, in percentage points, of
// the share of successes in n trials of probability p: 100·3·√(p(1−p)/n).
// A fixed tolerance is too loose for a long run and too tight for a short
// one; this one is what "±3σ" says.
func binomialTolerance(p float64, n int64) float64 {
	return 100 * 3 * math.Sqrt(p*(1-p)/float64(n))
}

func TestBinomialTolerance(t *testing.T) {
	// 5 % of 400: σ = √(0.05·0.95/400) = 1.09 %, so 3σ = 3.27 points.
	assert.InDelta(t, 3.27, binomialTolerance(0.05, 400), 0.01)
	// Four times the attempts halve it.
	assert.InDelta(t, binomialTolerance(0.05, 400)/2, binomialTolerance(0.05, 1600), 1e-12)
	assert.Zero(t, binomialTolerance(0, 1000), "no error rate, no spread")
}
