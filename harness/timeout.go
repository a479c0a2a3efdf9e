package harness

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// errRequestTimeout is the cause a request's context is cancelled with when
// -timeout passes. It wraps context.DeadlineExceeded, so classify names the
// failure a timeout, as it did when each request had its own
// context.WithTimeout; a cancel of the run's request context keeps the
// cause context.Canceled and reads as interrupted.
var errRequestTimeout = fmt.Errorf("request exceeded -timeout: %w", context.DeadlineExceeded)

// deadline is the request timeout of one goroutine that makes exchanges (a
// pool worker, or a user that never thinks). context.WithTimeout per
// request costs a context, a runtime timer and a child registration on the
// run's context every time (about 0.7 µs); a deadline makes one cancelable
// context and one timer and re-arms the timer per request. The context is
// replaced only after the timer fired or the parent was cancelled. A
// deadline serves one request at a time; it is not safe for concurrent use.
type deadline struct {
	timeout time.Duration
	parent  context.Context
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timer   *time.Timer   // cancels ctx with errRequestTimeout; nil until the first start
	base    *http.Request // an empty request bound to ctx, copied by build
}

// newDeadline returns a deadline that gives each request timeout.
func newDeadline(timeout time.Duration) *deadline { return &deadline{timeout: timeout} }

// request returns an empty request bound to the deadline's live context,
// derived from parent, for build to copy. It makes a new context when the
// last one is done.
func (d *deadline) request(parent context.Context) *http.Request {
	if d.ctx == nil || d.parent != parent || d.ctx.Err() != nil {
		d.renew(parent)
	}
	return d.base
}

func (d *deadline) renew(parent context.Context) {
	if d.timer != nil {
		d.timer.Stop()
	}
	if d.cancel != nil {
		d.cancel(context.Canceled) // detach the old context from its parent
	}
	ctx, cancel := context.WithCancelCause(parent)
	d.parent, d.ctx, d.cancel = parent, ctx, cancel
	d.timer = nil // the old timer, stopped or fired, belongs to the old context
	d.base = (&http.Request{}).WithContext(ctx)
}

// start arms the timeout of the request made from the last request() call.
func (d *deadline) start() {
	if d.timer == nil {
		cancel := d.cancel
		d.timer = time.AfterFunc(d.timeout, func() { cancel(errRequestTimeout) })
		return
	}
	d.timer.Reset(d.timeout)
}

// stop ends the request's timeout, once its body has been read.
func (d *deadline) stop() {
	if d.timer != nil && !d.timer.Stop() {
		// The timer fired, or is firing now: its context is (or is about to
		// be) cancelled. Cancel it here so the next request gets a new one.
		d.cancel(errRequestTimeout)
	}
}

// timedOut reports whether the request was cut off by its timeout (rather
// than by a cancel of the run's request context).
func (d *deadline) timedOut() bool {
	return d.ctx != nil && context.Cause(d.ctx) == errRequestTimeout
}

// close stops the timer and releases the context; the deadline may be used
// again afterwards.
func (d *deadline) close() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if d.cancel != nil {
		d.cancel(context.Canceled)
	}
	d.ctx, d.cancel, d.parent, d.base = nil, nil, nil, nil
}
