package reports

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var reportTemplateText string

// reportTemplate is parsed once; html/template escapes every value by its
// context, so names, messages and examples from the target cannot inject
// markup into the page. Executing it concurrently is safe.
var reportTemplate = template.Must(template.New("report").Parse(reportTemplateText))

// WriteHTML writes dir/report.html: one self-contained page (inline CSS and
// SVG, no script, nothing fetched from the network) with the run's header,
// totals, budgets, charts of the timeline, endpoints, coverage, contract
// violations, resources and push statistics.
func WriteHTML(dir string, s *Summary) error {
	if s == nil {
		return errors.New("write html: nil summary")
	}
	var buf bytes.Buffer
	if err := RenderHTML(&buf, s); err != nil {
		return err
	}
	return writeFileAtomic(dir, HTMLFile, buf.Bytes())
}

// RenderHTML writes the page WriteHTML writes to w, for callers that serve
// it or keep it in memory.
func RenderHTML(w io.Writer, s *Summary) error {
	if s == nil {
		return errors.New("render html: nil summary")
	}
	if err := reportTemplate.Execute(w, newHTMLView(s)); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	return nil
}

// htmlView is the page's data, formatted in Go so the template only places it.
type htmlView struct {
	S           *Summary
	Title       string
	Started     string
	Duration    string
	Shards      string
	Totals      []htmlStat
	ErrorKinds  []htmlStat
	Logins      []htmlStat
	Checks      []htmlCheck
	Budgets     []htmlBudget
	Failed      int
	Charts      []chart
	Mix         chart
	Endpoints   []htmlEndpoint
	Coverage    string
	Operations  int
	Unexercised []string // never called, or reached but never answered as described
	Violations  []Operation
	Resources   []htmlStat
	Push        []htmlStat
}

// htmlStat is one labelled figure.
type htmlStat struct {
	Label string
	Value string
	Bad   bool
}

// htmlCheck is one row of the checks table.
type htmlCheck struct {
	Name, Passes, Fails, Rate string
	Bad                       bool
}

// htmlBudget is one row of the budget table.
type htmlBudget struct {
	Budget
	Measured string
	Limit    string
}

// htmlEndpoint is one row of the endpoint table.
type htmlEndpoint struct {
	Name, Requests, Codes, Expected, Unexpected string
	P50, P95, P99, Max                          string
	Slowest                                     []string
}

