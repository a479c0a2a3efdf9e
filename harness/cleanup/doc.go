// Package cleanup deletes what a run created on the target, and keeps the
// record of how that went.
//
// A simulation registers its cleanup functions (Func) with
// Simulation.OnCleanup; -cleanup runs them once at the end of the run and,
// with -continuous, every -cleanup-interval for the users that have
// finished. Each gets a Scope: the run id, this process's shard, the
// target, the run's client and Auth, and which users have finished. The
// Runner makes the passes, each on a fresh context with its own deadline
// so an interrupted run still cleans up; the Log keeps every outcome for
// the summary's notes, the cleanup verdict of summary.json and junit.xml,
// and the error that fails the test.
//
// It is apart from package harness because none of it is the engine's hot
// path: it needs of the run only a few plain values and whether a user has
// finished, which the run hands it, so it is tested without a run. The
// record is part of the same package, not a package of its own, because it
// is written only by the runner's passes and read only as their outcome.
package cleanup
