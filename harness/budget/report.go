package budget

import (
	"testing"

	"github.com/trafficsim/trafficsim/reports"
)

// Report puts verdicts on a test, so that its verdict is the reports':
// on a *testing.T each verdict is a subtest named as the verdict
// (budget/<kind>/<target>) that fails with what was measured against what
// was allowed, and logs it when it holds; on any other testing.TB (a
// benchmark, which cannot run subtests) each broken verdict is an error.
func Report(tb testing.TB, verdicts []reports.Budget) {
	tb.Helper()
	t, ok := tb.(*testing.T)
	for _, v := range verdicts {
		if !ok {
			if !v.Passed {
				tb.Errorf("%s: %s", v.Name, v.Message)
			}
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			if !v.Passed {
				t.Error(v.Message)
				return
			}
			t.Log(v.Message)
		})
	}
}
