package record

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/reports"
)

// second is what the simulated target does in one second of an abort test.
type second struct {
	requests int           // to GET /x
	latency  time.Duration // of each
	errors   int           // of them, answered 500
	started  int           // sessions started
	dropped  int           // sessions dropped
	heap     uint64        // live heap
	active   int64         // active users
	violate  bool          // a contract violation this second
}

// fakeRun is the run a monitor watches in these tests: its users, and the
// contract violations its observers report.
type fakeRun struct {
	active, started, violations atomic.Int64
	reason                      string // of the first Abort
}

func (f *fakeRun) Active() int                { return int(f.active.Load()) }
func (f *fakeRun) Users() (started, peak int) { return int(f.started.Load()), int(f.active.Load()) }
func (f *fakeRun) Queued() int                { return 0 }
func (f *fakeRun) Stopping() bool             { return f.reason != "" }
func (f *fakeRun) Abort(reason string) {
	if f.reason == "" {
		f.reason = reason
	}
}
func (f *fakeRun) FillSummary(s *reports.Summary) {
	s.Operations = append(s.Operations, reports.Operation{Name: "GET /x", Requests: 1, Violations: f.violations.Load()})
}

// abortRun plays the seconds (then repeats the last) through a monitor of
// the budget for up to ticks ticks, and returns the tick at which the run
// was stopped (0: never) and why.
func abortRun(t *testing.T, expr string, window time.Duration, ticks int, play func(tick int) second) (int, string) {
	t.Helper()
	b, err := budget.Parse(expr)
	require.NoError(t, err)
	run := &fakeRun{}
	rec := New([]string{"a"}, nil)
	m := rec.newMonitor(run, MonitorConfig{
		Started: time.Now().Add(-time.Hour), // past every warm-up
		Budgets: []budget.Budget{b}, HeapBase: 1 << 20, AbortWindow: window,
		Log: slog.New(slog.DiscardHandler),
	})
	var cur second
	m.readMem = func() (uint64, int) { return cur.heap, 10 }
	e := rec.Endpoint("GET", "/x")
	for tick := 1; tick <= ticks; tick++ {
		cur = play(tick)
		for i := range cur.requests {
			o := Outcome{Status: 200, Latency: cur.latency}
			if i < cur.errors {
				o.Status, o.Kind = 500, kind.HTTP5xx
			}
			rec.Observe(e, &o)
		}
		run.started.Add(int64(cur.started))
		rec.dropped.Add(int64(cur.dropped))
		run.active.Store(cur.active)
		if cur.violate {
			run.violations.Add(1)
		}
		m.tick()
		if run.Stopping() {
			return tick, run.reason
		}
	}
	return 0, ""
}

func TestMonitor_abortBudgetsFireWithinOneWindow(t *testing.T) {
	const window = 6 * time.Second
	const windowTicks = 6
	ok := second{requests: 100, latency: 10 * time.Millisecond, started: 10, heap: 2 << 20, active: 10}
	steady := func(s second) func(int) second { return func(int) second { return s } }
	with := func(f func(*second)) second { s := ok; f(&s); return s }
	// after plays ok for two windows, then s: a run that goes bad later.
	after := func(s second) func(int) second {
		return func(tick int) second {
			if tick <= 2*windowTicks {
				return ok
			}
			return s
		}
	}
	tests := []struct {
		expr   string
		broken func(int) second
		late   bool // broken after two good windows
	}{
		{"p95(GET /x) < 50ms abort", after(with(func(s *second) { s.latency = 100 * time.Millisecond })), true},
		{"p95(archetype=a) < 50ms abort", after(with(func(s *second) { s.latency = 100 * time.Millisecond })), true},
		{"max(GET /x) < 50ms abort", after(with(func(s *second) { s.latency = 100 * time.Millisecond })), true},
		{"mean < 50ms abort", after(with(func(s *second) { s.latency = 100 * time.Millisecond })), true},
		{"error_rate < 10% abort", after(with(func(s *second) { s.errors = 50 })), true},
		{"error_rate(GET /x) < 10% abort", after(with(func(s *second) { s.errors = 50 })), true},
		{"rps > 50 abort", after(with(func(s *second) { s.requests = 15 })), true},
		{"rps(GET /x) > 50 abort", after(with(func(s *second) { s.requests = 15 })), true},
		{"heap_per_vu < 1MiB abort", after(with(func(s *second) { s.heap = 1<<20 + 10*(2<<20) })), true},
		{"dropped_rate < 10% abort", after(with(func(s *second) { s.started, s.dropped = 5, 5 })), true},
		{"errors < 10 abort", steady(with(func(s *second) { s.errors = 5 })), false},
		{"dropped < 5 abort", steady(with(func(s *second) { s.dropped = 3 })), false},
		{"heap_peak < 100MiB abort", steady(with(func(s *second) { s.heap = 200 << 20 })), false},
		{"violations == 0 abort", steady(with(func(s *second) { s.violate = true })), false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			held, _ := abortRun(t, tt.expr, window, 3*windowTicks, steady(ok))
			assert.Zero(t, held, "a budget that holds never aborts")

			at, reason := abortRun(t, tt.expr, window, 5*windowTicks, tt.broken)
			require.NotZero(t, at, "a broken budget aborts the run")
			start := 1
			if tt.late {
				start = 2*windowTicks + 1
			}
			assert.LessOrEqual(t, at-start+1, windowTicks, "fired %d ticks after the break, window %d", at-start+1, windowTicks)
			assert.True(t, strings.HasPrefix(reason, "aborted by budget "+strings.TrimSuffix(tt.expr, " abort")), reason)
		})
	}
}

