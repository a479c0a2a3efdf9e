package record

import (
	"fmt"
	"log/slog"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/internal/proc"
	"github.com/trafficsim/trafficsim/reports"
)

// tickInterval is how long one tick of the timeline covers before merging.
const tickInterval = time.Second

// minAbortRequests is how many requests a window must hold before an abort
// check may end the run: a handful of early errors is not a dead target.
const minAbortRequests = 20

// maxTicks bounds the timeline: past it, adjacent ticks are merged and each
// tick covers twice as long, so an hours-long run holds a few hundred ticks
// and the generator's memory stays flat.
const maxTicks = 360

// Watched is what a Monitor reads of the run it watches, and how it ends
// it. The engine implements it; every method is called at most once a
// tick, from the monitor's goroutine.
type Watched interface {
	// Active is how many users are active now.
	Active() int
	// Users is how many sessions have started so far, and the peak of
	// active users.
	Users() (started, peak int)
	// Queued is how many requests wait for an in-flight slot now.
	Queued() int
	// Stopping reports whether the run is stopping already.
	Stopping() bool
	// Abort ends the run early, as partial, for reason.
	Abort(reason string)
	// FillSummary adds what the observers found so far (contract
	// violations) for budgets judged on the run so far.
	FillSummary(s *reports.Summary)
}

// MonitorConfig is what a Monitor is told at its start.
type MonitorConfig struct {
	Started        time.Time       // when the run started
	Budgets        []budget.Budget // those with abort are watched
	HeapBase       uint64          // the live heap before the run, for heap_per_vu
	AbortWindow    time.Duration   // -abort-window
	AbortErrorRate float64         // -abort-error-rate, in percent; 0: off
	Progress       time.Duration   // -progress: how often to log; 0: never
	Log            *slog.Logger
}

// Monitor closes a timeline tick every second, samples the generator's own
// memory and goroutines, logs progress, and ends the run when an abort check
// breaks.
type Monitor struct {
	rec    *Recorder
	run    Watched
	cfg    MonitorConfig
	aborts []budget.Budget
	// readMem reads the live heap and the goroutines (ReadMem; tests
	// give their own).
	readMem func() (uint64, int)

	// The abort window: its last ticks, and the session counts at the
	// last tick, to take differences (see window.go).
	ring                     []windowTick
	ringLen, countsLen       int
	lastStarted, lastDropped int64

	mu       sync.Mutex
	timeline []reports.Tick
	span     int // seconds one stored tick covers: 1, 2, 4, ...
	filled   int // seconds merged into the last stored tick
	heapPeak uint64
	goPeak   int
	lastLog  time.Time
	lastReqs int64
	done     chan struct{}
	exited   chan struct{}
	stopOnce sync.Once
}

// StartMonitor starts a monitor of run recorded by rec; Stop ends it. Call
// it before the first request: abort budgets make rec keep per-tick
// figures.
func (r *Recorder) StartMonitor(run Watched, cfg MonitorConfig) *Monitor {
	m := r.newMonitor(run, cfg)
	go m.loop()
	return m
}

// newMonitor returns a monitor whose loop is not started yet.
func (r *Recorder) newMonitor(run Watched, cfg MonitorConfig) *Monitor {
	m := &Monitor{rec: r, run: run, cfg: cfg, heapPeak: cfg.HeapBase, span: 1, done: make(chan struct{}), exited: make(chan struct{}), lastLog: cfg.Started,
		readMem: ReadMem, ringLen: windowTicks(cfg.AbortWindow)}
	for _, b := range cfg.Budgets {
		if b.Abort {
			m.aborts = append(m.aborts, b)
		}
	}
	if len(m.aborts) > 0 {
		latency := false
		for _, b := range m.aborts {
			switch name := b.Metric(); {
			case name == "max", name == "mean", strings.HasPrefix(name, "p"):
				latency = true
			}
		}
		if latency {
			m.countsLen = countsLen()
		}
		r.enableWindow(latency)
	}
	return m
}

func (m *Monitor) loop() {
	defer close(m.exited)
	t := time.NewTicker(tickInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.tick()
		case <-m.done:
			m.tick()
			return
		}
	}
}

// Stop closes the last tick and waits for the loop to end. It may be
// called more than once.
func (m *Monitor) Stop() {
	m.stopOnce.Do(func() { close(m.done) })
	<-m.exited
}

func (m *Monitor) tick() {
	rec := m.rec
	now := time.Now()
	elapsed := now.Sub(m.cfg.Started)
	tk := rec.tick(elapsed.Seconds(), m.run.Active())
	tk.HeapBytes, tk.Goroutines = m.readMem()

	m.mu.Lock()
	if len(m.aborts) > 0 {
		m.keepWindow(tk)
	}
	m.store(tk)
	m.heapPeak = max(m.heapPeak, tk.HeapBytes)
	m.goPeak = max(m.goPeak, tk.Goroutines)
	window := m.window(m.cfg.AbortWindow)
	logNow := m.cfg.Progress > 0 && now.Sub(m.lastLog) >= m.cfg.Progress
	var rps float64
	if logNow {
		reqs := rec.requests.Load()
		rps = float64(reqs-m.lastReqs) / now.Sub(m.lastLog).Seconds()
		m.lastReqs, m.lastLog = reqs, now
	}
	m.mu.Unlock()

	if logNow {
		m.cfg.Log.Info("progress",
			"elapsed", elapsed.Round(time.Second).String(), "active", m.run.Active(),
			"requests", rec.requests.Load(), "rps", fmt.Sprintf("%.0f", rps),
			"errors_unexpected", rec.errUnexpected.Load(), "errors_expected", rec.errExpected.Load(),
			"queued", m.run.Queued())
	}
	if !m.run.Stopping() {
		m.checkAbort(elapsed, window)
	}
}

