package cleanup

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/config"
)

// TestRunner_PassHandsTheScopeOnAFreshContext: every func gets the run's
// scope with Final set, on a context that outlives a cancelled run and has
// the pass's deadline; a failure is recorded and warned, redacted.
func TestRunner_PassHandsTheScopeOnAFreshContext(t *testing.T) {
	var logBuf bytes.Buffer
	var got []Scope
	var deadlines []time.Duration
	record := func(ctx context.Context, scope Scope) error {
		require.NoError(t, ctx.Err(), "the run's cancellation does not reach the cleanup")
		d, ok := ctx.Deadline()
		require.True(t, ok)
		deadlines = append(deadlines, time.Until(d))
		got = append(got, scope)
		return nil
	}
	fail := func(context.Context, Scope) error {
		return errors.New("DELETE http://admin:hunter22@127.0.0.1/runs/r1: refused")
	}
	var log Log
	r := &Runner{
		Funcs: []Func{record, fail}, Log: &log, Logger: slog.New(slog.NewTextHandler(&logBuf, nil)),
		Scope:    Scope{RunID: "r1", Shard: config.Shard{Index: 0, Count: 2}, Target: "http://svc.test"},
		Finished: func(i int) bool { return i < 4 }, Deadline: time.Minute,
	}
	parent, cancel := context.WithCancel(context.Background())
	cancel()
	r.Pass(parent, false)
	r.Pass(parent, true)

	require.Len(t, got, 2)
	assert.False(t, got[0].Final)
	assert.True(t, got[1].Final)
	assert.Equal(t, "r1", got[0].RunID)
	assert.Equal(t, "http://svc.test", got[0].Target)
	assert.True(t, got[0].Finished(2), "a finished user of this shard")
	assert.False(t, got[0].Finished(6), "an active one is kept")
	assert.False(t, got[0].Finished(1), "another shard's user")
	assert.True(t, got[1].Finished(6), "every user of the shard has ended at the final cleanup")
	for _, d := range deadlines {
		assert.InDelta(t, time.Minute.Seconds(), d.Seconds(), 5, "the pass's own deadline")
	}

	assert.Equal(t, []string{
		"cleanup failed: periodic cleanup: DELETE http://xxxxx@127.0.0.1/runs/r1: refused",
		"cleanup failed: final cleanup: DELETE http://xxxxx@127.0.0.1/runs/r1: refused",
	}, log.Notes())
	assert.Contains(t, logBuf.String(), "cleanup=periodic")
	assert.Contains(t, logBuf.String(), "cleanup=final")
	assert.NotContains(t, logBuf.String(), "hunter22")
}

func TestRunner_StartIsOffWithoutAnIntervalOrFuncs(t *testing.T) {
	noop := func(context.Context, Scope) error { return nil }
	for name, r := range map[string]*Runner{
		"no interval": {Funcs: []Func{noop}, Log: &Log{}},
		"no funcs":    {Log: &Log{}, Every: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			ended := r.Start(context.Background(), make(chan struct{}))
			select {
			case <-ended:
			default:
				t.Fatal("a cleaner that has nothing to do has ended already")
			}
			assert.Nil(t, r.Log.Verdict(), "and made no pass")
		})
	}
}

func TestRunner_StartPassesEveryIntervalUntilDone(t *testing.T) {
	var mu sync.Mutex
	var passes []bool
	ticked := make(chan struct{}, 16)
	fn := func(_ context.Context, scope Scope) error {
		mu.Lock()
		passes = append(passes, scope.Final)
		mu.Unlock()
		select {
		case ticked <- struct{}{}:
		default:
		}
		return nil
	}
	r := &Runner{Funcs: []Func{fn}, Log: &Log{}, Deadline: time.Second, Every: 5 * time.Millisecond,
		Finished: func(int) bool { return false }}
	done := make(chan struct{})
	ended := r.Start(context.Background(), done)
	for range 2 {
		select {
		case <-ticked:
		case <-time.After(10 * time.Second):
			t.Fatal("no periodic pass")
		}
	}
	close(done)
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the cleaner did not end when done closed")
	}
	mu.Lock()
	defer mu.Unlock()
	assert.GreaterOrEqual(t, len(passes), 2)
	for _, final := range passes {
		assert.False(t, final, "the periodic passes are not the final one")
	}
}
