package metrics

import (
	"context"
	"errors"
	"fmt"
	"time"

	backoffpkg "github.com/trafficsim/trafficsim/harness/internal/backoff"
	"github.com/trafficsim/trafficsim/reports"
)

// Start collects stale groups (when GC is set), pushes once and then every
// Interval, all in a goroutine of its own; it returns at once. The loop ends
// when ctx is cancelled or Stop is called. Start after Start or after Stop
// does nothing.
func (p *Pusher) Start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil || p.stopped {
		return
	}
	loopCtx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	p.quit, p.done = make(chan struct{}), make(chan struct{})
	p.log.Info("pushing metrics", "interval", p.cfg.Interval)
	go p.run(loopCtx, p.quit, p.done)
}

// Stop ends the push loop, waits for it, pushes the final values with
// retries, and, when DeleteAfter is set, waits that long and deletes this
// run's group. Every step is bounded by ctx: a gateway that hangs costs at
// most ctx's deadline. Stop is idempotent; later calls return the first
// call's result. The error is redacted and tells what failed; the run's
// figures do not depend on it.
func (p *Pusher) Stop(ctx context.Context) error {
	p.stopOnce.Do(func() { p.stopErr = p.stop(ctx) })
	return p.stopErr
}

// stop does the work of Stop, once.
func (p *Pusher) stop(ctx context.Context) error {
	p.mu.Lock()
	p.stopped = true
	cancel, quit, done := p.cancel, p.quit, p.done
	p.mu.Unlock()
	if cancel != nil {
		// The push in progress, if any, is let finish rather than cut: a
		// push cut after its body was sent may still reach the gateway, and
		// after the final push, so Grafana would keep older figures than
		// the summary's. Only when ctx ends first is it cut.
		close(quit)
		select {
		case <-done:
		case <-ctx.Done():
			cancel()
			<-done
			return fmt.Errorf("stop pusher: wait for push loop: %w", ctx.Err())
		}
		cancel()
	}
	if err := p.pushWithRetries(ctx, nil, true); err != nil {
		return fmt.Errorf("final push: %w", err)
	}
	if p.cfg.DeleteAfter <= 0 {
		return nil
	}
	if err := sleep(ctx, nil, p.cfg.DeleteAfter); err != nil {
		return fmt.Errorf("delete group after final push: group kept: %w", err)
	}
	if err := p.deleteGroup(ctx, p.gateway.grouping); err != nil {
		p.log.Warn("delete pushed group failed", "error", err)
		return fmt.Errorf("delete group after final push: %w", err)
	}
	return nil
}

// Stats returns how pushing has gone so far. It is safe to call at any
// time, also while the loop runs; the last error is redacted.
func (p *Pusher) Stats() reports.PushStats {
	return p.stats.snapshot()
}

// run is the push loop; it ends when ctx ends or quit is closed, after the
// push in progress, and closes done when it returns.
func (p *Pusher) run(ctx context.Context, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	if p.cfg.GC > 0 {
		if err := p.collectGarbage(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("collecting stale groups failed", "error", err)
		}
	}
	_ = p.pushWithRetries(ctx, quit, false) // failures are counted and logged
	ticker := time.NewTicker(p.cfg.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-quit:
			return
		case <-ticker.C:
			_ = p.pushWithRetries(ctx, quit, false)
		}
	}
}

// pushWithRetries pushes, retrying retryable failures with exponential
// backoff. Each failed attempt is counted. When final is false, an attempt
// cut short because ctx ended is not a gateway failure and is not counted:
// the final push follows.
//
// quit, when closed, ends the retries (not the attempt in progress).
func (p *Pusher) pushWithRetries(ctx context.Context, quit <-chan struct{}, final bool) error {
	for attempt := 0; ; attempt++ {
		f := p.pushOnce(ctx)
		if f == nil {
			p.stats.success()
			return nil
		}
		if ctx.Err() != nil && !final {
			return f.err
		}
		p.recordFailure(f)
		if !f.retryable || attempt >= p.cfg.Retries {
			return f.err
		}
		if err := sleep(ctx, quit, backoff(attempt)); err != nil {
			return errors.Join(f.err, err)
		}
	}
}

// recordFailure counts f and logs it when it is the first of its kind.
func (p *Pusher) recordFailure(f *failure) {
	if !p.stats.failure(f.kind, f.err.Error()) {
		return
	}
	if f.status == 400 {
		p.log.Error("pushgateway rejected the metrics with 400; this is a bug in trafficsim, please report it; not retried, further rejections are counted silently",
			"kind", f.kind, "error", f.err)
		return
	}
	p.log.Warn("push to pushgateway failed; further failures of this kind are counted silently",
		"kind", f.kind, "error", f.err)
}

// backoff returns the wait before retry number attempt+1.
func backoff(attempt int) time.Duration {
	return backoffpkg.Doubling(FirstBackoff, MaxBackoff, attempt)
}

// errQuit ends a retry wait when the pusher is stopping.
var errQuit = errors.New("pusher stopping")

// sleep waits for d or until ctx ends or quit is closed (nil: never),
// whichever comes first.
func sleep(ctx context.Context, quit <-chan struct{}, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-quit:
		return errQuit
	}
}
