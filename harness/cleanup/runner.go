package cleanup

import (
	"context"
	"log/slog"
	"time"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// Runner makes a run's cleanup passes: the final one, and the periodic ones
// of -continuous. The run hands it what the passes need, and nothing else of
// itself, so the passes are tested without a run.
type Runner struct {
	Funcs []Func // the simulation's, in the order registered
	// Log records every outcome: the summary's notes, the verdict and the
	// error that fails the test come from it.
	Log *Log
	// Logger warns each failure at once, redacted, so a long run does not
	// keep it for the end.
	Logger *slog.Logger
	// Scope is what every pass hands the funcs: RunID, Shard, Target,
	// Client and Auth. Pass sets Final and asks Finished.
	Scope Scope
	// Finished reports whether the user with the given index has ended (or
	// never started): the periodic passes delete only those users' data.
	Finished func(index int) bool
	// Deadline bounds one pass, which runs on a context of its own: a run
	// stopped by a signal or a cancelled context still cleans up.
	Deadline time.Duration
	// Every is how often Start makes a periodic pass (-cleanup-interval
	// with -continuous); zero: never.
	Every time.Duration
}

// Pass runs every func once on a fresh context with its own deadline. A
// failure is warned at once and recorded in the Log, which fails the test
// at the end of the run: data left behind is never silent, whether the
// periodic or the final cleanup left it.
func (r *Runner) Pass(parent context.Context, final bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), r.Deadline)
	defer cancel()
	scope := r.Scope
	scope.Final, scope.finished = final, r.Finished
	for _, fn := range r.Funcs {
		err := fn(ctx, scope)
		r.Log.Record(final, err)
		if err != nil && r.Logger != nil {
			when := "periodic"
			if final {
				when = "final"
			}
			r.Logger.Warn("cleanup failed", "cleanup", when, "err", redact.Error(err))
		}
	}
	if scope.Client != nil {
		scope.Client.CloseIdleConnections()
	}
}

// Start makes a periodic pass every Every, for the users that have
// finished, until done closes; the returned channel closes when it has
// ended. With no funcs or no Every it starts nothing and the channel is
// closed already.
func (r *Runner) Start(parent context.Context, done <-chan struct{}) <-chan struct{} {
	ended := make(chan struct{})
	if r.Every <= 0 || len(r.Funcs) == 0 {
		close(ended)
		return ended
	}
	go func() {
		defer close(ended)
		t := time.NewTicker(r.Every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.Pass(parent, false)
			case <-done:
				return
			}
		}
	}()
	return ended
}
