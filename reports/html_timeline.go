package reports

import (
	"math"
	"slices"
)

// Names of the charts in report.html, in their data-chart attribute, so
// tests and scrapers can find them. There is one latency chart per endpoint
// group, named ChartLatencyPrefix + group ("latency-all" when the timeline
// has no groups).
const (
	ChartRequests      = "requests"
	ChartActiveUsers   = "active-users"
	ChartLatencyPrefix = "latency-"
	ChartErrors        = "errors"
	ChartArchetypes    = "archetypes"
)

// tickBucket is a run of consecutive ticks drawn as one chart point: x is
// the end of the last tick in seconds, seconds the time the bucket spans.
type tickBucket struct {
	ticks   []Tick
	x       float64
	seconds float64
}

// bucketTicks cuts the timeline into at most maxPoints buckets of equal
// tick counts; a bucket spanning less than half an interval is merged into
// the one before, so no rate is computed over a sliver of a tick. A tick without T (older writers) is placed by its index and
// the interval.
func bucketTicks(ticks []Tick, interval float64, maxPoints int) []tickBucket {
	if len(ticks) == 0 || maxPoints <= 0 {
		return nil
	}
	if interval <= 0 {
		interval = 1
	}
	size := (len(ticks) + maxPoints - 1) / maxPoints
	out := make([]tickBucket, 0, (len(ticks)+size-1)/size)
	prevX := 0.0
	for from := 0; from < len(ticks); from += size {
		to := min(len(ticks), from+size)
		x := ticks[to-1].T
		if x <= prevX {
			x = prevX + float64(to-from)*interval
		}
		b := tickBucket{ticks: ticks[from:to], x: x, seconds: x - prevX}
		prevX = x
		if n := len(out); n > 0 && b.seconds < interval/2 {
			// A sliver (the last tick of a run, closed a few milliseconds
			// after the one before): a rate over it is noise — 1 request
			// in 1.8 ms reads 555 req/s. It joins the bucket before.
			last := &out[n-1]
			last.ticks = ticks[to-len(last.ticks)-len(b.ticks) : to]
			last.x, last.seconds = b.x, last.seconds+b.seconds
			continue
		}
		out = append(out, b)
	}
	return out
}

// timelineCharts draws the charts of s.Timeline: requests per second,
// active users, latency percentiles per endpoint group, errors per second by
// kind. With an empty timeline each chart is present with a "no data" note.
func timelineCharts(s *Summary) []chart {
	const noData = "no data: the run recorded no timeline"
	buckets := bucketTicks(s.Timeline, s.IntervalSeconds, MaxChartPoints)
	xs := make([]float64, len(buckets))
	for i, b := range buckets {
		xs[i] = b.x
	}
	series := func(name string, f func(tickBucket) float64) seriesData {
		ys := make([]float64, len(buckets))
		for i, b := range buckets {
			ys[i] = f(b)
		}
		return seriesData{name: name, xs: xs, ys: ys}
	}

	charts := []chart{
		newLineChart(ChartRequests, "Requests per second", "req/s", noData, []seriesData{
			series("requests/s", func(b tickBucket) float64 {
				var n int64
				for _, t := range b.ticks {
					n += t.Requests
				}
				return float64(n) / b.seconds
			}),
		}),
		newLineChart(ChartActiveUsers, "Active virtual users", "VUs", noData, []seriesData{
			series("active users", func(b tickBucket) float64 {
				peak := 0
				for _, t := range b.ticks {
					peak = max(peak, t.ActiveVUs)
				}
				return float64(peak)
			}),
		}),
	}

	groups := map[string]bool{}
	kinds := map[string]bool{}
	for _, t := range s.Timeline {
		for g := range t.Latency {
			groups[g] = true
		}
		for k, n := range t.Errors {
			if n > 0 {
				kinds[k] = true
			}
		}
	}
	if len(groups) == 0 {
		empty := noData
		if len(s.Timeline) > 0 {
			empty = "no data: no latency was recorded per endpoint group"
		}
		charts = append(charts, newLineChart(ChartLatencyPrefix+"all", "Latency", "ms", empty, nil))
	}
	for _, g := range sortedKeys(groups) {
		pick := []struct {
			name string
			get  func(Percentiles) float64
		}{
			{"p50", func(p Percentiles) float64 { return p.P50 }},
			{"p95", func(p Percentiles) float64 { return p.P95 }},
			{"p99", func(p Percentiles) float64 { return p.P99 }},
		}
		var ss []seriesData
		for _, p := range pick {
			ss = append(ss, series(p.name, func(b tickBucket) float64 {
				v := math.NaN()
				for _, t := range b.ticks {
					if lat, ok := t.Latency[g]; ok {
						v = max(nanToZero(v), p.get(lat))
					}
				}
				return v
			}))
		}
		charts = append(charts, newLineChart(ChartLatencyPrefix+g,
			"Latency of "+g+" (p50, p95, p99; the worst tick per point)", "ms", "no data", ss))
	}

	var es []seriesData
	for _, k := range sortedKeys(kinds) {
		es = append(es, series(k, func(b tickBucket) float64 {
			var n int64
			for _, t := range b.ticks {
				n += t.Errors[k]
			}
			return float64(n) / b.seconds
		}))
	}
	empty := noData
	if len(s.Timeline) > 0 {
		empty = "no errors during the run"
	}
	charts = append(charts, newLineChart(ChartErrors, "Errors per second by kind", "err/s", empty, es))
	return charts
}

// archetypeChart draws the archetype mix: one bar per archetype, its users
// and their share of all users, and the requests they made.
func archetypeChart(s *Summary) chart {
	var total int
	for _, a := range s.Archetypes {
		total += a.Users
	}
	entries := make([]barEntry, 0, len(s.Archetypes))
	for _, a := range s.Archetypes {
		share := 0.0
		if total > 0 {
			share = float64(a.Users) / float64(total)
		}
		entries = append(entries, barEntry{
			label: a.Name,
			value: float64(a.Users),
			text:  formatCount(int64(a.Users)) + " users (" + formatPercent(share) + "), " + formatCount(a.Requests) + " requests",
		})
	}
	return newBarChart(ChartArchetypes, "Archetype mix", "no data: the run recorded no archetypes", entries)
}

// nanToZero maps NaN, the "no point yet" marker, to 0.
func nanToZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// sortedKeys returns the keys of m in order, for stable output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
