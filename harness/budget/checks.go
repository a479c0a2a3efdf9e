package budget

import (
	"fmt"
	"strconv"

	"github.com/trafficsim/trafficsim/reports"
)

// checks judges "checks >= 99%" (every named check together) and
// "checks(NAME) >= 99%" (one check): the share of check results that
// passed. A broken budget names the checks that failed.
func (ev *evaluator) checks(b Budget) reports.Budget {
	var passes, fails int64
	var failing []string
	names := make([]string, 0, len(ev.s.Checks))
	found := false
	for _, c := range ev.s.Checks {
		names = append(names, c.Name)
		if b.sel.kind == selCheck && c.Name != b.sel.check {
			continue
		}
		found = true
		passes += c.Passes
		fails += c.Fails
		if c.Fails > 0 {
			failing = append(failing, strconv.Quote(c.Name)+" failed "+strconv.FormatInt(c.Fails, 10)+" of "+strconv.FormatInt(c.Passes+c.Fails, 10))
		}
	}
	switch {
	case len(ev.s.Checks) == 0:
		return b.noData(b.subject(), "no check ran (add them with Request.Check or WithCheck)")
	case !found:
		msg := "no check named " + strconv.Quote(b.sel.check)
		if near := closest(b.sel.check, names); near != "" {
			msg += "; did you mean " + strconv.Quote(near) + "?"
		}
		return b.noData(b.subject(), msg+known(names, "checks"))
	case passes+fails == 0:
		return b.noData(b.subject(), "no results")
	}
	pct := float64(passes) / float64(passes+fails) * 100
	v := b.verdict(pct, passes+fails, b.was(b.subject(), pct, fmt.Sprintf("%s of %s", humanInt(passes), plural(passes+fails, "result"))))
	if !v.Passed && len(failing) > 0 {
		v.Message += "; " + listNames(failing)
	}
	return v
}

// closest returns the name nearest to want, or "" when none is near enough
// to be a likely typo.
func closest(want string, names []string) string {
	best, bestDist := "", max(3, len(want)/3+1)
	for _, n := range names {
		if d := editDistance(want, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}
