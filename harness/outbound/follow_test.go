package outbound

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hopServer is a RoundTripper that answers from a table of paths: a
// redirect where routes names one, 200 elsewhere. It records every request
// sent with its body, and every answer's body closed.
type hopServer struct {
	routes map[string]hopRoute // by host and path: "127.0.0.1:8080/old"
	sent   []sentRequest
	open   int // answers whose body was not closed
}

type hopRoute struct {
	status   int
	location string
	cookie   string // a Set-Cookie of the answer
}

type sentRequest struct {
	method, url, body string
	header            http.Header
}

type countedBody struct {
	io.Reader
	s *hopServer
}

func (b countedBody) Close() error { b.s.open--; return nil }

func (s *hopServer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	s.sent = append(s.sent, sentRequest{req.Method, req.URL.String(), string(body), req.Header})
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req}
	if rt, ok := s.routes[req.URL.Host+req.URL.Path]; ok {
		resp.StatusCode = rt.status
		if rt.location != "" {
			resp.Header.Set("Location", rt.location)
		}
		if rt.cookie != "" {
			resp.Header.Add("Set-Cookie", rt.cookie)
		}
	}
	s.open++
	resp.Body = countedBody{strings.NewReader("answer"), s}
	return resp, nil
}

// userJar is a user's lazily made jar, counting when it was made.
type userJar struct {
	jar  http.CookieJar
	made int
}

func (u *userJar) get(create bool) http.CookieJar {
	if u.jar == nil && create {
		u.jar, _ = cookiejar.New(nil)
		u.made++
	}
	return u.jar
}

