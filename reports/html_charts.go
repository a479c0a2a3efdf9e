package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxChartPoints bounds the points of one chart series in report.html. A
// longer timeline is cut into at most this many buckets of consecutive
// ticks: counts become rates over the bucket, gauges (active users) and
// latency percentiles take the bucket's maximum, so a spike stays visible.
const MaxChartPoints = 240

// Geometry of a line chart's SVG, in user units.
const (
	chartWidth   = 1040
	chartHeight  = 240
	chartLeft    = 64
	chartRight   = 16
	chartTop     = 12
	chartBottom  = 28
	chartPalette = 8 // CSS classes c0…c7 colour the series
)

// chart is what the template draws as one <svg class="chart">. Points is
// the number of point marks (<circle> or <rect> with class "pt"); a line
// chart also has one <polyline> per series, so tests can count both.
type chart struct {
	Name   string
	Title  string
	Unit   string
	Width  int
	Height int
	Points int
	Series []chartSeries
	Bars   []chartBar
	XTicks []chartTick
	YTicks []chartTick
	Left   float64
	Right  float64
	Top    float64
	Bottom float64
	// Empty says why the chart has no data; the template shows it instead.
	Empty string
}

// chartSeries is one polyline and its point marks.
type chartSeries struct {
	Name   string
	Class  string
	Points string
	Marks  []chartMark
}

// chartMark is one data point; Title is its tooltip.
type chartMark struct {
	X, Y  float64
	Title string
}

// chartBar is one horizontal bar of a bar chart.
type chartBar struct {
	Label string
	Value string
	Class string
	// Y is the bar's top, TY the middle of its row for labels, VX where its
	// value label starts.
	Y, TY, W, H, VX float64
	Title           string
}

// chartTick is one axis label at a position along its axis.
type chartTick struct {
	Pos   float64
	Label string
}

// seriesData is a series before scaling; a NaN y is a missing point.
type seriesData struct {
	name string
	xs   []float64
	ys   []float64
}

// newLineChart scales series into a chart with the x axis in seconds from 0
// to the last x and the y axis from 0 to a round value above the largest y.
// Series without any point are left out; a chart without points carries the
// empty note instead.
func newLineChart(name, title, unit, empty string, series []seriesData) chart {
	c := chart{
		Name: name, Title: title, Unit: unit,
		Width: chartWidth, Height: chartHeight,
		Left: chartLeft, Right: chartWidth - chartRight,
		Top: chartTop, Bottom: chartHeight - chartBottom,
	}
	var xMax, yMax float64
	for _, s := range series {
		for i, y := range s.ys {
			if math.IsNaN(y) {
				continue
			}
			xMax = max(xMax, s.xs[i])
			yMax = max(yMax, y)
		}
	}
	yTop := niceCeil(yMax)
	xEnd := xMax
	if xEnd <= 0 {
		xEnd = 1
	}
	sx := func(x float64) float64 { return c.Left + (c.Right-c.Left)*x/xEnd }
	sy := func(y float64) float64 { return c.Bottom - (c.Bottom-c.Top)*y/yTop }

	for _, s := range series {
		cs := chartSeries{Name: s.name, Class: fmt.Sprintf("c%d", len(c.Series)%chartPalette)}
		var pts strings.Builder
		for i, y := range s.ys {
			if math.IsNaN(y) {
				continue
			}
			x, py := round2(sx(s.xs[i])), round2(sy(y))
			if pts.Len() > 0 {
				pts.WriteByte(' ')
			}
			pts.WriteString(strconv.FormatFloat(x, 'f', -1, 64) + "," + strconv.FormatFloat(py, 'f', -1, 64))
			cs.Marks = append(cs.Marks, chartMark{X: x, Y: py,
				Title: fmt.Sprintf("%s at %s: %s %s", s.name, formatSeconds(s.xs[i]), formatNumber(y), unit)})
		}
		if len(cs.Marks) == 0 {
			continue
		}
		cs.Points = pts.String()
		c.Points += len(cs.Marks)
		c.Series = append(c.Series, cs)
	}
	if c.Points == 0 {
		c.Empty = empty
		return c
	}
	for i := range 5 {
		v := yTop * float64(i) / 4
		c.YTicks = append(c.YTicks, chartTick{Pos: round2(sy(v)), Label: formatNumber(v)})
	}
	step := niceCeil(xEnd / 6)
	for x, i := 0.0, 0; x <= xEnd+1e-9 && i < 100; x, i = x+step, i+1 {
		c.XTicks = append(c.XTicks, chartTick{Pos: round2(sx(x)), Label: formatSeconds(x)})
	}
	return c
}

// barEntry is one bar before scaling.
type barEntry struct {
	label string
	value float64
	text  string
}

// newBarChart draws one horizontal bar per entry, scaled to the largest.
func newBarChart(name, title, empty string, entries []barEntry) chart {
	const rowHeight, barHeight = 30, 20
	c := chart{
		Name: name, Title: title,
		Width: chartWidth, Height: chartTop*2 + rowHeight*max(1, len(entries)),
		Left: 160, Right: chartWidth - 240, Top: chartTop,
	}
	c.Bottom = float64(c.Height) - chartTop
	var top float64
	for _, e := range entries {
		top = max(top, e.value)
	}
	if len(entries) == 0 || top <= 0 {
		c.Empty = empty
		return c
	}
	for i, e := range entries {
		y := c.Top + float64(i*rowHeight)
		w := round2(max(1, (c.Right-c.Left)*e.value/top))
		c.Bars = append(c.Bars, chartBar{
			Label: e.label, Value: e.text, Class: fmt.Sprintf("c%d", i%chartPalette),
			Y: y + (rowHeight-barHeight)/2, TY: y + rowHeight/2, W: w, H: barHeight, VX: c.Left + w + 8,
			Title: e.label + ": " + e.text,
		})
	}
	c.Points = len(c.Bars)
	return c
}

// niceCeil returns the smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v, so axes
// end on round numbers; it returns 1 for v ≤ 0.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*exp >= v*(1-1e-12) {
			return m * exp
		}
	}
	return 10 * exp
}

// round2 rounds to two decimals to keep the SVG small.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// formatNumber prints a chart value with as many decimals as its size needs.
func formatNumber(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// formatSeconds prints an offset into the run as 45s, 2m, 2m30s or 1h5m.
func formatSeconds(sec float64) string {
	s := int64(math.Round(sec))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600 && s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}
