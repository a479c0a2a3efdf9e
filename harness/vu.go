package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"
)

// ErrBudgetSpent is returned by VU.Do once the user has made all its
// requests. A journey returns it (or any error from Do) to end; the harness
// treats it as a normal end.
var ErrBudgetSpent = errors.New("request budget spent")

// errStopped is returned by Do when the run is stopping.
var errStopped = errors.New("run stopping")

// Journey is what a virtual user does. The harness calls it again and again
// while the user has budget left and the run goes on; it returns the error
// from VU.Do to end early. State a journey keeps between calls lives in
// vu.State.
type Journey func(ctx context.Context, vu *VU) error

// VU is one virtual user. Each has its own random source (seeded from the
// run's seed and its index, so a run is reproducible), cookie jar, token and
// request budget. A VU is used by one goroutine only.
type VU struct {
	// Index is the user's index in the whole population, the same in every
	// shard: identities built from it never collide across shards.
	Index     int
	Archetype string
	RunID     string
	Rand      *rand.Rand

	// Token is sent as a bearer token with every request once set.
	Token string
	// State is the journey's own data (credentials, ids seen, ...).
	State any

	sim      *run
	arch     int
	budget   int
	used     int
	think    Think
	ua       uint8
	jar      http.CookieJar
	intended time.Time      // open model: the session's intended start
	names    []string       // when recording sequences (tests)
	pending  *Request       // the request a pool worker is making for the user
	done     chan *Response // the worker's response, or nil to end a pause
	wakeFn   func()         // vu.wake, bound once
}

// Budget is the number of requests the user was given.
func (vu *VU) Budget() int { return vu.budget }

// Remaining is the number of requests the user may still make.
func (vu *VU) Remaining() int { return vu.budget - vu.used }

// Email returns an address unique to this user and run, carrying the run id
// so that cleanup can find exactly what this run created.
func (vu *VU) Email(tag string) string {
	return fmt.Sprintf("ts-%s-%d%s@trafficsim.test", vu.RunID, vu.Index, tag)
}

// Chance reports true with probability p (0–1), from the user's own source.
func (vu *VU) Chance(p float64) bool { return vu.Rand.Float64() < p }

// Bad reports whether the next request should be a deliberately bad one,
// with probability -error-rate.
func (vu *VU) Bad() bool { return vu.Chance(vu.sim.cfg.ErrorRate / 100) }

// Logger returns the run's logger with this user's attributes.
func (vu *VU) Logger() *slog.Logger {
	return vu.sim.log.With("vu", vu.Index, "archetype", vu.Archetype)
}

// RecordLogin counts a login outcome (success, wrong_password, locked,
// error) in trafficsim_login_attempts_total.
func (vu *VU) RecordLogin(outcome string) { vu.sim.rec.login(outcome) }

// Decode decodes a response's JSON body into v; a body that does not decode
// is counted as an unexpected error of kind decode on the request's endpoint.
func (vu *VU) Decode(req *Request, resp *Response, v any) bool {
	if err := resp.JSON(v); err != nil {
		vu.sim.rec.decodeError(vu.sim.rec.endpoint(req.Method, req.Route), vu.arch)
		if vu.sim.cfg.Debug {
			vu.Logger().Debug("decode failed", "endpoint", req.Name(), "err", err)
		}
		return false
	}
	return true
}

// Do makes one request, after the user's think time (none before its first
// request). It returns an error only when the user must stop: its budget is
// spent (ErrBudgetSpent) or the run is stopping. Everything that can go wrong
// with the request itself is in the Response.
func (vu *VU) Do(ctx context.Context, req *Request) (*Response, error) {
	r := vu.sim
	if vu.used >= vu.budget {
		return nil, ErrBudgetSpent
	}
	if r.stopping() || ctx.Err() != nil {
		return nil, errStopped
	}
	if vu.used > 0 {
		if err := vu.pause(ctx); err != nil {
			return nil, err
		}
	}
	vu.used++
	if vu.names != nil {
		vu.names = append(vu.names, req.Name())
	}
	return vu.sim.pool.do(vu, req), nil
}

