// Package mix deals each user of a population its archetype and its random
// source, as functions of the run's seed and the user's index alone. That
// is what makes a run reproducible and lets -shard=i/n split it: every
// shard deals user 12 the same archetype and the same random numbers, so
// the shards' merged results equal one big run's.
package mix

import "math/rand/v2"

// Mix assigns archetypes to user indexes. Users are dealt in blocks of
// sum(weights): within each block every archetype gets exactly its
// weight's share, in an order shuffled by the seed and the block number.
// So the mix is exact over any whole block and random within it.
type Mix struct {
	seed  int64
	slots []int // archetype of each slot of a block, before shuffling
}

// New returns the mix of archetypes with the given weights (by position),
// reduced by their greatest common divisor so blocks are as small as they
// can be. The weights' sum must be positive.
func New(seed int64, weights []int) Mix {
	g := 0
	for _, w := range weights {
		g = gcd(g, w)
	}
	m := Mix{seed: seed}
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

// Of returns the archetype (its position in the weights) of user index i.
func (m Mix) Of(i int) int {
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

// Unmanned returns the archetypes of weight above 0 that none of the
// first users gets, because the population is smaller than one block (an
// explorer of weight 1 beside weights 80 and 20 with 50 users): a share
// that rounds to nobody should be said, not silently dropped.
func (m Mix) Unmanned(weights []int, users int) []int {
	if users >= len(m.slots) || users <= 0 {
		return nil // every block holds every archetype
	}
	got := make([]int, len(weights))
	for i := range users {
		got[m.Of(i)]++
	}
	var out []int
	for i, w := range weights {
		if w > 0 && got[i] == 0 {
			out = append(out, i)
		}
	}
	return out
}

// Rand is the random source of user index i: a function of the seed and
// the index only, so a user behaves the same in a whole run and in a shard.
func Rand(seed int64, index int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(index)))
}