// newHTMLView formats s for the template.
func newHTMLView(s *Summary) htmlView {
	v := htmlView{S: s, Title: s.Simulation, Duration: formatSeconds(s.DurationSeconds)}
	if v.Title == "" {
		v.Title = defaultSuiteName
	}
	if !s.Started.IsZero() {
		v.Started = s.Started.UTC().Format(time.RFC3339)
	}
	v.Shards = s.Shard
	if len(s.Shards) > 0 {
		v.Shards = fmt.Sprintf("merged from %d shards: %s", len(s.Shards), strings.Join(s.Shards, ", "))
	}
	v.Totals = []htmlStat{
		{Label: "requests", Value: formatCount(s.Requests)},
		{Label: "requests/s", Value: formatNumber(s.RPS)},
		{Label: "users", Value: formatCount(int64(s.Users))},
		{Label: "peak VUs", Value: formatCount(int64(s.PeakVUs))},
		{Label: "expected errors", Value: formatCount(s.ErrorsExpected)},
		{Label: "unexpected errors", Value: formatCount(s.ErrorsUnexpected), Bad: s.ErrorsUnexpected > 0},
		{Label: "error rate", Value: formatPercent(ratio(s.ErrorsUnexpected, s.Requests)), Bad: s.ErrorsUnexpected > 0},
		{Label: "interrupted", Value: formatCount(s.Interrupted)},
		{Label: "dropped", Value: formatCount(s.Dropped), Bad: s.Dropped > 0},
		{Label: "bytes read", Value: formatBytes(float64(s.BytesRead))},
	}
	v.ErrorKinds = countStats(s.ErrorsByKind)
	v.Logins = countStats(s.LoginAttempts)
	for _, c := range s.Checks {
		v.Checks = append(v.Checks, htmlCheck{Name: c.Name, Passes: formatCount(c.Passes), Fails: formatCount(c.Fails),
			Rate: formatPercent(ratio(c.Passes, c.Passes+c.Fails)), Bad: c.Fails > 0})
	}
	for _, b := range s.Budgets {
		if !b.Passed {
			v.Failed++
		}
		v.Budgets = append(v.Budgets, htmlBudget{Budget: b,
			Measured: strings.TrimSpace(formatNumber(b.Measured) + " " + b.Unit),
			Limit:    strings.TrimSpace(formatNumber(b.Limit) + " " + b.Unit)})
	}
	v.Charts = timelineCharts(s)
	v.Mix = archetypeChart(s)
	for _, e := range s.Endpoints {
		row := htmlEndpoint{
			Name: e.Name, Requests: formatCount(e.Requests), Codes: formatCodes(e.Codes),
			Expected: formatCount(e.ErrorsExpected), Unexpected: formatCount(e.ErrorsUnexpected),
			P50: formatNumber(e.P50Ms), P95: formatNumber(e.P95Ms), P99: formatNumber(e.P99Ms), Max: formatNumber(e.MaxMs),
		}
		for _, r := range e.Slowest {
			sampled := ""
			if r.Sampled {
				sampled = ", sampled"
			}
			row.Slowest = append(row.Slowest, fmt.Sprintf("%s (%s ms, %d%s)", r.TraceID, formatNumber(r.LatencyMs), r.Status, sampled))
		}
		v.Endpoints = append(v.Endpoints, row)
	}
	if s.Coverage != nil {
		v.Coverage = formatPercent(*s.Coverage)
	}
	v.Operations = len(s.Operations)
	for _, op := range s.Operations {
		switch {
		case op.Requests == 0:
			v.Unexercised = append(v.Unexercised, op.Name)
		case !op.Covered():
			v.Unexercised = append(v.Unexercised, op.Name+" (reached, never answered as described)")
		}
		if op.Violations > 0 {
			v.Violations = append(v.Violations, op)
		}
	}
	r := s.Resources
	v.Resources = []htmlStat{
		{Label: "heap peak", Value: formatBytes(float64(r.HeapPeakBytes))},
		{Label: "heap per VU", Value: formatBytes(r.HeapPerVUBytes)},
		{Label: "resident peak", Value: formatBytes(float64(r.RSSPeakBytes))},
		{Label: "goroutines peak", Value: formatCount(int64(r.GoroutinesPeak))},
		{Label: "goroutine leaks", Value: formatCount(int64(r.GoroutineLeaks)), Bad: r.GoroutineLeaks > 0},
	}
	if r.FDLimit > 0 {
		v.Resources = append(v.Resources, htmlStat{Label: "fd limit", Value: strconv.FormatUint(r.FDLimit, 10)})
	}
	if sat := s.Saturation; sat.MaxInFlight > 0 || sat.Saturated() {
		v.Resources = append(v.Resources,
			htmlStat{Label: "max in flight", Value: formatCount(int64(sat.MaxInFlight))},
			htmlStat{Label: "requests queued (saturated)", Value: formatCount(sat.QueuedRequests), Bad: sat.Saturated()})
		if sat.Saturated() {
			v.Resources = append(v.Resources,
				htmlStat{Label: "peak queued", Value: formatCount(sat.PeakQueued), Bad: true},
				htmlStat{Label: "queue wait mean / max", Value: fmt.Sprintf("%.1f / %.1f ms", sat.QueueWaitMeanMs, sat.QueueWaitMaxMs), Bad: true})
		}
	}
	p := s.Push
	v.Push = []htmlStat{
		{Label: "pushes", Value: formatCount(p.Pushes)},
		{Label: "failures", Value: formatCount(p.Failures), Bad: p.Failures > 0},
	}
	for _, k := range countStats(p.ByKind) {
		v.Push = append(v.Push, htmlStat{Label: "failed: " + k.Label, Value: k.Value, Bad: true})
	}
	return v
}

// countStats lists a map of counts, largest first, then by name.
func countStats(m map[string]int64) []htmlStat {
	keys := sortedKeys(m)
	slices.SortStableFunc(keys, func(a, b string) int { return int(min(1, max(-1, m[b]-m[a]))) })
	out := make([]htmlStat, 0, len(keys))
	for _, k := range keys {
		out = append(out, htmlStat{Label: k, Value: formatCount(m[k])})
	}
	return out
}

// formatCodes prints status codes in order with their counts: "200×950 404×12".
func formatCodes(codes map[string]int64) string {
	parts := make([]string, 0, len(codes))
	for _, c := range sortedKeys(codes) {
		if codes[c] != 0 {
			parts = append(parts, c+"×"+formatCount(codes[c]))
		}
	}
	return strings.Join(parts, " ")
}

// formatCount prints an integer with thousands separators: 1,234,567.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatPercent prints a 0–1 share as a percentage with two significant decimals.
func formatPercent(share float64) string {
	if math.IsNaN(share) || math.IsInf(share, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(share*100, 'f', 2, 64) + "%"
}

// formatBytes prints a byte count in B, KiB, MiB or GiB.
func formatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(n, 'f', 0, 64) + " B"
	}
	return strconv.FormatFloat(n, 'f', 1, 64) + " " + units[i]
}

// ratio returns part/whole, 0 when whole is 0.
func ratio(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}
