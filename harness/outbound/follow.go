package outbound

import (
	"io"
	"net/http"
	"net/url"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// maxDrainedRedirectBody bounds what is read of a redirect's own body so
// its connection can be reused.
const maxDrainedRedirectBody = 64 << 10

// Follow sends req on rt and follows the redirects of its answers as a
// browser does: at most MaxRedirects hops (the answer after the last one
// is the result, whatever its status); 301, 302 and 303 as a GET without
// body (HEAD stays HEAD), 307 and 308 with the method and body; cookies
// of each hop kept in the user's jar and sent where they belong. On a hop
// to another origin no credential follows (NextHop): sensitive headers are
// dropped, and a 307 or 308 that would resend a body (a login's password)
// is not followed, its answer is the result. Every hop's destination
// passes CheckURL, and the dial check of rt sees the address dialled; a
// refused hop is a *url.Error of Op "redirect" around the RemoteError.
//
// It exists beside CheckRedirect because the harness's users do not go
// through an http.Client: their requests are built without one, on the
// run's shared Transport, so this loop is theirs. jar is the user's
// cookies: jar(false) is the jar, nil while the user has none, and
// jar(true) the jar, created on first use, so a user no answer set a
// cookie costs no jar. Follow does not keep the cookies of the answer it returns:
// the caller does, where it reads the answer.
func Follow(rt http.RoundTripper, req *http.Request, jar func(create bool) http.CookieJar, allowRemote bool) (*http.Response, error) {
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	for hops := 0; isRedirect(resp.StatusCode) && hops < MaxRedirects; hops++ {
		if resp.Request != nil && len(resp.Header["Set-Cookie"]) > 0 {
			// Before the next hop is built, so it carries them.
			jar(true).SetCookies(resp.Request.URL, resp.Cookies())
		}
		next, err := nextRequest(resp, jar(false), allowRemote)
		if err != nil {
			closeDrained(resp)
			return nil, err
		}
		if next == nil {
			break // not to be followed: the 3xx is the answer
		}
		closeDrained(resp)
		if resp, err = rt.RoundTrip(next); err != nil {
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

// nextRequest returns the request that follows the redirect resp, nil
// when it is not to be followed (no Location, not http or https, or
// NextHop says no), or an error when the guard refuses its destination.
// jar is the user's jar, nil when it has none.
func nextRequest(resp *http.Response, jar http.CookieJar, allowRemote bool) (*http.Request, error) {
	prev := resp.Request
	loc := resp.Header.Get("Location")
	if loc == "" || prev == nil {
		return nil, nil
	}
	u, err := prev.URL.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, nil
	}
	if err := CheckURL(u, allowRemote); err != nil {
		return nil, &url.Error{Op: "redirect", URL: redact.ParsedURL(u), Err: err}
	}
	hop, ok := NextHop(resp.StatusCode, prev, u, jar != nil)
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
	if jar != nil {
		for _, c := range jar.Cookies(u) {
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