func TestFollow(t *testing.T) {
	const origin = "http://127.0.0.1:8080"
	chain := map[string]hopRoute{}
	for i := range MaxRedirects + 1 {
		chain["127.0.0.1:8080/loop/"+strconv.Itoa(i)] = hopRoute{status: http.StatusFound, location: "/loop/" + strconv.Itoa(i+1)}
	}
	tests := []struct {
		name        string
		routes      map[string]hopRoute
		method      string
		path        string
		body        string
		header      http.Header
		allowRemote bool
		status      int      // of the answer
		sent        []string // method and URL of each request sent
		check       func(t *testing.T, sent []sentRequest, jar *userJar)
		refused     bool // a *url.Error around a RemoteError
	}{
		{
			name:   "no redirect: one request, no jar",
			method: http.MethodGet, path: "/x", status: http.StatusOK,
			sent: []string{"GET " + origin + "/x"},
			check: func(t *testing.T, _ []sentRequest, jar *userJar) {
				assert.Zero(t, jar.made, "no cookie was set: no jar")
			},
		},
		{
			name:   "301 followed with the hop's cookie",
			routes: map[string]hopRoute{"127.0.0.1:8080/old": {http.StatusMovedPermanently, "/new", "hop=1; Path=/new"}},
			method: http.MethodGet, path: "/old", status: http.StatusOK,
			sent: []string{"GET " + origin + "/old", "GET " + origin + "/new"},
			check: func(t *testing.T, sent []sentRequest, jar *userJar) {
				assert.Equal(t, 1, jar.made)
				assert.Equal(t, "hop=1", sent[1].header.Get("Cookie"), "the jar's cookie goes with the next hop")
			},
		},
		{
			name:   "303 of a POST is a GET without its body",
			routes: map[string]hopRoute{"127.0.0.1:8080/form": {status: http.StatusSeeOther, location: "/done"}},
			method: http.MethodPost, path: "/form", body: `{"q":1}`, header: http.Header{"Content-Type": {"application/json"}},
			status: http.StatusOK, sent: []string{"POST " + origin + "/form", "GET " + origin + "/done"},
			check: func(t *testing.T, sent []sentRequest, _ *userJar) {
				assert.Empty(t, sent[1].body)
				assert.Empty(t, sent[1].header.Get("Content-Type"))
			},
		},
		{
			name:   "307 keeps the method and the body",
			routes: map[string]hopRoute{"127.0.0.1:8080/users": {status: http.StatusTemporaryRedirect, location: "/users/"}},
			method: http.MethodPost, path: "/users", body: `{"name":"ada"}`,
			status: http.StatusOK, sent: []string{"POST " + origin + "/users", "POST " + origin + "/users/"},
			check: func(t *testing.T, sent []sentRequest, _ *userJar) {
				assert.Equal(t, `{"name":"ada"}`, sent[1].body)
			},
		},
		{
			name:   "to another origin no credential follows",
			routes: map[string]hopRoute{"127.0.0.1:8080/away": {status: http.StatusFound, location: "http://127.0.0.1:9090/landing"}},
			method: http.MethodGet, path: "/away",
			header: http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"sid=s3cret"}, "X-Api-Key": {"s3cret"}, "Accept": {"*/*"}},
			status: http.StatusOK, sent: []string{"GET " + origin + "/away", "GET http://127.0.0.1:9090/landing"},
			check: func(t *testing.T, sent []sentRequest, _ *userJar) {
				for _, h := range []string{"Authorization", "Cookie", "X-Api-Key"} {
					assert.Empty(t, sent[1].header.Get(h), h)
				}
				assert.Equal(t, "*/*", sent[1].header.Get("Accept"))
			},
		},
		{
			name:   "a Cookie header of the request stays on its origin while there is no jar",
			routes: map[string]hopRoute{"127.0.0.1:8080/a": {status: http.StatusFound, location: "/b"}},
			method: http.MethodGet, path: "/a", header: http.Header{"Cookie": {"sid=1"}},
			status: http.StatusOK, sent: []string{"GET " + origin + "/a", "GET " + origin + "/b"},
			check: func(t *testing.T, sent []sentRequest, jar *userJar) {
				assert.Equal(t, "sid=1", sent[1].header.Get("Cookie"))
				assert.Zero(t, jar.made)
			},
		},
		{
			name:   "307 of a password to another origin is not followed: the 307 is the answer",
			routes: map[string]hopRoute{"127.0.0.1:8080/login": {status: http.StatusTemporaryRedirect, location: "http://localhost:8080/login"}},
			method: http.MethodPost, path: "/login", body: `{"password":"pw-s3cret"}`,
			status: http.StatusTemporaryRedirect, sent: []string{"POST " + origin + "/login"},
		},
		{
			name:   "a 3xx without Location is the answer",
			routes: map[string]hopRoute{"127.0.0.1:8080/x": {status: http.StatusFound}},
			method: http.MethodGet, path: "/x", status: http.StatusFound, sent: []string{"GET " + origin + "/x"},
		},
		{
			name:   "a Location that is not http or https is not followed",
			routes: map[string]hopRoute{"127.0.0.1:8080/x": {status: http.StatusFound, location: "ftp://127.0.0.1/x"}},
			method: http.MethodGet, path: "/x", status: http.StatusFound, sent: []string{"GET " + origin + "/x"},
		},
		{
			name:   "a redirect to an address that is not loopback is refused",
			routes: map[string]hopRoute{"127.0.0.1:8080/x": {status: http.StatusFound, location: "http://192.0.2.1:8081/"}},
			method: http.MethodGet, path: "/x", refused: true, sent: []string{"GET " + origin + "/x"},
		},
		{
			name:   "with allowRemote it is followed",
			routes: map[string]hopRoute{"127.0.0.1:8080/x": {status: http.StatusFound, location: "http://192.0.2.1:8081/"}},
			method: http.MethodGet, path: "/x", allowRemote: true,
			status: http.StatusOK, sent: []string{"GET " + origin + "/x", "GET http://192.0.2.1:8081/"},
		},
		{
			name:   "at most MaxRedirects hops: the answer after the last is the result",
			routes: chain, method: http.MethodGet, path: "/loop/0", status: http.StatusFound,
			check: func(t *testing.T, sent []sentRequest, _ *userJar) {
				assert.Len(t, sent, MaxRedirects+1)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &hopServer{routes: tt.routes}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, origin+tt.path, body)
			require.NoError(t, err)
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			jar := &userJar{}
			resp, err := Follow(srv, req, jar.get, tt.allowRemote)
			if tt.refused {
				var ue *url.Error
				require.True(t, errors.As(err, &ue), "%v", err)
				assert.Equal(t, "redirect", ue.Op)
				var re *RemoteError
				require.True(t, errors.As(err, &re), "%v", err)
				assert.Equal(t, "192.0.2.1:8081", re.Addr)
				assert.Zero(t, srv.open, "the refused redirect's body is closed")
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.status, resp.StatusCode)
				assert.Equal(t, 1, srv.open, "every body but the answer's is closed")
			}
			if tt.sent != nil {
				var got []string
				for _, s := range srv.sent {
					got = append(got, s.method+" "+s.url)
				}
				assert.Equal(t, tt.sent, got)
			}
			if tt.check != nil {
				tt.check(t, srv.sent, jar)
			}
		})
	}
}

func TestFollow_transportError(t *testing.T) {
	boom := errors.New("connection refused")
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/x", nil)
	require.NoError(t, err)
	_, err = Follow(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }), req, (&userJar{}).get, false)
	assert.ErrorIs(t, err, boom)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
