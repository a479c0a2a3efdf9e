package roster

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRoster_countsAndSet(t *testing.T) {
	var r Roster[string]
	assert.False(t, r.Has(1), "the zero roster is empty")
	r.Enter(1, "a")
	r.Enter(2, "b")
	r.Enter(3, "c")
	r.Leave(2)
	r.Enter(4, "d")
	assert.Equal(t, int64(3), r.Active())
	assert.Equal(t, int64(3), r.Peak())
	assert.Equal(t, int64(4), r.Started())
	assert.True(t, r.Has(1))
	assert.False(t, r.Has(2), "a user that left is no longer active")
	var seen []string
	r.Each(func(u string) { seen = append(seen, u) })
	assert.ElementsMatch(t, []string{"a", "c", "d"}, seen)
}

func TestRoster_peakUnderConcurrency(t *testing.T) {
	var r Roster[int]
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { r.Enter(i, i) })
	}
	wg.Wait()
	for i := range 100 {
		r.Leave(i)
	}
	assert.Equal(t, int64(0), r.Active())
	assert.Equal(t, int64(100), r.Peak(), "every user was active at once")
	assert.Equal(t, int64(100), r.Started())
}
