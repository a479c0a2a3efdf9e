package harness

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/trafficsim/trafficsim/harness/internal/traceparent"
)

// build turns a Request into an http.Request with the user's headers, as a
// copy of base (an empty request bound to the exchange's context). It fills
// the request's fields itself rather than calling http.NewRequest, which
// would parse back the URL just formatted, and sets headers by their
// canonical keys from shared value slices instead of canonicalising and
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
	setPath(u, r.target, req.path)
	if req.Query != nil {
		u.RawQuery = req.Query.Encode()
	}
	o.req = *base
	hreq := &o.req
	hreq.Method = req.Method
	hreq.URL = u
	hreq.Host = u.Host
	hreq.Proto, hreq.ProtoMajor, hreq.ProtoMinor = "HTTP/1.1", 1, 1
	h := make(http.Header, requestHeaderHint)
	hreq.Header = h
	if vu.env.cfg.Headers != HeadersMinimal {
		h["User-Agent"] = userAgentValues[vu.ua]
		h["Accept"] = acceptValue
		h["Accept-Language"] = languageValues[int(vu.ua)%len(languageValues)]
	}
	if body != nil {
		setBody(hreq, body)
		h["Content-Type"] = contentTypeValue
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

// setPath sets u's path to the target's path followed by the request's
// path, whose parameters fillRoute has already escaped: the escaped form
// goes on the wire as it is, not escaped a second time.
func setPath(u, target *url.URL, path string) {
	u.Path, u.RawPath = target.Path+path, ""
	if strings.IndexByte(path, '%') < 0 && target.RawPath == "" {
		return
	}
	raw := target.EscapedPath() + path
	if p, err := url.PathUnescape(raw); err == nil {
		u.Path, u.RawPath = p, raw
	}
}

// setBody sets a request body as http.NewRequest does for a bytes.Reader:
// its length, a GetBody for redirects and retries, NoBody when empty.
func setBody(hreq *http.Request, body []byte) {
	hreq.ContentLength = int64(len(body))
	if len(body) == 0 {
		hreq.Body, hreq.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		return
	}
	hreq.Body = io.NopCloser(bytes.NewReader(body))
	hreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// traceparent adds a W3C traceparent header and returns its trace id.
func (vu *VU) traceparent(h http.Header) (string, bool) {
	hi, lo, span := vu.Rand.Uint64(), vu.Rand.Uint64(), vu.Rand.Uint64()
	sampled := vu.Rand.Float64() < vu.env.cfg.TraceSample
	s := traceparent.Format(hi, lo, span, sampled)
	h["Traceparent"] = []string{s}
	return s[3:35], sampled
}

// Header values every request carries, as the []string a Header map holds,
// made once: a request's Header points at these shared slices instead of
// allocating and canonicalising its own (the Transport only reads them).
// They are never written after initialisation.
var (
	acceptValue      = []string{"application/json, text/plain;q=0.9, */*;q=0.8"}
	contentTypeValue = []string{"application/json"}
	userAgentValues  = valuesOf(userAgents[:])
	languageValues   = valuesOf(acceptLanguages[:])
)

// valuesOf makes a one-element value slice for each string.
func valuesOf(ss []string) [][]string {
	out := make([][]string, len(ss))
	for i, s := range ss {
		out[i] = []string{s}
	}
	return out
}

// requestHeaderHint is the size a request's Header map is made with: the
// user agent, Accept, Accept-Language and traceparent, plus a content type,
// a token and a cookie.
const requestHeaderHint = 8

// userAgents are real browsers' User-Agent strings; each user keeps one.
var userAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

var acceptLanguages = [...]string{"en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.6", "fr-FR,fr;q=0.9,en;q=0.5", "es-ES,es;q=0.9", "ja-JP,ja;q=0.9,en;q=0.4"}
