package record

import (
	"slices"
	"strings"
	"sync"

	"github.com/trafficsim/trafficsim/reports"
)

// checkCounts holds each check's pass and fail counts.
type checkCounts struct {
	mu     sync.Mutex
	byName map[string]*checkCount
}

type checkCount struct{ passes, fails int64 }

func (c *checkCounts) count(name string, passed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byName == nil {
		c.byName = map[string]*checkCount{}
	}
	n := c.byName[name]
	if n == nil {
		n = &checkCount{}
		c.byName[name] = n
	}
	if passed {
		n.passes++
	} else {
		n.fails++
	}
}

// summary returns the checks sorted by name, for summary.json.
func (c *checkCounts) summary() []reports.Check {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]reports.Check, 0, len(c.byName))
	for name, n := range c.byName {
		out = append(out, reports.Check{Name: name, Passes: n.passes, Fails: n.fails})
	}
	slices.SortFunc(out, func(a, b reports.Check) int { return strings.Compare(a.Name, b.Name) })
	return out
}
