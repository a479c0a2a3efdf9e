package arrivals

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/config"
)

type Stage = config.Stage

func TestPlan_followsTheStages(t *testing.T) {
	// 0→10/s over 10s (50 arrivals), 10/s for 10s (100), 10→0 over 10s (50).
	a := Plan{start: 0, stages: []Stage{{Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 0}}}
	count := func(from, to time.Duration) int {
		n := 0
		for i := int64(0); ; i++ {
			at, ok := a.Next(i)
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
		at, ok := a.Next(i)
		if !ok {
			break
		}
		require.GreaterOrEqual(t, at, prev, "arrivals are ordered")
		prev = at
	}

	steady := Plan{steady: 4}
	at, ok := steady.Next(8)
	require.True(t, ok)
	assert.Equal(t, 2*time.Second, at)
}

// countArrivals counts the arrivals a plan schedules by walking it.
func countArrivals(a Plan) int64 {
	var n int64
	for {
		if _, ok := a.Next(n); !ok {
			return n
		}
		n++
	}
}

func TestPlan_Total_isExactlyRateTimesDuration(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		stages   []Stage
		duration time.Duration
		want     int64
	}{
		{"100/s for 20s", 100, nil, 20 * time.Second, 2000},
		{"3000/s for 5s", 3000, nil, 5 * time.Second, 15000},
		{"7/s for 1.5s", 7, nil, 1500 * time.Millisecond, 11}, // 10.5: arrivals at 0 … 10/7 s
		{"stages 0→10→10→0", 0, []Stage{{Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 0}}, 0, 200},
		{"stages cut by -duration", 0, []Stage{{Duration: 10 * time.Second, Target: 10}}, 5 * time.Second, 13}, // 0→5/s over 5s: 12.5
		{"flat stage", 40, []Stage{{Duration: 3 * time.Second, Target: 40}}, 0, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(tt.rate, tt.stages, tt.duration)
			assert.Equal(t, tt.want, countArrivals(a), "arrivals walked")
			total, ok := a.Total()
			require.True(t, ok)
			assert.Equal(t, tt.want, total, "arrivals counted")
		})
	}
	_, ok := New(5, nil, 0).Total()
	assert.False(t, ok, "a steady rate without -duration has no end")
}

// The seed corpus below runs as an ordinary test; `go test -fuzz=FuzzPlan`
// explores from it. The parsers' fuzz tests are package config's.

func FuzzPlan(f *testing.F) {
	for _, s := range []string{
		"30s:10,1m:50,30s:0", "1s:0", "10m:1000000", " 5s : 2.5 , 1h:0 ", "1ns:1e-300",
		"2562047h47m16.854775807s:1000000", "2562047h:0,2562047h:0,1s:5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := config.ParseStages(s)
		if err != nil {
			return
		}
		// The schedule a plan makes never runs backwards (a bounded look).
		plan := Plan{stages: st}
		var prev time.Duration
		for n := range int64(64) {
			at, ok := plan.Next(n)
			if !ok {
				break
			}
			require.GreaterOrEqual(t, at, prev, "arrival %d", n)
			prev = at
		}
	})
}
