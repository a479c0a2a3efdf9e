// Package stop is a run's stop, as one type: a flag every request checks,
// a channel the drivers and waiters select on, and why the run stopped.
// Await is the wait after it: a grace period for what is in flight, then a
// cut and a little more. What else a stop does (waking thinking users,
// cleanup, the final push) is the engine's.
package stop

import (
	"sync"
	"sync/atomic"
	"time"
)

// Stopper is a run's stop. Only the first Mark counts. Make it with New.
type Stopper struct {
	ch      chan struct{}
	flag    atomic.Bool
	once    sync.Once
	mu      sync.Mutex
	reason  string
	partial bool
}

// New returns a run's stop, not marked yet.
func New() Stopper { return Stopper{ch: make(chan struct{})} }

// Mark marks the run stopping with its reason (partial: the run did not
// end by itself, see summary.json's partial); it reports whether this call
// was the first, the one whose reason counts.
func (s *Stopper) Mark(reason string, partial bool) (first bool) {
	s.once.Do(func() {
		s.mu.Lock()
		s.reason, s.partial = reason, partial
		s.mu.Unlock()
		s.flag.Store(true)
		close(s.ch)
		first = true
	})
	return first
}

// Stopping reports whether the run is stopping: no new request may start.
func (s *Stopper) Stopping() bool { return s.flag.Load() }

// Done is closed when the run starts stopping.
func (s *Stopper) Done() <-chan struct{} { return s.ch }

// Why is the first stop's reason, and whether it made the run partial.
func (s *Stopper) Why() (reason string, partial bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason, s.partial
}

// Await waits for done after a stop: up to grace for what is in flight
// to end by itself, then it calls cut (cancelling the requests still in
// flight) and waits up to straggle more. It reports whether done closed
// in time.
func Await(done <-chan struct{}, grace, straggle time.Duration, cut func()) bool {
	g := time.NewTimer(grace)
	defer g.Stop()
	select {
	case <-done:
		return true
	case <-g.C:
	}
	cut()
	s := time.NewTimer(straggle)
	defer s.Stop()
	select {
	case <-done:
		return true
	case <-s.C:
		return false
	}
}
