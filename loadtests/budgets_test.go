package loadtests

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/faults"
	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/reports"
)

// TestBudgets_SlowRouteFailsExactlyItsSubtest: with 200 ms added to one
// route of the target, `go test` fails exactly that route's latency budget
// subtest, with what was measured against what was allowed on how much
// data, while the other budgets pass — and junit.xml says the same.
func TestBudgets_SlowRouteFailsExactlyItsSubtest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary as a separate process")
	}
	inj, err := faults.New(faults.Config{Rules: []faults.Rule{{Match: "GET /api/auth/me", Ratio: 1, Fault: faults.Latency{Add: 200 * time.Millisecond}}}})
	require.NoError(t, err)
	opts := adminOptions(t)
	srv := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword, Middleware: inj.Wrap})
	dir := t.TempDir()
	budgets := filepath.Join(dir, "budgets.yaml")
	require.NoError(t, os.WriteFile(budgets, []byte(`budgets:
  - p95(GET /api/auth/me) < 150ms
  - p95(GET /api/users) < 150ms
  - p95(POST /api/auth/login) < 150ms
  - error_rate < 1%
`), 0o644))
	reportDir := filepath.Join(dir, "report")

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), "-test.run", "^TestPopulate$", "-test.v",
		"-target="+srv.URL, "-admin-email="+opts.AdminEmail, "-admin-password="+opts.AdminPassword,
		"-users=60", "-max-request-count=60", "-budgets="+budgets, "-report-dir="+reportDir, "-progress=0")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the test fails:\n%s", out)
	text := string(out)

	verdicts := regexp.MustCompile(`--- (PASS|FAIL): TestPopulate/(budget/\S+)`).FindAllStringSubmatch(text, -1)
	got := map[string]string{}
	for _, v := range verdicts {
		got[v[2]] = v[1]
	}
	assert.Equal(t, map[string]string{
		"budget/p95/GET_/api/auth/me":     "FAIL",
		"budget/p95/GET_/api/users":       "PASS",
		"budget/p95/POST_/api/auth/login": "PASS",
		"budget/error_rate":               "PASS",
	}, got, text)
	msg := regexp.MustCompile(`p95 of GET /api/auth/me was (\d+(\.\d+)?)ms, budget 150ms \(([\d,]+) samples\)`).FindStringSubmatch(text)
	require.NotNil(t, msg, "the failure says what, against what, on how much data:\n%s", text)

	b, err := os.ReadFile(filepath.Join(reportDir, reports.JUnitFile))
	require.NoError(t, err)
	var suites junit.Testsuites
	require.NoError(t, xml.Unmarshal(b, &suites))
	var failed []string
	for _, s := range suites.Suites {
		for _, c := range s.Testcases {
			if c.Failure != nil {
				failed = append(failed, c.Name)
				assert.True(t, strings.HasPrefix(c.Failure.Message, msg[0][:len("p95 of GET /api/auth/me was")]), c.Failure.Message)
			}
		}
	}
	assert.Equal(t, []string{"budget/p95/GET_/api/auth/me"}, failed, "junit.xml agrees with the test's verdict")
}

// TestBenchstat_ComparesTwoRuns: `make compare` runs benchstat (a tool
// dependency in go.mod) on two bench.txt files of BenchmarkPopulate lines.
func TestBenchstat_ComparesTwoRuns(t *testing.T) {
	dir := t.TempDir()
	line := func(rps, p95 string) string {
		return "BenchmarkPopulate-2   1   15000000000 ns/op   " + rps + " req/s   " + p95 + " p95-ms   0 err-%\n"
	}
	head := "goos: linux\ngoarch: amd64\npkg: github.com/trafficsim/trafficsim/loadtests\n"
	oldTxt, newTxt := head, head
	for range 6 {
		oldTxt += line("1500", "10.0")
		newTxt += line("1200", "12.5")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "old.txt"), []byte(oldTxt), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "new.txt"), []byte(newTxt), 0o644))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// A tool of the module: run it from the module's folder (the parent of
	// this package's).
	cmd := exec.CommandContext(ctx, "go", "tool", "benchstat", filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt"))
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	text := string(out)
	assert.Contains(t, text, "req/s")
	assert.Contains(t, text, "p95-ms")
	assert.Regexp(t, `-20\.00%`, text, "throughput fell by a fifth")
	assert.Regexp(t, `\+25\.00%`, text, "p95 rose by a quarter")
}
