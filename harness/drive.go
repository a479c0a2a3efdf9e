package harness

import (
	"context"
	"errors"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/arrivals"
)

// defaultRampPerUser spreads the closed model's starts when -ramp is not
// given, so a large population does not open all its sockets at once.
const (
	defaultRampPerUser = 500 * time.Microsecond
	defaultRampMax     = 10 * time.Second
)

// drive starts the users of the run's model and returns a channel closed
// when every user has ended.
func (r *run) drive(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	r.users.Add(1) // the driver itself, so done waits for late starts
	go func() {
		defer r.users.Done()
		if r.cfg.OpenModel() {
			r.driveOpen(ctx)
		} else {
			r.driveClosed(ctx)
		}
	}()
	go func() {
		r.users.Wait()
		close(done)
	}()
	return done
}

// driveClosed starts the population — the users of this shard — spread
// over the ramp; with -continuous each user that ends is replaced by a new
// one (a new identity) until the run stops.
func (r *run) driveClosed(ctx context.Context) {
	var owned []int
	for i := range r.cfg.Users {
		if r.cfg.Shard.Owns(i) {
			owned = append(owned, i)
		}
	}
	ramp := r.cfg.Ramp
	if ramp == 0 {
		ramp = min(time.Duration(len(owned))*defaultRampPerUser, defaultRampMax)
	}
	for k, idx := range owned {
		if k > 0 && ramp > 0 {
			at := r.started.Add(time.Duration(int64(ramp) * int64(k) / int64(len(owned))))
			if !r.sleepUntil(at) {
				return
			}
		}
		if r.stopping() {
			return
		}
		r.users.Add(1)
		vu := r.newUser(idx)
		r.enter(vu)
		go r.userLoop(ctx, vu)
	}
}

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
		if !r.cfg.Continuous || r.stopping() {
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
	if r.stopping() {
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
	vu := r.newUser(r.replacement())
	r.enter(vu)
	return vu
}

// replacement returns the index of a new user replacing one that ended:
// past the first population, and owned by this shard.
func (r *run) replacement() int {
	n := int(r.nextIndex.Add(1) - 1)
	count := max(r.cfg.Shard.Count, 1)
	base := r.cfg.Users + (count-r.cfg.Users%count)%count // first multiple of count at or after Users
	return base + n*count + r.cfg.Shard.Index
}

// driveOpen starts user sessions at the planned arrival rate. A start that
// finds -max-vus users active is dropped and counted; a late start keeps its
// intended time, so its first request's latency includes the lateness.
// Every scheduled arrival of this shard is started, dropped or, when the
// run stops first, counted as not reached.
func (r *run) driveOpen(ctx context.Context) {
	plan := arrivals.New(r.cfg.Rate, r.cfg.Stages, r.cfg.Duration)
	maxVUs := int64(r.cfg.MaxVUs)
	if maxVUs == 0 {
		maxVUs = int64(max(r.cfg.Users, 1) * 10)
	}
	var reached int64 // this shard's arrivals started or dropped
	defer func() { r.countSchedule(plan, reached) }()
	for n := int64(0); ; n++ {
		offset, ok := plan.Next(n)
		if !ok {
			return
		}
		if !r.cfg.Shard.Owns(int(n)) {
			continue
		}
		at := r.started.Add(offset)
		if !r.sleepUntil(at) {
			return
		}
		reached++
		if r.active.Load() >= maxVUs {
			r.rec.Dropped()
			continue
		}
		r.users.Add(1)
		vu := r.newUser(int(n))
		vu.intended = &at
		r.enter(vu)
		go r.session(ctx, vu)
	}
}

// countSchedule records how many arrivals the plan scheduled for this
// shard and how many of them the driver had not reached.
func (r *run) countSchedule(plan arrivals.Plan, reached int64) {
	total, ok := plan.Total()
	if !ok {
		r.scheduled.Store(reached) // no end: what was due is what was scheduled
		return
	}
	owned := total
	if sh := r.cfg.Shard; !sh.Whole() {
		owned = 0
		if total > int64(sh.Index) {
			owned = (total-int64(sh.Index)-1)/int64(sh.Count) + 1
		}
	}
	r.scheduled.Store(owned)
	r.notReached.Store(max(owned-reached, 0))
}

// sleepUntil waits until t, or returns false when the run stops first.
func (r *run) sleepUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return !r.stopping()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-r.done():
		return false
	}
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
	for vu.used < vu.budget && !r.stopping() {
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
	arch := r.mix.of(idx)
	a := r.plan.archetypes[arch]
	vu := &VU{
		Index: idx, Archetype: a.name, RunID: r.runID, Rand: userRand(r.cfg.Seed, idx),
		env: &r.userEnv, arch: arch, think: &a.think, done: make(chan *Response, 1),
	}
	vu.budget = a.eff.Min + vu.Rand.IntN(a.eff.Max-a.eff.Min+1)
	vu.ua = uint8(vu.Rand.IntN(len(userAgents)))
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

// enter and leave keep the counts and the set of active users.
func (r *run) enter(vu *VU) {
	r.activeMu.Lock()
	r.activeIdx[vu.Index] = vu
	r.activeMu.Unlock()
	r.started_.Add(1)
	r.rec.UserStarted(vu.arch)
	for n := r.active.Add(1); ; {
		if p := r.peak.Load(); n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
}

func (r *run) leave(vu *VU) {
	if vu.own != nil {
		vu.own.Close()
	}
	r.active.Add(-1)
	r.rec.UserEnded(vu.arch)
	r.activeMu.Lock()
	delete(r.activeIdx, vu.Index)
	r.activeMu.Unlock()
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
	r.activeMu.Lock()
	for _, vu := range r.activeIdx {
		if vu.parked.Load() && vu.parked.CompareAndSwap(true, false) {
			parked = append(parked, vu)
			continue
		}
		vu.wake()
	}
	r.activeMu.Unlock()
	for _, vu := range parked {
		r.endParked(vu)
	}
}
