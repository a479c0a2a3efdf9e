package harness

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficsim/trafficsim/reports"
)

// workerIdle is how long an exchange worker waits for work before it ends
// (between one and two such periods: idleness is checked once per period).
const workerIdle = 2 * time.Second

// exchangePool runs users' HTTP exchanges on goroutines of its own, as many
// as there are requests in flight, and never more than maxInFlight. An
// exchange is deep (TLS, HTTP, body reading, JSON decoding) and a goroutine
// keeps its grown stack after it; if users made their requests themselves,
// a hundred thousand thinking users would each hold a 4 KiB stack or more.
// This way a user's goroutine only waits for the result and stays at the
// 2 KiB minimum, and the deep stacks belong to the few workers that are busy.
//
// The bound is what keeps a generator whose target cannot keep up from
// growing with its users: past maxInFlight requests in flight, a user waits
// in line for a worker (and the run's transport holds at most as many
// connections, see newTransport) instead of opening one more connection and
// starting one more goroutine. The wait counts in the request's latency,
// which is timed from when the user asked (Do), and in the pool's
// saturation figures.
//
// A user that never thinks (think time none) never waits with a small
// stack, so it makes its exchanges on its own goroutine and saves the two
// goroutine switches of the handoff; it takes one of the maxInFlight slots
// all the same.
type exchangePool struct {
	timeout     time.Duration
	maxInFlight int
	sleeper     *sleeper // ends thinking users' pauses
	jobs        chan *VU
	quit        chan struct{}
	wg          sync.WaitGroup
	slots       chan struct{} // inline users' share of maxInFlight

	mu      sync.Mutex // guards workers against waiting (see do)
	workers int
	waiting atomic.Int64 // users handing a job over, served or not yet

	sat saturation
}

// saturation counts the requests that waited for a worker or a slot because
// maxInFlight were in flight, and for how long.
type saturation struct {
	queued     atomic.Int64 // requests that waited
	waitNanos  atomic.Int64 // their waits, summed
	maxWait    atomic.Int64 // the longest wait, ns
	queuedNow  atomic.Int64 // requests waiting now
	peakQueued atomic.Int64 // the most waiting at once
}

// newExchangePool returns a pool whose requests time out after timeout, with
// at most maxInFlight requests in flight.
func newExchangePool(timeout time.Duration, maxInFlight int) *exchangePool {
	p := &exchangePool{
		timeout: timeout, maxInFlight: maxInFlight, sleeper: newSleeper(),
		jobs: make(chan *VU), quit: make(chan struct{}),
	}
	if maxInFlight <= 0 {
		p.maxInFlight = math.MaxInt // no bound, and no slots for inline users
	} else {
		p.slots = make(chan struct{}, maxInFlight)
	}
	return p
}

// do makes the request and returns its response: on the user's goroutine
// when it never thinks, otherwise on a worker — an idle one, a new one when
// none is idle and fewer than maxInFlight exist, or the first to come free —
// while the user waits.
func (p *exchangePool) do(vu *VU, req *Request) *Response {
	vu.markAsked()
	if vu.inline {
		return p.inline(vu, req)
	}
	vu.pending = req
	p.handOver(vu)
	for {
		if resp := <-vu.done; resp != nil {
			return resp
		}
		// A wake meant for a pause (a stop, a late timer): keep waiting.
	}
}

// handOver gives vu's pending job to a worker. A worker may end only while
// no user is handing a job over (waiting == 0, checked under mu), and a
// user counts itself in waiting before it looks at the workers: so a user
// that finds maxInFlight workers and waits in line always has one to serve
// it.
func (p *exchangePool) handOver(vu *VU) {
	p.waiting.Add(1)
	select {
	case p.jobs <- vu:
		return
	default:
	}
	p.mu.Lock()
	if p.workers < p.maxInFlight {
		p.workers++
		p.mu.Unlock()
		p.waiting.Add(-1)
		p.wg.Add(1)
		go p.work(vu)
		return
	}
	p.mu.Unlock()
	p.queue(vu)
}

// queue waits in line for the first worker to come free. It is a function
// of its own so its frame is on the stack of waiting users only.
//
//go:noinline
func (p *exchangePool) queue(vu *VU) {
	vu.queued = true
	p.sat.enter()
	p.jobs <- vu
}

// inline makes an exchange of a user that never thinks on its own
// goroutine, in one of the maxInFlight slots.
func (p *exchangePool) inline(vu *VU, req *Request) *Response {
	if p.slots == nil {
		return p.inlineExchange(vu, req)
	}
	select {
	case p.slots <- struct{}{}:
	default:
		p.sat.enter()
		p.slots <- struct{}{}
		p.sat.leave(time.Since(vu.asked))
	}
	defer func() { <-p.slots }()
	return p.inlineExchange(vu, req)
}

func (p *exchangePool) inlineExchange(vu *VU, req *Request) *Response {
	if vu.own == nil {
		vu.own = newDeadline(p.timeout)
	}
	return vu.exchange(req, vu.own)
}

// work serves vu, then every user that sends work, until it has served none
// for a whole workerIdle period (and no user is handing work over) or the
// pool closes. The idle timer is not reset per request, which would cost a
// timer update each time.
func (p *exchangePool) work(vu *VU) {
	defer p.wg.Done()
	d := newDeadline(p.timeout)
	defer d.close()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	busy := false
	for {
		if vu != nil {
			p.serve(vu, d)
			busy = true
		}
		select {
		case vu = <-p.jobs:
			p.waiting.Add(-1)
		case <-idle.C:
			if !busy && p.retire() {
				return
			}
			busy, vu = false, nil
			idle.Reset(workerIdle)
		case <-p.quit:
			p.retire()
			return
		}
	}
}

// serve does vu's pending job: its exchange, or the decoding of an answer.
func (p *exchangePool) serve(vu *VU, d *deadline) {
	if vu.queued {
		vu.queued = false
		p.sat.leave(time.Since(vu.asked))
	}
	if dec := vu.decoding; dec != nil {
		vu.decoding = nil
		dec.err = dec.decode()
		vu.done <- decoded
		return
	}
	req := vu.pending
	vu.pending = nil
	vu.done <- vu.exchange(req, d)
}

// retire ends a worker unless a user is handing a job over.
func (p *exchangePool) retire() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiting.Load() > 0 {
		return false
	}
	p.workers--
	return true
}

// close ends the idle workers and the sleeper, and waits for every worker
// to end. Callers make sure no request or pause is in flight or about to
// start.
func (p *exchangePool) close() {
	close(p.quit)
	p.wg.Wait()
	p.sleeper.close()
}

// saturation returns the pool's saturation figures for the summary.
func (p *exchangePool) saturation(maxInFlight int) reports.Saturation {
	s := &p.sat
	out := reports.Saturation{
		MaxInFlight: maxInFlight, QueuedRequests: s.queued.Load(), PeakQueued: s.peakQueued.Load(),
		QueueWaitSeconds: time.Duration(s.waitNanos.Load()).Seconds(),
		QueueWaitMaxMs:   float64(s.maxWait.Load()) / 1e6,
	}
	if out.QueuedRequests > 0 {
		out.QueueWaitMeanMs = 1000 * out.QueueWaitSeconds / float64(out.QueuedRequests)
	}
	return out
}

// enter counts a request that starts waiting in line.
func (s *saturation) enter() {
	s.queued.Add(1)
	n := s.queuedNow.Add(1)
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
