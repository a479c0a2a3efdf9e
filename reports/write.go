package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteAll writes every report of a run into dir: summary.json, junit.xml
// and report.html. It tries all three even when one fails, so a broken HTML
// template never costs the CI pipeline its JUnit verdict, and returns the
// failures joined with errors.Join.
func WriteAll(dir string, s *Summary) error {
	if s == nil {
		return errors.New("write reports: nil summary")
	}
	return errors.Join(
		s.WriteJSON(dir),
		WriteJUnit(dir, s),
		WriteHTML(dir, s),
	)
}

// writeFileAtomic writes data to dir/name through a temporary file in the
// same directory and a rename, so a reader (a CI artifact collector, a
// browser) never sees a half-written report, even when the run is killed.
func writeFileAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report dir: %w", err)
	}
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("set mode of %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("move %s into place: %w", path, err)
	}
	return nil
}
