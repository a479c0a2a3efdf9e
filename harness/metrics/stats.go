package metrics

import (
	"maps"
	"sync"

	"github.com/trafficsim/trafficsim/reports"
)

// pushStats counts pushes and failures; it is shared by the push loop, Stop
// and Stats callers.
type pushStats struct {
	mu        sync.Mutex
	gateway   string // redacted
	pushes    int64
	failures  int64
	byKind    map[string]int64
	lastError string // redacted
}

// newPushStats returns empty stats for a gateway (its redacted URL).
func newPushStats(gateway string) *pushStats {
	return &pushStats{gateway: gateway, byKind: map[string]int64{}}
}

// success counts one accepted push.
func (s *pushStats) success() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushes++
}

// failure counts one failed attempt of a kind, with its redacted message,
// and reports whether it is the first failure of that kind (the one to log).
func (s *pushStats) failure(kind PushFailure, msg string) (first bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
	s.byKind[string(kind)]++
	s.lastError = msg
	return s.byKind[string(kind)] == 1
}

// snapshot returns a copy for summary.json.
func (s *pushStats) snapshot() reports.PushStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := reports.PushStats{
		Enabled:   true,
		Gateway:   s.gateway,
		Pushes:    s.pushes,
		Failures:  s.failures,
		LastError: s.lastError,
	}
	if len(s.byKind) > 0 {
		ps.ByKind = maps.Clone(s.byKind)
	}
	return ps
}
