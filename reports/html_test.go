package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgChart is what a test reads back from one <svg class="chart">.
type svgChart struct {
	name      string
	points    int // the data-points attribute
	series    int // the data-series attribute
	marks     int // <circle> and <rect> elements of class "pt"
	polylines int
	text      string
}

var svgRE = regexp.MustCompile(`(?s)<svg class="chart".*?</svg>`)

// parseCharts finds every chart of an HTML page (as written by WriteHTML or
// as serialised by a browser) and counts its elements with encoding/xml.
func parseCharts(tb testing.TB, page string) map[string]svgChart {
	tb.Helper()
	out := map[string]svgChart{}
	for _, frag := range svgRE.FindAllString(page, -1) {
		var c svgChart
		dec := xml.NewDecoder(strings.NewReader(frag))
		var text strings.Builder
	tokens:
		for range 1_000_000 {
			tok, err := dec.Token()
			switch {
			case errors.Is(err, io.EOF):
				break tokens
			case err != nil:
				tb.Fatalf("parse chart svg: %v\n%.400s", err, frag)
			}
			switch el := tok.(type) {
			case xml.StartElement:
				attrs := map[string]string{}
				for _, a := range el.Attr {
					attrs[a.Name.Local] = a.Value
				}
				switch el.Name.Local {
				case "svg":
					c.name = attrs["data-chart"]
					c.points = atoi(tb, attrs["data-points"])
					c.series = atoi(tb, attrs["data-series"])
				case "polyline":
					c.polylines++
				case "circle", "rect":
					if slices.Contains(strings.Fields(attrs["class"]), "pt") {
						c.marks++
					}
				}
			case xml.CharData:
				text.Write(el)
			}
		}
		c.text = text.String()
		if _, dup := out[c.name]; dup {
			tb.Fatalf("two charts named %q", c.name)
		}
		out[c.name] = c
	}
	return out
}

func atoi(tb testing.TB, s string) int {
	tb.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		tb.Fatalf("not a number: %q", s)
	}
	return n
}

// renderPage renders s to a string.
func renderPage(tb testing.TB, s *Summary) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := RenderHTML(&buf, s); err != nil {
		tb.Fatalf("RenderHTML: %v", err)
	}
	return buf.String()
}

// wantRealisticCharts are the charts of newTestSummary and their points:
// 120 one-second ticks, three latency groups of three percentiles, three
// error kinds, four archetypes.
var wantRealisticCharts = map[string]int{
	ChartRequests:                120,
	ChartActiveUsers:             120,
	ChartLatencyPrefix + "admin": 360,
	ChartLatencyPrefix + "auth":  360,
	ChartLatencyPrefix + "users": 360,
	ChartErrors:                  360,
	ChartArchetypes:              4,
}

func TestRenderHTML_Charts(t *testing.T) {
	long := newTestSummary(t)
	long.Timeline = nil
	for i := range 3600 {
		long.Timeline = append(long.Timeline, Tick{T: float64(i + 1), Requests: 50, ActiveVUs: 200,
			Latency: map[string]Percentiles{"auth": {P50: 10, P95: 20, P99: float64(30 + i%7)}}})
	}
	empty := newTestSummary(t)
	empty.Timeline = nil
	empty.Archetypes = nil

	tests := []struct {
		name    string
		summary *Summary
		want    map[string]int
		// wantText maps a chart to a text it must show.
		wantText map[string]string
	}{
		{name: "realistic run", summary: newTestSummary(t), want: wantRealisticCharts},
		{
			name:    "hour-long timeline is downsampled",
			summary: long,
			want: map[string]int{ChartRequests: MaxChartPoints, ChartActiveUsers: MaxChartPoints,
				ChartLatencyPrefix + "auth": 3 * MaxChartPoints, ChartErrors: 0, ChartArchetypes: 4},
			wantText: map[string]string{ChartRequests: "requests/s at 1m: 50.0 req/s", ChartErrors: "no errors"},
		},
		{
			name:    "empty timeline says no data",
			summary: empty,
			want: map[string]int{ChartRequests: 0, ChartActiveUsers: 0, ChartLatencyPrefix + "all": 0,
				ChartErrors: 0, ChartArchetypes: 0},
			wantText: map[string]string{ChartRequests: "no data", ChartArchetypes: "no data"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			charts := parseCharts(t, renderPage(t, tt.summary))
			if got, want := slices.Sorted(maps.Keys(charts)), slices.Sorted(maps.Keys(tt.want)); !slices.Equal(got, want) {
				t.Fatalf("charts = %q, want %q", got, want)
			}
			for name, want := range tt.want {
				c := charts[name]
				if c.points != want || c.marks != want {
					t.Errorf("chart %s: data-points=%d with %d point marks, want %d", name, c.points, c.marks, want)
				}
				if c.polylines != c.series {
					t.Errorf("chart %s: data-series=%d with %d polylines", name, c.series, c.polylines)
				}
				if want == 0 && !strings.Contains(c.text, "no ") {
					t.Errorf("empty chart %s has no note: %q", name, c.text)
				}
			}
			for name, text := range tt.wantText {
				if !strings.Contains(charts[name].text, text) {
					t.Errorf("chart %s lacks %q", name, text)
				}
			}
		})
	}
}

