package harness

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Redacted replaces every secret in logs and reports.
const Redacted = "[REDACTED]"

// maxLoggedBody bounds a body written to the debug log.
const maxLoggedBody = 2048

// sensitiveKey reports whether a JSON key, header or query parameter holds a
// secret: passwords, tokens, keys, cookies, authorization.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"password", "token", "secret", "authorization", "cookie", "api_key", "apikey", "session"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// RedactJSON returns a JSON body with the value of every sensitive key
// replaced by [REDACTED], at any depth. A body that is not JSON is not shown
// at all (it could hold anything), only its size.
func RedactJSON(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "<" + strconv.Itoa(len(b)) + " bytes, not JSON>"
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return "<unprintable>"
	}
	if len(out) > maxLoggedBody {
		return string(out[:maxLoggedBody]) + "…"
	}
	return string(out)
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if sensitiveKey(k) {
				t[k] = Redacted
			} else {
				t[k] = redactValue(x)
			}
		}
	case []any:
		for i, x := range t {
			t[i] = redactValue(x)
		}
	}
	return v
}

func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if sensitiveKey(k) {
			out[k] = Redacted
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

func redactQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	c := url.Values{}
	for k, vs := range q {
		if sensitiveKey(k) {
			c.Set(k, Redacted)
			continue
		}
		c[k] = vs
	}
	return c.Encode()
}

// userAgents are real browsers' User-Agent strings; each user keeps one.
var userAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

var acceptLanguages = [...]string{"en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.6", "fr-FR,fr;q=0.9,en;q=0.5", "es-ES,es;q=0.9", "ja-JP,ja;q=0.9,en;q=0.4"}
