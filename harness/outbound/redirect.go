package outbound

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// Hop is what the request following a redirect keeps of the request that
// was redirected.
type Hop struct {
	// Method is the next request's method: a 307 or 308 keeps it, any
	// other redirect turns it into GET (HEAD stays HEAD).
	Method string
	// KeepBody is true when the body is sent again (a 307 or 308 of a
	// request with a body): the caller takes a new one from GetBody.
	KeepBody bool
	// Header is a new header set: the redirected request's, without what
	// must not follow (see NextHop).
	Header http.Header
}

// NextHop decides what the request following a redirect keeps, the rule
// of a browser: status is the redirect's (301, 302, 303, 307 or 308), prev
// the request redirected, to the redirect's resolved Location, and jar
// whether the caller keeps cookies in a jar (it then adds the jar's
// cookies for to itself). It reports false when the redirect is not to be
// followed, its answer being the result: a 307 or 308 whose body cannot
// be sent again (no GetBody), or that would send it to another origin (a
// login's password). On a hop to another origin no credential follows:
// every header redact calls sensitive (Authorization, Cookie, API keys) is
// dropped. A Cookie header prev carries stays with its origin, and is
// dropped when jar is true: the jar's cookies replace it. Content-Type is
// dropped with the body. NextHop neither checks the destination (CheckURL)
// nor sends anything.
func NextHop(status int, prev *http.Request, to *url.URL, jar bool) (Hop, bool) {
	hop := Hop{Method: prev.Method}
	switch status {
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		hop.KeepBody = hasBody(prev)
		if hop.KeepBody && prev.GetBody == nil {
			return Hop{}, false // the body cannot be sent again
		}
	default:
		if hop.Method != http.MethodHead {
			hop.Method = http.MethodGet
		}
	}
	cross := !SameOrigin(prev.URL, to)
	if cross && hop.KeepBody {
		return Hop{}, false
	}
	hop.Header = make(http.Header, len(prev.Header))
	for k, vs := range prev.Header {
		switch {
		case k == "Cookie":
			if !cross && !jar {
				hop.Header[k] = vs
			}
		case cross && redact.SensitiveKey(k):
		case !hop.KeepBody && k == "Content-Type":
		default:
			hop.Header[k] = vs
		}
	}
	return hop, true
}

// CheckRedirect is the redirect policy of NewClient's clients: at most
// o.MaxRedirects hops, each destination checked as CheckURL does, and on a
// hop to another origin no credentials — sensitive headers are removed,
// and a 307 or 308 that would send the request's body (a login's password)
// there is not followed: its answer is returned as it is.
func CheckRedirect(o Options) func(req *http.Request, via []*http.Request) error {
	limit := o.MaxRedirects
	if limit == 0 {
		limit = MaxRedirects
	}
	return func(req *http.Request, via []*http.Request) error {
		if limit < 0 {
			return http.ErrUseLastResponse
		}
		if len(via) >= limit {
			return fmt.Errorf("stopped after %d redirects", limit)
		}
		if err := CheckURL(req.URL, o.AllowRemote); err != nil {
			return err
		}
		first := via[0]
		if SameOrigin(first.URL, req.URL) {
			return nil
		}
		if hasBody(req) {
			return http.ErrUseLastResponse
		}
		StripCredentials(req.Header)
		return nil
	}
}

// hasBody reports whether r sends a body: what a hop to another origin
// must not resend, on CheckRedirect's path and on NextHop's alike.
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody
}
