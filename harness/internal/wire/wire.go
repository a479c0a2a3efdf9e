package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HeaderHint is the size a request's Header map is made with: the user
// agent, Accept, Accept-Language and traceparent, plus a content type, a
// token and a cookie.
const HeaderHint = 8

// Accept is the Accept header of every request with browser headers.
const Accept = "application/json, text/plain;q=0.9, */*;q=0.8"

// ContentType is the Content-Type of a request body, unless the request
// sets its own.
const ContentType = "application/json"

// UserAgents are real browsers' User-Agent strings; each user keeps one.
var UserAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

// AcceptLanguages are the Accept-Language values; user agent i sends
// AcceptLanguages[i%len(AcceptLanguages)].
var AcceptLanguages = [...]string{"en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.6", "fr-FR,fr;q=0.9,en;q=0.5", "es-ES,es;q=0.9", "ja-JP,ja;q=0.9,en;q=0.4"}

// The header values above as the []string a Header map holds, made once:
// a request's Header points at these shared slices instead of allocating
// and canonicalising its own (the Transport only reads them). They are
// never written after initialisation.
var (
	acceptValue      = []string{Accept}
	contentTypeValue = []string{ContentType}
	userAgentValues  = valuesOf(UserAgents[:])
	languageValues   = valuesOf(AcceptLanguages[:])
)

// valuesOf makes a one-element value slice for each string.
func valuesOf(ss []string) [][]string {
	out := make([][]string, len(ss))
	for i, s := range ss {
		out[i] = []string{s}
	}
	return out
}

// SetBrowser sets the headers of a browser in h, by their canonical keys
// and from the shared values, allocating nothing: user agent ua (an index
// of UserAgents), Accept and the user agent's Accept-Language.
func SetBrowser(h http.Header, ua int) {
	h["User-Agent"] = userAgentValues[ua]
	h["Accept"] = acceptValue
	h["Accept-Language"] = languageValues[ua%len(languageValues)]
}

// SetPath sets u's path to the target's path followed by the request's
// path, whose parameters are already escaped: the escaped form goes on
// the wire as it is, not escaped a second time.
func SetPath(u, target *url.URL, path string) {
	u.Path, u.RawPath = target.Path+path, ""
	if strings.IndexByte(path, '%') < 0 && target.RawPath == "" {
		return
	}
	raw := target.EscapedPath() + path
	if p, err := url.PathUnescape(raw); err == nil {
		u.Path, u.RawPath = p, raw
	}
}

// Encode is the bytes a request's body goes as: nil for none, []byte,
// json.RawMessage and string as they are, anything else as its JSON.
func Encode(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case string:
		return []byte(b), nil
	}
	return json.Marshal(body)
}

// SetBody sets a request body as http.NewRequest does for a bytes.Reader
// (its length, a GetBody for redirects and retries, NoBody when empty) and
// its Content-Type, ContentType from the shared value: the harness's
// bodies are JSON unless the request's own headers say otherwise, and
// those are set after.
func SetBody(hreq *http.Request, body []byte) {
	hreq.ContentLength = int64(len(body))
	hreq.Header["Content-Type"] = contentTypeValue
	if len(body) == 0 {
		hreq.Body, hreq.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		return
	}
	hreq.Body = io.NopCloser(bytes.NewReader(body))
	hreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}
