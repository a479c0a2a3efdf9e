// Package notes gathers what a run has to say in summary.json beside its
// figures (a range that did not meet the run's, a saturated target, users
// that did not stop in time), from the driver, the monitor and the stop
// sequence at once, in order, so every note reaches the summary.
package notes

import "sync"

// Notes is a run's notes, safe for concurrent use. The zero value has none.
type Notes struct {
	mu  sync.Mutex
	all []string
}

// Add appends notes.
func (n *Notes) Add(s ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, s...)
}

// List is a copy of the notes so far.
func (n *Notes) List() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.all...)
}
