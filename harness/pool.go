package harness

import (
	"sync"
	"time"
)

// workerIdle is how long an exchange worker waits for work before it ends
// (between one and two such periods: idleness is checked once per period).
const workerIdle = 2 * time.Second

// exchangePool runs users' HTTP exchanges on goroutines of its own, as many
// as there are requests in flight. An exchange is deep (TLS, HTTP, body
// reading) and a goroutine keeps its grown stack after it; if users made
// their requests themselves, a hundred thousand thinking users would each
// hold a 4 KiB stack or more. This way a user's goroutine only waits for the
// result and stays at the 2 KiB minimum, and the deep stacks belong to the
// few workers that are busy.
//
// A user that never thinks (think time none) never waits with a small
// stack, so it makes its exchanges on its own goroutine and saves the two
// goroutine switches of the handoff.
type exchangePool struct {
	timeout time.Duration
	sleeper *sleeper // ends thinking users' pauses
	jobs    chan *VU
	quit    chan struct{}
	wg      sync.WaitGroup
}

// newExchangePool returns a pool whose requests time out after timeout.
func newExchangePool(timeout time.Duration) *exchangePool {
	return &exchangePool{timeout: timeout, sleeper: newSleeper(), jobs: make(chan *VU), quit: make(chan struct{})}
}

// do makes the request and returns its response: on the user's goroutine
// when it never thinks, otherwise on a worker — an idle one, or a new one
// when none is idle — while the user waits.
func (p *exchangePool) do(vu *VU, req *Request) *Response {
	if vu.inline {
		if vu.own == nil {
			vu.own = newDeadline(p.timeout)
		}
		return vu.exchange(req, vu.own)
	}
	vu.pending = req
	select {
	case p.jobs <- vu:
	default:
		p.wg.Add(1)
		go p.work(vu)
	}
	for {
		if resp := <-vu.done; resp != nil {
			return resp
		}
		// A wake meant for a pause (a stop, a late timer): keep waiting.
	}
}

// work serves vu, then every user that sends work, until it has served none
// for a whole workerIdle period or the pool closes. The idle timer is not
// reset per request, which would cost a timer update each time.
func (p *exchangePool) work(vu *VU) {
	defer p.wg.Done()
	d := newDeadline(p.timeout)
	defer d.close()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	busy := false
	for {
		if vu != nil {
			req := vu.pending
			vu.pending = nil
			vu.done <- vu.exchange(req, d)
			busy = true
		}
		select {
		case vu = <-p.jobs:
		case <-idle.C:
			if !busy {
				return
			}
			busy, vu = false, nil
			idle.Reset(workerIdle)
		case <-p.quit:
			return
		}
	}
}

// close ends the idle workers and the sleeper, and waits for every worker
// to end. Callers make sure no request or pause is in flight or about to
// start.
func (p *exchangePool) close() {
	close(p.quit)
	p.wg.Wait()
	p.sleeper.close()
}
