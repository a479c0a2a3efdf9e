package contract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/reports"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in   string
		want       string   // exact result, when set
		wantGone   []string // must not survive
		wantStayed []string // must survive
	}{
		{name: "nothing secret", in: `at /id, value must be an integer (got string "7")`, want: `at /id, value must be an integer (got string "7")`},
		{name: "bearer credentials", in: "header Authorization: Bearer eyJhbGciOi.abc.def", wantGone: []string{"eyJhbGciOi"}, wantStayed: []string{"Authorization"}},
		{name: "quoted JSON secret", in: `{"email":"a@b.c","password":"hunter2"}`, want: `{"email":"a@b.c","password":[REDACTED]}`},
		{name: "refresh token", in: `value {"refresh_token": "MHXWC4JSVJ2QHKB5"} is bad`, wantGone: []string{"MHXWC4JSVJ2QHKB5"}, wantStayed: []string{"is bad"}},
		{name: "query secret", in: "GET /a?api_key=s3cr3t&page=2", want: "GET /a?api_key=[REDACTED]&page=2"},
		{name: "escaped quotes inside a secret", in: `"session": "a\"b\"c", "x": 1`, want: `"session": [REDACTED], "x": 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact(tt.in)
			if tt.want != "" {
				assert.Equal(t, tt.want, got)
			}
			for _, s := range tt.wantGone {
				assert.NotContains(t, got, s)
			}
			for _, s := range tt.wantStayed {
				assert.Contains(t, got, s)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("é", 400) // two bytes each
	got := truncate(long, MaxExampleLen)
	assert.LessOrEqual(t, len(got), MaxExampleLen)
	assert.True(t, utf8.ValidString(got), "cut on a character boundary")
	assert.True(t, strings.HasSuffix(got, "…"))
	assert.Equal(t, "short", truncate("short", MaxExampleLen))
}

// TestChecker_ExamplesHideSecrets validates answers whose offending
// values are secrets: the examples name the field, never the value.
func TestChecker_ExamplesHideSecrets(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantText []string
		secret   string
	}{
		{
			name:     "secret of the wrong type",
			body:     `{"access_token":["tok-0123456789"],"user_id":1}`,
			wantText: []string{"at /access_token", "(got array)"},
			secret:   "tok-0123456789",
		},
		{
			name:     "secret beside a wrong field",
			body:     `{"access_token":"tok-0123456789","user_id":"one"}`,
			wantText: []string{"at /user_id", `(got string "one")`},
			secret:   "tok-0123456789",
		},
		{
			name:     "scalar secret of the wrong type",
			body:     `{"access_token":1234567890123,"user_id":1}`,
			wantText: []string{"at /access_token", "(got number [REDACTED])"},
			secret:   "1234567890123",
		},
		{
			name:     "long value cut short",
			body:     `{"access_token":"t","user_id":"` + strings.Repeat("x", 500) + `"}`,
			wantText: []string{"at /user_id", "…"},
			secret:   strings.Repeat("x", maxShownValue),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(parsePets(t), 100, 1)
			c.Observe(harness.Post("/login").JSON(map[string]string{"password": "hunter2"}), answer(200, tt.body))
			var sum reports.Summary
			c.FillSummary(&sum)
			op := findOperation(t, sum.Operations, "POST /login")
			require.Len(t, op.Examples, 1)
			ex := op.Examples[0]
			for _, want := range tt.wantText {
				assert.Contains(t, ex, want)
			}
			assert.NotContains(t, ex, tt.secret)
			assert.NotContains(t, ex, "hunter2")
			assert.LessOrEqual(t, len(ex), MaxExampleLen)
		})
	}
}
