package harness

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/reports"
)

// Simulation is a population of virtual users of several archetypes, each
// walking its journey against one target. Build it with New, add archetypes,
// then Run it; Run may be called again for another run with a new run id.
// A Simulation holds no global state: two can run in one process.
type Simulation struct {
	tb         testing.TB
	cfg        Config
	archetypes []*archetype
	cleanups   []CleanupFunc
	observers  []Observer
	explore    Explore
}

// Observer sees every finished request; coverage and contract checks plug
// in here. It must be safe for concurrent use and cheap.
type Observer interface {
	Observe(req *Request, resp *Response)
}

// New returns a simulation with the given configuration. Problems with the
// configuration are reported by Run, all at once, before any request.
func New(tb testing.TB, cfg Config) *Simulation {
	tb.Helper()
	if cfg.Name == "" {
		cfg.Name = strings.ReplaceAll(tb.Name(), "/", "_")
	}
	return &Simulation{tb: tb, cfg: cfg}
}

// Config returns the simulation's configuration.
func (s *Simulation) Config() Config { return s.cfg }

// SetTarget sets the target once it is known (for example after starting an
// in-process service).
func (s *Simulation) SetTarget(url string) { s.cfg.Target = url }

// Archetype adds a kind of user: its share of the population (weight), the
// range of requests each such user makes, and its journey.
func (s *Simulation) Archetype(name string, weight int, r Range, j Journey, opts ...ArchetypeOption) {
	a := &archetype{name: name, weight: weight, rng: r, journey: j, think: defaultThink}
	for _, o := range opts {
		o.apply(a)
	}
	s.archetypes = append(s.archetypes, a)
}

// OnCleanup registers what -cleanup runs at the end of a run (and every
// -cleanup-interval with -continuous).
func (s *Simulation) OnCleanup(fn CleanupFunc) { s.cleanups = append(s.cleanups, fn) }

// Observe adds an observer of every finished request.
func (s *Simulation) Observe(o Observer) { s.observers = append(s.observers, o) }

var defaultThink = mustThink(DefaultThink)

func mustThink(s string) Think {
	t, err := ParseThink(s)
	if err != nil {
		panic(err)
	}
	return t
}

// plan is a validated simulation: the archetypes that run, with their
// effective ranges, and what the run says about them.
type plan struct {
	archetypes []*archetype
	notes      []string
}

// Validate checks the configuration, the archetypes and the budgets
// together, and that the report folder can be written (creating it), and
// returns every problem at once, each naming its flag, archetype or
// budget. Run checks the same before its first request, and the target; call
// Validate to fail earlier, before setup of your own sends anything (and
// starts the target, say).
func (s *Simulation) Validate() error {
	// The default report folder is named by the run id, known in Run.
	_, _, err := s.check(s.cfg.ReportDir, false)
	return err
}

// check gathers every problem of the configuration, the archetypes, the
// budgets, the target when target is true, and the report folder (created
// and checked writable, unless reportDir is ""), so one message names them
// all before any request.
func (s *Simulation) check(reportDir string, target bool) (*plan, []budget.Budget, error) {
	p, err := s.plan()
	errs := []error{err}
	if target && s.cfg.Target == "" {
		errs = append(errs, errors.New("-target: this simulation has no built-in target; pass -target=URL (or TRAFFICSIM_TARGET), the base URL of the service under test, or set Config.Target in code (a server the test starts)"))
	}
	budgets, err := s.budgets()
	errs = append(errs, err)
	if reportDir != "" {
		if err := reports.CheckWritable(reportDir); err != nil {
			errs = append(errs, fmt.Errorf("-report-dir: %w", err))
		}
	}
	return p, budgets, errors.Join(errs...)
}

// budgets parses the run's budgets (budget.Load).
func (s *Simulation) budgets() ([]budget.Budget, error) {
	return budget.Load(s.cfg.BudgetFile, s.cfg.Budgets)
}

