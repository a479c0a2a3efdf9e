package harness

import (
	"time"

	"github.com/trafficsim/trafficsim/harness/cleanup"
)

// CleanupScope tells a CleanupFunc what it may delete: what run RunID
// created for users of this shard that have finished; see cleanup.Scope.
type CleanupScope = cleanup.Scope

// CleanupFunc deletes what the run of scope.RunID created on the target for
// users that have finished, and nothing else; see cleanup.Func.
type CleanupFunc = cleanup.Func

// newCleaner binds the run's cleanup to it: the simulation's funcs, the
// run's log, client and scope, and which of its users have finished. The
// periodic cleaner runs only with -cleanup and -continuous.
func (r *run) newCleaner() *cleanup.Runner {
	var every time.Duration
	if r.cfg.Cleanup && r.cfg.Continuous {
		every = r.cfg.CleanupInterval
	}
	return &cleanup.Runner{
		Funcs: r.sim.cleanups, Log: &r.cleanups, Logger: r.log,
		Scope: cleanup.Scope{RunID: r.runID, Shard: r.cfg.Shard, Target: r.target.String(),
			Client: NewClient(r.cfg), Auth: r.cfg.Auth},
		Finished: r.finished, Deadline: cleanupDeadline, Every: every,
	}
}

// finished reports whether user index i has ended (or never started).
func (r *run) finished(i int) bool {
	return !r.roster.Has(i)
}
