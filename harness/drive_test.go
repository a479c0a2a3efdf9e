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
