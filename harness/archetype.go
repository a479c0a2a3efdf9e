package harness

import (
	"fmt"

	"github.com/trafficsim/trafficsim/harness/internal/mix"
)

// Range is an inclusive range of request counts.
type Range struct{ Min, Max int }

// Between returns the range [lo, hi] of requests a user of an archetype makes.
func Between(lo, hi int) Range { return Range{Min: lo, Max: hi} }

func (r Range) String() string { return fmt.Sprintf("%d–%d", r.Min, r.Max) }

// intersect returns the overlap of two ranges, and false when there is none.
func (r Range) intersect(o Range) (Range, bool) {
	out := Range{Min: max(r.Min, o.Min), Max: min(r.Max, o.Max)}
	return out, out.Min <= out.Max
}

// ArchetypeOption changes one archetype.
type ArchetypeOption interface{ apply(*archetype) }

type optionFunc func(*archetype)

func (f optionFunc) apply(a *archetype) { f(a) }

// WithThink sets the archetype's think time (the run's -think overrides it).
func WithThink(t Think) ArchetypeOption { return optionFunc(func(a *archetype) { a.think = t }) }

// WithAuth sets the archetype's auth, overriding Config.Auth.
func WithAuth(a Auth) ArchetypeOption {
	return optionFunc(func(ar *archetype) { ar.auth = &a })
}

type archetype struct {
	name    string
	weight  int
	rng     Range
	journey Journey
	think   Think
	eff     Range // rng intersected with the run's range
	auth    *Auth // nil: the run's Config.Auth
	checks  []namedCheck
}

// unmanned notes the archetypes of weight above 0 that no user of a
// closed-model population gets (see mix.Unmanned); weights are archs'.
func unmanned(m mix.Mix, archs []*archetype, weights []int, cfg Config) []string {
	if cfg.OpenModel() {
		return nil // no population: sessions arrive until the plan ends
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	var out []string
	for _, i := range m.Unmanned(weights, cfg.Users) {
		a := archs[i]
		out = append(out, fmt.Sprintf("archetype %s: weight %d of %d gets none of the %d users; raise -users or its weight", a.name, a.weight, total, cfg.Users))
	}
	return out
}