// pause waits the think time, or until the run stops. It parks on the
// user's own channel, woken by a timer or by the stop (wakeAll), rather than
// in a select: select's frame would push a thinking user's goroutine past
// the 2 KiB minimum stack.
func (vu *VU) pause(ctx context.Context) error {
	d := vu.think.Draw(vu.Rand)
	if d <= 0 {
		return nil
	}
	select { // a wake left over from an earlier pause
	case <-vu.done:
	default:
	}
	if vu.sim.stopping() {
		return errStopped
	}
	t := time.AfterFunc(d, vu.wakeFn)
	<-vu.done
	t.Stop()
	if vu.sim.stopping() || ctx.Err() != nil {
		return errStopped
	}
	return nil
}

// wake ends the user's pause, if it is in one. A wake that finds the user
// waiting for a response is skipped by exchangePool.do.
func (vu *VU) wake() {
	select {
	case vu.done <- nil:
	default:
	}
}

// exchange sends the request and records its outcome.
func (vu *VU) exchange(req *Request) *Response {
	r := vu.sim
	e := r.rec.endpoint(req.Method, req.Route)
	resp := &Response{}
	o := outcome{arch: vu.arch}

	start := time.Now()
	if !vu.intended.IsZero() {
		// Open model: the session's first request is timed from when it
		// should have started, so a late start shows as latency instead of
		// hiding (coordinated omission).
		start = vu.intended
		vu.intended = time.Time{}
	}
	adm := r.admitRequest(e)
	if adm == admitReject {
		// The endpoint's circuit is open: nothing is sent, the user's
		// budget is spent all the same and Do returns at once.
		resp.Err, resp.Kind = errCircuitOpen, KindCircuitOpen
		r.rec.circuitOpen(e, vu.arch)
		if r.cfg.Debug {
			r.log.Debug("request not sent", "vu", vu.Index, "archetype", vu.Archetype, "endpoint", req.Name(), "kind", KindCircuitOpen)
		}
		return resp
	}
	hreq, err := vu.build(req)
	if err != nil {
		e.brk.release(adm)
		resp.Err, resp.Kind = err, KindOther
		o.kind = KindOther
		r.rec.observe(e, &o)
		return resp
	}
	o.traceID, o.sampled = vu.traceparent(hreq)
	resp.TraceID = o.traceID

	ctx, cancel := context.WithTimeout(r.reqCtx, r.cfg.Timeout)
	defer cancel()
	hres, err := r.transport.RoundTrip(hreq.WithContext(ctx))
	if err == nil {
		resp.Status = hres.StatusCode
		resp.Header = hres.Header
		resp.Body, resp.Bytes, err = readCapped(hres.Body, r.cfg.MaxBody)
		hres.Body.Close()
		if vu.jar != nil || len(hres.Header.Values("Set-Cookie")) > 0 {
			vu.cookies().SetCookies(hreq.URL, hres.Cookies())
		}
	}
	resp.Latency = time.Since(start)
	o.latency, o.status, o.bytes = resp.Latency, resp.Status, resp.Bytes

	switch {
	case err != nil && errors.Is(err, errBodyTooLarge):
		o.kind = KindBodyTooLarge
	case err != nil:
		o.kind = classify(err)
		if o.kind == KindTimeout && r.reqCtx.Err() != nil {
			o.kind = KindInterrupted
		}
		if o.kind != KindInterrupted && r.stopping() && r.reqCtx.Err() != nil {
			o.kind = KindInterrupted
		}
	case req.accepts(resp.Status):
		resp.OK = true
		o.expected = req.injected
	default:
		o.kind = statusKind(resp.Status)
	}
	resp.Err, resp.Kind = err, o.kind
	r.rec.observe(e, &o)
	r.recordBreaker(e, adm, o.kind)
	for _, ob := range r.sim.observers {
		ob.Observe(req, resp)
	}
	if r.cfg.Debug {
		vu.debugLog(req, hreq, resp)
	}
	return resp
}

