package harness

import (
	"fmt"
	"math/rand/v2"
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

// mix assigns archetypes to user indexes. Users are dealt in blocks of
// sum(weights): within each block every archetype gets exactly its weight's
// share, in an order shuffled by the run's seed and the block number. So the
// mix is exact over any whole block, random within it, and a function of the
// index alone — every shard assigns a user the same archetype.
type mix struct {
	seed  int64
	slots []int // archetype of each slot of a block, before shuffling
}

func newMix(seed int64, weights []int) mix {
	g := 0
	for _, w := range weights {
		g = gcd(g, w)
	}
	m := mix{seed: seed}
	for i, w := range weights {
		for range w / g {
			m.slots = append(m.slots, i)
		}
	}
	return m
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// unmanned names the archetypes of weight above 0 that no user of a
// closed-model population gets, because the population is smaller than one
// block of the mix (an -explorer=1 beside weights 80 and 20 with 50 users):
// a share that rounds to nobody should be said, not silently dropped.
func (m mix) unmanned(archs []*archetype, cfg Config) []string {
	if cfg.OpenModel() || cfg.Users >= len(m.slots) || cfg.Users <= 0 {
		return nil // every block holds every archetype
	}
	got := make([]int, len(archs))
	for i := range cfg.Users {
		got[m.of(i)]++
	}
	total := 0
	for _, a := range archs {
		total += a.weight
	}
	var out []string
	for i, a := range archs {
		if a.weight > 0 && got[i] == 0 {
			out = append(out, fmt.Sprintf("archetype %s: weight %d of %d gets none of the %d users; raise -users or its weight", a.name, a.weight, total, cfg.Users))
		}
	}
	return out
}

// of returns the archetype of user index i.
func (m mix) of(i int) int {
	n := len(m.slots)
	block, pos := i/n, i%n
	// A Fisher–Yates shuffle of the block, stopped once position pos is
	// settled: only the first pos+1 swaps matter.
	r := rand.New(rand.NewPCG(uint64(m.seed), uint64(block)^0x9e3779b97f4a7c15))
	perm := make([]int, n)
	for j := range perm {
		perm[j] = j
	}
	for j := 0; j <= pos; j++ {
		k := j + r.IntN(n-j)
		perm[j], perm[k] = perm[k], perm[j]
	}
	return m.slots[perm[pos]]
}

// userRand is the random source of user index i: a function of the seed and
// the index only, so a user behaves the same in a whole run and in a shard.
func userRand(seed int64, index int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(index)))
}
