package harness

import (
	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/reports"
)

// startMonitor starts the run's timeline and abort checks (record.Monitor)
// with what they need of the run's options.
func (r *run) startMonitor(budgets []budget.Budget, heapBase uint64) *record.Monitor {
	return r.rec.StartMonitor(r, record.MonitorConfig{
		Started: r.started, Budgets: budgets, HeapBase: heapBase,
		AbortWindow: r.cfg.AbortWindow, AbortErrorRate: r.cfg.AbortErrorRate, Progress: r.cfg.Progress,
		Log: r.log,
	})
}

// Active, Users, Queued, Abort and FillSummary make the run its monitor's
// record.Watched (and Active its load model's load.Starter's).
func (r *run) Active() int { return int(r.roster.Active()) }
func (r *run) Users() (started, peak int) {
	return int(r.roster.Started()), int(r.roster.Peak())
}
func (r *run) Queued() int         { return int(r.pool.QueuedNow()) }
func (r *run) Abort(reason string) { r.stop(reason, true) }

// FillSummary adds the findings of every observer, the simulation's and
// -openapi's, to s: at the end of the run and, for abort budgets, during
// it (a SummaryFiller must be safe to call while requests are observed).
func (r *run) FillSummary(s *reports.Summary) {
	for _, o := range r.observers {
		if f, ok := o.(SummaryFiller); ok {
			f.FillSummary(s)
		}
	}
}
