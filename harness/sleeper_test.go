package harness

import (
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sleepingUser is a user that can only be woken.
func sleepingUser() *VU { return &VU{done: make(chan *Response, 1)} }

// woken reports whether vu has been woken, taking the wake.
func woken(vu *VU) bool {
	select {
	case <-vu.done:
		return true
	default:
		return false
	}
}

func TestSleeper(t *testing.T) {
	tests := []struct {
		name   string
		pauses []time.Duration // asked for in this order, all at once
	}{
		{"one", []time.Duration{time.Second}},
		{"in order", []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
		{"a shorter pause asked for later", []time.Duration{5 * time.Second, time.Second, 3 * time.Second}},
		{"at the same time", []time.Duration{time.Second, time.Second, time.Second}},
		{"zero", []time.Duration{0, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newSleeper()
				s.start()
				defer s.close()
				users := make([]*VU, len(tt.pauses))
				for i, d := range tt.pauses {
					users[i] = sleepingUser()
					s.sleep(users[i], d)
				}
				order := slices.Clone(tt.pauses)
				slices.Sort(order)
				var elapsed time.Duration
				for _, at := range slices.Compact(order) {
					if at > elapsed {
						time.Sleep(at - elapsed - time.Nanosecond)
						synctest.Wait()
						for i, d := range tt.pauses {
							if d >= at {
								assert.False(t, woken(users[i]), "pause %d (%s) not over before %s", i, d, at)
							}
						}
						time.Sleep(time.Nanosecond)
						elapsed = at
					}
					synctest.Wait()
					for i, d := range tt.pauses {
						if d == at {
							assert.True(t, woken(users[i]), "pause %d (%s) over at %s", i, d, at)
						}
					}
				}
			})
		})
	}
}

func TestSleeper_close(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSleeper()
		s.start()
		s.start() // once
		vu := sleepingUser()
		s.sleep(vu, time.Second)
		s.close()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.False(t, woken(vu), "a closed sleeper wakes no one")
	})
}

func TestSleepHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h sleepHeap
	var want []time.Duration
	for range 5000 {
		d := time.Duration(rng.IntN(1000))
		h.push(sleep{at: d, vu: &VU{}})
		want = append(want, d)
	}
	slices.Sort(want)
	got := make([]time.Duration, 0, len(want))
	for len(h) > 0 {
		e := h.pop()
		require.NotNil(t, e.vu)
		got = append(got, e.at)
		h.trim()
	}
	assert.Equal(t, want, got, "popped in order of time")
	assert.LessOrEqual(t, cap(h), 1024, "trimmed once empty")
}
