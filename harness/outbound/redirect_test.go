package outbound

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextHop(t *testing.T) {
	const origin = "http://127.0.0.1:8080/login"
	withBody := func(resendable bool) func(*http.Request) {
		return func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"password":"p"}`))
			if resendable {
				r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(`{"password":"p"}`)), nil }
			}
		}
	}
	credentials := http.Header{
		"Authorization": {"Bearer t"}, "Cookie": {"sid=1"}, "X-Api-Key": {"k"},
		"Content-Type": {"application/json"}, "Accept": {"application/json"}, "X-Request-Id": {"r"},
	}
	tests := []struct {
		name    string
		status  int
		method  string
		body    func(*http.Request) // nil: no body
		to      string
		jar     bool
		follow  bool
		want    string // the hop's method
		keep    bool   // the body is sent again
		headers []string
	}{
		{"301 of a POST is a GET without its body", http.StatusMovedPermanently, http.MethodPost, withBody(true), "/home", false, true,
			http.MethodGet, false, []string{"Accept", "Authorization", "Cookie", "X-Api-Key", "X-Request-Id"}},
		{"302 of a HEAD stays HEAD", http.StatusFound, http.MethodHead, nil, "/other", false, true,
			http.MethodHead, false, []string{"Accept", "Authorization", "Cookie", "X-Api-Key", "X-Request-Id"}},
		{"303 of a PUT is a GET", http.StatusSeeOther, http.MethodPut, withBody(true), "/done", false, true,
			http.MethodGet, false, []string{"Accept", "Authorization", "Cookie", "X-Api-Key", "X-Request-Id"}},
		{"307 keeps the method and the body", http.StatusTemporaryRedirect, http.MethodPost, withBody(true), "/login2", false, true,
			http.MethodPost, true, []string{"Accept", "Authorization", "Content-Type", "Cookie", "X-Api-Key", "X-Request-Id"}},
		{"308 without a body keeps the method", http.StatusPermanentRedirect, http.MethodDelete, nil, "/v2/x", false, true,
			http.MethodDelete, false, []string{"Accept", "Authorization", "Cookie", "X-Api-Key", "X-Request-Id"}},
		{"307 of a body that cannot be sent again is not followed", http.StatusTemporaryRedirect, http.MethodPost, withBody(false), "/login2", false, false,
			"", false, nil},
		{"308 of a body to another origin is not followed", http.StatusPermanentRedirect, http.MethodPost, withBody(true), "http://localhost:8080/login", false, false,
			"", false, nil},
		{"307 of a body to another port is not followed", http.StatusTemporaryRedirect, http.MethodPost, withBody(true), "http://127.0.0.1:9090/login", false, false,
			"", false, nil},
		{"to another origin no credential follows", http.StatusFound, http.MethodGet, nil, "http://localhost:8080/x", false, true,
			http.MethodGet, false, []string{"Accept", "X-Request-Id"}},
		{"to https on the same host is another origin", http.StatusMovedPermanently, http.MethodGet, nil, "https://127.0.0.1:8080/x", false, true,
			http.MethodGet, false, []string{"Accept", "X-Request-Id"}},
		{"307 without a body to another origin, without credentials", http.StatusTemporaryRedirect, http.MethodGet, nil, "http://localhost:9/x", false, true,
			http.MethodGet, false, []string{"Accept", "X-Request-Id"}},
		{"with a jar the Cookie header is the jar's to set", http.StatusFound, http.MethodGet, nil, "/x", true, true,
			http.MethodGet, false, []string{"Accept", "Authorization", "X-Api-Key", "X-Request-Id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev, err := http.NewRequest(tt.method, origin, nil)
			require.NoError(t, err)
			prev.Header = credentials.Clone()
			if tt.body != nil {
				tt.body(prev)
			}
			to, err := prev.URL.Parse(tt.to)
			require.NoError(t, err)
			hop, ok := NextHop(tt.status, prev, to, tt.jar)
			require.Equal(t, tt.follow, ok, "followed")
			if !ok {
				return
			}
			assert.Equal(t, tt.want, hop.Method)
			assert.Equal(t, tt.keep, hop.KeepBody)
			var names []string
			for k := range hop.Header {
				names = append(names, k)
			}
			assert.ElementsMatch(t, tt.headers, names)
			hop.Header.Set("Accept", "changed")
			assert.Equal(t, "application/json", prev.Header.Get("Accept"), "the hop's header set is its own")
		})
	}
}

func TestNextHop_defaultPort(t *testing.T) {
	prev, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
	require.NoError(t, err)
	prev.Header.Set("Authorization", "Bearer t")
	hop, ok := NextHop(http.StatusFound, prev, &url.URL{Scheme: "http", Host: "127.0.0.1:80", Path: "/y"}, false)
	require.True(t, ok)
	assert.Equal(t, "Bearer t", hop.Header.Get("Authorization"), "127.0.0.1 and 127.0.0.1:80 are one origin over http")
}
