package cleanup

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/config"
)

func TestScope_Finished(t *testing.T) {
	even := func(i int) bool { return i%2 == 0 }
	quarter := config.Shard{Index: 1, Count: 4}
	for _, tc := range []struct {
		name  string
		scope Scope
		index int
		want  bool
	}{
		{"final: every user of the whole population", Scope{Final: true}, 7, true},
		{"final: a user of this shard", Scope{Final: true, Shard: quarter}, 5, true},
		{"final: another shard's user is never this shard's", Scope{Final: true, Shard: quarter}, 6, false},
		{"periodic, nobody asked: every user of the shard", Scope{Shard: quarter}, 5, true},
		{"periodic: a finished user", Scope{}.WithFinished(even), 4, true},
		{"periodic: an active user is kept", Scope{}.WithFinished(even), 3, false},
		{"periodic: another shard's finished user", Scope{Shard: quarter}.WithFinished(even), 2, false},
		{"final ignores who has finished", Scope{Final: true}.WithFinished(even), 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.scope.Finished(tc.index))
		})
	}
}

func TestScope_NewRequestAppliesAuthUnderTheTarget(t *testing.T) {
	scope := Scope{Target: "http://svc.test/api/", Auth: config.TokenAuth("Token")}
	req, err := scope.NewRequest(context.Background(), http.MethodDelete, "/runs/r1", strings.NewReader("{}"), "t0k")
	require.NoError(t, err)
	assert.Equal(t, "http://svc.test/api/runs/r1", req.URL.String())
	assert.Equal(t, "Token t0k", req.Header.Get("Authorization"))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))

	req, err = scope.NewRequest(context.Background(), http.MethodGet, "/runs", nil, "t0k")
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get("Content-Type"), "no body, no content type")

	_, err = scope.NewRequest(context.Background(), "BAD METHOD", "/x", nil, "")
	assert.ErrorContains(t, err, "cleanup: build BAD METHOD /x")
}

func TestScope_DoJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo":
			_, _ = w.Write(body)
		case "/gone":
			w.WriteHeader(http.StatusNotFound)
		case "/garbled":
			_, _ = w.Write([]byte("not json"))
		}
	}))
	t.Cleanup(srv.Close)
	scope := Scope{Target: srv.URL, Client: srv.Client()}
	ctx := context.Background()

	var out map[string]string
	require.NoError(t, scope.DoJSON(ctx, http.MethodPost, "/echo", map[string]string{"run": "r1"}, "", &out))
	assert.Equal(t, map[string]string{"run": "r1"}, out)
	assert.NoError(t, scope.DoJSON(ctx, http.MethodPost, "/echo", nil, "", nil), "nil out: the body is discarded")

	assert.EqualError(t, scope.DoJSON(ctx, http.MethodDelete, "/gone", nil, "", nil), "cleanup: DELETE /gone: status 404")
	assert.ErrorContains(t, scope.DoJSON(ctx, http.MethodGet, "/garbled", nil, "", &out), "cleanup: decode GET /garbled")
	assert.ErrorContains(t, scope.DoJSON(ctx, http.MethodPost, "/echo", func() {}, "", nil), "cleanup: encode body of POST /echo")
	assert.EqualError(t, Scope{Target: srv.URL}.DoJSON(ctx, http.MethodGet, "/echo", nil, "", nil),
		"cleanup: GET /echo: the scope has no client")
}
