package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDoubling(t *testing.T) {
	tests := []struct {
		steps int
		want  time.Duration
	}{
		{-1, 100 * time.Millisecond},
		{0, 100 * time.Millisecond},
		{1, 200 * time.Millisecond},
		{3, 800 * time.Millisecond},
		{4, time.Second},
		{1000, time.Second}, // no overflow
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Doubling(100*time.Millisecond, time.Second, tt.steps), "steps %d", tt.steps)
	}
}
