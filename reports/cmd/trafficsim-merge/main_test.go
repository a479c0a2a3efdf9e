package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/reports"
)

// endpointName is the one endpoint of the fixture shards.
const endpointName = "GET /api/users/{id}"

// shard describes a fixture shard: 100 requests to endpointName, errs of
// them unexpected errors, latencies that differ per shard, judged on its
// own data with budgets.
type shard struct {
	runID   string
	label   string // "i/n"
	errs    int64
	partial bool
	budgets []string
}

// summary builds the summary.json a shard process would have written.
func (sh shard) summary(tb testing.TB) *reports.Summary {
	tb.Helper()
	a, _, _ := strings.Cut(sh.label, "/")
	idx, err := strconv.Atoi(a)
	require.NoError(tb, err, "shard label %q", sh.label)
	h := reports.NewHistogram()
	for k := range int64(100) {
		// Each shard's latencies lie in its own range, so the union's
		// percentiles differ from every shard's.
		require.NoError(tb, h.RecordValue(int64(idx)*4000+(k+1)*37))
	}
	enc, err := reports.EncodeHistogram(h)
	require.NoError(tb, err)
	s := &reports.Summary{
		RunID: sh.runID, Simulation: "TestPopulate", Seed: 7, Shard: sh.label, Model: "closed",
		DurationSeconds: 10, Users: 5, Requests: 100, ErrorsUnexpected: sh.errs, IntervalSeconds: 1,
		Partial: sh.partial,
		Endpoints: []reports.Endpoint{{
			Name: endpointName, Method: "GET", Route: "/api/users/{id}", Requests: 100, ErrorsUnexpected: sh.errs,
			Codes: map[string]int64{"200": 100 - sh.errs, "500": sh.errs},
			P50Ms: reports.MillisAt(h, 50), P95Ms: reports.MillisAt(h, 95), P99Ms: reports.MillisAt(h, 99),
			MaxMs: float64(h.Max()) / 1000, Histogram: enc,
		}},
		Archetypes: []reports.Archetype{{Name: "active", Users: 5, Requests: 100, ErrorsUnexpected: sh.errs, Histogram: enc}},
	}
	if sh.partial {
		s.PartialReason = "interrupted by terminated"
	}
	bs, err := budget.ParseList(sh.budgets)
	require.NoError(tb, err)
	s.Budgets = budget.Evaluate(s, bs)
	return s
}

// writeShard writes the shard's summary.json into a directory of its own
// and returns the directory.
func writeShard(tb testing.TB, sh shard) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "shard")
	require.NoError(tb, sh.summary(tb).WriteJSON(dir))
	return dir
}

// split returns the n shards of run id, each with errs unexpected errors
// and the given budgets.
func split(runID string, n int, errs int64, budgets ...string) []shard {
	out := make([]shard, n)
	for i := range out {
		out[i] = shard{runID: runID, label: fmt.Sprintf("%d/%d", i, n), errs: errs, budgets: budgets}
	}
	return out
}

// writeAll writes every shard and returns their directories.
func writeAll(tb testing.TB, shards []shard) []string {
	tb.Helper()
	dirs := make([]string, len(shards))
	for i, sh := range shards {
		dirs[i] = writeShard(tb, sh)
	}
	return dirs
}

// junitFailures returns the names of the failed testcases in dir/junit.xml.
func junitFailures(tb testing.TB, dir string) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, reports.JUnitFile))
	require.NoError(tb, err)
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(tb, xml.Unmarshal(b, &doc))
	var failed []string
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failed = append(failed, c.Name)
			}
		}
	}
	return failed
}

