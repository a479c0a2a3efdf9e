package mix

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMix_isExactOverEveryBlock(t *testing.T) {
	cases := []struct {
		weights []int
		block   int
	}{
		{[]int{80, 20}, 5}, // reduced by the gcd: 4 and 1
		{[]int{3, 2, 1}, 6},
		{[]int{1}, 1},
		{[]int{0, 7}, 1},
	}
	for _, c := range cases {
		m := New(42, c.weights)
		assert.Len(t, m.slots, c.block, "weights %v", c.weights)
		for b := range 20 {
			got := make([]int, len(c.weights))
			for i := b * c.block; i < (b+1)*c.block; i++ {
				got[m.Of(i)]++
			}
			for a, w := range c.weights {
				assert.Equal(t, w*c.block/sum(c.weights), got[a], "weights %v block %d archetype %d", c.weights, b, a)
			}
		}
	}
}

func sum(ws []int) int {
	t := 0
	for _, w := range ws {
		t += w
	}
	return t
}

func TestMix_isAFunctionOfSeedAndIndex(t *testing.T) {
	a, b := New(7, []int{5, 3, 2}), New(7, []int{5, 3, 2})
	shuffled := false
	for i := range 200 {
		assert.Equal(t, a.Of(i), b.Of(i), "user %d", i)
		if a.Of(i) != a.slots[i%len(a.slots)] {
			shuffled = true
		}
	}
	assert.True(t, shuffled, "blocks are shuffled, not dealt in weight order")
	other := New(8, []int{5, 3, 2})
	differs := false
	for i := range 200 {
		differs = differs || other.Of(i) != a.Of(i)
	}
	assert.True(t, differs, "another seed deals another order")
}

func TestMix_unmannedNamesTheSharesThatRoundToNobody(t *testing.T) {
	weights := []int{80, 20, 1} // a block of 101 users
	m := New(1, weights)
	got := m.Unmanned(weights, 50)
	assert.NotEmpty(t, got)
	for _, a := range got {
		for i := range 50 {
			assert.NotEqual(t, a, m.Of(i), "archetype %d is named unmanned but user %d has it", a, i)
		}
	}
	assert.Nil(t, m.Unmanned(weights, 101), "a whole block mans every archetype")
	assert.Nil(t, m.Unmanned(weights, 0), "no population (the open model) is not reported")
	assert.Nil(t, New(1, []int{1, 0}).Unmanned([]int{1, 0}, 1), "weight 0 is never unmanned")
}

func TestRand_isAFunctionOfSeedAndIndex(t *testing.T) {
	assert.Equal(t, Rand(3, 9).Uint64(), Rand(3, 9).Uint64())
	assert.NotEqual(t, Rand(3, 9).Uint64(), Rand(3, 10).Uint64())
	assert.NotEqual(t, Rand(3, 9).Uint64(), Rand(4, 9).Uint64())
}
