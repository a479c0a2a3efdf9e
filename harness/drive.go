package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/load"
	"github.com/trafficsim/trafficsim/harness/internal/mix"
	"github.com/trafficsim/trafficsim/harness/internal/wire"
)

// drive starts the users of the run's load model (package load) and
// returns a channel closed when every user has ended.
func (r *run) drive() <-chan struct{} {
	done := make(chan struct{})
	r.users.Add(1) // the driver itself, so done waits for late starts
	go func() {
		defer r.users.Done()
		sched := load.For(r.cfg).Drive(r.started, r)
		r.scheduled.Store(sched.Scheduled)
		r.notReached.Store(sched.NotReached)
	}()
	go func() {
		r.users.Wait()
		close(done)
	}()
	return done
}

// Start makes user index, enters it, and starts its goroutine: a closed
// model's user loop, or an open model's session timed from intended. With
// Active, Dropped, Stopping and Done, the run is its load model's
// load.Starter.
func (r *run) Start(index int, intended *time.Time) {
	r.users.Add(1)
	vu := r.newUser(index)
	vu.intended = intended
	r.enter(vu)
	if intended != nil {
		go r.session(r.userCtx, vu)
	} else {
		go r.userLoop(r.userCtx, vu)
	}
}

// Dropped counts an arrival not started because -max-vus were active.
func (r *run) Dropped() { r.rec.Dropped() }

// userLoop is the goroutine of a closed-model user, its bottom frame: it
// runs the user and, with -continuous, each user that replaces it. It is a
// method started by the go statement itself, not a closure calling one, so
// a thinking user's stack holds one frame fewer (see runUser).
//
// A user that parks between journey calls (see park) ends this goroutine;
// the sleeper starts a new one, here, when its pause is over.
func (r *run) userLoop(ctx context.Context, vu *VU) {
	for u := vu; ; u = r.successor() {
		if r.runUser(ctx, u) {
			return // parked: u is the sleeper's now
		}
		if !r.cfg.Continuous || r.Stopping() {
			break
		}
	}
	r.users.Done()
}

// session is the goroutine of an open-model user: one session.
func (r *run) session(ctx context.Context, vu *VU) {
	if r.runUser(ctx, vu) {
		return // parked
	}
	r.users.Done()
}

// resume continues a parked user once its pause is over, on a goroutine of
// its own: it is started by the sleeper, whose run label it inherits.
func (r *run) resume(vu *VU) {
	if r.cfg.OpenModel() {
		go r.session(r.userCtx, vu)
	} else {
		go r.userLoop(r.userCtx, vu)
	}
}

// park makes the pause before the user's next journey call with no
// goroutine at all: the user is handed to the sleeper and its goroutine
// ends, and the sleeper starts a new one when the pause is over. A user
// between two calls has nothing on its stack worth keeping, and a
// goroutine that once ran a deep journey keeps its grown stack while it
// waits (the runtime shrinks a stack only while less than a quarter of it
// is in use), so a hundred thousand thinking users would hold 4 KiB each
// for nothing. park reports whether the user parked; it draws the pause
// either way, and the journey's first request does not pause again.
func (r *run) park(vu *VU) bool {
	vu.rested = true
	d := vu.rest
	if d > 0 {
		vu.rest = 0
	} else {
		d = vu.thinkTime()
	}
	if d <= 0 {
		return false
	}
	vu.parked.Store(true)
	if r.Stopping() {
		// The stop may have looked for parked users before the Store: take
		// the user back, unless the stop has ended it already.
		return !vu.parked.CompareAndSwap(true, false)
	}
	r.sleeper.Start() // a user that never thinks may rest (Rest)
	r.sleeper.Sleep(vu, d)
	return true
}

// endParked ends a parked user when the run stops, without a goroutine: a
// hundred thousand goroutines started only to end would be a burst of
// memory at every stop.
func (r *run) endParked(vu *VU) {
	r.leave(vu)
	r.users.Done()
}

// successor starts the user that replaces one that ended, in continuous
// mode: a new identity, past the first population.
func (r *run) successor() *VU {
	vu := r.newUser(load.Replacement(r.cfg.Users, r.cfg.Shard, int(r.nextIndex.Add(1)-1)))
	r.enter(vu)
	return vu
}

