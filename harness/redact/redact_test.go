package redact

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "http://127.0.0.1:8080/api", want: "http://127.0.0.1:8080/api"},
		{name: "password", in: "http://user:TgtS3cret@192.0.2.1:80", want: "http://user:xxxxx@192.0.2.1:80"},
		{name: "lone user is a token", in: "https://tok3n@gw.test/", want: "https://xxxxx@gw.test/"},
		{name: "secret query", in: "http://h/x?api_key=K3y&page=2", want: "http://h/x?api_key=%5BREDACTED%5D&page=2"},
		{name: "unparsable, no userinfo", in: "http://[::1", want: "http://[::1"},
		{name: "unparsable userinfo", in: "http://u:secret@[::1/x", want: "http://xxxxx@[::1/x"},
		{name: "at sign in path only", in: "http://[::1/a@b", want: "http://[::1/a@b"},
		{name: "no scheme", in: "u:secret@host", want: "xxxxx@host"},
		{name: "file path", in: "/tmp/openapi.yaml", want: "/tmp/openapi.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, URL(tt.in))
		})
	}
}

func TestText(t *testing.T) {
	in := `get "http://admin:Pw0rd-1@127.0.0.1:9/x": Authorization: Bearer abc.def.ghi password=hunter22 {"token":"T0k"}`
	out := Text(in)
	for _, secret := range []string{"Pw0rd-1", "abc.def.ghi", "hunter22", "T0k"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "127.0.0.1:9/x", "the host stays readable")
}

func TestError(t *testing.T) {
	err := fmt.Errorf("cleanup login: %w", &url.Error{Op: "Post", URL: "http://a:S3cr3t@127.0.0.1/login", Err: errors.New("EOF")})
	assert.NotContains(t, Error(err), "S3cr3t")
	wrapped := Err(err, "S3cr3t")
	assert.NotContains(t, wrapped.Error(), "S3cr3t")
	var ue *url.Error
	assert.ErrorAs(t, wrapped, &ue, "the original is still there for errors.As")
}

func TestHeadersAndSensitiveKey(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer x"}, "X-Api-Key": {"k"}, "Cookie": {"s=1"}, "Accept": {"*/*"}}
	got := Headers(h)
	assert.Equal(t, map[string]string{"Authorization": Redacted, "X-Api-Key": Redacted, "Cookie": Redacted, "Accept": "*/*"}, got)
	assert.False(t, SensitiveKey("email"))

	h = http.Header{"X-Auth": {"k3y"}, "Accept": {"*/*"}}
	assert.Equal(t, map[string]string{"X-Auth": Redacted, "Accept": "*/*"}, Headers(h, "X-Auth"),
		"a header the run's auth names is hidden whatever its name")
}

func TestJSON(t *testing.T) {
	in := `{"email":"a@b.test","password":"hunter22","nested":{"access_token":"abc","list":[{"refresh_token":"r"}]},"name":"A"}`
	out := JSON([]byte(in))
	for _, secret := range []string{"hunter22", `"abc"`, `"r"`} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "a@b.test")
	assert.Equal(t, 3, strings.Count(out, Redacted))
	assert.Equal(t, "<9 bytes, not JSON>", JSON([]byte("pw=secret")))
}
