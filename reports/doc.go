// Package reports turns the summary of a trafficsim run into the files
// people and CI servers read, merges the summaries of a run's shards, and
// compares two runs.
//
// A run's [Summary] (summary.json) is the contract: the harness fills it,
// everything here reads it.
//
//   - [WriteAll] writes summary.json, junit.xml ([WriteJUnit]: one testcase
//     per budget plus a "run" testcase that fails when the run was partial)
//     and report.html ([WriteHTML]: one self-contained page with inline SVG
//     charts, nothing fetched from the network).
//   - [CheckWritable] fails a run whose report folder cannot be written
//     before its first request; [WriteAllWaiting] is WriteAll for the end
//     of a run that may be out of file descriptors, and [FallbackDir] is
//     where its reports go when its folder is gone.
//   - [Merge] combines the shards of one run exactly: HDR histograms are
//     merged, so the merged percentiles equal those of one big run.
//   - [Compare] compares two runs endpoint by endpoint; the
//     trafficsim-compare command prints it and exits 1 on a regression.
//
// Usage, after the shards of a run have written their summaries:
//
//	var shards []*reports.Summary
//	for _, dir := range dirs { // reports/out/<run_id>-0, -1, ...
//		s, err := reports.ReadSummary(dir)
//		if err != nil {
//			return err
//		}
//		shards = append(shards, s)
//	}
//	run, err := reports.Merge(shards...)
//	if err != nil {
//		return err
//	}
//	// Budgets are left empty by Merge: evaluate them on the merged run,
//	// then write every report at once.
//	run.Budgets = evaluate(run)
//	if err := reports.WriteAll("reports/out/"+run.RunID, run); err != nil {
//		return err
//	}
//
// And to gate a release on latency:
//
//	go run ./reports/cmd/trafficsim-compare -threshold 10% -metric p95 \
//		reports/out/last-release reports/out/this-release
package reports
