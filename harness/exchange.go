package harness

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/trafficsim/trafficsim/harness/breaker"
	"github.com/trafficsim/trafficsim/harness/internal/capped"
	"github.com/trafficsim/trafficsim/harness/internal/deadline"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// exchange sends the request and records its outcome; d gives it its
// timeout. It runs on a pool worker, or on the user's goroutine when the
// user never thinks.
func (vu *VU) exchange(req *Request, d *deadline.Deadline) *Response {
	r := vu.env
	e := r.rec.Endpoint(req.Method, req.Route)
	resp := &Response{}
	o := record.Outcome{Arch: vu.arch}

	// From when the user asked: a wait in line for a worker, when
	// -max-in-flight requests are in flight, is part of the latency.
	start := vu.asked
	if vu.intended != nil {
		// Open model: the session's first request is timed from when it
		// should have started, so a late start shows as latency instead of
		// hiding (coordinated omission).
		start = *vu.intended
		vu.intended = nil
	}
	brk, adm := r.breakers.Admit(req.Method, req.Route)
	if adm == breaker.Reject {
		// The endpoint's circuit is open: nothing is sent, the user's
		// budget is spent all the same and Do returns at once.
		resp.Err, resp.Kind = breaker.ErrOpen, kind.CircuitOpen
		r.rec.Blocked(e)
		if r.cfg.Debug {
			r.log.Debug("request not sent", "vu", vu.Index, "archetype", vu.Archetype, "endpoint", req.Name(), "kind", kind.CircuitOpen)
		}
		return resp
	}
	hreq, err := vu.build(req, d.Request(r.reqCtx))
	if err != nil {
		if brk != nil {
			brk.Release(adm)
		}
		resp.Err, resp.Kind = err, kind.Request
		o.Kind = kind.Request
		r.rec.Observe(e, &o)
		return resp
	}
	o.TraceID, o.Sampled = vu.traceparent(hreq.Header)
	resp.TraceID = o.TraceID

	callCtx := vu.callCtx
	if callCtx != nil {
		cancel := d.CancelFunc()
		stop := context.AfterFunc(callCtx, func() { cancel(errCallerDone) })
		defer stop()
	}
	d.Start()
	hres, err := vu.roundTrip(hreq) // redirects followed: latency covers every hop
	if err == nil {
		resp.Status = hres.StatusCode
		resp.Header = hres.Header
		resp.Body, resp.Bytes, err = capped.Read(hres.Body, hres.ContentLength, r.cfg.MaxBody)
		hres.Body.Close()
		if vu.jar != nil || len(hres.Header["Set-Cookie"]) > 0 {
			at := hreq.URL
			if hres.Request != nil {
				at = hres.Request.URL // where the last hop answered
			}
			vu.cookieJar(true).SetCookies(at, hres.Cookies())
		}
	}
	d.Stop()
	resp.Latency = time.Since(start)
	o.Latency, o.Status, o.Bytes = resp.Latency, resp.Status, resp.Bytes

	switch {
	case err != nil:
		o.Kind = r.failureKind(err, callCtx, d)
	case req.accepts(resp.Status):
		resp.OK = true
		o.Expected = req.injected
	default:
		o.Kind = kind.OfStatus(resp.Status)
	}
	if o.Kind == kind.None && vu.hasChecks(req) {
		if cerr := vu.runChecks(req, resp); cerr != nil {
			resp.OK, o.Expected, o.Kind, err = false, false, kind.Check, cerr
		}
	}
	resp.Err, resp.Kind = err, o.Kind
	r.rec.Observe(e, &o)
	r.breakers.Done(brk, adm, o.Kind, req.Method, req.Route)
	for _, ob := range r.observers {
		ob.Observe(req, resp)
	}
	if r.cfg.Debug {
		vu.debugLog(req, hreq, resp)
	}
	return resp
}

// roundTrip sends hreq on the run's Transport and, with -follow-redirects
// (the default), follows its redirects as a browser does (outbound.Follow:
// every hop guarded, no credential to another origin, the cookies of each
// hop in the user's jar). The caller records the request under its own
// route template, with the latency of all hops.
func (vu *VU) roundTrip(hreq *http.Request) (*http.Response, error) {
	r := vu.env
	if !r.cfg.FollowRedirects {
		return r.transport.RoundTrip(hreq)
	}
	return outbound.Follow(r.transport, hreq, vu.cookieJar, r.cfg.AllowRemote)
}

// failureKind names the kind of a request that ended with err (see
// kind.OfRequest), callCtx being the context the journey passed to Do
// (nil when it passed none) and d the request's deadline. A kind that is
// the generator's machine running out of files, addresses or ports is
// warned once.
func (r *userEnv) failureKind(err error, callCtx context.Context, d *deadline.Deadline) kind.Kind {
	cut := kind.Cut{TimedOut: d.TimedOut(), Stopped: r.reqCtx.Err() != nil}
	if callCtx != nil && d.Cause() == errCallerDone {
		cut.ByCaller, cut.CallerDeadline = true, errors.Is(callCtx.Err(), context.DeadlineExceeded)
	}
	k := kind.OfRequest(err, cut)
	r.exhausted.Note(r.log, k)
	return k
}

// errCallerDone is the cause a request's context is cancelled with when
// the context the journey passed to Do ends.
var errCallerDone = errors.New("the context passed to VU.Do ended")

func (vu *VU) debugLog(req *Request, hreq *http.Request, resp *Response) {
	attrs := []any{
		"vu", vu.Index, "archetype", vu.Archetype, "endpoint", req.Name(),
		"path", hreq.URL.Path, "query", redact.Query(hreq.URL.Query()),
		"status", resp.Status, "latency", resp.Latency, "bytes", resp.Bytes,
		"request_headers", redact.Headers(hreq.Header, vu.auth().SecretHeader()),
	}
	if req.Body != nil {
		raw, _ := req.body()
		attrs = append(attrs, "request_body", redact.JSON(raw))
	}
	if len(resp.Body) > 0 {
		attrs = append(attrs, "response_body", redact.JSON(resp.Body))
	}
	if resp.Kind != "" {
		attrs = append(attrs, "kind", resp.Kind)
	}
	if resp.Err != nil {
		attrs = append(attrs, "err", redact.Error(resp.Err))
	}
	vu.env.log.Debug("request", attrs...)
}
