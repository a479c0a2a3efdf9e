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
