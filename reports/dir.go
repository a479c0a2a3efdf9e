package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// FDWait bounds how long WriteAllWaiting waits for file descriptors when
// the process has run out of them.
const FDWait = 3 * time.Second

// CheckWritable creates dir and writes a file in it, so that a report
// folder that cannot be written fails a run before its first request
// rather than losing the reports after its last.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	name := f.Name()
	_, werr := f.WriteString("trafficsim")
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	return nil
}

// FallbackDir is where a run's reports go when its report folder cannot
// be written at the end: a folder of the run's own in the temporary
// folder.
func FallbackDir(runID string) string {
	return filepath.Join(os.TempDir(), "trafficsim-"+runID)
}

// WriteOrFallback writes s's reports to dir (WriteAllWaiting). When that
// fails (the folder was removed or made unwritable during the run) they go
// to FallbackDir(s.RunID) with a note in s saying so, and the error names
// both folders; the summary is lost only when neither can be written. It
// returns the folder the reports are in, "" when none.
func WriteOrFallback(dir string, s *Summary) (string, error) {
	err := WriteAllWaiting(dir, s)
	if err == nil {
		return dir, nil
	}
	fallback := FallbackDir(s.RunID)
	if fallback == dir {
		return "", err
	}
	note := fmt.Sprintf("reports could not be written to %s (%v); written to %s instead", dir, err, fallback)
	s.Notes = append(s.Notes, note)
	if ferr := WriteAllWaiting(fallback, s); ferr != nil {
		s.Notes = s.Notes[:len(s.Notes)-1]
		return "", fmt.Errorf("%w; the fallback %s failed too: %w", err, fallback, ferr)
	}
	return fallback, fmt.Errorf("%w; the reports were written to %s instead", err, fallback)
}

// WriteAllWaiting is WriteAll waiting up to FDWait for file descriptors
// when the process is out of them (EMFILE, ENFILE), retrying with a
// doubling pause from 20 ms. A run that hit the open-files limit is one
// whose reports matter most; its connections (and, for a target in the
// same process, the target's) are closing as the run ends, so descriptors
// come back within moments. Any other error is returned at once.
func WriteAllWaiting(dir string, s *Summary) error {
	wait := 20 * time.Millisecond
	deadline := time.Now().Add(FDWait)
	for {
		err := WriteAll(dir, s)
		if !outOfFiles(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		time.Sleep(wait)
		wait *= 2
	}
}

func outOfFiles(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}
