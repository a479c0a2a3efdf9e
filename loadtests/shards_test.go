package loadtests

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/promstack"
	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/reports"
)

// Bounds of the process-spawning tests: compiling is the long part on a
// loaded 2-core machine; a shard of 20 users takes a few seconds.
const (
	buildTimeout = 3 * time.Minute
	runTimeout   = 2 * time.Minute
	shardCount   = 4
)

// shardBudgets are the budgets every process of the sharded test is judged
// on: loose enough to hold on a busy machine, so a process fails only when
// something is really wrong, and of kinds the merge must re-evaluate.
const shardBudgets = `budgets:
  - requests >= 1
  - error_rate < 5%
`

// TestShards_MergedEqualsOneProcess runs Populate as 4 shard processes
// against one user service, merges their summaries, and compares the
// result with one process of the same run against a fresh service: a
// user's archetype, request budget and request sequence depend on (seed,
// index) only, so the counts must be equal, and the merged percentiles
// must be those of the union of the shards' samples.
func TestShards_MergedEqualsOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the loadtests binary and runs 5 processes")
	}
	bin := testBinary(t)
	work := t.TempDir()
	budgetFile := filepath.Join(work, "budgets.yaml")
	require.NoError(t, os.WriteFile(budgetFile, []byte(shardBudgets), 0o644))
	admin := adminOptions(t)
	base := []string{
		"-test.run", "^TestPopulate$", "-test.v", "-test.timeout", runTimeout.String(),
		"-run-id", "shards-test", "-seed", "42", "-users", "80", "-max-request-count", "60",
		"-admin-email", admin.AdminEmail, "-admin-password", admin.AdminPassword,
		"-budgets", budgetFile, "-progress", "0",
	}

	shared := userservice.NewServer(t, userservice.Options{AdminEmail: admin.AdminEmail, AdminPassword: admin.AdminPassword})
	start := time.Now()
	runs := make([]procResult, shardCount)
	var wg sync.WaitGroup
	for i := range shardCount {
		args := append(append([]string(nil), base...),
			"-target", shared.URL, "-shard", fmt.Sprintf("%d/%d", i, shardCount),
			"-report-dir", filepath.Join(work, "shard", strconv.Itoa(i)))
		wg.Go(func() { runs[i] = runProcess(t.Context(), bin, args) })
	}
	wg.Wait()
	t.Logf("%d shard processes took %s", shardCount, time.Since(start).Round(time.Millisecond))
	shards := make([]*reports.Summary, shardCount)
	for i, r := range runs {
		requireProcessOK(t, fmt.Sprintf("shard %d/%d", i, shardCount), r)
		s, err := reports.ReadSummary(filepath.Join(work, "shard", strconv.Itoa(i)))
		require.NoError(t, err)
		shards[i] = s
	}
	merged := mergeShards(t, shards...)

	fresh := userservice.NewServer(t, userservice.Options{AdminEmail: admin.AdminEmail, AdminPassword: admin.AdminPassword})
	start = time.Now()
	one := runProcess(t.Context(), bin, append(append([]string(nil), base...),
		"-target", fresh.URL, "-report-dir", filepath.Join(work, "one")))
	t.Logf("one process took %s", time.Since(start).Round(time.Millisecond))
	requireProcessOK(t, "one process", one)
	whole, err := reports.ReadSummary(filepath.Join(work, "one"))
	require.NoError(t, err)

	assert.Equal(t, []string{"0/4", "1/4", "2/4", "3/4"}, merged.Shards)
	assert.Equal(t, whole.Users, merged.Users, "users")
	assert.Equal(t, whole.Requests, merged.Requests, "requests")
	assert.Equal(t, archetypeCounts(whole), archetypeCounts(merged), "per archetype: users and requests")
	assert.Equal(t, endpointCounts(whole), endpointCounts(merged), "per endpoint: requests")
	assertUnionPercentiles(t, shards, merged)
	t.Logf("merged %d shards: %d users, %d requests over %d endpoints; one process: %d users, %d requests",
		len(shards), merged.Users, merged.Requests, len(merged.Endpoints), whole.Users, whole.Requests)
	for i, v := range merged.Budgets {
		assert.True(t, v.Passed, "merged %s: %s", v.Name, v.Message)
		if i < len(whole.Budgets) && v.Expr == "requests >= 1" {
			assert.Equal(t, whole.Budgets[i].Measured, v.Measured, "requests measured by the merged budget")
		}
	}
}

