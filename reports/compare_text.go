package reports

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// RegressionMark marks a regressed endpoint in WriteText's table, so CI logs
// can be searched for it.
const RegressionMark = "REGRESSION"

// WriteText writes the comparison as a plain-text table for terminals and
// CI logs: per endpoint the old and new p50/p95/p99 in milliseconds, the
// change of metric m, requests and error rate on both sides, and
// RegressionMark where m regressed under DefaultCriteria, with the reason
// (and, for an endpoint slower than threshold that is not flagged, why
// not); then the totals, the endpoints found in one run only, and a
// one-line verdict.
func (c Comparison) WriteText(w io.Writer, m Metric, threshold float64) error {
	return c.WriteTextWith(w, DefaultCriteria(m, threshold))
}

// WriteTextWith is WriteText under the criteria cr.
func (c Comparison) WriteTextWith(w io.Writer, cr Criteria) error {
	m, threshold := cr.Metric, cr.Threshold
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "old: %s\nnew: %s\n", describeRun(c.Old), describeRun(c.New))
	fmt.Fprintf(&buf, "judged on %s, regression above %s and +%sms, with at least %s samples a side, significant at p < %g (exceedance z test on the histograms)\n\n",
		m, formatChange(threshold), formatNumber(cr.FloorMs), formatCount(cr.MinSamples), cr.Alpha)

	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "endpoint\told p50\told p95\told p99\tnew p50\tnew p95\tnew p99\tΔ %s\trequests old → new\terror rate old → new\t\n", m)
	for _, d := range c.Endpoints {
		cells := []string{d.Name}
		cells = append(cells, latencyCells(d.Old)...)
		cells = append(cells, latencyCells(d.New)...)
		change := "n/a"
		if ch, ok := d.Change(m); ok {
			change = formatChange(ch)
		}
		switch {
		case d.Old == nil:
			change = "only new"
		case d.New == nil:
			change = "only old"
		}
		cells = append(cells, change,
			sideCount(d.Old)+" → "+sideCount(d.New),
			sideRate(d.Old)+" → "+sideRate(d.New))
		mark := ""
		switch v := d.Judge(cr); {
		case v.Regressed:
			mark = RegressionMark + " (" + v.Reason + ")"
		case v.Reason != "" && d.Old != nil && d.New != nil:
			mark = "not flagged: " + v.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\n", strings.Join(cells, "\t"), mark)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("format comparison table: %w", err)
	}

	fmt.Fprintf(&buf, "\ntotals: requests %s → %s; rps %s → %s (%s); error rate %s → %s (%s)\n",
		formatCount(c.Old.Requests), formatCount(c.New.Requests),
		formatNumber(c.Old.RPS), formatNumber(c.New.RPS), relChange(c.Old.RPS, c.New.RPS),
		formatPercent(c.Old.ErrorRate), formatPercent(c.New.ErrorRate),
		signed((c.New.ErrorRate-c.Old.ErrorRate)*100, 2)+" pp")
	if names := c.OnlyInOld(); len(names) > 0 {
		fmt.Fprintf(&buf, "only in old: %s\n", strings.Join(names, ", "))
	}
	if names := c.OnlyInNew(); len(names) > 0 {
		fmt.Fprintf(&buf, "only in new: %s\n", strings.Join(names, ", "))
	}
	regs := c.RegressionsWith(cr)
	if len(regs) == 0 {
		fmt.Fprintf(&buf, "result: no regression on %s above %s\n", m, formatChange(threshold))
	} else {
		names := make([]string, len(regs))
		for i, d := range regs {
			names[i] = d.Name
		}
		fmt.Fprintf(&buf, "result: %d %s on %s above %s: %s\n", len(regs), plural(len(regs), "regression", "regressions"),
			m, formatChange(threshold), strings.Join(names, ", "))
	}

	// tabwriter pads the cell before an empty mark; trim it so the output
	// has no trailing blanks.
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if _, err := io.WriteString(w, strings.Join(lines, "\n")); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	return nil
}

func describeRun(r RunStats) string {
	s := fmt.Sprintf("%s %s, %s requests in %s", r.Simulation, r.RunID, formatCount(r.Requests), formatSeconds(r.DurationSeconds))
	if r.Partial {
		s += " (partial)"
	}
	return strings.TrimSpace(s)
}

func latencyCells(s *EndpointStats) []string {
	if s == nil {
		return []string{"-", "-", "-"}
	}
	return []string{formatNumber(s.Latency.P50), formatNumber(s.Latency.P95), formatNumber(s.Latency.P99)}
}

func sideCount(s *EndpointStats) string {
	if s == nil {
		return "-"
	}
	return formatCount(s.Requests)
}

func sideRate(s *EndpointStats) string {
	if s == nil {
		return "-"
	}
	return formatPercent(s.ErrorRate)
}

// formatChange prints a relative change as a signed percentage: 0.2 → "+20.0%".
func formatChange(c float64) string {
	return signed(c*100, 1) + "%"
}

// relChange prints new/old − 1 with its sign, or n/a when old is 0.
func relChange(old, new float64) string {
	if old == 0 {
		return "n/a"
	}
	return signed((new/old-1)*100, 1) + "%"
}

// signed prints v with an explicit sign and the given decimals; values that
// round to zero print as +0.
func signed(v float64, decimals int) string {
	if math.Abs(v) < 0.5*math.Pow(10, -float64(decimals)) {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
