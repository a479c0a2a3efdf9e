package harness

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/internal/proc"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/harness/redact"
	"github.com/trafficsim/trafficsim/reports"
)

// Result is the outcome of a run: its summary (the same as summary.json),
// the folder its reports went to, and its metrics registry.
type Result struct {
	Summary *reports.Summary
	// Dir is the report folder: summary.json, junit.xml, report.html.
	Dir string
	// Registry holds the run's Prometheus metrics (the pushed ones).
	Registry *prometheus.Registry
	// Sequences holds each user's request names, by index, when
	// Config.RecordSequences is set.
	Sequences map[int][]string

	budgets  []budget.Budget
	extra    []reports.Budget // verdicts that are no budget's (cleanup), kept by Check
	writeErr error
	written  string // the folder the reports are in; empty when none
	// acceptPartial is set by AcceptPartial: the test judges the stop.
	acceptPartial atomic.Bool
}

func (r *run) result(budgets []budget.Budget, mon *record.Monitor, leaks int, leakText string) *Result {
	tl := mon.Timeline()
	elapsed := time.Since(r.started)
	reason, partial := r.Why()
	model := "closed"
	if r.cfg.OpenModel() {
		model = "open"
	}
	s := &reports.Summary{
		RunID: r.runID, Simulation: r.cfg.Name, Version: proc.Version(), Seed: r.cfg.Seed,
		Target: redact.URL(r.cfg.Target), Shard: r.cfg.Shard.String(), Model: model,
		Started: r.started.UTC(), DurationSeconds: elapsed.Seconds(),
		Partial: partial, Users: int(r.roster.Started()), PeakVUs: int(r.roster.Peak()),
		IntervalSeconds: tl.IntervalSeconds, Timeline: tl.Ticks,
	}
	if partial {
		s.PartialReason = reason
	}
	if err := r.rec.Fill(s); err != nil {
		r.notes.Add(err.Error())
	}
	if r.cfg.OpenModel() {
		s.Scheduled, s.NotReached = r.scheduled.Load(), r.notReached.Load()
	}
	s.Checks = r.rec.Checks()
	if err := r.idleError(); err != nil {
		s.Problems = append(s.Problems, err.Error())
	}
	if s.DurationSeconds > 0 {
		s.RPS = float64(s.Requests) / s.DurationSeconds
	}
	s.Resources = tl.Resources(s.PeakVUs)
	s.Resources.GoroutineLeaks, s.Resources.LeakDescription = leaks, leakText
	s.Saturation = r.pool.Saturation()
	if s.Saturation.Saturated() {
		r.notes.Add(fmt.Sprintf("saturated: %d requests waited for one of the -max-in-flight=%d slots (mean %.1f ms, max %.1f ms); the target did not keep up",
			s.Saturation.QueuedRequests, r.cfg.MaxInFlight, s.Saturation.QueueWaitMeanMs, s.Saturation.QueueWaitMaxMs))
	}
	// The run's notes go in once all of them are made (a failed fill, the
	// saturation), before the observers add their own.
	s.Notes = r.notes.List()
	if r.pusher != nil {
		s.Push = r.pusher.Stats()
	}
	r.FillSummary(s)
	extra := r.cleanups.Verdict()
	s.Budgets = append(budget.Evaluate(s, budgets), extra...)
	res := &Result{Summary: s, Dir: r.cfg.ReportDir, Registry: r.reg, Sequences: r.sequences, budgets: budgets, extra: extra}
	res.writeErr = res.write()
	if err := reports.WriteTable(r.sim.tb.Output(), s); err != nil {
		r.log.Warn("table", "err", err)
	}
	where := res.Dir
	if res.written == "" {
		where = "not written"
	}
	r.log.Info("run finished", "requests", s.Requests, "rps", fmt.Sprintf("%.0f", s.RPS),
		"errors_unexpected", s.ErrorsUnexpected, "partial", s.Partial, "reports", where)
	return res
}

// write writes the reports to res.Dir, or to the fallback folder that
// res.Dir then becomes (see reports.WriteOrFallback).
func (res *Result) write() error {
	written, err := reports.WriteOrFallback(res.Dir, res.Summary)
	if written != "" {
		res.Dir = written
	}
	res.written = written
	return err
}

// SummaryFiller is an Observer that adds its findings (coverage, contract
// violations) to the summary: at the end of a run, and during it for the
// abort budgets, so it must be safe to call while requests are observed.
type SummaryFiller interface {
	FillSummary(s *reports.Summary)
}

