package harness

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/deadline"
	"github.com/trafficsim/trafficsim/harness/kind"
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
// A user hands its job to an idle worker, or else to the dispatcher, through
// a buffered channel: neither send goes deep on the user's small stack (see
// TestThinkingUser_Stack). The dispatcher alone counts the workers: it
// starts a new one while fewer than maxInFlight exist, and past that waits
// for the first to come free. That bound is what keeps a generator whose
// target cannot keep up from growing with its users: the run's transport
// holds at most as many connections (see outbound.NewSharedTransport), and a user's wait
// in line counts in its request's latency, timed from when it asked (Do),
// and in the pool's saturation figures.
//
// A user that never thinks (think time none) never waits with a small
// stack, so it makes its exchanges on its own goroutine and saves the two
// goroutine switches of the handoff; it takes one of the maxInFlight slots
// all the same.
type exchangePool struct {
	timeout     time.Duration
	maxInFlight int
	jobs        chan *VU           // to an idle worker
	overflow    chan *VU           // to the dispatcher, when no worker is idle
	leave       chan struct{}      // a worker idle for a whole period ends
	quit        chan struct{}
	wg          sync.WaitGroup
	slots       chan struct{} // inline users' share of maxInFlight
	started     atomic.Bool

	sat saturation
}

// overflowQueue is how many jobs may wait for the dispatcher; a user whose
// job finds it full waits for room.
const overflowQueue = 4096

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
// at most maxInFlight requests in flight (0: no bound).
func newExchangePool(timeout time.Duration, maxInFlight int) *exchangePool {
	p := &exchangePool{
		timeout: timeout, maxInFlight: maxInFlight,
		jobs: make(chan *VU), overflow: make(chan *VU, overflowQueue),
		leave: make(chan struct{}), quit: make(chan struct{}),
	}
	if maxInFlight <= 0 {
		p.maxInFlight = math.MaxInt // no bound, and no slots for inline users
	} else {
		p.slots = make(chan struct{}, maxInFlight)
	}
	return p
}

// start starts the dispatcher, once: with the run's first user that
// thinks. close stops it.
func (p *exchangePool) start() {
	if p.started.CompareAndSwap(false, true) {
		p.wg.Add(1)
		go p.dispatch()
	}
}

// do makes the request and returns its response: on the user's goroutine
// when it never thinks, otherwise on a worker while the user waits.
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

// handOver gives vu's pending job to an idle worker, or to the dispatcher.
func (p *exchangePool) handOver(vu *VU) {
	select {
	case p.jobs <- vu:
	default:
		p.overflow <- vu
	}
}

// dispatch gives each job that found no idle worker to a new worker, while
// fewer than maxInFlight exist, or else to the first worker to come free.
func (p *exchangePool) dispatch() {
	defer p.wg.Done()
	workers := 0
	for {
		var vu *VU
		select {
		case vu = <-p.overflow:
		case <-p.leave:
			workers--
			continue
		case <-p.quit:
			return
		}
		for vu != nil {
			if workers < p.maxInFlight {
				workers++
				p.wg.Add(1)
				go p.work(vu)
				break
			}
			if !vu.queued {
				vu.queued = true
				p.sat.enter(len(p.overflow))
			}
			select {
			case p.jobs <- vu:
				vu = nil
			case <-p.leave:
				workers-- // and start one for vu
			case <-p.quit:
				return
			}
		}
	}
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
		p.sat.enter(0)
		p.slots <- struct{}{}
		p.sat.leave(time.Since(vu.asked))
	}
	defer func() { <-p.slots }()
	if vu.env.stopping() {
		return notSent // waited for a slot until the run stopped
	}
	return p.inlineExchange(vu, req)
}

func (p *exchangePool) inlineExchange(vu *VU, req *Request) *Response {
	if vu.own == nil {
		vu.own = deadline.New(p.timeout)
	}
	return vu.exchange(req, vu.own)
}

// work serves vu, then every user that sends work, until it has served none
// for a whole workerIdle period or the pool closes. The idle timer is not
// reset per request, which would cost a timer update each time.
func (p *exchangePool) work(vu *VU) {
	defer p.wg.Done()
	d := deadline.New(p.timeout)
	defer d.Close()
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
		case <-idle.C:
			vu = nil
			if !busy {
				select { // tell the dispatcher, unless work comes first
				case p.leave <- struct{}{}:
					return
				case vu = <-p.jobs:
				case <-p.quit:
					return
				}
			}
			busy = false
			idle.Reset(workerIdle)
		case <-p.quit:
			return
		}
	}
}

// serve does vu's pending job: its exchange, or the decoding of an answer.
func (p *exchangePool) serve(vu *VU, d *deadline.Deadline) {
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
	if vu.env.stopping() {
		// Still in line when the run stopped: never sent. The grace period
		// is for the requests in flight; against a target that cannot keep
		// up, the line would otherwise be sent during it.
		vu.done <- notSent
		return
	}
	vu.done <- vu.exchange(req, d)
}

// notSent is the answer to a request that was still waiting for a worker or
// a slot when the run stopped; Do turns it into errStopped, so no journey
// sees it.
var notSent = &Response{Err: errStopped, Kind: kind.Interrupted}

// close ends the dispatcher and the idle workers, and waits
// for them to end. Callers make sure no request or pause is in flight or
// about to start.
func (p *exchangePool) close() {
	close(p.quit)
	p.wg.Wait()
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

// queuedNow is how many requests wait in line now: those counted, and
// those in the dispatcher's queue (for a moment only, unless every worker
// is busy).
func (p *exchangePool) queuedNow() int64 { return p.sat.queuedNow.Load() + int64(len(p.overflow)) }

// enter counts a request that starts waiting in line; behind is how many
// more wait where the count cannot see them yet (jobs in the dispatcher's
// queue behind the one it holds), so the peak counts them too.
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
