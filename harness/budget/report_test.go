package budget

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trafficsim/trafficsim/internal/tbtest"
	"github.com/trafficsim/trafficsim/reports"
)

func TestReport_onAT_passedVerdictsPass(t *testing.T) {
	var names []string
	ok := t.Run("verdicts", func(t *testing.T) {
		Report(t, []reports.Budget{
			{Name: "budget/p95/GET_x", Passed: true, Message: "p95 12ms < 100ms"},
			{Name: "budget/error_rate/all", Passed: true, Message: "0% < 1%"},
		})
		names = append(names, t.Name())
	})
	assert.True(t, ok, "verdicts that held do not fail the test")
	assert.Equal(t, []string{"TestReport_onAT_passedVerdictsPass/verdicts"}, names)
}

func TestReport_onABenchmarkLikeTB_brokenVerdictsAreErrors(t *testing.T) {
	rec := tbtest.New(t) // not a *testing.T: no subtests
	Report(rec, []reports.Budget{
		{Name: "budget/p95/GET_x", Passed: false, Message: "p95 300ms, allowed < 100ms"},
		{Name: "budget/rps/all", Passed: true, Message: "rps 50 > 10"},
	})
	got := rec.Failures()
	assert.Equal(t, []string{"budget/p95/GET_x: p95 300ms, allowed < 100ms"}, got, "only the broken verdict fails, named")
}
