package harness

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/budget"
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

// violations is an observer whose summary reports the violations seen.
type violations struct{ n atomic.Int64 }

func (v *violations) Observe(*Request, *Response) {}
func (v *violations) FillSummary(s *reports.Summary) {
	s.Operations = append(s.Operations, reports.Operation{Name: "GET /x", Requests: 1, Violations: v.n.Load()})
}

// abortRun plays the seconds (then repeats the last) through a monitor of
// the budget for up to ticks ticks, and returns the tick at which the run
// was stopped (0: never) and why.
func abortRun(t *testing.T, expr string, window time.Duration, ticks int, play func(tick int) second) (int, string) {
	t.Helper()
	b, err := budget.Parse(expr)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.AbortWindow, cfg.Progress = window, 0 // no progress log: this run has no pool
	obs := &violations{}
	r := &run{sim: &Simulation{observers: []Observer{obs}}, cfg: cfg, log: slog.New(slog.DiscardHandler),
		stopCh: make(chan struct{}), activeIdx: map[int]*VU{}, rec: NewRecorder([]string{"a"}, nil)}
	r.started = time.Now().Add(-time.Hour) // past every warm-up
	m := r.newMonitor([]budget.Budget{b}, 1<<20)
	var cur second
	m.readMem = func() (uint64, int) { return cur.heap, 10 }
	e := r.rec.endpoint("GET", "/x")
	for tick := 1; tick <= ticks; tick++ {
		cur = play(tick)
		for i := range cur.requests {
			o := outcome{status: 200, latency: cur.latency}
			if i < cur.errors {
				o.status, o.kind = 500, KindHTTP5xx
			}
			r.rec.observe(e, &o)
		}
		r.started_.Add(int64(cur.started))
		r.rec.dropped.Add(int64(cur.dropped))
		r.active.Store(cur.active)
		if cur.violate {
			obs.n.Add(1)
		}
		m.tick()
		if r.stopping() {
			return tick, r.stopReason
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
