package breaker

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCooldown(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want time.Duration
	}{
		{"first", 1, 500 * time.Millisecond},
		{"second", 2, time.Second},
		{"sixth", 6, 16 * time.Second},
		{"capped", 7, MaxCooldown},
		{"far past the cap", math.MaxInt32, MaxCooldown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, cooldown(tt.n)) })
	}
}
