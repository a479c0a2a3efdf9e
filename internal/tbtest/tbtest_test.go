package tbtest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRecorder(t *testing.T) {
	r := New(t).HoldCleanups()
	var wg sync.WaitGroup
	reached := false
	wg.Go(func() {
		r.Errorf("first %d", 1)
		r.Fatal("second")
		reached = true
	})
	wg.Wait()
	assert.False(t, reached, "Fatal ends the goroutine")
	ran := 0
	r.Cleanup(func() { ran++; r.Error("from a cleanup") })
	assert.Zero(t, ran, "held until Finish")
	assert.Equal(t, []string{"first 1", "second", "from a cleanup"}, r.Finish())
	assert.Equal(t, 1, ran)
	assert.True(t, r.Failed())
	assert.False(t, t.Failed(), "the wrapped test is not failed")
}