// TestShards_BudgetBrokenOnlyByTheUnion merges hand-built shard summaries
// with the trafficsim-merge command: a budget every shard passes must fail
// on the merged run, and one every shard fails must pass.
func TestShards_BudgetBrokenOnlyByTheUnion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the trafficsim-merge command")
	}
	merge := buildMerge(t)
	tests := []struct {
		name        string
		errs        int64 // unexpected errors of each shard's 100 requests
		expr        string
		shardPasses bool
		wantCode    int
		wantFailed  []string // failed testcases of the merged junit.xml
	}{
		{name: "36 errors break errors < 20 though each shard had 9", errs: 9, expr: "errors < 20", shardPasses: true, wantCode: 1, wantFailed: []string{"budget/errors"}},
		{name: "400 requests hold requests >= 300 though each shard had 100", errs: 0, expr: "requests >= 300", shardPasses: false, wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"-out", filepath.Join(dir, "merged")}
			for i := range shardCount {
				s := syntheticShard(t, i, tt.errs, tt.expr)
				require.Len(t, s.Budgets, 1)
				require.Equal(t, tt.shardPasses, s.Budgets[0].Passed, "shard %s: %s", s.Shard, s.Budgets[0].Message)
				shardDir := filepath.Join(dir, strconv.Itoa(i))
				require.NoError(t, reports.WriteAll(shardDir, s))
				args = append(args, shardDir)
			}
			r := runProcess(t.Context(), merge, args)
			require.NoError(t, r.startErr)
			assert.Equal(t, tt.wantCode, r.code, "trafficsim-merge exit status; output:\n%s", r.out)
			assert.Contains(t, r.out, tt.expr)
			assert.ElementsMatch(t, tt.wantFailed, failedTestcases(t, filepath.Join(dir, "merged")))
		})
	}
}

// procResult is how a child process ended.
type procResult struct {
	code     int
	out      string
	startErr error
}

// runProcess runs bin with args in this package's directory (budgets.yaml
// resolves there, as under go test) with the TRAFFICSIM_ variables of this
// process removed, so the child sees only its flags.
func runProcess(ctx context.Context, bin string, args []string) procResult {
	ctx, cancel := context.WithTimeout(ctx, runTimeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return procResult{out: out.String()}
	case errors.As(err, &exit):
		return procResult{code: exit.ExitCode(), out: out.String()}
	}
	return procResult{code: -1, out: out.String(), startErr: fmt.Errorf("run %s: %w", filepath.Base(bin), err)}
}

// requireProcessOK ends the test when a child failed, with its output.
func requireProcessOK(tb testing.TB, what string, r procResult) {
	tb.Helper()
	require.NoError(tb, r.startErr, what)
	require.Zero(tb, r.code, "%s exited with %d; output:\n%s", what, r.code, r.out)
}

// childEnv is this process's environment without TRAFFICSIM_ variables and
// JOB_COMPLETION_INDEX.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, harness.EnvPrefix) && !strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=") {
			env = append(env, kv)
		}
	}
	return env
}

// moduleRoot returns the directory of go.mod above the working directory.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	require.NoError(tb, err)
	for range 64 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	tb.Fatalf("no go.mod above the working directory")
	return ""
}

// goBuild runs the go command with args in the module root, bounded by
// buildTimeout, and logs how long it took.
func goBuild(tb testing.TB, what string, args ...string) {
	tb.Helper()
	goBin := promstack.LookTool(tb, "go", "build "+what)
	ctx, cancel := context.WithTimeout(tb.Context(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = moduleRoot(tb)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	require.NoError(tb, err, "go %s:\n%s", strings.Join(args, " "), out)
	tb.Logf("building %s took %s", what, time.Since(start).Round(time.Millisecond))
}

// buildMerge compiles the trafficsim-merge command and returns its path.
func buildMerge(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "trafficsim-merge")
	goBuild(tb, "trafficsim-merge", "build", "-o", bin, "./reports/cmd/trafficsim-merge")
	return bin
}

// mergeShards merges the shards and judges the union of their budgets on
// the merged summary, as trafficsim-merge does.
func mergeShards(tb testing.TB, shards ...*reports.Summary) *reports.Summary {
	tb.Helper()
	merged, err := reports.Merge(shards...)
	require.NoError(tb, err)
	var exprs []string
	seen := map[string]bool{}
	for _, s := range shards {
		for _, v := range s.Budgets {
			if !seen[v.Expr] {
				seen[v.Expr] = true
				exprs = append(exprs, v.Expr)
			}
		}
	}
	bs, err := budget.ParseList(exprs)
	require.NoError(tb, err)
	merged.Budgets = budget.Evaluate(merged, bs)
	return merged
}

// archetypeCounts maps each archetype to its users and requests.
func archetypeCounts(s *reports.Summary) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, a := range s.Archetypes {
		out[a.Name] = [2]int64{int64(a.Users), a.Requests}
	}
	return out
}