// store adds a second's tick to the timeline, merging it into the last
// stored tick while that covers less than the current span, and halving the
// timeline when it is full. Caller holds m.mu.
func (m *Monitor) store(tk reports.Tick) {
	if n := len(m.timeline); n > 0 && m.filled < m.span {
		m.timeline[n-1] = mergeTicks(m.timeline[n-1], tk)
		m.filled++
		return
	}
	m.timeline = append(m.timeline, tk)
	m.filled = 1
	if len(m.timeline) <= maxTicks {
		return
	}
	half := m.timeline[:0]
	for i := 0; i+1 < len(m.timeline); i += 2 {
		half = append(half, mergeTicks(m.timeline[i], m.timeline[i+1]))
	}
	if len(m.timeline)%2 == 1 {
		half = append(half, m.timeline[len(m.timeline)-1])
	}
	clear(m.timeline[len(half):])
	m.timeline = half
	m.span *= 2
	m.filled = m.span
}

// mergeTicks merges a later tick b into a: counts add up, gauges take the
// later value, and latency percentiles take the worse of the two — an
// approximation for charts (the exact figures are the run's histograms).
func mergeTicks(a, b reports.Tick) reports.Tick {
	out := reports.Tick{T: b.T, Requests: a.Requests + b.Requests, Blocked: a.Blocked + b.Blocked, ActiveVUs: b.ActiveVUs, HeapBytes: b.HeapBytes, Goroutines: b.Goroutines}
	if len(a.Errors)+len(b.Errors) > 0 {
		out.Errors = map[string]int64{}
		for _, e := range []map[string]int64{a.Errors, b.Errors} {
			for k, v := range e {
				out.Errors[k] += v
			}
		}
	}
	if len(a.Latency)+len(b.Latency) > 0 {
		out.Latency = map[string]reports.Percentiles{}
		for _, l := range []map[string]reports.Percentiles{a.Latency, b.Latency} {
			for g, p := range l {
				q := out.Latency[g]
				out.Latency[g] = reports.Percentiles{P50: max(q.P50, p.P50), P95: max(q.P95, p.P95), P99: max(q.P99, p.P99)}
			}
		}
	}
	return out
}

// window sums the ticks of the last d. Caller holds m.mu.
func (m *Monitor) window(d time.Duration) (w reports.Summary) {
	n := max(int(d/(time.Duration(m.span)*tickInterval)), 1)
	ticks := m.timeline[max(len(m.timeline)-n, 0):]
	for _, t := range ticks {
		w.Requests += t.Requests
		w.Blocked += t.Blocked
		for _, c := range t.Errors {
			w.ErrorsUnexpected += c
		}
	}
	w.DurationSeconds = float64(len(ticks)*m.span) * tickInterval.Seconds()
	if w.DurationSeconds > 0 {
		w.RPS = float64(w.Requests) / w.DurationSeconds
	}
	return w
}

// checkAbort ends the run when unexpected errors pass -abort-error-rate over
// the window, or when an abort budget breaks. Checks wait for a sixth of the
// window and a minimum of requests, so a slow start does not abort a run.
func (m *Monitor) checkAbort(elapsed time.Duration, w reports.Summary) {
	limit, window := m.cfg.AbortErrorRate, m.cfg.AbortWindow
	// A request the breaker blocked is an attempt that failed: a dead
	// target behind an open circuit still aborts the run.
	attempts := w.Requests + w.Blocked
	if limit > 0 && elapsed >= window/6 && attempts >= minAbortRequests {
		rate := float64(w.ErrorsUnexpected+w.Blocked) / float64(attempts) * 100
		if rate > limit {
			blocked := ""
			if w.Blocked > 0 {
				blocked = fmt.Sprintf(", %d more blocked by the breaker", w.Blocked)
			}
			m.run.Abort(fmt.Sprintf("aborted: %.1f%% unexpected errors over the last %s (%d requests%s), limit %g%% (-abort-error-rate)",
				rate, time.Duration(w.DurationSeconds*float64(time.Second)), w.Requests, blocked, limit))
			return
		}
	}
	m.checkBudgets(elapsed)
}

