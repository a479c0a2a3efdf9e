package harness

import (
	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/reports"
)

// startMonitor starts the run's timeline and abort checks (record.Monitor)
// with what they need of the run's options.
func (r *run) startMonitor(budgets []budget.Budget, heapBase uint64) *record.Monitor {
	return r.rec.StartMonitor(watched{r}, record.MonitorConfig{
		Started: r.started, Budgets: budgets, HeapBase: heapBase,
		AbortWindow: r.cfg.AbortWindow, AbortErrorRate: r.cfg.AbortErrorRate, Progress: r.cfg.Progress,
		Log: r.log,
	})
}

// watched is the run as its monitor sees it (record.Watched): the user
// counts, the queue, and a way to stop it.
type watched struct{ r *run }

func (w watched) Active() int { return int(w.r.roster.Active()) }
func (w watched) Users() (started, peak int) {
	return int(w.r.roster.Started()), int(w.r.roster.Peak())
}
func (w watched) Queued() int         { return int(w.r.pool.QueuedNow()) }
func (w watched) Stopping() bool      { return w.r.Stopping() }
func (w watched) Abort(reason string) { w.r.stop(reason, true) }

// FillSummary adds the observers' findings so far (coverage, contract
// violations), for abort budgets judged on the run so far.
func (w watched) FillSummary(s *reports.Summary) { w.r.fillFindings(s) }

// fillFindings adds the findings of every observer, the simulation's and
// -openapi's, to s: at the end of the run and, for abort budgets, during
// it (a SummaryFiller must be safe to call while requests are observed).
func (r *run) fillFindings(s *reports.Summary) {
	for _, o := range r.observers {
		if f, ok := o.(SummaryFiller); ok {
			f.FillSummary(s)
		}
	}
}
