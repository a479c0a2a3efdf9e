package stop

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

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

func TestAwait(t *testing.T) {
	for _, tc := range []struct {
		name    string
		endsAt  time.Duration // when done closes; after the cut when cutEnds
		cutEnds bool
		want    bool
		wantCut bool
	}{
		{"ends within the grace", 500 * time.Millisecond, false, true, false},
		{"ends once cut", 0, true, true, true},
		{"ends in the straggle", 1500 * time.Millisecond, false, true, true},
		{"never ends", time.Hour, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				done := make(chan struct{})
				var once sync.Once
				end := func() { once.Do(func() { close(done) }) }
				cut := false
				if !tc.cutEnds {
					timer := time.AfterFunc(tc.endsAt, end)
					defer timer.Stop()
				}
				start := time.Now()
				got := Await(done, time.Second, 2*time.Second, func() {
					cut = true
					if tc.cutEnds {
						end()
					}
				})
				assert.Equal(t, tc.want, got)
				assert.Equal(t, tc.wantCut, cut, "the cut comes only after the grace")
				if !tc.want {
					assert.Equal(t, 3*time.Second, time.Since(start), "grace then straggle, no more")
				}
			})
		})
	}
}