// keepWindow adds the tick to the abort window. Caller holds m.mu.
func (m *Monitor) keepWindow(tk reports.Tick) {
	wt := m.rec.windowTick()
	wt.requests, wt.blocked, wt.heap, wt.active = tk.Requests, tk.Blocked, tk.HeapBytes, tk.ActiveVUs
	for _, n := range tk.Errors {
		wt.errors += n
	}
	users, _ := m.run.Users()
	started, dropped := int64(users), m.rec.dropped.Load()
	wt.started, wt.dropped = started-m.lastStarted, dropped-m.lastDropped
	m.lastStarted, m.lastDropped = started, dropped
	m.ring = append(m.ring, wt)
	if len(m.ring) > m.ringLen {
		m.ring = append(m.ring[:0], m.ring[len(m.ring)-m.ringLen:]...)
	}
}

// checkBudgets ends the run when an abort budget breaks: those that can be
// windowed (latency, error_rate, rps, heap_per_vu, dropped_rate) judged on
// the last -abort-window alone, the others (errors, dropped, violations,
// heap_peak, which only grow) on the run so far. Rates and latencies wait
// for minAbortRequests samples; a verdict without samples is "no data
// yet", no reason to stop.
func (m *Monitor) checkBudgets(elapsed time.Duration) {
	if len(m.aborts) == 0 || elapsed < m.cfg.AbortWindow/6 {
		return
	}
	m.mu.Lock()
	win := m.windowSummary(m.ring, m.cfg.HeapBase)
	heapPeak := m.heapPeak
	m.mu.Unlock()
	var cum *reports.Summary
	for _, b := range m.aborts {
		s, over := win, fmt.Sprintf(" (over the last %s)", time.Duration(win.DurationSeconds*float64(time.Second)))
		if !b.Windowed() {
			if cum == nil {
				cum = m.cumulative(elapsed, heapPeak)
			}
			s, over = cum, ""
		}
		v := budget.Evaluate(s, []budget.Budget{b})[0]
		if v.Passed || v.Samples < minAbortSamples(b) {
			continue
		}
		m.run.Abort("aborted by budget " + v.Expr + ": " + v.Message + over)
		return
	}
}

// minAbortSamples is how many samples a verdict needs before it may stop
// the run: a rate or a latency needs minAbortRequests; a count, a heap
// figure or a contract violation is evidence from its first sample.
func minAbortSamples(b budget.Budget) int64 {
	switch b.Metric() {
	case "error_rate", "rps", "dropped_rate", "max", "mean":
		return minAbortRequests
	case "heap_per_vu", "heap_peak", "errors", "dropped", "violations":
		return 1
	}
	return minAbortRequests // a percentile
}

// cumulative is the summary of the run so far, for the budgets whose
// figures only grow: the recorder's counts, the sessions, the heap peak and
// the observers' findings (contract violations).
func (m *Monitor) cumulative(elapsed time.Duration, heapPeak uint64) *reports.Summary {
	s := &reports.Summary{DurationSeconds: elapsed.Seconds()}
	if err := m.rec.Fill(s); err != nil {
		m.cfg.Log.Debug("abort check", "err", err)
	}
	s.Users, s.PeakVUs = m.run.Users()
	s.Resources.HeapPeakBytes = heapPeak
	m.run.FillSummary(s)
	return s
}

// Timeline is what the monitor kept of a run, for the summary.
type Timeline struct {
	Ticks           []reports.Tick
	IntervalSeconds float64 // the seconds each tick covers
	HeapBase        uint64  // the live heap before the run (MonitorConfig.HeapBase)
	HeapPeak        uint64  // the live heap's peak, sampled each tick
	GoroutinesPeak  int
}

// Resources is what the run used as its summary reports it: the peaks of
// heap and goroutines the timeline sampled, the heap each of peakVUs users
// added, and the process's open-files limit and peak RSS. The leak check's
// findings are the caller's to add.
func (tl Timeline) Resources(peakVUs int) reports.Resources {
	return reports.Resources{
		HeapPeakBytes:  tl.HeapPeak,
		HeapPerVUBytes: float64(tl.HeapPeak-min(tl.HeapBase, tl.HeapPeak)) / float64(max(peakVUs, 1)),
		GoroutinesPeak: tl.GoroutinesPeak,
		FDLimit:        proc.FDLimit(),
		RSSPeakBytes:   proc.PeakRSS(),
	}
}

// Timeline returns a copy of the timeline and the peaks so far.
func (m *Monitor) Timeline() Timeline {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Timeline{Ticks: append([]reports.Tick(nil), m.timeline...), IntervalSeconds: float64(m.span) * tickInterval.Seconds(),
		HeapBase: m.cfg.HeapBase, HeapPeak: m.heapPeak, GoroutinesPeak: m.goPeak}
}

// memSamples: the live heap as of the last GC (not the garbage since, which
// would make a flat heap look like a sawtooth), and goroutines.
var memSamples = []string{"/gc/heap/live:bytes", "/sched/goroutines:goroutines"}

// ReadMem reads the generator's live heap and its goroutines from the
// runtime, without stopping the world.
func ReadMem() (heap uint64, goroutines int) {
	s := []metrics.Sample{{Name: memSamples[0]}, {Name: memSamples[1]}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		heap = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		goroutines = int(s[1].Value.Uint64())
	}
	return heap, goroutines
}
