// Package notes gathers what a run has to say in summary.json beside its
// figures (a range that did not meet the run's, a saturated target, users
// that did not stop in time), from the driver, the monitor and the stop
// sequence at once, in order, so every note reaches the summary; and
// Names, the things a problem was seen in, each said once.
package notes

import (
	"slices"
	"sync"
)

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

// Names is a set of names, each kept once: the archetypes a problem was
// seen in, say, to warn the first time and list them all at the end. The
// zero value is empty, safe for concurrent use.
type Names struct {
	mu  sync.Mutex
	all []string
}

// Add adds name and reports whether it is new.
func (n *Names) Add(name string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if slices.Contains(n.all, name) {
		return false
	}
	n.all = append(n.all, name)
	return true
}

// Sorted returns the names, sorted.
func (n *Names) Sorted() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Sorted(slices.Values(n.all))
}
