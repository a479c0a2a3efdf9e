package harness

import (
	"io"
	"net/http"
	"net/url"

	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// maxDrainedRedirectBody bounds what is read of a redirect's own body so
// its connection can be reused.
const maxDrainedRedirectBody = 64 << 10

// roundTrip sends hreq on the run's Transport and, with -follow-redirects
// (the default), follows redirects as a browser does: at most
// outbound.MaxRedirects hops; 301, 302 and 303 as a GET without body (HEAD
// stays HEAD), 307 and 308 with the method and body; cookies of each hop
// kept in the user's jar and sent where they belong. On a hop to another
// origin no credential follows: sensitive headers (Authorization, Cookie,
// API keys) are dropped, and a 307 or 308 that would resend a body (a
// login's password) is not followed, its answer is the result. Every hop's
// destination passes the outbound guard. The caller records the request
// under its own route template, with the latency of all hops.
func (vu *VU) roundTrip(hreq *http.Request) (*http.Response, error) {
	r := vu.env
	resp, err := r.transport.RoundTrip(hreq)
	if err != nil || !r.cfg.FollowRedirects {
		return resp, err
	}
	for hops := 0; isRedirect(resp.StatusCode) && hops < outbound.MaxRedirects; hops++ {
		if resp.Request != nil && len(resp.Header["Set-Cookie"]) > 0 {
			// Before the next hop is built, so it carries them.
			vu.cookies().SetCookies(resp.Request.URL, resp.Cookies())
		}
		next, err := vu.nextHop(resp)
		if err != nil {
			closeDrained(resp)
			return nil, err
		}
		if next == nil {
			break // not to be followed: the 3xx is the answer (its cookies are kept by the caller)
		}
		closeDrained(resp)
		if resp, err = r.transport.RoundTrip(next); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// nextHop returns the request that follows the redirect resp, nil when it
// is not to be followed, or an error when the guard refuses its
// destination.
func (vu *VU) nextHop(resp *http.Response) (*http.Request, error) {
	prev := resp.Request
	loc := resp.Header.Get("Location")
	if loc == "" || prev == nil {
		return nil, nil
	}
	u, err := prev.URL.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, nil
	}
	if err := outbound.CheckURL(u, vu.env.cfg.AllowRemote); err != nil {
		return nil, &url.Error{Op: "redirect", URL: redact.ParsedURL(u), Err: err}
	}
	hop, ok := outbound.NextHop(resp.StatusCode, prev, u, vu.jar != nil)
	if !ok {
		return nil, nil
	}
	next := (&http.Request{
		Method: hop.Method, URL: u, Host: u.Host, Header: hop.Header,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}).WithContext(prev.Context())
	if hop.KeepBody {
		body, err := prev.GetBody()
		if err != nil {
			return nil, nil
		}
		next.Body, next.GetBody, next.ContentLength = body, prev.GetBody, prev.ContentLength
	}
	if vu.jar != nil {
		for _, c := range vu.jar.Cookies(u) {
			next.AddCookie(c)
		}
	}
	return next, nil
}

// closeDrained reads a little of a body, so its connection can be reused,
// and closes it.
func closeDrained(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainedRedirectBody))
	resp.Body.Close()
}
