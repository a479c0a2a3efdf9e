package harness

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/trafficsim/trafficsim/harness/internal/traceparent"
	"github.com/trafficsim/trafficsim/harness/internal/wire"
)

// build turns a Request into an http.Request with the user's headers, as a
// copy of base (an empty request bound to the exchange's context). It fills
// the request's fields itself rather than calling http.NewRequest, which
// would parse back the URL just formatted, and sets headers by their
// canonical keys from shared value slices (package wire: the path, the
// body and the browser's headers) instead of canonicalising and
// allocating each one.
func (vu *VU) build(req *Request, base *http.Request) (*http.Request, error) {
	r := vu.env
	body, err := req.body()
	if err != nil {
		return nil, err
	}
	o := new(outgoing) // the request and its URL in one allocation
	o.url = *r.target
	u := &o.url
	u.Host = strings.TrimSuffix(u.Host, ":") // as http.NewRequest: an empty port is no port
	wire.SetPath(u, r.target, req.path)
	if req.Query != nil {
		u.RawQuery = req.Query.Encode()
	}
	o.req = *base
	hreq := &o.req
	hreq.Method = req.Method
	hreq.URL = u
	hreq.Host = u.Host
	hreq.Proto, hreq.ProtoMajor, hreq.ProtoMinor = "HTTP/1.1", 1, 1
	h := make(http.Header, wire.HeaderHint)
	hreq.Header = h
	if vu.env.cfg.Headers != HeadersMinimal {
		wire.SetBrowser(h, int(vu.ua))
	}
	if body != nil {
		wire.SetBody(hreq, body)
	}
	if !req.anonymous {
		vu.auth().Apply(hreq, vu.Token)
	}
	for k, vs := range req.Header {
		h[k] = vs
	}
	if vu.jar != nil {
		for _, c := range vu.jar.Cookies(u) {
			hreq.AddCookie(c)
		}
	}
	return hreq, nil
}

// outgoing is a request with its URL, allocated together.
type outgoing struct {
	req http.Request
	url url.URL
}

// traceparent adds a W3C traceparent header and returns its trace id.
func (vu *VU) traceparent(h http.Header) (string, bool) {
	hi, lo, span := vu.Rand.Uint64(), vu.Rand.Uint64(), vu.Rand.Uint64()
	sampled := vu.Rand.Float64() < vu.env.cfg.TraceSample
	s := traceparent.Format(hi, lo, span, sampled)
	h["Traceparent"] = []string{s}
	return s[3:35], sampled
}

// auth is the user's auth: its archetype's, else the run's.
func (vu *VU) auth() *Auth {
	if p := vu.env.plan; p != nil && vu.arch < len(p.archetypes) && p.archetypes[vu.arch].auth != nil {
		return p.archetypes[vu.arch].auth
	}
	return &vu.env.cfg.Auth
}
