package cleanup

import (
	"fmt"
	"strings"
	"sync"

	"github.com/trafficsim/trafficsim/harness/redact"
	"github.com/trafficsim/trafficsim/reports"
)

// Log is the record of what a run's cleanups did: how many ran, periodic
// (-cleanup-interval) or final, and why each failure failed. From it come
// the summary's notes, the cleanup's line among the budgets of summary.json
// and junit.xml, and the error that fails the test, so data left on the
// target is never silent. It is safe for concurrent use, as the periodic
// cleaner may still be writing it when the final cleanup starts. The zero
// Log is empty and ready.
type Log struct {
	mu       sync.Mutex
	runs     int
	failures []string // "final cleanup: why", redacted
}

// Record counts one cleanup that returned err (nil: it succeeded).
func (l *Log) Record(final bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runs++
	if err == nil {
		return
	}
	when := "periodic cleanup"
	if final {
		when = "final cleanup"
	}
	l.failures = append(l.failures, when+": "+redact.Error(err))
}

// Notes are the summary's lines about failed cleanups.
func (l *Log) Notes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.failures))
	for _, f := range l.failures {
		out = append(out, "cleanup failed: "+f)
	}
	return out
}

// Verdict is the cleanup's line among the budgets of summary.json and
// junit.xml, so the reports fail with the test when a cleanup failed; none
// when no cleanup ran.
func (l *Log) Verdict() []reports.Budget {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.runs == 0 {
		return nil
	}
	v := reports.Budget{
		Name: "cleanup", Expr: "cleanup failures == 0", Passed: len(l.failures) == 0,
		Measured: float64(len(l.failures)), Samples: int64(l.runs),
		Message: fmt.Sprintf("all %d cleanups succeeded", l.runs),
	}
	if !v.Passed {
		v.Message = fmt.Sprintf("%d of %d cleanups failed; what they did not delete is still on the target: %s",
			len(l.failures), l.runs, strings.Join(l.failures, "; "))
	}
	return []reports.Budget{v}
}

// Err is the error that fails the test when a cleanup of run runID
// failed, naming how many failed, why, and what is left; nil when none
// failed.
func (l *Log) Err(runID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) == 0 {
		return nil
	}
	return fmt.Errorf("cleanup failed %d of %d times; what it did not delete of run %s is still on the target:\n  %s",
		len(l.failures), l.runs, runID, strings.Join(l.failures, "\n  "))
}
