package pool

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/deadline"
	"github.com/trafficsim/trafficsim/reports"
)

// WorkerIdle is how long a worker waits for work before it ends (between
// one and two such periods: idleness is checked once per period).
const WorkerIdle = 2 * time.Second

// OverflowQueue is how many jobs may wait for the dispatcher; a job that
// finds it full waits for room on its caller's goroutine.
const OverflowQueue = 4096

// Config is what a pool needs of its jobs and its bound.
type Config[J any] struct {
	// Timeout is each worker's request timeout (deadline.New).
	Timeout time.Duration
	// MaxInFlight bounds the workers and the inline slots together; 0: no
	// bound.
	MaxInFlight int
	// Asked returns when a job was handed over (or its slot asked for): a
	// wait in line is timed from it.
	Asked func(J) time.Time
	// Serve does a job on a worker, with the worker's deadline; it is
	// called once per HandOver.
	Serve func(J, *deadline.Deadline)
}

// Pool serves jobs on workers. A caller hands its job to an idle worker, or
// else to the dispatcher, through a buffered channel: neither send goes
// deep on the caller's small stack (see the harness's
// TestThinkingUser_Stack). The dispatcher alone counts the workers: it
// starts a new one while fewer than MaxInFlight exist, and past that waits
// for the first to come free. That bound is what keeps a generator whose
// target cannot keep up from growing with its users: the run's transport
// holds at most as many connections, and a job's wait in line counts in
// its latency, timed from Asked, and in the saturation figures.
//
// A caller that never waits with a small stack (a user that never thinks)
// makes its exchanges on its own goroutine and saves the two goroutine
// switches of the handoff; it takes one of the MaxInFlight slots all the
// same (Acquire, Release).
//
// Pool is generic over the job so that the handoff, inlined into its
// caller, sends the job itself: no interface conversion, no allocation.
type Pool[J any] struct {
	timeout     time.Duration
	maxInFlight int // math.MaxInt when there is no bound
	configured  int // Config.MaxInFlight, for the figures
	asked       func(J) time.Time
	serve       func(J, *deadline.Deadline)
	jobs        chan J        // to an idle worker
	overflow    chan J        // to the dispatcher, when no worker is idle
	leave       chan struct{} // a worker idle for a whole period ends
	quit        chan struct{}
	wg          sync.WaitGroup
	slots       chan struct{} // inline callers' share of maxInFlight
	started     atomic.Bool

	sat saturation
}

// New returns a pool for c's jobs. Start starts it.
func New[J any](c Config[J]) *Pool[J] {
	p := &Pool[J]{
		timeout: c.Timeout, maxInFlight: c.MaxInFlight, configured: c.MaxInFlight,
		asked: c.Asked, serve: c.Serve,
		jobs: make(chan J), overflow: make(chan J, OverflowQueue),
		leave: make(chan struct{}), quit: make(chan struct{}),
	}
	if c.MaxInFlight <= 0 {
		p.maxInFlight = math.MaxInt // no bound, and no slots for inline callers
	} else {
		p.slots = make(chan struct{}, c.MaxInFlight)
	}
	return p
}

// Start starts the dispatcher, once: with the run's first user that
// thinks. Close stops it.
func (p *Pool[J]) Start() {
	if p.started.CompareAndSwap(false, true) {
		p.wg.Add(1)
		go p.dispatch()
	}
}

// HandOver gives j to an idle worker, or to the dispatcher. It inlines into
// its caller: its frame would be on the stack of every caller that waits.
func (p *Pool[J]) HandOver(j J) {
	select {
	case p.jobs <- j:
	default:
		p.overflow <- j
	}
}

// dispatch gives each job that found no idle worker a worker (place).
func (p *Pool[J]) dispatch() {
	defer p.wg.Done()
	workers := 0
	for {
		select {
		case j := <-p.overflow:
			if !p.place(j, &workers) {
				return
			}
		case <-p.leave:
			workers--
		case <-p.quit:
			return
		}
	}
}

