package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/reports"
)

// helperEnv selects the helper test a child process runs.
const helperEnv = "TRAFFICSIM_VERDICT_HELPER"

// runChild runs this test binary again with only the helper test of the
// given mode, and returns its exit code and output.
func runChild(t *testing.T, mode, reportDir string, signal func(*os.Process)) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestVerdictHelper$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "TRAFFICSIM_REPORT_DIR="+reportDir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	if signal != nil {
		signal(cmd.Process)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String()
	}
	t.Fatalf("run child: %v\n%s", err, out.String())
	return -1, ""
}

// TestVerdictHelper is the simulation the child processes of the verdict
// tests run; it never calls Check, so whatever fails it is the harness's
// own verdict.
func TestVerdictHelper(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("run by TestRun_verdict* in a child process")
	}
	srv := newCountingServer(t, nil)
	cfg := testConfig(srv.URL)
	cfg.ReportDir = os.Getenv("TRAFFICSIM_REPORT_DIR")
	cfg.Users = 5
	switch mode {
	case "impossible":
		cfg.Budgets = []string{"p50(*) < 1us"}
	case "possible":
		cfg.Budgets = []string{"p50(*) < 10s", "error_rate < 1%"}
	case "long":
		cfg.Users, cfg.Think, cfg.Duration = 20, "const:20ms", time.Minute
		cfg.Budgets = []string{"p50(*) < 10s", "error_rate < 1%"}
	}
	requests := Between(20, 20)
	if mode == "long" {
		requests = Between(100000, 100000)
	}
	sim := New(t, cfg)
	sim.Archetype("u", 1, requests, (&userLog{}).journey("/x"))
	sim.MustRun(context.Background())
}

func readJUnit(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	require.NoError(t, err)
	return string(b)
}

func TestRun_verdictWithoutCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	t.Run("impossible budget fails go test", func(t *testing.T) {
		dir := t.TempDir()
		code, out := runChild(t, "impossible", dir, nil)
		assert.Equal(t, 1, code, out)
		assert.Contains(t, out, "--- FAIL: TestVerdictHelper/budget/p50/*_*")
		junit := readJUnit(t, dir)
		assert.Contains(t, junit, "<failure")
		s, err := reports.ReadSummary(dir)
		require.NoError(t, err)
		require.Len(t, s.Budgets, 1)
		assert.False(t, s.Budgets[0].Passed)
	})
	t.Run("possible budgets pass", func(t *testing.T) {
		dir := t.TempDir()
		code, out := runChild(t, "possible", dir, nil)
		assert.Equal(t, 0, code, out)
		assert.Contains(t, out, "--- PASS: TestVerdictHelper/budget/error_rate")
		assert.NotContains(t, readJUnit(t, dir), "<failure")
	})
}

func TestRun_verdictSIGINTFailsTheTest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	dir := t.TempDir()
	code, out := runChild(t, "long", dir, func(p *os.Process) {
		time.Sleep(1500 * time.Millisecond)
		require.NoError(t, p.Signal(syscall.SIGINT))
	})
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, out, "stopped early (interrupted by interrupt)")
	assert.Contains(t, out, "--- PASS: TestVerdictHelper/budget/error_rate", "the budgets held")
	s, err := reports.ReadSummary(dir)
	require.NoError(t, err)
	assert.True(t, s.Partial)
	assert.Equal(t, "interrupted by interrupt", s.PartialReason)
	assert.Contains(t, readJUnit(t, dir), `type="partial"`)
}

func TestRun_partialRunFailsUnlessAccepted(t *testing.T) {
	srv := newCountingServer(t, nil)
	for _, accept := range []bool{false, true} {
		t.Run(fmt.Sprint("accept=", accept), func(t *testing.T) {
			cfg := withReportDir(t, testConfig(srv.URL))
			cfg.Users, cfg.Think = 5, "const:20ms"
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			tb := tbtest.New(t).HoldCleanups()
			sim := New(tb, cfg)
			sim.Archetype("u", 1, Between(1000, 1000), (&userLog{}).journey("/x"))
			res := sim.MustRun(ctx)
			if accept {
				res.AcceptPartial()
			}
			errs := tb.Finish()
			if accept {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0], "stopped early (context cancelled)")
		})
	}
}

// TestRun_twoSimulationsSeeOnlyTheirOwnGoroutines: a short simulation that
// ends while a longer one runs does not count the other's users, workers
// and monitor as its leaks, nor does the long one count the short one's.
func TestRun_twoSimulationsSeeOnlyTheirOwnGoroutines(t *testing.T) {
	srv := newCountingServer(t, nil)
	long := withReportDir(t, testConfig(srv.URL))
	long.Users, long.Think, long.Duration = 30, "const:20ms", 2*time.Second
	short := withReportDir(t, testConfig(srv.URL))
	short.Users, short.Think = 5, "const:5ms"

	longTB := tbtest.New(t).HoldCleanups()
	var longRes *Result
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim := New(longTB, long)
		sim.Archetype("u", 1, Between(100000, 100000), (&userLog{}).journey("/long"))
		longRes = sim.MustRun(context.Background())
	}()
	time.Sleep(300 * time.Millisecond) // the long one is in full swing
	sim := New(t, short)
	sim.Archetype("u", 1, Between(20, 20), (&userLog{}).journey("/short"))
	s := sim.MustRun(context.Background()).Summary
	assert.Zero(t, s.Resources.GoroutineLeaks, "the short run: %s", s.Resources.LeakDescription)
	assert.Greater(t, s.Resources.GoroutinesPeak, 30, "the other run's goroutines were there all along")
	<-done
	assert.Empty(t, longTB.Finish())
	assert.Zero(t, longRes.Summary.Resources.GoroutineLeaks, "the long run: %s", longRes.Summary.Resources.LeakDescription)
}
