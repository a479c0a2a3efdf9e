package breaker

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/backoff"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// Cooldowns of an open circuit: the first open lasts Cooldown, each
// further open without a success in between lasts twice as long as the one
// before, up to MaxCooldown.
const (
	Cooldown    = 500 * time.Millisecond
	MaxCooldown = 30 * time.Second
)

// ErrOpen is the error of a request the breaker did not send.
var ErrOpen = errors.New("circuit open: the endpoint failed repeatedly; request not sent during the cooldown")

// Circuit states, in Breaker.state.
const (
	circuitClosed uint32 = iota
	circuitOpen
	circuitHalfOpen
)

// Admission is a breaker's answer to "may this request go?".
type Admission uint8

const (
	Pass   Admission = iota // closed: send it
	Probe                   // half-open: send it, as the one probe
	Reject                  // open, or a probe is out: do not send
)

// Transition is a change of state worth telling the user about.
type Transition uint8

const (
	None      Transition = iota // nothing worth telling
	Tripped                     // closed → open after the threshold of failures
	Reopened                    // a probe failed: open again, for longer
	Recovered                   // a probe succeeded: closed
)

// Breaker is the circuit breaker of one endpoint. After threshold
// consecutive failures (transport errors and 5xx) it opens: requests are
// not sent until a cooldown passes. Then one probe goes through
// (half-open): its success closes the circuit, its failure opens it again
// with twice the cooldown, up to MaxCooldown.
//
// It is not a library (sony/gobreaker and the like) on purpose: a Set
// finds an endpoint's breaker with one lock-free map read and no
// allocation per request; a closed circuit costs one atomic load to admit
// and one to record a success; and what it rejects the harness counts
// itself (blocked, and errors of kind circuit_open in the metrics) rather
// than through a library's error values and callbacks.
//
// The zero value is a closed breaker. It is safe for concurrent use:
// states are atomic, and only transitions, which are rare, take a lock.
type Breaker struct {
	state atomic.Uint32
	fails atomic.Int64 // consecutive failures while closed
	until atomic.Int64 // when the open state ends (Unix ns); written before state

	mu    sync.Mutex // serialises transitions
	opens int        // consecutive opens without a success; guarded by mu
}

// Admit says whether a request may be sent now. At most one caller per
// cooldown gets Probe; it must report the probe's outcome with Record
// (or Release) so the circuit does not stay half-open.
func (b *Breaker) Admit() Admission {
	switch b.state.Load() {
	case circuitClosed:
		return Pass
	case circuitOpen:
		if time.Now().UnixNano() < b.until.Load() {
			return Reject
		}
		if b.state.CompareAndSwap(circuitOpen, circuitHalfOpen) {
			return Probe
		}
	}
	return Reject
}

// Record takes the outcome of a request admitted with a: failed is true for
// a transport error or a 5xx. It returns the transition it caused and, when
// the circuit opened, for how long.
func (b *Breaker) Record(a Admission, failed bool, threshold int) (Transition, time.Duration) {
	switch {
	case a == Reject:
		return None, 0
	case a == Probe:
		b.mu.Lock()
		defer b.mu.Unlock()
		if !failed {
			b.opens = 0
			b.fails.Store(0)
			b.state.Store(circuitClosed)
			return Recovered, 0
		}
		return Reopened, b.openLocked()
	case !failed:
		if b.fails.Load() != 0 { // no write on the common path
			b.fails.Store(0)
		}
		return None, 0
	}
	if b.state.Load() != circuitClosed {
		return None, 0 // sent before the circuit opened; already counted
	}
	if b.fails.Add(1) < int64(threshold) {
		return None, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state.Load() != circuitClosed {
		return None, 0 // another failure tripped it first
	}
	return Tripped, b.openLocked()
}

// Release gives back a probe that ended without a verdict (the run stopped,
// or the request could not be built): the circuit is open again with its
// cooldown already over, so the next request probes.
func (b *Breaker) Release(a Admission) {
	if a == Probe {
		b.state.CompareAndSwap(circuitHalfOpen, circuitOpen)
	}
}

// openLocked opens the circuit for the next cooldown. Caller holds b.mu.
func (b *Breaker) openLocked() time.Duration {
	b.opens++
	d := cooldown(b.opens)
	b.fails.Store(0)
	b.until.Store(time.Now().Add(d).UnixNano())
	b.state.Store(circuitOpen) // after until: whoever sees open sees its end
	return d
}

// cooldown is the length of the n-th consecutive open (n >= 1).
func cooldown(n int) time.Duration {
	return backoff.Doubling(Cooldown, MaxCooldown, n-1)
}

// Failure reports whether an outcome of kind k counts against the
// endpoint: it did not answer (timeout, refused, reset, dns, tls) or
// answered 5xx. Any other answer, 4xx included, shows it is alive.
func Failure(k kind.Kind) bool {
	switch k {
	case kind.Timeout, kind.Refused, kind.Reset, kind.DNS, kind.TLS, kind.HTTP5xx:
		return true
	}
	return false
}