// place gives j to a new worker, while fewer than maxInFlight exist, or
// else to the first worker to come free; it reports false when the pool
// closed first. A job it holds while every worker is busy waits in line:
// place counts the wait's start then, and its end once a worker has the
// job, timed from when the job was asked (read while place holds the job:
// after the send it is the worker's).
func (p *Pool[J]) place(j J, workers *int) bool {
	var asked time.Time
	queued := false
	for {
		if *workers < p.maxInFlight {
			*workers++
			p.wg.Add(1)
			go p.work(j)
			if queued {
				p.sat.leave(time.Since(asked))
			}
			return true
		}
		if !queued {
			queued, asked = true, p.asked(j)
			p.sat.enter(len(p.overflow))
		}
		select {
		case p.jobs <- j:
			p.sat.leave(time.Since(asked))
			return true
		case <-p.leave:
			*workers-- // and start one for j
		case <-p.quit:
			return false
		}
	}
}

// work serves j, then every job sent to it, until it has served none for a
// whole WorkerIdle period or the pool closes. The idle timer is not reset
// per job, which would cost a timer update each time.
func (p *Pool[J]) work(j J) {
	defer p.wg.Done()
	d := deadline.New(p.timeout)
	defer d.Close()
	idle := time.NewTimer(WorkerIdle)
	defer idle.Stop()
	busy, has := false, true
	for {
		if has {
			p.serve(j, d)
			busy = true
		}
		select {
		case j = <-p.jobs:
			has = true
		case <-idle.C:
			has = false
			if !busy {
				select { // tell the dispatcher, unless work comes first
				case p.leave <- struct{}{}:
					return
				case j = <-p.jobs:
					has = true
				case <-p.quit:
					return
				}
			}
			busy = false
			idle.Reset(WorkerIdle)
		case <-p.quit:
			return
		}
	}
}

// Acquire takes one of the MaxInFlight slots for j, an exchange its caller
// makes on its own goroutine, waiting for one (a wait counted in the
// saturation figures) when all are taken. It reports whether it took one:
// with no bound there are no slots, and nothing to Release.
func (p *Pool[J]) Acquire(j J) bool {
	if p.slots == nil {
		return false
	}
	select {
	case p.slots <- struct{}{}:
	default:
		p.sat.enter(0)
		p.slots <- struct{}{}
		p.sat.leave(time.Since(p.asked(j)))
	}
	return true
}

// Release gives back a slot Acquire took.
func (p *Pool[J]) Release() { <-p.slots }

// Close ends the dispatcher and the idle workers, and waits for them to
// end. Callers make sure no job is in flight or about to start.
func (p *Pool[J]) Close() {
	close(p.quit)
	p.wg.Wait()
}

// Saturation returns the pool's saturation figures for the summary.
func (p *Pool[J]) Saturation() reports.Saturation {
	s := &p.sat
	out := reports.Saturation{
		MaxInFlight: p.configured, QueuedRequests: s.queued.Load(), PeakQueued: s.peakQueued.Load(),
		QueueWaitSeconds: time.Duration(s.waitNanos.Load()).Seconds(),
		QueueWaitMaxMs:   float64(s.maxWait.Load()) / 1e6,
	}
	if out.QueuedRequests > 0 {
		out.QueueWaitMeanMs = 1000 * out.QueueWaitSeconds / float64(out.QueuedRequests)
	}
	return out
}

// QueuedNow is how many jobs wait in line now: those counted, and those in
// the dispatcher's queue (for a moment only, unless every worker is busy).
func (p *Pool[J]) QueuedNow() int64 { return p.sat.queuedNow.Load() + int64(len(p.overflow)) }

// saturation counts the jobs that waited for a worker or a slot because
// maxInFlight were in flight, and for how long.
type saturation struct {
	queued     atomic.Int64 // jobs that waited
	waitNanos  atomic.Int64 // their waits, summed
	maxWait    atomic.Int64 // the longest wait, ns
	queuedNow  atomic.Int64 // jobs waiting now
	peakQueued atomic.Int64 // the most waiting at once
}

// enter counts a job that starts waiting in line; behind is how many more
// wait where the count cannot see them yet (jobs in the dispatcher's queue
// behind the one it holds), so the peak counts them too.
func (s *saturation) enter(behind int) {
	s.queued.Add(1)
	n := s.queuedNow.Add(1) + int64(behind)
	for p := s.peakQueued.Load(); n > p && !s.peakQueued.CompareAndSwap(p, n); p = s.peakQueued.Load() {
	}
}

// leave counts the end of a wait of d.
func (s *saturation) leave(d time.Duration) {
	s.queuedNow.Add(-1)
	s.waitNanos.Add(int64(d))
	for m := s.maxWait.Load(); int64(d) > m && !s.maxWait.CompareAndSwap(m, int64(d)); m = s.maxWait.Load() {
	}
}
