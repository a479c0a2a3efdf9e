package breaker

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Set holds one Breaker per endpoint (method and route template), created
// on first sight. It is read on every request and written once per
// endpoint, so reads go through an immutable map behind an atomic pointer
// (no lock, no shared counter to bounce between cores) and a new endpoint
// copies the map; a run sees tens of endpoints, not thousands.
//
// The zero value is an empty set, safe for concurrent use.
type Set struct {
	m  atomic.Pointer[map[endpoint]*Breaker]
	mu sync.Mutex // serialises additions
}

type endpoint struct{ method, route string }

// For returns the breaker of the endpoint, creating it (closed) on first
// sight.
func (s *Set) For(method, route string) *Breaker {
	k := endpoint{method, route}
	if m := s.m.Load(); m != nil {
		if b := (*m)[k]; b != nil {
			return b
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var next map[endpoint]*Breaker
	if m := s.m.Load(); m != nil {
		if b := (*m)[k]; b != nil {
			return b
		}
		next = maps.Clone(*m)
	} else {
		next = map[endpoint]*Breaker{}
	}
	b := &Breaker{}
	next[k] = b
	s.m.Store(&next)
	return b
}
