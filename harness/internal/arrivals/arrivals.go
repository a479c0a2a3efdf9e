// Package arrivals is the open model's arrival plan: when, from the start
// of the run, each session should begin for a steady rate or a list of
// stages. It is pure arithmetic on the stages, apart from the driver that
// sleeps until each arrival, so it is tested exactly (counts, order) and
// fuzzed without running users.
package arrivals

import (
	"math"
	"time"

	"github.com/trafficsim/trafficsim/harness/config"
)

// Plan is the schedule of an open model: the times, from the start, at
// which sessions should begin. The zero Plan schedules nothing.
type Plan struct {
	start  float64 // rate at t=0
	stages []config.Stage
	steady float64 // constant rate when there are no stages
	// end, when positive, ends the plan: an arrival is scheduled only
	// before it (-duration), so 100/s for 20s is 2,000 arrivals, not 2,001.
	end time.Duration
}

// New returns the schedule of an open model: rate (-rate) when there are
// no stages, else the stages (-stages) ramping from rate, ended by
// duration (-duration) when positive or by the stages' end if sooner.
func New(rate float64, stages []config.Stage, duration time.Duration) Plan {
	a := Plan{start: rate, stages: stages, steady: rate, end: duration}
	if total := config.StagesDuration(stages); total > 0 && (a.end <= 0 || total < a.end) {
		a.end = total
	}
	return a
}

// Total returns how many arrivals the plan schedules in all, and false
// when it has no end (a steady rate without -duration).
func (a Plan) Total() (int64, bool) {
	if a.end <= 0 {
		return 0, false
	}
	// The integral of the rate up to end gives the count to within
	// rounding; Next, which decides, settles the last one or two.
	var want float64
	if len(a.stages) == 0 {
		want = a.steady * a.end.Seconds()
	} else {
		r0, left := a.start, a.end.Seconds()
		for _, s := range a.stages {
			D := min(s.Duration.Seconds(), left)
			slope := (s.Target - r0) / s.Duration.Seconds()
			want += r0*D + slope*D*D/2
			left -= D
			r0 = s.Target
			if left <= 0 {
				break
			}
		}
	}
	n := int64(math.Max(math.Ceil(want-1e-9), 0))
	for n > 0 {
		if _, ok := a.Next(n - 1); ok {
			break
		}
		n--
	}
	for {
		if _, ok := a.Next(n); !ok {
			return n, true
		}
		n++
	}
}

// Next returns the intended start of arrival n (0-based) from the start of
// the run, and false when the plan ends before it. With a linear ramp
// r(t) = r0 + (r1-r0)·t/D in a stage, the arrivals by time t are
// r0·t + (r1-r0)·t²/(2D); arrival n is where that reaches n — exact,
// so the schedule does not drift however long it runs.
func (a Plan) Next(n int64) (time.Duration, bool) {
	at, ok := a.at(n)
	if !ok || (a.end > 0 && at >= a.end) {
		return 0, false
	}
	return at, true
}

// at is Next without the plan's end.
func (a Plan) at(n int64) (time.Duration, bool) {
	want := float64(n)
	if len(a.stages) == 0 {
		if a.steady <= 0 {
			return 0, false
		}
		return time.Duration(float64(n) / a.steady * float64(time.Second)), true
	}
	var done float64 // arrivals before this stage
	var offset time.Duration
	r0 := a.start
	for _, s := range a.stages {
		D := s.Duration.Seconds()
		r1 := s.Target
		inStage := (r0 + r1) / 2 * D
		// Strictly more: arrival number done+inStage falls at the stage's
		// end, which is the next stage's start (or past the plan).
		if inStage > 0 && done+inStage > want {
			k := want - done // arrivals needed into this stage
			// slope/2·t² + r0·t − k = 0, solved as 2k / (r0 + √disc): the
			// same root as (−r0 + √disc) / slope without its cancellation,
			// and defined for a flat stage too. (The earlier k/r0 for small
			// slopes gave 0/0 for a ramp from 0 with a tiny slope, found by
			// FuzzParseStages: "1ns:1e-300".)
			slope := (r1 - r0) / D
			var t float64
			if den := r0 + math.Sqrt(math.Max(r0*r0+2*slope*k, 0)); den > 0 {
				t = min(2*k/den, D)
			}
			return offset + time.Duration(t*float64(time.Second)), true
		}
		done += inStage
		offset += s.Duration
		r0 = r1
	}
	return 0, false
}
