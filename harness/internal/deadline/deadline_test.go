package deadline

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// requestContext is the context of the request a deadline hands out next.
func requestContext(tb testing.TB, d *Deadline, parent context.Context) context.Context {
	tb.Helper()
	base := d.Request(parent)
	require.NotNil(tb, base, "a request template")
	return base.Context()
}

func TestDeadline(t *testing.T) {
	const timeout = 10 * time.Second
	tests := []struct {
		name string
		run  func(t *testing.T, d *Deadline, parent context.Context, cancelParent context.CancelFunc)
	}{
		{"requests that end in time share one context", func(t *testing.T, d *Deadline, parent context.Context, _ context.CancelFunc) {
			first := requestContext(t, d, parent)
			for range 3 {
				ctx := requestContext(t, d, parent)
				assert.Same(t, first, ctx, "the context is reused")
				d.Start()
				time.Sleep(timeout - time.Millisecond)
				synctest.Wait()
				require.NoError(t, ctx.Err(), "not cancelled before the timeout")
				d.Stop()
			}
			time.Sleep(2 * timeout)
			synctest.Wait()
			assert.NoError(t, first.Err(), "a stopped timer does not fire between requests")
		}},
		{"a request past the timeout is cancelled as a timeout", func(t *testing.T, d *Deadline, parent context.Context, _ context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.Start()
			time.Sleep(timeout)
			synctest.Wait()
			require.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.ErrorIs(t, context.Cause(ctx), context.DeadlineExceeded, "the cause wraps DeadlineExceeded")
			assert.Equal(t, kind.Timeout, kind.Of(context.Cause(ctx)))
			assert.True(t, d.TimedOut())
			d.Stop()

			next := requestContext(t, d, parent)
			assert.NoError(t, next.Err(), "the next request gets a live context")
			assert.NotSame(t, ctx, next)
			d.Start()
			time.Sleep(timeout / 2)
			synctest.Wait()
			assert.NoError(t, next.Err(), "and a full timeout of its own")
			d.Stop()
		}},
		{"a cancelled parent is an interruption, not a timeout", func(t *testing.T, d *Deadline, parent context.Context, cancelParent context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.Start()
			cancelParent()
			synctest.Wait()
			require.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.False(t, d.TimedOut())
			assert.Equal(t, kind.Interrupted, kind.Of(context.Cause(ctx)))
			d.Stop()
			assert.Error(t, requestContext(t, d, parent).Err(), "requests after the cancel are cancelled too")
		}},
		{"a timer firing as the request ends cancels nothing in use", func(t *testing.T, d *Deadline, parent context.Context, _ context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.Start()
			time.Sleep(timeout)
			d.Stop() // the timer has fired, its cancel may still be running
			synctest.Wait()
			assert.Error(t, ctx.Err())
			assert.NoError(t, requestContext(t, d, parent).Err())
		}},
		{"a cancel of the caller's keeps its cause", func(t *testing.T, d *Deadline, parent context.Context, _ context.CancelFunc) {
			assert.NoError(t, d.Cause(), "no cause before the first request")
			ctx := requestContext(t, d, parent)
			assert.NoError(t, d.Cause(), "none while the context is live")
			d.Start()
			mine := errors.New("the caller is done")
			d.CancelFunc()(mine)
			require.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.Same(t, mine, d.Cause())
			assert.False(t, d.TimedOut())
			d.Stop()
			assert.NoError(t, requestContext(t, d, parent).Err(), "the next request gets a live context")
		}},
		{"close releases the context", func(t *testing.T, d *Deadline, parent context.Context, _ context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.Start()
			d.Stop()
			d.Close()
			assert.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.False(t, d.TimedOut())
			assert.NoError(t, requestContext(t, d, parent).Err(), "usable again after close")
			d.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				parent, cancel := context.WithCancel(context.Background())
				defer cancel()
				d := New(timeout)
				defer d.Close()
				tt.run(t, d, parent, cancel)
			})
		})
	}
}