// runUser runs one virtual user, already made and entered (newUser, enter):
// its journey again and again until its budget is spent or the run stops.
// The frames under a thinking user's pause — the goroutine's closure,
// runUser, the journey, Do, pause — are kept small on purpose: a thinking user's goroutine must fit the runtime's 2 KiB minimum
// stack (see package pool). The setup happens before, on the driver's
// goroutine or below the closure's frame; and the runtime sizes new
// goroutines' stacks from the average depth it sees at each GC, so every
// byte of a parked user counts.
//
// It calls leave at its end rather than deferring it: a defer's record
// would sit in the frame of every thinking user. A panicking journey ends
// the test binary, so there is no unwinding to clean up after.
func (r *run) runUser(ctx context.Context, vu *VU) (parked bool) {
	journey := r.plan.archetypes[vu.arch].journey
	for vu.used < vu.budget && !r.Stopping() {
		if vu.used > 0 && (!vu.inline || vu.rest > 0) && !vu.rested && r.park(vu) {
			return true
		}
		before := vu.used
		if err := journey(ctx, vu); err != nil {
			r.journeyEnded(vu, err)
			break
		}
		if vu.used == before {
			r.noRequest(vu) // a journey that makes no request would spin
			break
		}
	}
	r.leave(vu)
	return false
}

// newUser makes user idx: its archetype from the mix, its budget and user
// agent from its own random source.
func (r *run) newUser(idx int) *VU {
	arch := r.mix.Of(idx)
	a := r.plan.archetypes[arch]
	vu := &VU{
		Index: idx, Archetype: a.name, RunID: r.runID, Rand: mix.Rand(r.cfg.Seed, idx),
		env: &r.userEnv, arch: arch, think: &a.think, done: make(chan *Response, 1),
	}
	vu.budget = a.eff.Min + vu.Rand.IntN(a.eff.Max-a.eff.Min+1)
	vu.ua = uint8(vu.Rand.IntN(len(wire.UserAgents)))
	vu.inline = neverThinks(a.think)
	if !vu.inline {
		r.sleeper.Start() // with the first user that thinks
		r.pool.Start()
	}
	if r.cfg.RecordSequences {
		names := make([]string, 0, vu.budget)
		vu.names = &names
	}
	return vu
}

// neverThinks reports whether t always draws a zero pause without using
// the random source: such a user makes its requests back to back.
func neverThinks(t Think) bool {
	switch t.Kind {
	case "const", "uniform":
		return t.Min <= 0 && t.Max <= t.Min
	case "exp", "lognormal":
		return false // a zero mean still draws from the source
	}
	return true
}

// enter and leave keep the roster of active users and the recorder's
// per-archetype counts.
func (r *run) enter(vu *VU) {
	r.roster.Enter(vu.Index, vu)
	r.rec.UserStarted(vu.arch)
}

func (r *run) leave(vu *VU) {
	if vu.own != nil {
		vu.own.Close()
	}
	r.roster.Leave(vu.Index)
	r.rec.UserEnded(vu.arch)
	if vu.names != nil {
		r.seqMu.Lock()
		if r.sequences == nil {
			r.sequences = map[int][]string{}
		}
		r.sequences[vu.Index] = *vu.names
		r.seqMu.Unlock()
	}
}

// journeyEnded logs a journey's own error (its first few), not the normal
// ends: budget spent, run stopping.
func (r *run) journeyEnded(vu *VU, err error) {
	if errors.Is(err, ErrBudgetSpent) || errors.Is(err, ErrDone) || errors.Is(err, errStopped) || errors.Is(err, context.Canceled) {
		return
	}
	if r.journeyErrs.Add(1) <= 5 {
		r.log.Warn("journey ended with an error", "vu", vu.Index, "archetype", vu.Archetype, "err", err)
	}
}

// wakeAll wakes every thinking user, so a stop does not wait for think times.
//
// Parked users (see park) are ended here rather than woken.
func (r *run) wakeAll() {
	var parked []*VU
	r.roster.Each(func(vu *VU) {
		if vu.parked.Load() && vu.parked.CompareAndSwap(true, false) {
			parked = append(parked, vu)
			return
		}
		vu.wake()
	})
	for _, vu := range parked {
		r.endParked(vu)
	}
}

// noRequest records that a journey call of vu's archetype returned without
// an error and without a request: the user ends (calling it again would
// spin), the first time per archetype is logged, and Run fails the test
// naming the archetype.
func (r *run) noRequest(vu *VU) {
	if r.idle.Add(vu.Archetype) {
		r.log.Warn("journey returned without making a request; the user ends", "archetype", vu.Archetype, "vu", vu.Index,
			"fix", "make a request with vu.Do in every call, or return harness.ErrDone to end the user on purpose")
	}
}

// idleError names every archetype whose journey returned without a
// request, or is nil.
func (r *run) idleError() error {
	idle := r.idle.Sorted()
	if len(idle) == 0 {
		return nil
	}
	return fmt.Errorf("archetype %s: a journey call returned without making a request, which ends its user early; make a request with vu.Do in every call, or return harness.ErrDone to end the user on purpose",
		strings.Join(idle, ", archetype "))
}
