package harness

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArrivals_followThePlan(t *testing.T) {
	// 0→10/s over 10s (50 arrivals), 10/s for 10s (100), 10→0 over 10s (50).
	a := arrivals{start: 0, stages: []Stage{{Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 0}}}
	count := func(from, to time.Duration) int {
		n := 0
		for i := int64(0); ; i++ {
			at, ok := a.next(i)
			if !ok {
				return n
			}
			if at >= from && at < to {
				n++
			}
		}
	}
	assert.InDelta(t, 50, count(0, 10*time.Second), 1)
	assert.InDelta(t, 100, count(10*time.Second, 20*time.Second), 1)
	assert.InDelta(t, 50, count(20*time.Second, 30*time.Second), 1)
	var prev time.Duration
	for i := int64(0); ; i++ {
		at, ok := a.next(i)
		if !ok {
			break
		}
		require.GreaterOrEqual(t, at, prev, "arrivals are ordered")
		prev = at
	}

	steady := arrivals{steady: 4}
	at, ok := steady.next(8)
	require.True(t, ok)
	assert.Equal(t, 2*time.Second, at)
}

func TestRedactJSON(t *testing.T) {
	in := `{"email":"a@b.test","password":"hunter22","nested":{"access_token":"abc","list":[{"refresh_token":"r"}]},"name":"A"}`
	out := RedactJSON([]byte(in))
	for _, secret := range []string{"hunter22", `"abc"`, `"r"`} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "a@b.test")
	assert.Equal(t, 3, strings.Count(out, Redacted))
	assert.Equal(t, "<9 bytes, not JSON>", RedactJSON([]byte("pw=secret")))
}
