package harness

import (
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/deadline"
	"github.com/trafficsim/trafficsim/harness/internal/pool"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// The run's exchange pool (package pool) makes thinking users' exchanges
// on its workers, so a user's goroutine stays at the 2 KiB minimum stack;
// these are the lines that bind a VU to it: what a user hands over, how it
// waits, and how a worker serves it.

// newExchangePool returns a pool whose requests time out after timeout, with
// at most maxInFlight requests in flight (0: no bound).
func newExchangePool(timeout time.Duration, maxInFlight int) *pool.Pool[*VU] {
	return pool.New(pool.Config[*VU]{
		Timeout: timeout, MaxInFlight: maxInFlight,
		Asked: func(vu *VU) time.Time { return vu.asked },
		Serve: (*VU).serve,
	})
}

// do makes the request and returns its response: on the user's goroutine
// when it never thinks, otherwise on a worker while the user waits.
func (vu *VU) do(req *Request) *Response {
	vu.asked = time.Now() // latency starts here
	if vu.inline {
		return vu.doInline(req)
	}
	vu.pending = req
	vu.env.pool.HandOver(vu)
	for {
		if resp := <-vu.done; resp != nil {
			return resp
		}
		// A wake meant for a pause (a stop, a late timer): keep waiting.
	}
}

// doInline makes an exchange of a user that never thinks on its own
// goroutine, in one of the -max-in-flight slots.
func (vu *VU) doInline(req *Request) *Response {
	p := vu.env.pool
	if !p.Acquire(vu) {
		return vu.inlineExchange(req) // no bound, no slot
	}
	defer p.Release()
	if vu.env.Stopping() {
		return notSent // waited for a slot until the run stopped
	}
	return vu.inlineExchange(req)
}

func (vu *VU) inlineExchange(req *Request) *Response {
	if vu.own == nil {
		vu.own = deadline.New(vu.env.cfg.Timeout)
	}
	return vu.exchange(req, vu.own)
}

// serve does the user's pending job on a pool worker: its exchange, or the
// decoding of an answer.
func (vu *VU) serve(d *deadline.Deadline) {
	if dec := vu.decoding; dec != nil {
		vu.decoding = nil
		dec.err = dec.decode()
		vu.done <- decoded
		return
	}
	req := vu.pending
	vu.pending = nil
	if vu.env.Stopping() {
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