func TestRenderHTML_Sections(t *testing.T) {
	partial := newTestSummary(t)
	partial.Partial = true
	partial.PartialReason = "interrupted by SIGTERM"
	bare := &Summary{RunID: "r1", Simulation: "TestBare"}

	tests := []struct {
		name     string
		summary  *Summary
		want     []string
		wantNot  []string
		failRows int
		passRows int
	}{
		{
			name:    "realistic run",
			summary: newTestSummary(t),
			want: []string{
				"run-20250314-092653", "http://127.0.0.1:8080", "2025-03-14T09:26:53Z", "2m",
				"1 of 3 budgets broken", "POST /api/auth/login", "GET /api/users/{id}/sessions",
				`property &#34;email&#34; is missing`, "83.33%", "28.0 MiB", "4.0 KiB",
				"context deadline exceeded", "max-request-count raised", "wrong_password",
				"200×", "ms, 200, sampled)", "4bf92f3577b34da6a3ce",
			},
			wantNot:  []string{`id="partial"`},
			failRows: 2, // the broken budget and the violated operation
			passRows: 2,
		},
		{
			name:     "partial run shows a banner",
			summary:  partial,
			want:     []string{`id="partial"`, "interrupted by SIGTERM"},
			failRows: 2,
			passRows: 2,
		},
		{
			name:    "bare summary still renders",
			summary: bare,
			want:    []string{"TestBare", "No budgets were checked", "no endpoint was called", "coverage was not measured", "Pushing was off"},
			wantNot: []string{`id="verdict"`, "Never exercised"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderPage(t, tt.summary)
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(page, w) {
					t.Errorf("page has %q", w)
				}
			}
			if got := strings.Count(page, `<tr class="fail">`); got != tt.failRows {
				t.Errorf("%d red rows, want %d", got, tt.failRows)
			}
			if got := strings.Count(page, `<tr class="pass">`); got != tt.passRows {
				t.Errorf("%d green rows, want %d", got, tt.passRows)
			}
		})
	}
}

var (
	// urlAttrs are the attributes through which a page makes the browser
	// fetch something.
	urlAttrs = []string{"src", "href", "srcset", "action", "poster", "data", "xlink:href", "background", "formaction"}
	// networkRE matches a URL with a scheme or a protocol-relative one.
	networkRE = regexp.MustCompile(`(?i)^\s*(?:[a-z][a-z0-9+.-]*:|//)`)
	// cssFetchRE matches CSS that fetches: url(…) and @import.
	cssFetchRE = regexp.MustCompile(`(?i)url\s*\(|@import`)
)

// htmlTag is one start tag of a page, with its attributes (values
// unescaped) and, for <style>, the style sheet it holds.
type htmlTag struct {
	name  string
	attrs [][2]string
	style string
}

// scanTags lexes the start tags of an HTML page the way a browser's
// tokenizer does for tags and attributes: quoted and unquoted values, "/>"
// endings. It does not build a tree; it needs none to find references. Every
// loop advances through the page, so it ends.
func scanTags(page string) []htmlTag {
	var tags []htmlTag
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	i := 0
	for i < len(page) {
		lt := strings.IndexByte(page[i:], '<')
		if lt < 0 {
			break
		}
		i += lt + 1
		if i >= len(page) || !(page[i] >= 'a' && page[i] <= 'z' || page[i] >= 'A' && page[i] <= 'Z') {
			continue
		}
		start := i
		for i < len(page) && !isSpace(page[i]) && page[i] != '>' && page[i] != '/' {
			i++
		}
		tag := htmlTag{name: strings.ToLower(page[start:i])}
		for i < len(page) && page[i] != '>' {
			if isSpace(page[i]) || page[i] == '/' {
				i++
				continue
			}
			ns := i
			for i < len(page) && !isSpace(page[i]) && page[i] != '=' && page[i] != '>' && page[i] != '/' {
				i++
			}
			name, val := strings.ToLower(page[ns:i]), ""
			for i < len(page) && isSpace(page[i]) {
				i++
			}
			if i < len(page) && page[i] == '=' {
				i++
				for i < len(page) && isSpace(page[i]) {
					i++
				}
				if i < len(page) && (page[i] == '"' || page[i] == '\'') {
					q := page[i]
					end := strings.IndexByte(page[i+1:], q)
					if end < 0 {
						end = len(page) - i - 1
					}
					val = page[i+1 : i+1+end]
					i += end + 2
				} else {
					vs := i
					for i < len(page) && !isSpace(page[i]) && page[i] != '>' {
						i++
					}
					val = page[vs:i]
				}
			}
			tag.attrs = append(tag.attrs, [2]string{name, html.UnescapeString(val)})
		}
		if tag.name == "style" && i < len(page) {
			end := strings.Index(strings.ToLower(page[i:]), "</style")
			if end < 0 {
				end = len(page) - i
			}
			tag.style = page[i+1 : i+end]
			i += end
		}
		tags = append(tags, tag)
	}
	return tags
}