// endpointCounts maps each endpoint to its requests.
func endpointCounts(s *reports.Summary) map[string]int64 {
	out := map[string]int64{}
	for _, e := range s.Endpoints {
		out[e.Name] = e.Requests
	}
	return out
}

// assertUnionPercentiles merges the shards' histograms of every endpoint
// into a fresh histogram and checks that the merged summary reports its
// p50, p95, p99 and max.
func assertUnionPercentiles(tb testing.TB, shards []*reports.Summary, merged *reports.Summary) {
	tb.Helper()
	for _, m := range merged.Endpoints {
		union := reports.NewHistogram()
		for _, s := range shards {
			if e := s.Endpoint(m.Name); e != nil {
				h, err := reports.DecodeHistogram(e.Histogram)
				require.NoError(tb, err, "shard %s, %s", s.Shard, m.Name)
				require.Zero(tb, union.Merge(h), "values dropped merging %s", m.Name)
			}
		}
		got, err := reports.DecodeHistogram(m.Histogram)
		require.NoError(tb, err, "merged %s", m.Name)
		require.Equal(tb, union.TotalCount(), got.TotalCount(), "%s: samples of the union", m.Name)
		for q, ms := range map[float64]float64{50: m.P50Ms, 95: m.P95Ms, 99: m.P99Ms, 100: m.MaxMs} {
			assert.Equal(tb, float64(union.ValueAtQuantile(q))/1000, ms, "%s: p%g of the union", m.Name, q)
			assert.Equal(tb, union.ValueAtQuantile(q), got.ValueAtQuantile(q), "%s: p%g of the merged histogram", m.Name, q)
		}
	}
}

// syntheticShard builds the summary shard i of shardCount would write: 100
// requests to one endpoint, errs of them unexpected errors, judged on expr.
func syntheticShard(tb testing.TB, i int, errs int64, expr string) *reports.Summary {
	tb.Helper()
	h := reports.NewHistogram()
	for k := range int64(100) {
		require.NoError(tb, h.RecordValue(int64(i+1)*1000+k*53))
	}
	enc, err := reports.EncodeHistogram(h)
	require.NoError(tb, err)
	s := &reports.Summary{
		RunID: "union", Simulation: "TestPopulate", Seed: 1, Shard: fmt.Sprintf("%d/%d", i, shardCount), Model: "closed",
		DurationSeconds: 5, Users: 4, Requests: 100, ErrorsUnexpected: errs, IntervalSeconds: 1,
		Endpoints: []reports.Endpoint{{
			Name: "GET /api/users", Method: "GET", Route: "/api/users", Requests: 100, ErrorsUnexpected: errs,
			Codes: map[string]int64{"200": 100 - errs, "503": errs}, P50Ms: reports.MillisAt(h, 50),
			P95Ms: reports.MillisAt(h, 95), P99Ms: reports.MillisAt(h, 99), MaxMs: float64(h.Max()) / 1000, Histogram: enc,
		}},
		Archetypes: []reports.Archetype{{Name: "active", Users: 4, Requests: 100, ErrorsUnexpected: errs, Histogram: enc}},
	}
	bs, err := budget.ParseList([]string{expr})
	require.NoError(tb, err)
	s.Budgets = budget.Evaluate(s, bs)
	return s
}

// failedTestcases returns the names of the failed testcases of dir/junit.xml.
func failedTestcases(tb testing.TB, dir string) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, reports.JUnitFile))
	require.NoError(tb, err)
	var doc struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	require.NoError(tb, xml.Unmarshal(b, &doc))
	var failed []string
	for _, c := range doc.Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name)
		}
	}
	return failed
}
