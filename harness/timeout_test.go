package harness

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// requestContext is the context of the request a deadline hands out next.
func requestContext(tb testing.TB, d *deadline, parent context.Context) context.Context {
	tb.Helper()
	base := d.request(parent)
	require.NotNil(tb, base, "a request template")
	return base.Context()
}

func TestDeadline(t *testing.T) {
	const timeout = 10 * time.Second
	tests := []struct {
		name string
		run  func(t *testing.T, d *deadline, parent context.Context, cancelParent context.CancelFunc)
	}{
		{"requests that end in time share one context", func(t *testing.T, d *deadline, parent context.Context, _ context.CancelFunc) {
			first := requestContext(t, d, parent)
			for range 3 {
				ctx := requestContext(t, d, parent)
				assert.Same(t, first, ctx, "the context is reused")
				d.start()
				time.Sleep(timeout - time.Millisecond)
				synctest.Wait()
				require.NoError(t, ctx.Err(), "not cancelled before the timeout")
				d.stop()
			}
			time.Sleep(2 * timeout)
			synctest.Wait()
			assert.NoError(t, first.Err(), "a stopped timer does not fire between requests")
		}},
		{"a request past the timeout is cancelled as a timeout", func(t *testing.T, d *deadline, parent context.Context, _ context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.start()
			time.Sleep(timeout)
			synctest.Wait()
			require.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.ErrorIs(t, context.Cause(ctx), context.DeadlineExceeded, "the cause wraps DeadlineExceeded")
			assert.Equal(t, kind.Timeout, kind.Of(context.Cause(ctx)))
			assert.True(t, d.timedOut())
			d.stop()

			next := requestContext(t, d, parent)
			assert.NoError(t, next.Err(), "the next request gets a live context")
			assert.NotSame(t, ctx, next)
			d.start()
			time.Sleep(timeout / 2)
			synctest.Wait()
			assert.NoError(t, next.Err(), "and a full timeout of its own")
			d.stop()
		}},
		{"a cancelled parent is an interruption, not a timeout", func(t *testing.T, d *deadline, parent context.Context, cancelParent context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.start()
			cancelParent()
			synctest.Wait()
			require.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.False(t, d.timedOut())
			assert.Equal(t, kind.Interrupted, kind.Of(context.Cause(ctx)))
			d.stop()
			assert.Error(t, requestContext(t, d, parent).Err(), "requests after the cancel are cancelled too")
		}},
		{"a timer firing as the request ends cancels nothing in use", func(t *testing.T, d *deadline, parent context.Context, _ context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.start()
			time.Sleep(timeout)
			d.stop() // the timer has fired, its cancel may still be running
			synctest.Wait()
			assert.Error(t, ctx.Err())
			assert.NoError(t, requestContext(t, d, parent).Err())
		}},
		{"close releases the context", func(t *testing.T, d *deadline, parent context.Context, _ context.CancelFunc) {
			ctx := requestContext(t, d, parent)
			d.start()
			d.stop()
			d.close()
			assert.ErrorIs(t, ctx.Err(), context.Canceled)
			assert.False(t, d.timedOut())
			assert.NoError(t, requestContext(t, d, parent).Err(), "usable again after close")
			d.close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				parent, cancel := context.WithCancel(context.Background())
				defer cancel()
				d := newDeadline(timeout)
				defer d.close()
				tt.run(t, d, parent, cancel)
			})
		})
	}
}