// build turns a Request into an http.Request with the user's headers.
func (vu *VU) build(req *Request) (*http.Request, error) {
	r := vu.sim
	body, err := req.body()
	if err != nil {
		return nil, err
	}
	u := *r.target
	u.Path = r.target.Path + req.path
	if req.Query != nil {
		u.RawQuery = req.Query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequest(req.Method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", req.Name(), err)
	}
	h := hreq.Header
	h.Set("User-Agent", userAgents[vu.ua])
	h.Set("Accept", "application/json, text/plain;q=0.9, */*;q=0.8")
	h.Set("Accept-Language", acceptLanguages[int(vu.ua)%len(acceptLanguages)])
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if vu.Token != "" && !req.anonymous {
		h.Set("Authorization", "Bearer "+vu.Token)
	}
	for k, vs := range req.Header {
		h[k] = vs
	}
	if vu.jar != nil {
		for _, c := range vu.jar.Cookies(hreq.URL) {
			hreq.AddCookie(c)
		}
	}
	return hreq, nil
}

// cookies returns the user's jar, made on first use: most APIs set no
// cookie, and a jar per idle user would be memory for nothing.
func (vu *VU) cookies() http.CookieJar {
	if vu.jar == nil {
		vu.jar, _ = cookiejar.New(nil)
	}
	return vu.jar
}

// traceparent adds a W3C traceparent header and returns its trace id.
func (vu *VU) traceparent(h *http.Request) (string, bool) {
	var b [24]byte
	hi, lo, span := vu.Rand.Uint64(), vu.Rand.Uint64(), vu.Rand.Uint64()
	for i := range 8 {
		b[i], b[8+i], b[16+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i)), byte(span>>(56-8*i))
	}
	const hexdigits = "0123456789abcdef"
	var out [55]byte // 00-<32>-<16>-<2>
	copy(out[:3], "00-")
	for i := range 16 {
		out[3+2*i], out[4+2*i] = hexdigits[b[i]>>4], hexdigits[b[i]&15]
	}
	out[35] = '-'
	for i := range 8 {
		out[36+2*i], out[37+2*i] = hexdigits[b[16+i]>>4], hexdigits[b[16+i]&15]
	}
	sampled := vu.Rand.Float64() < vu.sim.cfg.TraceSample
	copy(out[52:], "-00")
	if sampled {
		out[54] = '1'
	}
	s := string(out[:])
	h.Header.Set("Traceparent", s)
	return s[3:35], sampled
}

var errBodyTooLarge = errors.New("response body larger than -max-body")

// readCapped reads at most limit bytes of body and discards the rest,
// counting every byte; a body over the limit is an error of its own kind.
func readCapped(body io.Reader, limit int64) ([]byte, int64, error) {
	buf, err := io.ReadAll(io.LimitReader(body, limit))
	n := int64(len(buf))
	if err != nil {
		return buf, n, err
	}
	rest, err := io.Copy(io.Discard, body)
	n += rest
	if err != nil {
		return buf, n, err
	}
	if rest > 0 {
		return buf, n, fmt.Errorf("%w: %d bytes", errBodyTooLarge, n)
	}
	return buf, n, nil
}

func (vu *VU) debugLog(req *Request, hreq *http.Request, resp *Response) {
	attrs := []any{
		"vu", vu.Index, "archetype", vu.Archetype, "endpoint", req.Name(),
		"path", hreq.URL.Path, "query", redactQuery(hreq.URL.Query()),
		"status", resp.Status, "latency", resp.Latency, "bytes", resp.Bytes,
		"request_headers", redactHeaders(hreq.Header),
	}
	if req.Body != nil {
		raw, _ := req.body()
		attrs = append(attrs, "request_body", RedactJSON(raw))
	}
	if len(resp.Body) > 0 {
		attrs = append(attrs, "response_body", RedactJSON(resp.Body))
	}
	if resp.Kind != "" {
		attrs = append(attrs, "kind", resp.Kind)
	}
	if resp.Err != nil {
		attrs = append(attrs, "err", redactError(resp.Err))
	}
	vu.sim.log.Debug("request", attrs...)
}

// redactError keeps an error's text but hides URL credentials in it.
func redactError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + redactURL(ue.URL) + ": " + ue.Err.Error()
	}
	return err.Error()
}
