package metrics

import (
	"sync"
	"sync/atomic"
)

// childCache maps a comparable key (the label values of one series) to the
// resolved metric children of that series. Reads are lock-free: the map is
// immutable once published and replaced wholesale (copy-on-write) when a new
// key appears. Label sets are bounded (route templates, status codes, error
// kinds), so the map stops growing after warm-up and the steady state neither
// locks nor allocates.
type childCache[K comparable, V any] struct {
	m       atomic.Pointer[map[K]V]
	mu      sync.Mutex // serialises writers
	resolve func(K) V  // resolves a missing key; called with mu held
}

// newChildCache returns an empty cache that resolves misses with resolve.
func newChildCache[K comparable, V any](resolve func(K) V) *childCache[K, V] {
	c := &childCache[K, V]{resolve: resolve}
	empty := map[K]V{}
	c.m.Store(&empty)
	return c
}

// get returns the value for k, resolving and publishing it on first use.
func (c *childCache[K, V]) get(k K) V {
	if v, ok := (*c.m.Load())[k]; ok {
		return v
	}
	return c.slow(k)
}

// slow resolves k under the writer lock and publishes a copy of the map with
// k added. It is kept out of get so that get stays small enough to inline.
func (c *childCache[K, V]) slow(k K) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.m.Load()
	if v, ok := old[k]; ok { // another writer won the race
		return v
	}
	v := c.resolve(k)
	next := make(map[K]V, len(old)+1)
	for ok, ov := range old {
		next[ok] = ov
	}
	next[k] = v
	c.m.Store(&next)
	return v
}

// len returns the number of cached keys.
func (c *childCache[K, V]) len() int {
	return len(*c.m.Load())
}