// plan checks the configuration with the archetypes and returns what a run
// uses: copies of the selected archetypes, each with its effective range
// and think time. It changes nothing in the simulation, so Validate and Run
// may call it any number of times and get the same plan.
func (s *Simulation) plan() (*plan, error) {
	var errs []error
	if err := s.cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	names, aerrs := s.archetypeProblems()
	errs = append(errs, aerrs...)
	errs = append(errs, s.selectionProblems(names)...)
	p := &plan{}
	for _, a := range s.archetypes {
		if len(s.cfg.UserTypes) == 0 || slices.Contains(s.cfg.UserTypes, a.name) {
			p.add(*a, s.cfg, true)
		}
	}
	if len(s.archetypes) == 0 {
		errs = append(errs, errors.New("archetypes: none defined"))
	} else if p.weight() <= 0 {
		errs = append(errs, errors.New("archetypes: the weights of the selected user types sum to 0"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// archetypeProblems checks each archetype on its own, the values built in
// code (WithThink, WithAuth) included, and returns the names defined.
func (s *Simulation) archetypeProblems() (map[string]bool, []error) {
	var errs []error
	bad := func(a *archetype, format string, args ...any) {
		errs = append(errs, fmt.Errorf("archetype %q: %s", a.name, fmt.Sprintf(format, args...)))
	}
	names := map[string]bool{}
	for _, a := range s.archetypes {
		switch {
		case a.name == "":
			errs = append(errs, errors.New("archetype: a name is required"))
		case names[a.name]:
			bad(a, "defined twice")
		}
		names[a.name] = true
		if a.weight < 0 {
			bad(a, "weight %d is negative", a.weight)
		}
		if a.rng.Min < 1 || a.rng.Min > a.rng.Max {
			bad(a, "request range %s must have 1 <= min <= max", a.rng)
		}
		if a.journey == nil {
			bad(a, "no journey")
		}
		if err := a.think.Validate(); err != nil {
			bad(a, "WithThink: %v", err)
		}
		if a.auth != nil {
			if err := a.auth.Validate(); err != nil {
				bad(a, "WithAuth: %v", err)
			}
		}
	}
	return names, errs
}

// selectionProblems checks the flags that need the simulation's archetypes
// or cleanup: -user-types, -explorer, -cleanup.
func (s *Simulation) selectionProblems(names map[string]bool) []error {
	var errs []error
	known := slices.Sorted(maps.Keys(names))
	for _, t := range s.cfg.UserTypes {
		if !names[t] {
			errs = append(errs, fmt.Errorf("-user-types: unknown user type %q (known: %s)", t, strings.Join(known, ", ")))
		}
	}
	if s.cfg.Explorer > 0 && s.cfg.OpenAPI == "" {
		// Checked here, not in Config.Validate: a simulation may set its
		// own description after the flags are read (loadtests does).
		errs = append(errs, errors.New("-explorer: needs an API description to explore: pass -openapi=URL|FILE"))
	}
	if s.cfg.Cleanup && len(s.cleanups) == 0 {
		errs = append(errs, errors.New("-cleanup: this simulation registers no cleanup (Simulation.OnCleanup), so -cleanup would delete nothing"))
	}
	return errs
}

// add puts a, a copy the plan owns, into the plan with the run's think time
// (-think) and its range intersected with the run's; note says so when the
// two do not meet.
func (p *plan) add(a archetype, cfg Config, note bool) {
	if cfg.Think != "" {
		if t, err := ParseThink(cfg.Think); err == nil {
			a.think = t
		}
	}
	run := Range{Min: cfg.MinRequests, Max: cfg.MaxRequests}
	if eff, ok := a.rng.intersect(run); ok {
		a.eff = eff
	} else {
		a.eff = run
		if note {
			p.notes = append(p.notes, fmt.Sprintf("archetype %s: its range %s lies outside the run's %s (-min-request-count/-max-request-count); using %s",
				a.name, a.rng, run, run))
		}
	}
	p.archetypes = append(p.archetypes, &a)
}

// weight is the sum of the plan's archetypes' weights.
func (p *plan) weight() int {
	total := 0
	for _, a := range p.archetypes {
		total += a.weight
	}
	return total
}
