package record

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/trafficsim/trafficsim/reports"
)

// The sliding window abort budgets are judged on. Each tick the recorder
// hands over what ended in that second — per endpoint and per archetype:
// requests, unexpected errors and the latency histogram's non-empty
// buckets (a few hundred at most, where a whole histogram is 24k counts) —
// and the monitor keeps the last -abort-window of ticks. From them it
// builds a Summary of the window alone, with per-endpoint histograms, so
// that "rps(GET /x) > 50" or "p95(archetype=admin) < 300ms" with abort are
// judged on the last window as their doc says, never on cumulative
// figures over a window's duration.

// bucket is one non-empty bucket of a histogram: its index in the counts
// of the shared geometry, and its count.
type bucket struct {
	idx int32
	n   int64
}

// windowPart is what one endpoint or archetype did in one tick.
type windowPart struct {
	requests, errors int64
	buckets          []bucket
}

// windowTick is one second of the window.
type windowTick struct {
	requests, errors, blocked int64
	started, dropped          int64 // sessions
	heap                      uint64
	active                    int
	endpoints                 map[endpointKey]windowPart
	archs                     []windowPart
}

// windowStats is an endpoint's or archetype's share of the current tick.
// Guarded by the owner's mu.
type windowStats struct {
	hist             *hdrhistogram.Histogram
	requests, errors int64
}

func (w *windowStats) record(micros int64, unexpected bool, hist bool) {
	w.requests++
	if unexpected {
		w.errors++
	}
	if !hist {
		return
	}
	if w.hist == nil {
		w.hist = reports.NewHistogram()
	}
	_ = w.hist.RecordValue(micros)
}

// take returns the tick's part and starts the next one.
func (w *windowStats) take() windowPart {
	p := windowPart{requests: w.requests, errors: w.errors}
	if w.hist != nil && w.hist.TotalCount() > 0 {
		for i, n := range w.hist.Export().Counts {
			if n != 0 {
				p.buckets = append(p.buckets, bucket{idx: int32(i), n: n})
			}
		}
		w.hist.Reset()
	}
	w.requests, w.errors = 0, 0
	return p
}

// enableWindow makes the recorder keep per-tick figures for the window,
// with latency histograms when latency says a budget needs them (taking a
// tick's buckets copies a histogram's counts, 190 KB, per endpoint and
// second, which a run with only error_rate aborts need not pay); call it
// before the first request.
func (r *Recorder) enableWindow(latency bool) { r.windowed, r.windowHist = true, latency }

// windowTick returns what ended since the last call, per endpoint and
// archetype.
func (r *Recorder) windowTick() windowTick {
	wt := windowTick{endpoints: map[endpointKey]windowPart{}}
	r.mu.RLock()
	for k, e := range r.endpoints {
		e.mu.Lock()
		p := e.win.take()
		e.mu.Unlock()
		if p.requests > 0 || p.errors > 0 {
			wt.endpoints[k] = p
		}
	}
	r.mu.RUnlock()
	for _, a := range r.archs {
		a.mu.Lock()
		wt.archs = append(wt.archs, a.win.take())
		a.mu.Unlock()
	}
	return wt
}

// windowSummary builds the Summary of the ticks: their requests, errors,
// sessions and the endpoints' and archetypes' histograms merged, over the
// time they cover. heapBase is the heap before the run.
func (m *Monitor) windowSummary(ticks []windowTick, heapBase uint64) *reports.Summary {
	rec := m.rec
	s := &reports.Summary{DurationSeconds: float64(len(ticks)) * tickInterval.Seconds()}
	type acc struct {
		requests, errors int64
		counts           []int64
	}
	eps := map[endpointKey]*acc{}
	archs := make([]acc, len(rec.archs))
	add := func(a *acc, p windowPart) {
		a.requests += p.requests
		a.errors += p.errors
		if len(p.buckets) > 0 && a.counts == nil {
			a.counts = make([]int64, m.countsLen)
		}
		for _, b := range p.buckets {
			a.counts[b.idx] += b.n
		}
	}
	var heapPeak uint64
	for _, t := range ticks {
		s.Requests += t.requests
		s.ErrorsUnexpected += t.errors
		s.Blocked += t.blocked
		s.Users += int(t.started)
		s.Dropped += t.dropped
		s.PeakVUs = max(s.PeakVUs, t.active)
		heapPeak = max(heapPeak, t.heap)
		for k, p := range t.endpoints {
			a := eps[k]
			if a == nil {
				a = &acc{}
				eps[k] = a
			}
			add(a, p)
		}
		for i, p := range t.archs {
			add(&archs[i], p)
		}
	}
	s.Scheduled = int64(s.Users) + s.Dropped
	if s.DurationSeconds > 0 {
		s.RPS = float64(s.Requests) / s.DurationSeconds
	}
	s.Resources.HeapPeakBytes = heapPeak
	if s.PeakVUs > 0 {
		s.Resources.HeapPerVUBytes = float64(heapPeak-min(heapBase, heapPeak)) / float64(s.PeakVUs)
	}
	encode := func(counts []int64) string {
		if counts == nil {
			return ""
		}
		h := hdrhistogram.Import(&hdrhistogram.Snapshot{
			LowestTrackableValue: reports.HistogramMinMicros, HighestTrackableValue: reports.HistogramMaxMicros,
			SignificantFigures: reports.HistogramSigFigures, Counts: counts,
		})
		enc, _ := reports.EncodeHistogram(h) // an endpoint left without a histogram judges as no data
		return enc
	}
	for k, a := range eps {
		s.Endpoints = append(s.Endpoints, reports.Endpoint{
			Name: k.method + " " + k.route, Method: k.method, Route: k.route,
			Requests: a.requests, ErrorsUnexpected: a.errors, Histogram: encode(a.counts),
		})
	}
	for i, a := range archs {
		s.Archetypes = append(s.Archetypes, reports.Archetype{
			Name: rec.archs[i].name, Requests: a.requests, ErrorsUnexpected: a.errors, Histogram: encode(a.counts),
		})
	}
	return s
}

// countsLen is the length of a histogram's counts in the shared geometry.
func countsLen() int { return len(reports.NewHistogram().Export().Counts) }

// windowTicks is how many ticks the abort window holds.
func windowTicks(d time.Duration) int { return max(int(d/tickInterval), 1) }
