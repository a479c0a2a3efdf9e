// Package leaks finds the goroutines a run left behind. A run labels its
// goroutines with a pprof label of its own ([New], [Label.Do]); a goroutine
// inherits its creator's labels, so everything the run starts, directly or
// not, carries it: users, pool workers, the monitor, the pusher, the
// transport's connection goroutines, the goroutines a journey starts. At
// the end, [Find] counts the goroutines still alive with the label and
// names each stack.
//
// It is a package of its own because it is about the process's goroutine
// profile, not about running users: the harness calls it three times, and
// nothing here knows what a run is.
//
// Unlike goleak.IgnoreCurrent, which is a snapshot of the whole process,
// two runs in one process never see each other's goroutines, and the
// test's own (servers started before the run) are not counted.
//
//	label := leaks.New(runID)
//	label.Do(ctx, func(ctx context.Context) {
//		// start and stop the run's goroutines
//		leaks.Unlabelled(ctx, func() { cleanup() }) // not the run's
//	})
//	if n, text := leaks.Find(label); n > 0 {
//		log.Printf("%d goroutines leaked:\n%s", n, text)
//	}
package leaks