// externalRefs returns each reference of a page to something outside it: a
// URL attribute with a scheme or "//", and CSS url(…) or @import in a style
// element or attribute.
func externalRefs(page string) []string {
	var refs []string
	for _, tag := range scanTags(page) {
		for _, a := range tag.attrs {
			if slices.Contains(urlAttrs, a[0]) && networkRE.MatchString(a[1]) {
				refs = append(refs, tag.name+" "+a[0]+"="+a[1])
			}
			if a[0] == "style" && cssFetchRE.MatchString(a[1]) {
				refs = append(refs, tag.name+" style="+a[1])
			}
		}
		if cssFetchRE.MatchString(tag.style) {
			refs = append(refs, "style element: "+cssFetchRE.FindString(tag.style))
		}
	}
	return refs
}

func TestExternalRefs(t *testing.T) {
	tests := []struct {
		name string
		page string
		want int
	}{
		{name: "script src", page: `<script src="https://cdn.example.com/x.js"></script>`, want: 1},
		{name: "unquoted link href", page: `<link rel=stylesheet href=//example.com/s.css>`, want: 1},
		{name: "image", page: `<p><img alt="x" src='http://example.com/a.png'></p>`, want: 1},
		{name: "css import", page: `<style>@import "x.css";</style>`, want: 1},
		{name: "css url in attribute", page: `<div style="background:url(http://e.com/a)"></div>`, want: 1},
		{name: "upper case, self-closing", page: `<IMG SRC="HTTP://example.com/a.png"/>`, want: 1},
		{name: "entity-encoded scheme", page: `<img src="&#104;ttps://example.com/a.png">`, want: 1},
		{name: "quoted > before the link", page: `<a title="a>b" href="https://example.com">x</a>`, want: 1},
		{name: "in-page anchor", page: `<a href="#totals">Totals</a>`, want: 0},
		{name: "escaped text", page: `<p>&lt;img src=&#34;http://example.com/a.png&#34;&gt;</p>`, want: 0},
		{name: "escaped attribute", page: `<svg aria-label="&#34;&gt;&lt;link href=//e.com/s.css&gt;"></svg>`, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := externalRefs(tt.page); len(got) != tt.want {
				t.Errorf("externalRefs = %q, want %d", got, tt.want)
			}
		})
	}
}

func TestRenderHTML_SelfContained(t *testing.T) {
	hostile := newTestSummary(t)
	hostile.Simulation = `<script src="https://cdn.example.com/x.js"></script>`
	hostile.Target = `https://api.example.com/" onload="alert(1)`
	hostile.Endpoints[0].Name = `<img src="http://example.com/a.png">`
	hostile.Budgets[0].Message = `<a href="https://example.com">x</a>`
	hostile.Timeline[0].Latency[`"><link rel=stylesheet href=//example.com/s.css>`] = Percentiles{P50: 1}

	tests := []struct {
		name    string
		summary *Summary
	}{
		{name: "realistic run", summary: newTestSummary(t)},
		{name: "hostile strings from the target", summary: hostile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteHTML(dir, tt.summary); err != nil {
				t.Fatalf("WriteHTML: %v", err)
			}
			raw, err := os.ReadFile(filepath.Join(dir, HTMLFile))
			if err != nil {
				t.Fatal(err)
			}
			page := string(raw)
			if refs := externalRefs(page); len(refs) > 0 {
				t.Errorf("page references the network: %q", refs)
			}
			tags := map[string]int{}
			for _, tag := range scanTags(page) {
				tags[tag.name]++
			}
			for _, tag := range []string{"script", "link", "img", "iframe", "object", "embed", "base"} {
				if tags[tag] > 0 {
					t.Errorf("page has %d <%s> elements", tags[tag], tag)
				}
			}
			if tags["a"] != 7 {
				t.Errorf("page has %d links, want the 7 of the navigation", tags["a"])
			}
			if len(parseCharts(t, page)) == 0 {
				t.Error("no charts")
			}
		})
	}
}

func TestWriteHTML_Errors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		summary *Summary
		wantErr string
	}{
		{name: "nil summary", dir: t.TempDir(), wantErr: "nil summary"},
		{name: "report dir is a file", dir: file, summary: &Summary{}, wantErr: "create report dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteHTML(tt.dir, tt.summary)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("WriteHTML error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
