package harness

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/budget"
)

// countArrivals counts the arrivals a plan schedules by walking it.
func countArrivals(a arrivals) int64 {
	var n int64
	for {
		if _, ok := a.next(n); !ok {
			return n
		}
		n++
	}
}

func TestArrivals_scheduleExactlyRateTimesDuration(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want int64
	}{
		{"100/s for 20s", Config{Rate: 100, Duration: 20 * time.Second}, 2000},
		{"3000/s for 5s", Config{Rate: 3000, Duration: 5 * time.Second}, 15000},
		{"7/s for 1.5s", Config{Rate: 7, Duration: 1500 * time.Millisecond}, 11}, // 10.5: arrivals at 0 … 10/7 s
		{"stages 0→10→10→0", Config{Stages: []Stage{{Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 0}}}, 200},
		{"stages cut by -duration", Config{Stages: []Stage{{Duration: 10 * time.Second, Target: 10}}, Duration: 5 * time.Second}, 13}, // 0→5/s over 5s: 12.5
		{"flat stage", Config{Rate: 40, Stages: []Stage{{Duration: 3 * time.Second, Target: 40}}}, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newArrivals(tt.cfg)
			assert.Equal(t, tt.want, countArrivals(a), "arrivals walked")
			total, ok := a.total()
			require.True(t, ok)
			assert.Equal(t, tt.want, total, "arrivals counted")
		})
	}
	_, ok := newArrivals(Config{Rate: 5}).total()
	assert.False(t, ok, "a steady rate without -duration has no end")
}

// TestOpenModel_everyArrivalIsAccountedFor: with -max-vus small and a slow
// target, every scheduled session is started, dropped or not reached, the
// sum is rate × duration exactly, and dropped_rate is dropped / scheduled.
func TestOpenModel_everyArrivalIsAccountedFor(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(40 * time.Millisecond)
		w.Write([]byte("{}"))
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Rate, cfg.Duration, cfg.MaxVUs = 200, time.Second, 3
	cfg.Budgets = []string{"dropped_rate < 100%"}
	sim := New(t, cfg)
	sim.Archetype("visitor", 1, Between(1, 1), (&userLog{}).journey("/page"))
	s := sim.MustRun(context.Background()).Summary
	assert.EqualValues(t, 200, s.Scheduled, "rate × duration")
	assert.EqualValues(t, s.Scheduled, int64(s.Users)+s.Dropped+s.NotReached, "started + dropped + not reached")
	assert.Positive(t, s.Dropped)
	assert.Positive(t, s.Users)
	require.Len(t, s.Budgets, 1)
	assert.Equal(t, float64(s.Dropped)/float64(s.Scheduled)*100, s.Budgets[0].Measured, "dropped / scheduled sessions, exactly")

	b, err := budget.Parse("dropped_rate < 1%")
	require.NoError(t, err)
	v := budget.Evaluate(s, []budget.Budget{b})[0]
	assert.False(t, v.Passed, v.Message)
	assert.Contains(t, v.Message, "scheduled sessions")
}

// TestOpenModel_stoppedEarlyCountsWhatWasNotReached: arrivals due after a
// stop are counted as not reached, not lost.
func TestOpenModel_stoppedEarlyCountsWhatWasNotReached(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Rate, cfg.Duration = 100, 5*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	sim := New(t, cfg)
	sim.Archetype("visitor", 1, Between(1, 1), (&userLog{}).journey("/page"))
	res := sim.MustRun(ctx)
	res.AcceptPartial()
	s := res.Summary
	assert.True(t, s.Partial)
	assert.EqualValues(t, 500, s.Scheduled)
	assert.Greater(t, s.NotReached, int64(300))
	assert.EqualValues(t, 500, int64(s.Users)+s.Dropped+s.NotReached)
}
