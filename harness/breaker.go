package harness

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Cooldowns of an open circuit: the first open lasts BreakerCooldown, each
// further open without a success in between lasts twice as long as the one
// before, up to BreakerMaxCooldown.
const (
	BreakerCooldown    = 500 * time.Millisecond
	BreakerMaxCooldown = 30 * time.Second
)

// errCircuitOpen is the Response.Err of a request the breaker did not send.
var errCircuitOpen = errors.New("circuit open: the endpoint failed repeatedly; request not sent during the cooldown")

// Circuit states, in breaker.state.
const (
	circuitClosed uint32 = iota
	circuitOpen
	circuitHalfOpen
)

// admission is a breaker's answer to "may this request go?".
type admission uint8

const (
	admitPass   admission = iota // closed: send it
	admitProbe                   // half-open: send it, as the one probe
	admitReject                  // open, or a probe is out: do not send
)

// transition is a change of state worth telling the user about.
type transition uint8

const (
	noTransition transition = iota
	tripped                 // closed → open after the threshold of failures
	reopened                // a probe failed: open again, for longer
	recovered               // a probe succeeded: closed
)

// breaker is the circuit breaker of one endpoint. After threshold
// consecutive failures (transport errors and 5xx) it opens: requests are
// not sent until a cooldown passes. Then one probe goes through
// (half-open): its success closes the circuit, its failure opens it again
// with twice the cooldown, up to BreakerMaxCooldown.
//
// It is not a library (sony/gobreaker and the like) on purpose: the
// harness keeps one per endpoint inside the *endpointStats that exchange
// has already resolved, so there is no lookup by name and no allocation
// per request; a closed circuit costs one atomic load to admit and one to
// record a success; and what it rejects is counted by the Recorder as
// errors of kind circuit_open, in the harness's own accounting, rather
// than as a library's error values and callbacks.
//
// The zero value is a closed breaker. It is safe for concurrent use:
// states are atomic, and only transitions, which are rare, take a lock.
type breaker struct {
	state atomic.Uint32
	fails atomic.Int64 // consecutive failures while closed
	until atomic.Int64 // when the open state ends (Unix ns); written before state

	mu    sync.Mutex // serialises transitions
	opens int        // consecutive opens without a success; guarded by mu
}

// admit says whether a request may be sent now. At most one caller per
// cooldown gets admitProbe; it must report the probe's outcome with record
// (or release) so the circuit does not stay half-open.
func (b *breaker) admit() admission {
	switch b.state.Load() {
	case circuitClosed:
		return admitPass
	case circuitOpen:
		if time.Now().UnixNano() < b.until.Load() {
			return admitReject
		}
		if b.state.CompareAndSwap(circuitOpen, circuitHalfOpen) {
			return admitProbe
		}
	}
	return admitReject
}

// record takes the outcome of a request admitted with a: failed is true for
// a transport error or a 5xx. It returns the transition it caused and, when
// the circuit opened, for how long.
func (b *breaker) record(a admission, failed bool, threshold int) (transition, time.Duration) {
	switch {
	case a == admitReject:
		return noTransition, 0
	case a == admitProbe:
		b.mu.Lock()
		defer b.mu.Unlock()
		if !failed {
			b.opens = 0
			b.fails.Store(0)
			b.state.Store(circuitClosed)
			return recovered, 0
		}
		return reopened, b.openLocked()
	case !failed:
		if b.fails.Load() != 0 { // no write on the common path
			b.fails.Store(0)
		}
		return noTransition, 0
	}
	if b.state.Load() != circuitClosed {
		return noTransition, 0 // sent before the circuit opened; already counted
	}
	if b.fails.Add(1) < int64(threshold) {
		return noTransition, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state.Load() != circuitClosed {
		return noTransition, 0 // another failure tripped it first
	}
	return tripped, b.openLocked()
}

// release gives back a probe that ended without a verdict (the run stopped,
// or the request could not be built): the circuit is open again with its
// cooldown already over, so the next request probes.
func (b *breaker) release(a admission) {
	if a == admitProbe {
		b.state.CompareAndSwap(circuitHalfOpen, circuitOpen)
	}
}

// openLocked opens the circuit for the next cooldown. Caller holds b.mu.
func (b *breaker) openLocked() time.Duration {
	b.opens++
	d := cooldown(b.opens)
	b.fails.Store(0)
	b.until.Store(time.Now().Add(d).UnixNano())
	b.state.Store(circuitOpen) // after until: whoever sees open sees its end
	return d
}

// cooldown is the length of the n-th consecutive open (n >= 1).
func cooldown(n int) time.Duration {
	d := BreakerCooldown
	for i := 1; i < n && d < BreakerMaxCooldown; i++ {
		d *= 2
	}
	return min(d, BreakerMaxCooldown)
}

// breakerFailure reports whether an outcome of this kind counts against the
// endpoint: it did not answer (timeout, refused, reset, dns, tls) or
// answered 5xx. Any other answer, 4xx included, shows it is alive.
func breakerFailure(kind string) bool {
	switch kind {
	case KindTimeout, KindRefused, KindReset, KindDNS, KindTLS, KindHTTP5xx:
		return true
	}
	return false
}

// admitRequest asks the endpoint's breaker whether a request may go; with
// -breaker=0 every request goes.
func (r *run) admitRequest(e *endpointStats) admission {
	if r.cfg.Breaker <= 0 {
		return admitPass
	}
	return e.brk.admit()
}

// recordBreaker tells the endpoint's breaker how an admitted request ended
// (its kind, "" when OK) and logs the transitions. An interrupted request
// says nothing about the endpoint.
func (r *run) recordBreaker(e *endpointStats, a admission, kind string) {
	if r.cfg.Breaker <= 0 {
		return
	}
	if kind == KindInterrupted {
		e.brk.release(a)
		return
	}
	switch tr, d := e.brk.record(a, breakerFailure(kind), r.cfg.Breaker); tr {
	case tripped:
		r.log.Warn("circuit open: requests to the endpoint are not sent during the cooldown; they count as errors of kind circuit_open",
			"endpoint", e.name, "consecutive_failures", r.cfg.Breaker, "last_kind", kind, "cooldown", d)
	case reopened:
		r.log.Info("circuit open again: the probe failed", "endpoint", e.name, "kind", kind, "cooldown", d)
	case recovered:
		r.log.Info("circuit closed: the probe succeeded", "endpoint", e.name)
	}
}
