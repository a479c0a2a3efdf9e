package notes

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNotes_keepOrderAndCopy(t *testing.T) {
	var n Notes
	assert.Empty(t, n.List())
	n.Add("a", "b")
	n.Add("c")
	got := n.List()
	assert.Equal(t, []string{"a", "b", "c"}, got)
	got[0] = "changed"
	assert.Equal(t, "a", n.List()[0], "List is a copy")
}

func TestNotes_concurrentAddsAllArrive(t *testing.T) {
	var n Notes
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { n.Add("x") })
	}
	wg.Wait()
	assert.Len(t, n.List(), 20)
}

func TestNames_eachOnceSorted(t *testing.T) {
	var n Names
	assert.Empty(t, n.Sorted())
	assert.True(t, n.Add("b"))
	assert.True(t, n.Add("a"))
	assert.False(t, n.Add("b"), "a name seen before is not new")
	assert.Equal(t, []string{"a", "b"}, n.Sorted())
}
