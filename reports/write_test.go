package reports

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteAll(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		dir       string
		summary   *Summary
		wantFiles []string
		wantErrs  int // errors joined
	}{
		{
			name:      "writes the three reports",
			dir:       filepath.Join(t.TempDir(), "out", "run-1"),
			summary:   newTestSummary(t),
			wantFiles: []string{JUnitFile, HTMLFile, SummaryFile}, // sorted by name
		},
		{
			name:     "report dir is a file: every writer's error is kept",
			dir:      file,
			summary:  newTestSummary(t),
			wantErrs: 3,
		},
		{name: "nil summary", dir: t.TempDir(), wantErrs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteAll(tt.dir, tt.summary)
			var joined interface{ Unwrap() []error }
			switch {
			case tt.wantErrs == 0 && err != nil:
				t.Fatalf("WriteAll: %v", err)
			case tt.wantErrs == 1 && err == nil:
				t.Fatal("WriteAll succeeded, want an error")
			case tt.wantErrs > 1 && (!errors.As(err, &joined) || len(joined.Unwrap()) != tt.wantErrs):
				t.Fatalf("WriteAll error = %v, want %d joined errors", err, tt.wantErrs)
			}
			if tt.wantErrs > 0 {
				return
			}
			entries, err := os.ReadDir(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, tt.wantFiles) {
				t.Errorf("report dir holds %q, want %q (no temporary files)", names, tt.wantFiles)
			}
			back, err := ReadSummary(tt.dir)
			if err != nil {
				t.Fatalf("read back summary: %v", err)
			}
			if back.RunID != tt.summary.RunID || back.Requests != tt.summary.Requests || len(back.Timeline) != len(tt.summary.Timeline) {
				t.Errorf("summary.json read back as run %q with %d requests and %d ticks", back.RunID, back.Requests, len(back.Timeline))
			}
			html, err := os.ReadFile(filepath.Join(tt.dir, HTMLFile))
			if err != nil || !strings.Contains(string(html), tt.summary.RunID) {
				t.Errorf("report.html lacks the run id (err %v)", err)
			}
		})
	}
}
