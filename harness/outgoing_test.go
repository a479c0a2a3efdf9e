package harness

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/internal/mix"
	"github.com/trafficsim/trafficsim/harness/internal/wire"
)

// buildingUser is a user of a run against target, enough to build requests.
func buildingUser(tb testing.TB, target string) *VU {
	tb.Helper()
	u, err := url.Parse(target)
	require.NoError(tb, err)
	return &VU{env: &userEnv{cfg: DefaultConfig(), target: u}, Rand: mix.Rand(1, 7), ua: 3}
}

type ctxKey struct{}

func TestVU_build(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		req     *Request
		token   string
		wantURI string // on the wire
		wantHdr map[string]string
		noHdr   []string
		body    string
	}{
		{
			name: "GET with the user's headers", target: "http://127.0.0.1:8080", req: Get("/api/items"),
			wantURI: "/api/items",
			wantHdr: map[string]string{"User-Agent": wire.UserAgents[3], "Accept": wire.Accept, "Accept-Language": wire.AcceptLanguages[3]},
			noHdr:   []string{"Content-Type", "Authorization"},
		},
		{
			name: "parameters escaped once, under the target's path", target: "http://127.0.0.1:8080/base",
			req: Get("/api/users/{id}", "a b/c"), wantURI: "/base/api/users/a%20b%2Fc",
		},
		{
			name: "an escaped target path keeps its escapes", target: "http://127.0.0.1:8080/a%2Fb",
			req: Get("/api/users/{id}", 7), wantURI: "/a%2Fb/api/users/7",
		},
		{
			name: "query", target: "http://127.0.0.1:8080", req: Get("/api/items").Param("page", "2").Param("q", "a&b"),
			wantURI: "/api/items?page=2&q=a%26b",
		},
		{
			name: "JSON body with its content type and length", target: "http://127.0.0.1:8080",
			req: Post("/api/users").JSON(map[string]int{"n": 1}), body: `{"n":1}`, wantURI: "/api/users",
			wantHdr: map[string]string{"Content-Type": "application/json"},
		},
		{
			name: "token as a bearer", target: "http://127.0.0.1:8080", req: Get("/api/me"), token: "t0k",
			wantURI: "/api/me", wantHdr: map[string]string{"Authorization": "Bearer t0k"},
		},
		{
			name: "anonymous request without the token", target: "http://127.0.0.1:8080", req: Get("/api/me").Anonymous(), token: "t0k",
			wantURI: "/api/me", noHdr: []string{"Authorization"},
		},
		{
			name: "the request's own headers win", target: "http://127.0.0.1:8080", req: Get("/api/me").SetHeader("accept", "text/csv"),
			wantURI: "/api/me", wantHdr: map[string]string{"Accept": "text/csv"},
		},
		{
			name: "an empty port is no port", target: "http://localhost:", req: Get("/x"), wantURI: "/x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := buildingUser(t, tt.target)
			vu.Token = tt.token
			ctx := context.WithValue(context.Background(), ctxKey{}, tt.name)
			base := (&http.Request{}).WithContext(ctx)
			hreq, err := vu.build(tt.req, base)
			require.NoError(t, err)

			assert.Equal(t, tt.req.Method, hreq.Method)
			assert.Equal(t, tt.wantURI, hreq.URL.RequestURI())
			assert.Equal(t, tt.name, hreq.Context().Value(ctxKey{}), "bound to the exchange's context")
			// The same request made by http.NewRequest from the URL: what the
			// Transport looks at must agree.
			want, err := http.NewRequest(tt.req.Method, hreq.URL.String(), nil)
			require.NoError(t, err)
			assert.Equal(t, want.Host, hreq.Host)
			assert.Equal(t, want.URL.Host, hreq.URL.Host)
			assert.Equal(t, want.URL.RequestURI(), hreq.URL.RequestURI())
			assert.Equal(t, want.Proto, hreq.Proto)
			assert.Equal(t, want.ProtoMajor, hreq.ProtoMajor)
			for k, v := range tt.wantHdr {
				assert.Equal(t, []string{v}, hreq.Header[k], k)
			}
			for _, k := range tt.noHdr {
				assert.NotContains(t, hreq.Header, k)
			}
			for k := range hreq.Header {
				assert.Equal(t, http.CanonicalHeaderKey(k), k, "keys are canonical")
			}
			if tt.body == "" {
				assert.Nil(t, hreq.Body)
				return
			}
			assert.EqualValues(t, len(tt.body), hreq.ContentLength)
			for range 2 { // the body, then GetBody's copy for a retry
				got, err := io.ReadAll(hreq.Body)
				require.NoError(t, err)
				assert.Equal(t, tt.body, string(got))
				hreq.Body, err = hreq.GetBody()
				require.NoError(t, err)
			}
		})
	}
}

func TestVU_build_emptyBody(t *testing.T) {
	vu := buildingUser(t, "http://127.0.0.1:8080")
	hreq, err := vu.build(Post("/x").JSON([]byte{}), &http.Request{})
	require.NoError(t, err)
	assert.Equal(t, http.NoBody, hreq.Body, "as http.NewRequest does")
	assert.Zero(t, hreq.ContentLength)
}

func TestVU_traceparent(t *testing.T) {
	vu := buildingUser(t, "http://127.0.0.1:8080")
	format := regexp.MustCompile(`^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$`)
	seen := map[string]bool{}
	for range 50 {
		h := http.Header{}
		id, sampled := vu.traceparent(h)
		require.Len(t, h["Traceparent"], 1)
		m := format.FindStringSubmatch(h["Traceparent"][0])
		require.NotNil(t, m, "W3C format: %s", h["Traceparent"][0])
		assert.Equal(t, m[1], id, "the returned id is the header's")
		assert.Equal(t, sampled, h["Traceparent"][0][54] == '1')
		assert.False(t, seen[id], "ids differ")
		seen[id] = true
	}
}

func TestVU_build_minimalHeaders(t *testing.T) {
	vu := buildingUser(t, "http://127.0.0.1:8080")
	vu.env.cfg.Headers = HeadersMinimal
	hreq, err := vu.build(Get("/x"), (&http.Request{}).WithContext(context.Background()))
	require.NoError(t, err)
	for _, h := range []string{"User-Agent", "Accept", "Accept-Language"} {
		assert.Empty(t, hreq.Header.Get(h), h)
	}
}
