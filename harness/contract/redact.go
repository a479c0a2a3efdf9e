package contract

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	redactpkg "github.com/trafficsim/trafficsim/harness/redact"
)

// MaxExampleLen bounds the text of one violation example in the summary.
const MaxExampleLen = 300

// maxShownValue bounds an offending value quoted in an example.
const maxShownValue = 40

// sensitiveKey reports whether a JSON key, header or parameter names a
// secret, by the same words as every other redaction of the harness.
func sensitiveKey(k string) bool { return redactpkg.SensitiveKey(k) }

// redact scrubs secrets from a text meant for a report: URL userinfo, the
// values of keys that name a secret and the credentials after Bearer or
// Basic (see package redact).
func redact(s string) string { return redactpkg.Text(s) }

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
		return kind + " " + redactpkg.Redacted
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return kind
	}
	return kind + " " + truncate(string(raw), maxShownValue)
}
