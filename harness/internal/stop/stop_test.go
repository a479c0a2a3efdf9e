package stop

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStopper_firstMarkCounts(t *testing.T) {
	s := New()
	assert.False(t, s.Stopping())
	select {
	case <-s.Done():
		t.Fatal("done before any mark")
	default:
	}
	assert.True(t, s.Mark("duration reached", false))
	assert.False(t, s.Mark("interrupted by SIGINT", true), "a later stop does not count")
	assert.True(t, s.Stopping())
	<-s.Done()
	reason, partial := s.Why()
	assert.Equal(t, "duration reached", reason)
	assert.False(t, partial)
}

func TestStopper_concurrentMarksHaveOneWinner(t *testing.T) {
	s := New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for range 50 {
		wg.Go(func() {
			if s.Mark("x", true) {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, firsts)
}