func TestRun(t *testing.T) {
	healthy := writeAll(t, split("r1", 4, 1, "errors < 20", "error_rate < 5%"))
	unionBreaks := writeAll(t, split("r2", 4, 9, "errors < 20"))
	unionHolds := writeAll(t, split("r3", 4, 0, "requests >= 300"))
	partial := split("r4", 2, 0, "errors < 20")
	partial[1].partial = true
	partialDirs := writeAll(t, partial)
	otherRun := writeShard(t, shard{runID: "other", label: "3/4", budgets: []string{"errors < 20"}})
	badExpr := writeShard(t, shard{runID: "r1", label: "3/4"})
	rewriteBudgetExpr(t, badExpr, "errors < twenty")
	notJSON := filepath.Join(t.TempDir(), "summary.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("<html>"), 0o644))
	notSummary := filepath.Join(t.TempDir(), "summary.json")
	require.NoError(t, os.WriteFile(notSummary, []byte("{}"), 0o644))
	nowhere := filepath.Join(t.TempDir(), "nope")

	tests := []struct {
		name         string
		args         []string
		wantCode     int
		wantStdout   []string
		wantStderr   []string
		wantFailures []string // failed junit testcases; nil: no reports expected
	}{
		{
			name:         "four healthy shards pass",
			args:         healthy,
			wantCode:     exitOK,
			wantStdout:   []string{endpointName, "PASS  budget/errors  errors < 20: 4 unexpected errors", "merged 4 shards (0/4, 1/4, 2/4, 3/4) of run r1", "PASS: 2 budgets"},
			wantFailures: []string{},
		},
		{
			name:         "summary.json paths work like directories",
			args:         joinAll(healthy, reports.SummaryFile),
			wantCode:     exitOK,
			wantStdout:   []string{"PASS: 2 budgets"},
			wantFailures: []string{},
		},
		{
			name:         "a budget each shard passes fails on the union",
			args:         unionBreaks,
			wantCode:     exitFailed,
			wantStdout:   []string{"FAIL  budget/errors  errors < 20: 36 unexpected errors", "FAIL: 1 of 1 budgets"},
			wantFailures: []string{"budget/errors"},
		},
		{
			name:         "a budget each shard fails holds on the union",
			args:         unionHolds,
			wantCode:     exitOK,
			wantStdout:   []string{"PASS  budget/requests  requests >= 300: 400 requests"},
			wantFailures: []string{},
		},
		{
			name:         "a partial shard makes the merged run fail",
			args:         partialDirs,
			wantCode:     exitFailed,
			wantStdout:   []string{"FAIL: the merged run is partial: 1/2: interrupted by terminated"},
			wantFailures: []string{reports.RunTestcase},
		},
		{
			name:       "a missing shard is bad input",
			args:       healthy[:3],
			wantCode:   exitBadInput,
			wantStderr: []string{"shards 3/4 of run r1 are missing", "-allow-missing", "0/4=" + healthy[0]},
		},
		{
			name:         "-allow-missing merges a partial run",
			args:         append([]string{"-allow-missing"}, healthy[1:]...),
			wantCode:     exitFailed,
			wantStdout:   []string{"merged 3 shards (1/4, 2/4, 3/4)", "FAIL: the merged run is partial: shards missing: 0/4"},
			wantFailures: []string{reports.RunTestcase},
		},
		{
			name:       "shards of another run are refused, naming the files",
			args:       append(append([]string{}, healthy[:3]...), otherRun),
			wantCode:   exitBadInput,
			wantStderr: []string{`run id "other"`, "3/4=" + otherRun},
		},
		{
			name:       "a shard given twice is refused",
			args:       append(append([]string{}, healthy...), healthy[2]),
			wantCode:   exitBadInput,
			wantStderr: []string{"shard 2/4 appears twice"},
		},
		{
			name:       "an expression that does not parse names its file",
			args:       append(append([]string{}, healthy[:3]...), badExpr),
			wantCode:   exitBadInput,
			wantStderr: []string{"shard " + badExpr + ": budgets:", "errors < twenty"},
		},
		{
			name:       "a missing file names it",
			args:       []string{healthy[0], nowhere},
			wantCode:   exitBadInput,
			wantStderr: []string{"shard " + nowhere + ":"},
		},
		{
			name:       "a file that is not JSON names it",
			args:       []string{notJSON},
			wantCode:   exitBadInput,
			wantStderr: []string{"shard " + notJSON + ":", "decode summary"},
		},
		{
			name:       "JSON that is not a summary is refused",
			args:       []string{notSummary},
			wantCode:   exitBadInput,
			wantStderr: []string{"shard " + notSummary + ": not a trafficsim summary"},
		},
		{
			name:       "no shards",
			args:       nil,
			wantCode:   exitBadInput,
			wantStderr: []string{"no shards given", "usage: trafficsim-merge"},
		},
		{
			name:       "an unknown flag",
			args:       []string{"-shards", "4"},
			wantCode:   exitBadInput,
			wantStderr: []string{"flag provided but not defined: -shards"},
		},
		{
			name:       "help",
			args:       []string{"-h"},
			wantCode:   exitOK,
			wantStderr: []string{"usage: trafficsim-merge"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "merged")
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"-out", out}, tt.args...), &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code, "exit status\nstdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			for _, want := range tt.wantStdout {
				assert.Contains(t, stdout.String(), want)
			}
			for _, want := range tt.wantStderr {
				assert.Contains(t, stderr.String(), want)
			}
			if tt.wantFailures == nil {
				assert.NoDirExists(t, out, "no reports on bad input")
				return
			}
			assert.ElementsMatch(t, tt.wantFailures, junitFailures(t, out), "failed junit testcases")
			assert.FileExists(t, filepath.Join(out, reports.HTMLFile))
			merged, err := reports.ReadSummary(out)
			require.NoError(t, err)
			assert.Equal(t, len(tt.wantFailures) > 0, merged.Failed() || merged.Partial, "summary.json agrees with junit.xml")
		})
	}
}

