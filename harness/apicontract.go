package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
)

// ExplorerArchetype names the archetype -explorer adds.
const ExplorerArchetype = "explorer"

// explorerRange is the request range of an explorer user: enough to try
// every operation of a mid-sized description twice; it ends itself
// (ErrDone) when nothing is left.
var explorerRange = Range{Min: 50, Max: 200}

// ContractSetup is what a run hands the API-contract wiring when -openapi
// is given: the run's configuration (-openapi, -validate-sample, -seed,
// -explorer), a client, and the simulation's Explore settings.
type ContractSetup struct {
	Config Config
	// Client fetches a URL description: the run's own (NewClient), so the
	// outbound guard, -insecure and redirect checks apply to it too.
	Client  *http.Client
	Explore Explore
}

// ContractParts is what the wiring returns: an observer of every request
// (coverage and validation; a SummaryFiller too) and, with -explorer, the
// explorer's journey.
type ContractParts struct {
	Observer Observer
	Explorer Journey
}

// ContractWiring builds the parts of -openapi. Package contract registers
// the one implementation; it lives there because it builds on this
// package's Request and VU, so this package cannot import it.
type ContractWiring func(ctx context.Context, s ContractSetup) (ContractParts, error)

// wiring is the registered ContractWiring, set once from package
// contract's init.
var wiring atomic.Pointer[ContractWiring]

// RegisterContract installs the -openapi wiring. Package contract calls it
// from its init, so a test package that imports contract — or only
// `_ "github.com/trafficsim/trafficsim/harness/contract"` — gets -openapi,
// -validate-sample and -explorer in every simulation. It is a stateless
// constructor, the same for every simulation of the process.
func RegisterContract(w ContractWiring) { wiring.Store(&w) }

// Explore sets how the -explorer archetype's users prepare (log in, set
// vu.Token) before exploring, and how many answered requests of the other
// archetypes it waits for first, so it fills only the gaps they leave.
type Explore struct {
	Prepare func(ctx context.Context, vu *VU) error
	After   int64
}

// Explore configures the explorer that -explorer=N adds.
func (s *Simulation) Explore(e Explore) { s.explore = e }

// wireContract loads the -openapi description through the registered
// wiring and adds its observer and, with -explorer, the explorer archetype
// to the plan. It returns the run's observers.
func (s *Simulation) wireContract(ctx context.Context, p *plan) ([]Observer, error) {
	observers := append([]Observer(nil), s.observers...)
	if s.cfg.OpenAPI == "" {
		return observers, nil
	}
	w := wiring.Load()
	if w == nil {
		return nil, errors.New(`-openapi: this test binary does not include package harness/contract; add import _ "github.com/trafficsim/trafficsim/harness/contract" to the simulation's test package`)
	}
	for _, a := range p.archetypes {
		if s.cfg.Explorer > 0 && a.name == ExplorerArchetype {
			return nil, fmt.Errorf("-explorer: the simulation defines an archetype %q of its own", ExplorerArchetype)
		}
	}
	parts, err := (*w)(ctx, ContractSetup{Config: s.cfg, Client: NewClient(s.cfg), Explore: s.explore})
	if err != nil {
		return nil, err
	}
	if parts.Observer != nil {
		observers = append(observers, parts.Observer)
	}
	if s.cfg.Explorer > 0 && parts.Explorer != nil {
		p.add(archetype{name: ExplorerArchetype, weight: s.cfg.Explorer, rng: explorerRange, journey: parts.Explorer, think: defaultThink}, s.cfg, false)
	}
	return observers, nil
}
