package breaker_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/breaker"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// tripBreaker records threshold failures on a closed breaker and returns the
// last transition.
func tripBreaker(tb testing.TB, b *breaker.Breaker, threshold int) (breaker.Transition, time.Duration) {
	tb.Helper()
	for i := 1; i < threshold; i++ {
		require.Equal(tb, breaker.Pass, b.Admit(), "failure %d: still closed", i)
		tr, _ := b.Record(breaker.Pass, true, threshold)
		require.Equal(tb, breaker.None, tr, "failure %d of %d", i, threshold)
	}
	require.Equal(tb, breaker.Pass, b.Admit())
	return b.Record(breaker.Pass, true, threshold)
}

func TestBreaker_stateMachine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const threshold = 3
		var b breaker.Breaker

		// Failures that are not consecutive do not open it.
		for range 5 {
			b.Record(breaker.Pass, true, threshold)
			b.Record(breaker.Pass, true, threshold)
			tr, _ := b.Record(breaker.Pass, false, threshold)
			require.Equal(t, breaker.None, tr)
		}
		require.Equal(t, breaker.Pass, b.Admit())

		tr, d := tripBreaker(t, &b, threshold)
		require.Equal(t, breaker.Tripped, tr)
		require.Equal(t, breaker.Cooldown, d)

		// Each failed probe doubles the cooldown, up to the cap.
		want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
			8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
		for i, cool := range want {
			assert.Equal(t, breaker.Reject, b.Admit(), "open %d: at once", i+1)
			time.Sleep(cool - time.Nanosecond)
			assert.Equal(t, breaker.Reject, b.Admit(), "open %d: just before the cooldown ends", i+1)
			time.Sleep(time.Nanosecond)
			require.Equal(t, breaker.Probe, b.Admit(), "open %d: one probe after %s", i+1, cool)
			assert.Equal(t, breaker.Reject, b.Admit(), "open %d: only one probe", i+1)
			if i == len(want)-1 {
				break
			}
			tr, d := b.Record(breaker.Probe, true, threshold)
			require.Equal(t, breaker.Reopened, tr)
			require.Equal(t, want[i+1], d, "cooldown after failed probe %d", i+1)
		}

		// The probe succeeds: closed, the cooldown and the count start over.
		tr, _ = b.Record(breaker.Probe, false, threshold)
		require.Equal(t, breaker.Recovered, tr)
		assert.Equal(t, breaker.Pass, b.Admit())
		tr, d = tripBreaker(t, &b, threshold)
		assert.Equal(t, breaker.Tripped, tr)
		assert.Equal(t, breaker.Cooldown, d, "a new outage starts from the first cooldown")
	})
}

func TestBreaker_oneProbeAmongManyUsers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b breaker.Breaker
		tripBreaker(t, &b, 1)
		time.Sleep(breaker.Cooldown)
		var probes, rejects atomic.Int64
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				switch b.Admit() {
				case breaker.Probe:
					probes.Add(1)
				case breaker.Reject:
					rejects.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, probes.Load())
		assert.EqualValues(t, 63, rejects.Load())
	})
}

func TestBreaker_releasedProbeLetsTheNextRequestProbe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b breaker.Breaker
		tripBreaker(t, &b, 2)
		time.Sleep(breaker.Cooldown)
		require.Equal(t, breaker.Probe, b.Admit())
		b.Release(breaker.Probe)
		require.Equal(t, breaker.Probe, b.Admit(), "no verdict: the next request probes at once")
		b.Release(breaker.Pass) // not a probe: nothing happens
		assert.Equal(t, breaker.Reject, b.Admit(), "the second probe is still out")
	})
}

func TestBreaker_lateOutcomesDoNotMoveAnOpenCircuit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b breaker.Breaker
		tripBreaker(t, &b, 2)
		// Requests sent before it opened come back while it is open.
		for _, failed := range []bool{true, true, false, true} {
			tr, _ := b.Record(breaker.Pass, failed, 2)
			assert.Equal(t, breaker.None, tr)
		}
		tr, _ := b.Record(breaker.Reject, true, 2)
		assert.Equal(t, breaker.None, tr, "a rejected request was never sent")
		time.Sleep(breaker.Cooldown - time.Millisecond)
		assert.Equal(t, breaker.Reject, b.Admit(), "the cooldown was not extended or cut short")
		time.Sleep(time.Millisecond)
		assert.Equal(t, breaker.Probe, b.Admit())
	})
}

func TestFailure(t *testing.T) {
	tests := []struct {
		kind kind.Kind
		want bool
	}{
		{kind.Timeout, true}, {kind.Refused, true}, {kind.Reset, true}, {kind.DNS, true}, {kind.TLS, true},
		{kind.HTTP5xx, true}, {"", false}, {kind.HTTP4xx, false}, {kind.Decode, false},
		{kind.BodyTooLarge, false}, {kind.Other, false}, {kind.CircuitOpen, false},
	}
	for _, tt := range tests {
		t.Run("kind "+string(tt.kind), func(t *testing.T) { assert.Equal(t, tt.want, breaker.Failure(tt.kind)) })
	}
}

func TestSet_For(t *testing.T) {
	var s breaker.Set
	a := s.For("GET", "/x")
	assert.Same(t, a, s.For("GET", "/x"), "one breaker per endpoint")
	assert.NotSame(t, a, s.For("POST", "/x"))
	assert.NotSame(t, a, s.For("GET", "/y"))
	var wg sync.WaitGroup
	got := make([]*breaker.Breaker, 32)
	for i := range got {
		wg.Go(func() { got[i] = s.For("GET", "/z") })
	}
	wg.Wait()
	for _, b := range got {
		assert.Same(t, got[0], b, "concurrent first sights agree")
	}
	assert.Same(t, a, s.For("GET", "/x"), "additions keep the earlier breakers")
}

func BenchmarkSet_For(b *testing.B) {
	var s breaker.Set
	for _, r := range []string{"/a", "/b", "/c", "/d"} {
		s.For("GET", r)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = s.For("GET", "/c").Admit()
		}
	})
}
