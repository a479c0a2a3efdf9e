// Package redact is the one place where trafficsim hides secrets: every URL,
// header, query, JSON body and error text that reaches a message, a log line
// or a report goes through it. One path means one list of what a secret is,
// so a fix here reaches the harness, the contract checker and the pusher at
// once.
package redact

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Redacted replaces a secret value in logs and reports.
const Redacted = "[REDACTED]"

// Hidden replaces the password (or lone user, often a token) of a URL's
// userinfo, as net/url's URL.Redacted does.
const Hidden = "xxxxx"

// maxBody bounds a body written to a log.
const maxBody = 2048

// sensitiveWords mark a JSON key, header or query parameter whose value is
// a secret. "api-key" catches X-API-Key, "authorization" also
// Proxy-Authorization, "token" X-Auth-Token.
var sensitiveWords = []string{"password", "passwd", "token", "secret", "authorization", "authentication", "cookie", "api_key", "api-key", "apikey", "session", "credential"}

// SensitiveKey reports whether a JSON key, header or query parameter holds
// a secret: passwords, tokens, keys, cookies, authorization.
func SensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range sensitiveWords {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// URL returns raw with the password of its userinfo hidden (a lone user is
// hidden too: it is often a token) and the values of sensitive query
// parameters redacted. A URL that does not parse is shown with everything
// between "://" and "@" hidden.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.User == nil && strings.Contains(u.Host+u.Path, "@") && !strings.Contains(raw, "/@")) {
		// Not a URL net/url understands as one with a host ("u:pw@host"
		// parses as scheme u): hide what looks like userinfo by hand.
		return Text(rawURL(raw))
	}
	return ParsedURL(u)
}

// rawURL hides the userinfo of a URL that does not parse.
func rawURL(raw string) string {
	rest, scheme := raw, ""
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		return scheme + Hidden + "@" + rest[i+1:]
	}
	return raw
}

// ParsedURL is URL for a parsed URL; u is not changed.
func ParsedURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			c.User = url.UserPassword(c.User.Username(), Hidden)
		} else {
			c.User = url.User(Hidden)
		}
	}
	if c.RawQuery != "" {
		c.RawQuery = Query(c.Query())
	}
	return c.String()
}

// Query returns q encoded with the value of every sensitive key redacted.
func Query(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	c := url.Values{}
	for k, vs := range q {
		if SensitiveKey(k) {
			c.Set(k, Redacted)
			continue
		}
		c[k] = vs
	}
	return c.Encode()
}

// Headers returns h flattened, with the value of every sensitive header
// redacted, and of every header named in secret (canonical keys) however
// harmless its name: an API key sent in "X-Auth" is no sensitive word.
func Headers(h http.Header, secret ...string) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if SensitiveKey(k) || slices.Contains(secret, k) {
			out[k] = Redacted
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// JSON returns a JSON body with the value of every sensitive key replaced
// by [REDACTED], at any depth. A body that is not JSON is not shown at all
// (it could hold anything), only its size.
func JSON(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "<" + strconv.Itoa(len(b)) + " bytes, not JSON>"
	}
	out, err := json.Marshal(value(v))
	if err != nil {
		return "<unprintable>"
	}
	if len(out) > maxBody {
		return string(out[:maxBody]) + "…"
	}
	return string(out)
}

func value(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if SensitiveKey(k) {
				t[k] = Redacted
			} else {
				t[k] = value(x)
			}
		}
	case []any:
		for i, x := range t {
			t[i] = value(x)
		}
	}
	return v
}

var (
	// userinfoRE matches the userinfo of a URL inside any text: what lies
	// between "scheme://" and the last "@" before the host.
	userinfoRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s"'@]*@`)
	// credentialRE matches an authorization scheme and its credentials.
	credentialRE = regexp.MustCompile(`(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{4,}`)
	// secretValueRE matches key: value or key=value where the key names a
	// secret; the value is a quoted string or a bare word.
	secretValueRE = regexp.MustCompile(`(?i)("?[a-z0-9_.-]*(?:password|passwd|token|secret|authorization|cookie|api[_-]?key|session)[a-z0-9_.-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;&}\]]+)`)
)

// Text scrubs secrets from any text meant for a person: URL userinfo, the
// credentials after Bearer, Basic or Token, and the values of keys that
// name a secret (password=…, "token": "…").
func Text(s string) string {
	s = userinfoRE.ReplaceAllString(s, "${1}"+Hidden+"@")
	s = credentialRE.ReplaceAllString(s, "$1 "+Redacted)
	return secretValueRE.ReplaceAllString(s, "${1}"+Redacted)
}

// Error returns err's text scrubbed as Text does; a *url.Error's URL is
// redacted as a URL, so its path and host stay readable.
func Error(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Error() == err.Error() {
		return ue.Op + " " + URL(ue.URL) + ": " + Text(ue.Err.Error())
	}
	return Text(err.Error())
}

// Secrets replaces every occurrence of the given secrets in s (a password
// known to the caller, found anywhere in an error's text).
func Secrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Hidden)
		}
	}
	return s
}

// Err wraps err so that its text is redacted (by Text and the given
// secrets) while errors.Is and errors.As still see the original.
func Err(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: Secrets(Error(err), secrets...), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