// TestRun_MergedIsExact checks the merged summary.json against figures
// computed here from the shards: summed counts, percentiles of the union
// of the shards' samples, and the union of their budgets without repeats.
func TestRun_MergedIsExact(t *testing.T) {
	shards := split("exact", 3, 2, "errors < 20", "p95(GET /api/users/*) < 1s")
	shards[1].budgets = append(shards[1].budgets, "error_rate<50%  abort", "error_rate < 50%")
	dirs := writeAll(t, shards)
	out := filepath.Join(t.TempDir(), "merged")
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(append([]string{"-out", out}, dirs...), &stdout, &stderr), "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)

	merged, err := reports.ReadSummary(out)
	require.NoError(t, err)
	union := reports.NewHistogram()
	for _, sh := range shards {
		h, err := reports.DecodeHistogram(sh.summary(t).Endpoints[0].Histogram)
		require.NoError(t, err)
		require.Zero(t, union.Merge(h))
	}
	e := merged.Endpoint(endpointName)
	require.NotNil(t, e)
	assert.Equal(t, int64(300), e.Requests)
	assert.Equal(t, int64(6), merged.ErrorsUnexpected)
	assert.Equal(t, []string{"0/3", "1/3", "2/3"}, merged.Shards)
	for q, got := range map[float64]float64{50: e.P50Ms, 95: e.P95Ms, 99: e.P99Ms, 100: e.MaxMs} {
		assert.Equal(t, reports.MillisAt(union, q), got, "p%g of the union", q)
	}

	var exprs []string
	for _, b := range merged.Budgets {
		exprs = append(exprs, b.Expr)
		assert.True(t, b.Passed, "%s: %s", b.Name, b.Message)
	}
	assert.Equal(t, []string{"errors < 20", "p95(GET /api/users/*) < 1s", "error_rate < 50% abort", "error_rate < 50%"}, exprs,
		"union of the shards' budgets by canonical expression, in order of first appearance")
}

// TestRun_DefaultOut checks that without -out the reports go to
// reports/out/<run_id>-merged under the working directory.
func TestRun_DefaultOut(t *testing.T) {
	dirs := writeAll(t, split("20260101-000000-abc", 2, 0, "errors < 20"))
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(dirs, &stdout, &stderr), "stderr:\n%s", &stderr)
	assert.FileExists(t, filepath.Join("reports", "out", "20260101-000000-abc-merged", reports.SummaryFile))
	assert.FileExists(t, filepath.Join("reports", "out", "20260101-000000-abc-merged", reports.JUnitFile))
}

func TestOutDir(t *testing.T) {
	tests := []struct {
		name, flag, runID string
		want              string
		wantErr           bool
	}{
		{name: "flag wins", flag: "x/y", runID: "../evil", want: "x/y"},
		{name: "default from the run id", runID: "r-1", want: filepath.Join("reports", "out", "r-1-merged")},
		{name: "a run id with a slash needs -out", runID: "a/b", wantErr: true},
		{name: "a run id of dots needs -out", runID: "..", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := outDir(tt.flag, tt.runID)
			if tt.wantErr {
				assert.ErrorContains(t, err, "-out")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMissingShards(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  []string
	}{
		{name: "whole run", names: nil, want: nil},
		{name: "complete", names: []string{"0/3", "1/3", "2/3"}, want: nil},
		{name: "gaps in index order", names: []string{"1/4", "3/4"}, want: []string{"0/4", "2/4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, missingShards(tt.names))
		})
	}
}

// joinAll returns every dir joined with name.
func joinAll(dirs []string, name string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = filepath.Join(d, name)
	}
	return out
}

// rewriteBudgetExpr replaces the shard's budgets with one verdict whose
// expression is expr, as a hand-edited or corrupted file would have.
func rewriteBudgetExpr(tb testing.TB, dir, expr string) {
	tb.Helper()
	s, err := reports.ReadSummary(dir)
	require.NoError(tb, err)
	s.Budgets = []reports.Budget{{Name: "budget/errors", Expr: expr}}
	require.NoError(tb, s.WriteJSON(dir))
}