func TestParse_abortRefusedForKindsKnownOnlyAtTheEnd(t *testing.T) {
	for _, expr := range []string{"requests > 10 abort", "goroutine_leaks == 0 abort", "coverage >= 90% abort"} {
		_, err := budget.Parse(expr)
		require.Error(t, err, expr)
		name, _, _ := strings.Cut(expr, " ")
		assert.Contains(t, err.Error(), name+" is only known when the run ends", expr)
	}
}

func TestMonitor_timelineStaysBounded(t *testing.T) {
	m := &Monitor{span: 1}
	var total int64
	for i := range 5000 {
		tk := reports.Tick{T: float64(i + 1), Requests: 3, ActiveVUs: i, Errors: map[string]int64{"timeout": 1},
			Latency: map[string]reports.Percentiles{"users": {P50: float64(i % 7), P95: 1, P99: 2}}}
		total += tk.Requests
		m.store(tk)
		require.LessOrEqual(t, len(m.timeline), maxTicks)
	}
	var sum, errs int64
	for _, tk := range m.timeline {
		sum += tk.Requests
		errs += tk.Errors["timeout"]
	}
	assert.Equal(t, total, sum, "merging keeps every request")
	assert.EqualValues(t, 5000, errs)
	assert.Equal(t, 16, m.span, "5,000 seconds in at most 360 ticks: 16 s each")
	last := m.timeline[len(m.timeline)-1]
	assert.Equal(t, 5000.0, last.T)
	assert.Equal(t, 4999, last.ActiveVUs, "gauges keep the later value")
	merged := mergeTicks(reports.Tick{Latency: map[string]reports.Percentiles{"users": {P50: 5, P95: 9, P99: 9}}},
		reports.Tick{Latency: map[string]reports.Percentiles{"users": {P50: 3, P95: 12, P99: 20}, "auth": {P50: 1}}})
	assert.Equal(t, reports.Percentiles{P50: 5, P95: 12, P99: 20}, merged.Latency["users"], "percentiles keep the worse")
	assert.Equal(t, 1.0, merged.Latency["auth"].P50)
}

func TestTimeline_resources(t *testing.T) {
	tests := []struct {
		name    string
		tl      Timeline
		peakVUs int
		perVU   float64
	}{
		{"heap grown by the users", Timeline{HeapBase: 1000, HeapPeak: 5000, GoroutinesPeak: 7}, 4, 1000},
		{"no users: the growth is not divided by zero", Timeline{HeapBase: 1000, HeapPeak: 3000}, 0, 2000},
		{"heap shrank below its base", Timeline{HeapBase: 5000, HeapPeak: 3000}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.tl.Resources(tt.peakVUs)
			assert.Equal(t, tt.tl.HeapPeak, r.HeapPeakBytes)
			assert.InDelta(t, tt.perVU, r.HeapPerVUBytes, 1e-9)
			assert.Equal(t, tt.tl.GoroutinesPeak, r.GoroutinesPeak)
			assert.Positive(t, r.RSSPeakBytes, "the process's peak RSS, read from the OS")
		})
	}
}
