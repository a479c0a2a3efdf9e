package contract

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trafficsim/trafficsim/harness"
)

// Defaults of the explorer.
const (
	// DefaultExplorerWait bounds how long an explorer waits for
	// ExplorerOptions.After answers. It is below the harness's default
	// grace, so a waiting explorer never holds up the end of a run.
	DefaultExplorerWait = 3 * time.Second
	// MaxExplorerTries is how often one explorer user sends an operation
	// that stays unexercised (its requests got no answer).
	MaxExplorerTries = 2
	// MaxExplorerPrepares is how often one explorer user runs Prepare: once,
	// and again after an answer 401 (it logged itself out, or deleted itself).
	MaxExplorerPrepares = 3
)

// explorerPoll is how often a waiting explorer looks at the Checker's count.
const explorerPoll = 10 * time.Millisecond

// maxOwnIDs bounds the ids an explorer user remembers from its own answers.
const maxOwnIDs = 16

// ExplorerOptions configure an explorer archetype.
type ExplorerOptions struct {
	// Prepare runs before the user's first exploring request, to log it in
	// (set vu.Token) with the rights the operations need. Its requests count
	// against the user's budget. It must not use vu.State, which holds the
	// explorer's own state. Nil means the explorer sends requests as is.
	Prepare func(ctx context.Context, vu *harness.VU) error
	// After holds the explorer back until the Checker has counted After
	// answered requests, so the other archetypes exercise what they do and
	// the explorer fills only the gaps. 0 means it starts at once.
	After int64
	// MaxWait bounds the wait for After; 0 means DefaultExplorerWait.
	MaxWait time.Duration
}

// explorer is the archetype's shared, read-only part.
type explorer struct {
	d    *Description
	c    *Checker
	opts ExplorerOptions
}

// explorerState is what one explorer user remembers.
type explorerState struct {
	prepared bool
	prepares int
	waited   bool
	tried    map[string]int
	ownIDs   []int64
	emails   int
}

// Explorer returns a journey that sends, for every operation the Checker
// has not yet seen exercised, one well-formed request built from the
// description: path parameters from ids seen in the run, query parameters
// from their defaults and examples, the body from the request body's
// example (emails made unique to the user and run, so cleanup finds them).
// It reads before it writes and writes before it deletes. Every described
// non-5xx status counts as the expected answer. When nothing is left to
// explore the user ends early, its budget unspent.
//
// The explorer sends real writes and deletes with ids other users may own:
// aim it at a test target, never at one with data that matters.
func Explorer(d *Description, c *Checker, opts ExplorerOptions) harness.Journey {
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultExplorerWait
	}
	e := &explorer{d: d, c: c, opts: opts}
	return e.journey
}

// journey makes at most one exploring request per call; when nothing is
// left to explore it ends the user with harness.ErrDone.
func (e *explorer) journey(ctx context.Context, vu *harness.VU) error {
	st, ok := vu.State.(*explorerState)
	if !ok {
		st = &explorerState{tried: map[string]int{}}
		vu.State = st
	}
	if !st.prepared && e.opts.Prepare != nil && st.prepares < MaxExplorerPrepares {
		st.prepared = true
		st.prepares++
		if err := e.opts.Prepare(ctx, vu); err != nil {
			return fmt.Errorf("explorer: prepare: %w", err)
		}
	}
	if !st.waited {
		st.waited = true
		if err := e.wait(ctx); err != nil {
			return err
		}
	}
	o := e.next(st)
	if o == nil {
		return harness.ErrDone
	}
	st.tried[o.name]++
	resp, err := vu.Do(ctx, e.build(vu, st, o))
	if err != nil {
		return err
	}
	switch {
	case resp.Status == http.StatusUnauthorized:
		st.prepared = false
	case resp.Status/100 == 2:
		scanIDs(resp.Body, maxIDsPerBody, func(id int64) {
			if len(st.ownIDs) == maxOwnIDs {
				st.ownIDs = st.ownIDs[1:]
			}
			st.ownIDs = append(st.ownIDs, id)
		})
	}
	return nil
}

// wait holds the explorer back until the Checker has counted opts.After
// answers, for at most opts.MaxWait.
func (e *explorer) wait(ctx context.Context) error {
	if e.opts.After <= 0 {
		return nil
	}
	deadline := time.NewTimer(e.opts.MaxWait)
	defer deadline.Stop()
	tick := time.NewTicker(explorerPoll)
	defer tick.Stop()
	for e.c.answered() < e.opts.After {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// answered is the number of answered requests to described operations.
func (c *Checker) answered() int64 {
	var n int64
	for _, o := range c.ops {
		n += o.requests.Load()
	}
	return n
}

// methodRank orders the explorer's work: reads, then writes, then deletes,
// so that deleting something does not spoil the requests after it.
var methodRank = map[string]int{
	http.MethodGet: 0, http.MethodHead: 1, http.MethodOptions: 2,
	http.MethodPost: 3, http.MethodPut: 4, http.MethodPatch: 5, http.MethodDelete: 6,
}

func rank(method string) int {
	if r, ok := methodRank[method]; ok {
		return r
	}
	return len(methodRank)
}

// next returns the first operation not yet answered as described that
// this user has not given up on, or nil.
func (e *explorer) next(st *explorerState) *operation {
	var todo []*operation
	for _, o := range e.c.ops {
		if o.described.Load() == 0 && st.tried[o.desc.name] < MaxExplorerTries {
			todo = append(todo, o.desc)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return slices.MinFunc(todo, func(a, b *operation) int {
		if r := rank(a.method) - rank(b.method); r != 0 {
			return r
		}
		return strings.Compare(a.name, b.name)
	})
}
