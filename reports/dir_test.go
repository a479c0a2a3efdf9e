//go:build unix

package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCheckWritable(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		wantErr string // "" when writable
	}{
		{"existing folder", tmp, ""},
		{"created", filepath.Join(tmp, "a", "b"), ""},
		{"a file", file, "create " + file},
		{"under a file", filepath.Join(file, "sub"), "create " + filepath.Join(file, "sub")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckWritable(tt.dir)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckWritable(%s) = %v", tt.dir, err)
				}
				entries, err := os.ReadDir(tt.dir)
				if err != nil || (tt.dir != tmp && len(entries) > 0) {
					t.Errorf("the check left %v behind (%v)", entries, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CheckWritable(%s) = %v, want an error containing %q", tt.dir, err, tt.wantErr)
			}
		})
	}
}

func TestFallbackDir(t *testing.T) {
	got := FallbackDir("20260101-000000-abcdef")
	if want := filepath.Join(os.TempDir(), "trafficsim-20260101-000000-abcdef"); got != want {
		t.Errorf("FallbackDir = %s, want %s", got, want)
	}
}

func TestWriteAllWaiting_returnsOtherErrorsAtOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := WriteAllWaiting(file, &Summary{RunID: "x"})
	if err == nil || outOfFiles(err) {
		t.Fatalf("WriteAllWaiting into a file = %v, want an error that is not EMFILE", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned after %s: it waited for an error descriptors do not cure", d)
	}
}

// TestWriteAllWaiting_waitsForFiles: reports written while the process is
// out of file descriptors are written once descriptors come back, as they
// do when a run's connections close at its end. It runs in a child
// process whose limit is lowered, with every descriptor taken until 200 ms
// have passed.
func TestWriteAllWaiting_waitsForFiles(t *testing.T) {
	if dir := os.Getenv("TRAFFICSIM_WRITEALL_CHILD"); dir != "" {
		writeAllChild(t, dir)
		return
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestWriteAllWaiting_waitsForFiles$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "TRAFFICSIM_WRITEALL_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s, err := ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.RunID != "fd" {
		t.Errorf("run id %q, want fd", s.RunID)
	}
}

func writeAllChild(t *testing.T, dir string) {
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: 64}); err != nil {
		t.Fatal(err)
	}
	var held []*os.File
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			if !outOfFiles(err) {
				t.Fatalf("open: %v", err)
			}
			break
		}
		held = append(held, f)
	}
	if err := WriteAll(dir, &Summary{RunID: "fd"}); !outOfFiles(err) {
		t.Fatalf("WriteAll = %v, want out of files at first", err)
	}
	release := time.AfterFunc(200*time.Millisecond, func() {
		for _, f := range held {
			f.Close()
		}
	})
	defer release.Stop()
	if err := WriteAllWaiting(dir, &Summary{RunID: "fd"}); err != nil {
		t.Fatal(err)
	}
}

func TestWriteOrFallback(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "out")
	s := &Summary{RunID: "wof-" + filepath.Base(tmp)}
	got, err := WriteOrFallback(dir, s)
	if err != nil || got != dir || len(s.Notes) != 0 {
		t.Fatalf("WriteOrFallback(%s) = %q, %v, notes %q; want the folder itself, no note", dir, got, err, s.Notes)
	}

	file := filepath.Join(tmp, "file") // not a folder: the reports go to the fallback
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fallback := FallbackDir(s.RunID)
	t.Cleanup(func() { os.RemoveAll(fallback) })
	got, err = WriteOrFallback(file, s)
	if got != fallback || err == nil || !strings.Contains(err.Error(), "the reports were written to "+fallback+" instead") {
		t.Fatalf("WriteOrFallback(a file) = %q, %v; want %s and an error naming it", got, err, fallback)
	}
	if len(s.Notes) != 1 || !strings.HasPrefix(s.Notes[0], "reports could not be written to "+file) {
		t.Fatalf("notes = %q, want one naming %s", s.Notes, file)
	}
	if _, err := ReadSummary(filepath.Join(fallback, SummaryFile)); err != nil {
		t.Fatalf("the fallback has no summary: %v", err)
	}

	s = &Summary{RunID: s.RunID + "-none"} // a fallback that is a file: nowhere to write
	fallback = FallbackDir(s.RunID)
	if err := os.WriteFile(fallback, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(fallback) })
	got, err = WriteOrFallback(file, s)
	if got != "" || err == nil || !strings.Contains(err.Error(), "the fallback "+fallback+" failed too") || len(s.Notes) != 0 {
		t.Fatalf("WriteOrFallback with no folder writable = %q, %v, notes %q; want none, an error naming both, no note", got, err, s.Notes)
	}
}
