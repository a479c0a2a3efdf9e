package harness

import (
	"sync"
	"sync/atomic"
)

// stopper is a run's stop: a flag every request checks, a channel the
// drivers and waiters select on, and why the run stopped. Only the first
// stop counts.
type stopper struct {
	ch      chan struct{}
	flag    atomic.Bool
	once    sync.Once
	mu      sync.Mutex
	reason  string
	partial bool
}

func newStopper() stopper { return stopper{ch: make(chan struct{})} }

// stop marks the run stopping with its reason; it reports whether this
// call was the first, the one whose reason counts.
func (s *stopper) stop(reason string, partial bool) (first bool) {
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

// stopping reports whether the run is stopping: no new request may start.
func (s *stopper) stopping() bool { return s.flag.Load() }

// done is closed when the run starts stopping.
func (s *stopper) done() <-chan struct{} { return s.ch }

// why is the first stop's reason, and whether it made the run partial.
func (s *stopper) why() (reason string, partial bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason, s.partial
}

// notes are what a run has to say in summary.json beside its figures,
// gathered from the driver, the monitor and the stop sequence, in order.
type notes struct {
	mu  sync.Mutex
	all []string
}

func (n *notes) add(s ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, s...)
}

// list is a copy of the notes so far.
func (n *notes) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.all...)
}
