package harness

import (
	"context"
	"time"
)

// CleanupScope tells a CleanupFunc what it may delete: what run RunID
// created for users of this shard that have finished.
type CleanupScope struct {
	RunID string
	// Final is true for the cleanup at the end of the run.
	Final bool
	// Shard is the part of the population this process ran; the users of
	// other shards belong to their own processes, still running or not.
	Shard    Shard
	finished func(int) bool
}

// Finished reports whether the user with the given index is this shard's
// and has ended, so its data may go; every user of the shard has ended at
// the final cleanup.
func (c CleanupScope) Finished(index int) bool {
	if !c.Shard.Owns(index) {
		return false
	}
	if c.Final || c.finished == nil {
		return true
	}
	return c.finished(index)
}

// WithFinished returns a copy of the scope that asks fn whether the user
// with a given index has finished: a CleanupFunc's own tests use it to play
// a periodic cleanup in the middle of a run.
func (c CleanupScope) WithFinished(fn func(index int) bool) CleanupScope {
	c.finished = fn
	return c
}

// cleanup runs the cleanup functions on a fresh context with its own deadline.
func (r *run) cleanup(parent context.Context, final bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), cleanupDeadline)
	defer cancel()
	scope := CleanupScope{RunID: r.runID, Final: final, Shard: r.cfg.Shard, finished: r.finished}
	for _, fn := range r.sim.cleanups {
		if err := fn(ctx, scope); err != nil {
			r.log.Warn("cleanup", "final", final, "err", err)
			if final { // the periodic ones run beside the main goroutine
				r.notes = append(r.notes, "cleanup failed: "+err.Error())
			}
		}
	}
}

// startCleaner runs the cleanup every -cleanup-interval in -continuous mode
// (for the users that have finished), until the run stops; the returned
// channel closes when it has ended.
func (r *run) startCleaner(parent context.Context) <-chan struct{} {
	done := make(chan struct{})
	if !r.cfg.Cleanup || !r.cfg.Continuous || len(r.sim.cleanups) == 0 {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		t := time.NewTicker(r.cfg.CleanupInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.cleanup(parent, false)
			case <-r.stopCh:
				return
			}
		}
	}()
	return done
}

// finished reports whether user index i has ended (or never started).
func (r *run) finished(i int) bool {
	r.activeMu.Lock()
	defer r.activeMu.Unlock()
	_, active := r.activeIdx[i]
	return !active
}
