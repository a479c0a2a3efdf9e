package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"

	"github.com/prometheus/client_golang/prometheus/push"
)

// PushFailure is why a push to the Pushgateway failed: the keys of the
// summary's push.by_kind. It is not a request's kind.Kind: a push is the
// harness's own traffic, judged by whether trying again can help, and it
// never counts in the run's errors.
type PushFailure string

// The reasons a push fails.
const (
	PushTimeout PushFailure = "timeout"
	PushRefused PushFailure = "refused"
	PushHTTP4xx PushFailure = "http_4xx"
	PushHTTP5xx PushFailure = "http_5xx"
	PushOther   PushFailure = "other"
)

// failure is one failed push attempt, classified.
type failure struct {
	kind      PushFailure
	status    int // HTTP status, 0 when no response arrived
	retryable bool
	err       error // redacted
}

// pushOnce makes one push attempt bounded by the configured Timeout. It
// returns nil on success.
func (p *Pusher) pushOnce(ctx context.Context) *failure {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	doer := &recordingDoer{client: p.gateway.client}
	err := p.gateway.pusher(p.gateway.grouping, doer).Gatherer(p.gather).PushContext(ctx)
	if err == nil {
		return nil
	}
	return p.gateway.classify(err, doer)
}

// pusher returns a push.Pusher for one group of this gateway's job that
// sends through doer.
func (gw *gateway) pusher(grouping map[string]string, doer push.HTTPDoer) *push.Pusher {
	pu := push.New(gw.base, gw.job).Client(doer)
	for name, value := range grouping {
		pu = pu.Grouping(name, value)
	}
	if gw.auth {
		pu = pu.BasicAuth(gw.user, gw.pass)
	}
	return pu
}

// classify turns a push error into a failure: its kind, and whether trying
// again can help.
func (gw *gateway) classify(err error, doer *recordingDoer) *failure {
	f := &failure{status: doer.status, err: gw.redactErr(err)}
	switch {
	case !doer.called:
		// Gathering or encoding failed before any request: the same
		// metrics would fail again.
		f.kind = PushOther
	case doer.status >= 500:
		f.kind, f.retryable = PushHTTP5xx, true
	case doer.status >= 400:
		f.kind = PushHTTP4xx
		f.retryable = doer.status == http.StatusRequestTimeout || doer.status == http.StatusTooManyRequests
	case doer.status != 0:
		f.kind = PushOther // an unexpected 1xx/2xx/3xx
	case isTimeout(err):
		f.kind, f.retryable = PushTimeout, true
	case errors.Is(err, syscall.ECONNREFUSED):
		f.kind, f.retryable = PushRefused, true
	default:
		f.kind, f.retryable = PushOther, true // reset, DNS, TLS...: maybe transient
	}
	return f
}

// isTimeout reports whether err is a deadline or network timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}

// recordingDoer sends requests with an http.Client and remembers whether it
// was called and the response status, which the push package only reports
// as text. When ctx is set it replaces the request's context, which bounds
// push.Pusher.Delete (it has no context variant). It serves one operation
// on one goroutine.
type recordingDoer struct {
	client *http.Client
	ctx    context.Context
	called bool
	status int
}

// Do sends req.
func (d *recordingDoer) Do(req *http.Request) (*http.Response, error) {
	d.called = true
	if d.ctx != nil {
		req = req.WithContext(d.ctx)
	}
	resp, err := d.client.Do(req)
	if resp != nil {
		d.status = resp.StatusCode
	}
	return resp, err
}
