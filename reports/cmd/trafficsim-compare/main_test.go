package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficsim/trafficsim/reports"
)

// writeRun writes a summary.json of a run whose "GET /api/users/{id}" has
// the given p95 into a report directory of its own and returns the directory.
func writeRun(tb testing.TB, runID string, p95 float64) string {
	tb.Helper()
	s := &reports.Summary{
		RunID: runID, Simulation: "TestPopulate", Requests: 3000, RPS: 100, DurationSeconds: 30, ErrorsUnexpected: 3,
		Endpoints: []reports.Endpoint{
			{Name: "GET /api/users/{id}", Requests: 2000, ErrorsUnexpected: 1, P50Ms: 5, P95Ms: p95, P99Ms: 30, MaxMs: 60,
				Histogram: spread(tb, 2000, p95)},
			{Name: "POST /api/auth/login", Requests: 1000, ErrorsUnexpected: 2, P50Ms: 40, P95Ms: 90, P99Ms: 150, MaxMs: 300,
				Histogram: spread(tb, 1000, 90)},
		},
	}
	dir := filepath.Join(tb.TempDir(), runID)
	if err := s.WriteJSON(dir); err != nil {
		tb.Fatalf("write summary: %v", err)
	}
	return dir
}

// spread returns an encoded histogram of n latencies spread evenly up to
// p95/0.95 ms, so that its p95 is p95: a run that is slower at p95 is
// slower on every request.
func spread(tb testing.TB, n int64, p95 float64) string {
	tb.Helper()
	h := reports.NewHistogram()
	for i := range n {
		if err := h.RecordValue(int64(float64(i+1) / float64(n) * p95 / 0.95 * 1000)); err != nil {
			tb.Fatal(err)
		}
	}
	enc, err := reports.EncodeHistogram(h)
	if err != nil {
		tb.Fatal(err)
	}
	return enc
}

func TestRun(t *testing.T) {
	base := writeRun(t, "v1", 15)
	same := writeRun(t, "v2-same", 15)
	slower := writeRun(t, "v2-slower", 18) // +20% p95
	notJSON := filepath.Join(t.TempDir(), "summary.json")
	if err := os.WriteFile(notJSON, []byte("<html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "nope", "summary.json")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "20% p95 regression is flagged",
			args:       []string{base, slower},
			wantCode:   1,
			wantStdout: []string{"GET /api/users/{id}", "+20.0%", "REGRESSION", "1 regression on p95"},
		},
		{
			name:       "summary.json paths work like directories",
			args:       []string{filepath.Join(base, reports.SummaryFile), filepath.Join(slower, reports.SummaryFile)},
			wantCode:   1,
			wantStdout: []string{"REGRESSION"},
		},
		{
			name:       "unchanged pair passes",
			args:       []string{base, same},
			wantCode:   0,
			wantStdout: []string{"no regression on p95 above +10.0%", "rps 100 → 100"},
		},
		{
			name:       "a higher threshold tolerates it",
			args:       []string{"-threshold", "25%", base, slower},
			wantCode:   0,
			wantStdout: []string{"no regression on p95 above +25.0%"},
		},
		{
			name:       "a bare number is a percentage",
			args:       []string{"-threshold=25", base, slower},
			wantCode:   0,
			wantStdout: []string{"above +25.0%"},
		},
		{
			name:       "judged on p50 it passes",
			args:       []string{"-metric", "p50", base, slower},
			wantCode:   0,
			wantStdout: []string{"Δ p50"},
		},
		{
			name:       "missing file names it",
			args:       []string{base, missing},
			wantCode:   2,
			wantStderr: []string{"NEW run", missing},
		},
		{
			name:       "file that is not a summary names it",
			args:       []string{notJSON, base},
			wantCode:   2,
			wantStderr: []string{"OLD run", notJSON},
		},
		{
			name:       "bad threshold names the flag",
			args:       []string{"-threshold", "ten", base, slower},
			wantCode:   2,
			wantStderr: []string{"-threshold", `"ten"`},
		},
		{
			name:       "negative threshold",
			args:       []string{"-threshold", "-5%", base, slower},
			wantCode:   2,
			wantStderr: []string{"-threshold"},
		},
		{
			name:       "bad metric names the flag",
			args:       []string{"-metric", "p90", base, slower},
			wantCode:   2,
			wantStderr: []string{"-metric", `"p90"`},
		},
		{
			name:       "unknown flag",
			args:       []string{"-bogus", base, slower},
			wantCode:   2,
			wantStderr: []string{"-bogus", "usage:"},
		},
		{
			name:       "one run is not enough",
			args:       []string{base},
			wantCode:   2,
			wantStderr: []string{"want two runs", "usage:"},
		},
		{
			name:       "help",
			args:       []string{"-h"},
			wantCode:   0,
			wantStderr: []string{"usage:", "-threshold", "-metric"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if tt.wantCode == 2 && stdout.Len() > 0 {
				t.Errorf("bad input printed a table:\n%s", stdout.String())
			}
		})
	}
}

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{in: "10%", want: 0.10},
		{in: "12.5", want: 0.125},
		{in: " 0% ", want: 0},
		{in: "0.1", want: 0.001},
		{in: "-1%", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "%", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseThreshold(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseThreshold(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
