package contract

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/trafficsim/trafficsim/harness"
)

// MaxExampleLen bounds the text of one violation example in the summary.
const MaxExampleLen = 300

// maxShownValue bounds an offending value quoted in an example.
const maxShownValue = 40

// sensitiveWords mark a JSON key, header or parameter whose value is a
// secret; the harness redacts the same words in its logs.
var sensitiveWords = []string{"password", "token", "secret", "authorization", "cookie", "api_key", "apikey", "session"}

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range sensitiveWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

var (
	// credentialRE matches an authorization scheme and its credentials.
	credentialRE = regexp.MustCompile(`(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{4,}`)
	// secretValueRE matches key: value or key=value where the key names a
	// secret; the value is a quoted string or a bare word.
	secretValueRE = regexp.MustCompile(`(?i)("?[a-z0-9_.-]*(?:password|token|secret|authorization|cookie|api_?key|session)[a-z0-9_.-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;&}\]]+)`)
)

// redact scrubs secrets from a text meant for a report: the values of keys
// that name a secret and the credentials after Bearer or Basic.
func redact(s string) string {
	s = credentialRE.ReplaceAllString(s, "$1 "+harness.Redacted)
	return secretValueRE.ReplaceAllString(s, "${1}"+harness.Redacted)
}

// truncate cuts s to at most n bytes on a character boundary, marking the
// cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

// schemaErrorText replaces kin-openapi's text of a schema error, which
// dumps the whole schema and the offending value, with one line: where,
// what, and — unless the field names a secret — a short form of the value.
func schemaErrorText(e *openapi3.SchemaError) string {
	ptr := e.JSONPointer()
	secret := false
	for _, p := range ptr {
		if sensitiveKey(p) {
			secret = true
		}
	}
	var b strings.Builder
	b.WriteString("at /")
	b.WriteString(strings.Join(ptr, "/"))
	b.WriteString(", ")
	switch {
	case e.Origin != nil && !secret:
		b.WriteString(e.Origin.Error())
	case e.Reason != "":
		b.WriteString(e.Reason)
	default:
		fmt.Fprintf(&b, "doesn't match schema %q", e.SchemaField)
	}
	b.WriteString(" (got ")
	b.WriteString(describeValue(e.Value, secret))
	b.WriteByte(')')
	return b.String()
}

// describeValue names a value's JSON type and, for a scalar that is not a
// secret, the value itself, shortened.
func describeValue(v any, secret bool) string {
	var kind string
	switch v.(type) {
	case nil:
		return "null"
	case string:
		kind = "string"
	case bool:
		kind = "boolean"
	case float64, json.Number, int, int64:
		kind = "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		return fmt.Sprintf("%T", v)
	}
	if secret {
		return kind + " " + harness.Redacted
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return kind
	}
	return kind + " " + truncate(string(raw), maxShownValue)
}
