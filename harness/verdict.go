package harness

import (
	"testing"

	"github.com/trafficsim/trafficsim/harness/budget"
)

// judge makes the test's verdict the reports' verdict, whether or not the
// simulation calls Check: every budget the run evaluated (-budgets,
// -budget) becomes a subtest that fails when the budget is broken (a
// failed test of its own for a testing.TB that cannot run subtests, such as
// a benchmark), and a run that stopped early (a signal, an abort, a
// cancelled context) fails the test when it ends, saying why, unless the
// test called AcceptPartial. summary.json, junit.xml and report.html were
// written from the same verdicts, so all of them say the same.
func (res *Result) judge(tb testing.TB) {
	tb.Helper()
	// The verdicts that are no budget's (a failed cleanup) fail the test
	// on their own, in Run.
	budget.Report(tb, res.Summary.Budgets[:len(res.Summary.Budgets)-len(res.extra)])
	if !res.Summary.Partial {
		return
	}
	tb.Cleanup(func() {
		if res.acceptPartial.Load() {
			return
		}
		tb.Errorf("trafficsim: the run stopped early (%s) after %.1fs: a partial run never passes (%d requests, %d interrupted); see %s",
			res.Summary.PartialReason, res.Summary.DurationSeconds, res.Summary.Requests, res.Summary.Interrupted, res.Dir)
	})
}

// AcceptPartial tells the harness that the test expects its run to stop
// early and judges that itself (tests of the stop sequence do): without it
// a partial run fails the test when the test ends.
func (res *Result) AcceptPartial() { res.acceptPartial.Store(true) }
