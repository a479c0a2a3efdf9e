package wire

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetPath(t *testing.T) {
	tests := []struct {
		name, target, path string
		wantPath, wantURI  string
	}{
		{"under the target's path", "http://h/base", "/api/items", "/base/api/items", "/base/api/items"},
		{"escaped parameters go on the wire once", "http://h", "/users/a%20b%2Fc", "/users/a b/c", "/users/a%20b%2Fc"},
		{"an escaped target path keeps its escapes", "http://h/a%2Fb", "/users/7", "/a/b/users/7", "/a%2Fb/users/7"},
		{"a malformed escape is left as a plain path", "http://h", "/x%zz", "/x%zz", "/x%25zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := url.Parse(tt.target)
			require.NoError(t, err)
			u := *target
			SetPath(&u, target, tt.path)
			assert.Equal(t, tt.wantPath, u.Path)
			assert.Equal(t, tt.wantURI, u.RequestURI())
		})
	}
}

func TestSetBody(t *testing.T) {
	for _, body := range []string{`{"n":1}`, ""} {
		hreq := &http.Request{Header: http.Header{}}
		SetBody(hreq, []byte(body))
		assert.EqualValues(t, len(body), hreq.ContentLength)
		assert.Equal(t, []string{ContentType}, hreq.Header["Content-Type"])
		if body == "" {
			assert.Equal(t, http.NoBody, hreq.Body, "as http.NewRequest does")
		}
		for range 2 { // the body, then GetBody's copy for a redirect or a retry
			got, err := io.ReadAll(hreq.Body)
			require.NoError(t, err)
			assert.Equal(t, body, string(got))
			hreq.Body, err = hreq.GetBody()
			require.NoError(t, err)
		}
	}
}

func TestSetBrowser(t *testing.T) {
	for ua := range UserAgents {
		h := make(http.Header, HeaderHint)
		SetBrowser(h, ua)
		assert.Equal(t, UserAgents[ua], h.Get("User-Agent"))
		assert.Equal(t, Accept, h.Get("Accept"))
		assert.Equal(t, AcceptLanguages[ua%len(AcceptLanguages)], h.Get("Accept-Language"))
		for k := range h {
			assert.Equal(t, http.CanonicalHeaderKey(k), k, "keys are canonical")
		}
	}
	h := make(http.Header, HeaderHint)
	assert.Zero(t, testing.AllocsPerRun(100, func() { SetBrowser(h, 2) }), "the values are shared")
}

func TestEncode(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"none", nil, ""},
		{"bytes as they are", []byte(`{"a":1}`), `{"a":1}`},
		{"raw JSON as it is", json.RawMessage(`[1,2]`), `[1,2]`},
		{"a string as it is", "name=x", "name=x"},
		{"a value as JSON", map[string]int{"n": 2}, `{"n":2}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encode(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
	_, err := Encode(func() {})
	assert.Error(t, err, "a value JSON cannot hold")
}
