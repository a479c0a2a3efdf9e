package contract

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docServer serves documents by path; anything else is 404.
func docServer(t *testing.T, docs map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(doc))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLoad(t *testing.T) {
	srv := docServer(t, map[string]string{
		"/openapi.yaml": petsDoc,
		"/broken.json":  `{"openapi": "3.0.3", "info": `,
		// A path parameter that is never declared does not validate.
		"/invalid.yaml": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
		"/empty.yaml":   "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n",
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "pets.yaml")
	require.NoError(t, os.WriteFile(file, []byte(petsDoc), 0o600))
	withPassword := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1)

	tests := []struct {
		name    string
		src     string
		wantErr []string // substrings of the error; none means success
	}{
		{name: "url", src: srv.URL + "/openapi.yaml"},
		{name: "file", src: file},
		{name: "file URL", src: "file://" + filepath.ToSlash(file)},
		{name: "no source", src: "", wantErr: []string{"-openapi:", "no source"}},
		{name: "missing file", src: filepath.Join(dir, "nope.json"), wantErr: []string{"-openapi: open", "nope.json"}},
		{name: "url answers 404", src: srv.URL + "/nope", wantErr: []string{"-openapi: fetch", "/nope", "status 404"}},
		{name: "not a document", src: srv.URL + "/broken.json", wantErr: []string{"-openapi: parse", "broken.json"}},
		{name: "invalid document", src: srv.URL + "/invalid.yaml", wantErr: []string{"-openapi: validate", "invalid.yaml"}},
		{name: "no paths", src: srv.URL + "/empty.yaml", wantErr: []string{"-openapi:", "describes no paths"}},
		{name: "credentials stay out of errors", src: withPassword + "/nope", wantErr: []string{"status 404", "user:xxxxx@"}},
		{name: "refused", src: "http://127.0.0.1:1/openapi.json", wantErr: []string{"-openapi: fetch http://127.0.0.1:1/openapi.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load(t.Context(), tt.src, srv.Client())
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				assert.Equal(t, petsOps, d.Operations())
				assert.Equal(t, tt.src, d.Source())
				return
			}
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestLoad_Cancelled(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Load(ctx, srv.URL+"/openapi.json", srv.Client())
	require.ErrorIs(t, err, context.Canceled)
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, method, route, want string
	}{
		{"no parameters", "get", "/pets", "GET /pets"},
		{"one parameter", "GET", "/pets/{petId}", "GET /pets/{}"},
		{"two parameters", "PUT", "/a/{x}/b/{y}", "PUT /a/{}/b/{}"},
		{"parameter inside a segment", "GET", "/files/{name}.json", "GET /files/{}.json"},
		{"unclosed brace kept", "GET", "/a/{x", "GET /a/{x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, normalize(tt.method, tt.route))
		})
	}
}

func TestDescription_Find(t *testing.T) {
	d := parsePets(t)
	tests := []struct {
		name, method, route, want string // want "" means no operation
	}{
		{"same name", "GET", "/pets/{petId}", "GET /pets/{petId}"},
		{"other parameter name, same position", "GET", "/pets/{id}", "GET /pets/{petId}"},
		{"method in lower case", "delete", "/pets/{x}", "DELETE /pets/{petId}"},
		{"undescribed method", "PUT", "/pets/{id}", ""},
		{"extra segment", "GET", "/pets/{id}/toys", ""},
		{"literal where a parameter is", "GET", "/pets/7", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := d.find(tt.method, tt.route)
			if tt.want == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, d.ops[i].name)
		})
	}
}

func TestParse_EquivalentPaths(t *testing.T) {
	// Paths that differ only in parameter names are one route: the
	// description is refused, so matching by position is never ambiguous.
	doc := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n" +
		"  /a/{x}:\n    get:\n      parameters: [{name: x, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}\n" +
		"  /a/{y}:\n    post:\n      parameters: [{name: y, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}\n"
	_, err := Parse(t.Context(), "two.yaml", []byte(doc))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-openapi: validate two.yaml")
	assert.Contains(t, err.Error(), "conflicting paths")
}
