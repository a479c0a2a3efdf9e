package harness

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactJSON(t *testing.T) {
	in := `{"email":"a@b.test","password":"hunter22","nested":{"access_token":"abc","list":[{"refresh_token":"r"}]},"name":"A"}`
	out := RedactJSON([]byte(in))
	for _, secret := range []string{"hunter22", `"abc"`, `"r"`} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "a@b.test")
	assert.Equal(t, 3, strings.Count(out, Redacted))
	assert.Equal(t, "<9 bytes, not JSON>", RedactJSON([]byte("pw=secret")))
}
