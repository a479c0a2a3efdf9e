// Package roster keeps a run's active users by index, with the counts the
// summary, the live progress and the open model's -max-vus read: how many
// are active now, the most at once, and how many started in all. It is a
// package of its own so the engine's user lifecycle (drive, park, stop)
// reads as what happens to a user, not as bookkeeping.
package roster

import (
	"sync"
	"sync/atomic"
)

// Roster is the set of active users, U being the user's type. The counts
// are atomics, read without the lock on every progress tick and open-model
// arrival; the set itself is locked, touched once per start and end. The
// zero value is an empty roster, safe for concurrent use.
type Roster[U any] struct {
	mu      sync.Mutex
	active  map[int]U
	n       atomic.Int64
	peak    atomic.Int64
	started atomic.Int64
}

// Enter adds user index, started now.
func (r *Roster[U]) Enter(index int, u U) {
	r.mu.Lock()
	if r.active == nil {
		r.active = map[int]U{}
	}
	r.active[index] = u
	r.mu.Unlock()
	r.started.Add(1)
	for n := r.n.Add(1); ; {
		if p := r.peak.Load(); n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
}

// Leave removes user index, which has ended.
func (r *Roster[U]) Leave(index int) {
	r.n.Add(-1)
	r.mu.Lock()
	delete(r.active, index)
	r.mu.Unlock()
}

// Active is how many users are active now.
func (r *Roster[U]) Active() int64 { return r.n.Load() }

// Peak is the most users active at once.
func (r *Roster[U]) Peak() int64 { return r.peak.Load() }

// Started is how many users have entered in all.
func (r *Roster[U]) Started() int64 { return r.started.Load() }

// Has reports whether user index is active.
func (r *Roster[U]) Has(index int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.active[index]
	return ok
}

// Each calls fn for every active user, under the roster's lock: fn must
// not Enter or Leave.
func (r *Roster[U]) Each(fn func(U)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range r.active {
		fn(u)
	}
}