// Check evaluates the given expressions, each as a subtest named
// budget/<kind>/<target> that fails with what was measured against what
// was allowed, adds their verdicts to the summary and rewrites the reports,
// so that junit.xml and the test's verdict agree. The run's own budgets
// (-budgets, -budget) were judged by Run already, whether or not Check is
// called; Check does not judge them twice. On a *testing.T each verdict is
// a subtest; on any other testing.TB (a benchmark) a broken one is an
// error. An expression that does not parse is an error on tb, and nothing
// is judged.
func (res *Result) Check(tb testing.TB, exprs ...string) {
	tb.Helper()
	extra, err := budget.ParseList(exprs)
	if err != nil {
		tb.Errorf("trafficsim: invalid budget: %v", err)
		return
	}
	if len(extra) == 0 {
		return
	}
	verdicts := budget.Evaluate(res.Summary, extra)
	// The new verdicts go before the ones that are no budget's (cleanup).
	own := res.Summary.Budgets[:len(res.Summary.Budgets)-len(res.extra)]
	res.Summary.Budgets = append(append(append([]reports.Budget(nil), own...), verdicts...), res.extra...)
	if err := res.write(); err != nil {
		tb.Errorf("trafficsim: writing reports: %v", err)
	}
	budget.Report(tb, verdicts)
}

// P95 returns the budget expression "p95(endpoint) < limit".
func P95(endpoint string, limit time.Duration) string {
	return fmt.Sprintf("p95(%s) < %s", endpoint, limit)
}

// P99 returns the budget expression "p99(endpoint) < limit".
func P99(endpoint string, limit time.Duration) string {
	return fmt.Sprintf("p99(%s) < %s", endpoint, limit)
}

// ErrorRateBelow returns the budget expression "error_rate < pct%".
func ErrorRateBelow(pct float64) string { return fmt.Sprintf("error_rate < %g%%", pct) }

// NoLeaks returns the budget expression "goroutine_leaks == 0".
func NoLeaks() string { return "goroutine_leaks == 0" }

// HeapPerVUBelow returns the budget expression "heap_per_vu < nB".
func HeapPerVUBelow(bytes int) string { return fmt.Sprintf("heap_per_vu < %dB", bytes) }

// ReportMetrics reports the run's figures on a benchmark, for benchstat to
// compare across releases: req/s, the latency percentiles over every
// endpoint (p50-ms, p95-ms, p99-ms, merged exactly from the endpoints'
// histograms), the unexpected error percentage (err-%) and the heap per
// user (B/VU).
func (res *Result) ReportMetrics(b *testing.B) {
	b.Helper()
	s := res.Summary
	all, err := s.Latency()
	if err != nil {
		b.Errorf("trafficsim: %v", err)
		return
	}
	b.ReportMetric(s.RPS, "req/s")
	b.ReportMetric(reports.MillisAt(all, 50), "p50-ms")
	b.ReportMetric(reports.MillisAt(all, 95), "p95-ms")
	b.ReportMetric(reports.MillisAt(all, 99), "p99-ms")
	b.ReportMetric(100*float64(s.ErrorsUnexpected)/float64(max(s.Requests, 1)), "err-%")
	b.ReportMetric(s.Resources.HeapPerVUBytes, "B/VU")
}

// judge makes the test's verdict the reports' verdict, whether or not the
// simulation calls Check: every budget the run evaluated (-budgets,
// -budget) becomes a subtest that fails when the budget is broken (a
// failed test of its own for a testing.TB that cannot run subtests, such as
// a benchmark), and a run that stopped early (a signal, an abort, a
// cancelled context) fails the test when it ends, saying why, unless the
// test called AcceptPartial. summary.json, junit.xml and report.html were
// written from the same verdicts, so all of them say the same.
func (res *Result) judge(tb testing.TB) {
	tb.Helper()
	// The verdicts that are no budget's (a failed cleanup) fail the test
	// on their own, in Run.
	budget.Report(tb, res.Summary.Budgets[:len(res.Summary.Budgets)-len(res.extra)])
	if !res.Summary.Partial {
		return
	}
	tb.Cleanup(func() {
		if res.acceptPartial.Load() {
			return
		}
		tb.Errorf("trafficsim: the run stopped early (%s) after %.1fs: a partial run never passes (%d requests, %d interrupted); see %s",
			res.Summary.PartialReason, res.Summary.DurationSeconds, res.Summary.Requests, res.Summary.Interrupted, res.Dir)
	})
}

// AcceptPartial tells the harness that the test expects its run to stop
// early and judges that itself (tests of the stop sequence do): without it
// a partial run fails the test when the test ends.
func (res *Result) AcceptPartial() { res.acceptPartial.Store(true) }
