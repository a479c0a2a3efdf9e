// Package deadline gives the requests of one goroutine their timeout
// (-timeout) without a context and a timer per request. It is a package of
// its own because its one job, re-arming a timer and replacing a context
// only when it ended, is subtle enough to be read and tested alone; the
// engine only asks it for a request to copy, starts and stops it.
//
//	d := deadline.New(timeout)
//	defer d.Close()
//	for job := range jobs {
//		req := *d.Request(parent) // a copy, bound to d's live context
//		req.Method, req.URL, req.Header = job.method, job.url, job.header
//		d.Start()
//		resp, err := transport.RoundTrip(&req) // and read the body
//		d.Stop()
//		if err != nil && d.TimedOut() { /* a timeout, not a cancel */ }
//	}
package deadline

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// ErrTimeout is the cause a request's context is cancelled with when
// -timeout passes. It wraps context.DeadlineExceeded, so kind.Of names the
// failure a timeout, as it did when each request had its own
// context.WithTimeout; a cancel of the run's request context keeps the
// cause context.Canceled and reads as interrupted.
var ErrTimeout = fmt.Errorf("request exceeded -timeout: %w", context.DeadlineExceeded)

// Deadline is the request timeout of one goroutine that makes exchanges (a
// pool worker, or a user that never thinks). context.WithTimeout per
// request costs a context, a runtime timer and a child registration on the
// run's context every time (about 0.7 µs); a deadline makes one cancelable
// context and one timer and re-arms the timer per request. The context is
// replaced only after the timer fired or the parent was cancelled. A
// Deadline serves one request at a time; it is not safe for concurrent use.
type Deadline struct {
	timeout time.Duration
	parent  context.Context
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timer   *time.Timer   // cancels ctx with ErrTimeout; nil until the first start
	base    *http.Request // an empty request bound to ctx, for the caller to copy
}

// New returns a Deadline that gives each request timeout.
func New(timeout time.Duration) *Deadline { return &Deadline{timeout: timeout} }

// Request returns an empty request bound to the deadline's live context,
// derived from parent, for the caller to copy (never to send). It makes a
// new context when the last one is done.
func (d *Deadline) Request(parent context.Context) *http.Request {
	if d.ctx == nil || d.parent != parent || d.ctx.Err() != nil {
		d.renew(parent)
	}
	return d.base
}

func (d *Deadline) renew(parent context.Context) {
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

// CancelFunc returns the cancel of the live context (the one of the last
// Request), for a caller that ends the request for a cause of its own.
func (d *Deadline) CancelFunc() context.CancelCauseFunc { return d.cancel }

// Start arms the timeout of the request made from the last Request call.
func (d *Deadline) Start() {
	if d.timer == nil {
		cancel := d.cancel
		d.timer = time.AfterFunc(d.timeout, func() { cancel(ErrTimeout) })
		return
	}
	d.timer.Reset(d.timeout)
}

// Stop ends the request's timeout, once its body has been read.
func (d *Deadline) Stop() {
	if d.timer != nil && !d.timer.Stop() {
		// The timer fired, or is firing now: its context is (or is about to
		// be) cancelled. Cancel it here so the next request gets a new one.
		d.cancel(ErrTimeout)
	}
}

// Cause is the cause the live context was cancelled with: nil while it is
// live (or before the first Request), ErrTimeout after a timeout, or the
// cause given to CancelFunc's function or to the parent's cancel.
func (d *Deadline) Cause() error {
	if d.ctx == nil {
		return nil
	}
	return context.Cause(d.ctx)
}

// TimedOut reports whether the request was cut off by its timeout (rather
// than by a cancel of the run's request context).
func (d *Deadline) TimedOut() bool {
	return d.ctx != nil && context.Cause(d.ctx) == ErrTimeout
}

// Close stops the timer and releases the context; the deadline may be used
// again afterwards.
func (d *Deadline) Close() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if d.cancel != nil {
		d.cancel(context.Canceled)
	}
	d.ctx, d.cancel, d.parent, d.base = nil, nil, nil, nil
}
