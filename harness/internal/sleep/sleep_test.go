package sleep

import (
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// user is a parked goroutine's stand-in: it can only be woken.
type user struct{ done chan struct{} }

func sleepingUser() *user { return &user{done: make(chan struct{}, 1)} }

// wake is the sleeper's wake function: it never blocks.
func wake(u *user) {
	select {
	case u.done <- struct{}{}:
	default:
	}
}

// woken reports whether u has been woken, taking the wake.
func woken(u *user) bool {
	select {
	case <-u.done:
		return true
	default:
		return false
	}
}

func TestSleeper_Sleep(t *testing.T) {
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
				s := New(wake)
				s.Start()
				defer s.Close()
				users := make([]*user, len(tt.pauses))
				for i, d := range tt.pauses {
					users[i] = sleepingUser()
					s.Sleep(users[i], d)
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

func TestSleeper_Close(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(wake)
		s.Start()
		s.Start() // once
		vu := sleepingUser()
		s.Sleep(vu, time.Second)
		s.Close()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.False(t, woken(vu), "a closed sleeper wakes no one")
	})
}

func TestHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h heap
	var want []time.Duration
	for range 5000 {
		d := time.Duration(rng.IntN(1000))
		h.push(entry{at: d, item: unsafe.Pointer(&user{})})
		want = append(want, d)
	}
	slices.Sort(want)
	got := make([]time.Duration, 0, len(want))
	for len(h) > 0 {
		e := h.pop()
		require.NotNil(t, e.item)
		got = append(got, e.at)
		h.trim()
	}
	assert.Equal(t, want, got, "popped in order of time")
	assert.LessOrEqual(t, cap(h), 1024, "trimmed once empty")
}

// TestSleeper_SleepAllocatesNothing holds the cost of a pause for the
// sleeping goroutine: one send of a two-word entry, no allocation.
func TestSleeper_SleepAllocatesNothing(t *testing.T) {
	s := New(wake) // not started: the pauses stay in the queue
	u := sleepingUser()
	allocs := testing.AllocsPerRun(Queue/2, func() { s.Sleep(u, time.Hour) })
	assert.Zero(t, allocs, "allocations per Sleep")
	assert.Equal(t, 2*unsafe.Sizeof(uintptr(0)), unsafe.Sizeof(entry{}), "a pause of a pointer is two words")
}
