package loadtests

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/promstack"
	"github.com/trafficsim/trafficsim/harness"
)

// leakOnce is a journey step that leaves one goroutine behind per run.
func leakOnce(release <-chan struct{}) harness.Journey {
	var once sync.Once
	return func(ctx context.Context, vu *harness.VU) error {
		once.Do(func() { go waitForRelease(release) })
		_, err := vu.Do(ctx, harness.Get("/health"))
		return err
	}
}

// waitForRelease is the leaked goroutine's function, named in the verdict.
func waitForRelease(release <-chan struct{}) { <-release }

// TestMainJob_withPushgatewayKeepsEveryBudget: Populate with live metrics
// to a real Pushgateway and the budgets of budgets.yaml, goroutine_leaks
// == 0 included, passes: the pusher's keep-alive connections are the run's
// and closed before the leak check. The same run with a journey that
// leaks one goroutine fails that budget, naming the function.
func TestMainJob_withPushgatewayKeepsEveryBudget(t *testing.T) {
	gw := promstack.StartPushgateway(t)
	opts := adminOptions(t)
	base := withTarget(t, smallPopulate(t, ""), opts)
	base.Pushgateway, base.PushInterval = gw.URL(), 300*time.Millisecond
	base.BudgetFile, base.Duration = defaultBudgetFile, 3*time.Second

	t.Run("holds", func(t *testing.T) {
		cfg := base
		cfg.ReportDir = t.TempDir()
		s := populate(t, cfg, opts).MustRun(t.Context()).Summary
		assert.Positive(t, s.Push.Pushes)
		require.NotEmpty(t, s.Budgets)
		for _, b := range s.Budgets {
			assert.True(t, b.Passed, "%s: %s", b.Name, b.Message)
		}
	})
	t.Run("a leaking journey fails it, named", func(t *testing.T) {
		cfg := base
		cfg.ReportDir = t.TempDir()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		ftb := tbtest.New(t)
		sim := populate(ftb, cfg, opts)
		sim.Archetype("leaky", 5, harness.Between(10, 10), leakOnce(release))
		s := sim.MustRun(t.Context()).Summary
		assert.Equal(t, 1, s.Resources.GoroutineLeaks, s.Resources.LeakDescription)
		fails := ftb.Failures()
		require.Len(t, fails, 1, "only the leak budget fails: %q", fails)
		assert.True(t, strings.HasPrefix(fails[0], "budget/goroutine_leaks: 1 goroutine leaked, budget 0; first: 1 × "), fails[0])
		assert.Contains(t, fails[0], "loadtests.waitForRelease")
	})
}
