package budget

import (
	"github.com/trafficsim/trafficsim/harness/routes"
	"strings"

	"github.com/trafficsim/trafficsim/reports"
)

// selector reads "(" selector ")": an endpoint glob such as
// "GET /api/users/*", "/api/users/*" (any method) or "archetype=NAME".
func (p *parser) selector(m metric) (selector, error) {
	open := p.pos
	end := strings.IndexByte(p.src[open:], ')')
	if end < 0 {
		return selector{}, p.fail(open, "missing ) to close the ( after %s", m.name)
	}
	if m.sels == 0 {
		return selector{}, p.fail(open, "%s is a figure of the whole run and takes no ( )", m.name)
	}
	closeAt := open + end
	p.pos = closeAt + 1
	inner, base := p.src[open+1:closeAt], open+1
	if m.sels == allowCheckName {
		name := strings.TrimSpace(inner)
		if name == "" {
			return selector{}, p.fail(closeAt, "expected a check's name between ( and ), like checks(has id)")
		}
		return selector{kind: selCheck, check: name}, nil
	}
	if i := strings.IndexByte(inner, '('); i >= 0 {
		return selector{}, p.fail(base+i, "unexpected ( inside the ( ) of %s", m.name)
	}
	fields := fieldsAt(inner)
	if len(fields) == 0 {
		return selector{}, p.fail(closeAt, "expected an endpoint glob like GET /api/users/* or archetype=NAME between ( and )")
	}
	if key, value, ok := keyValue(inner); ok {
		return p.archetypeSelector(m, key, value, base+fields[0].at)
	}
	if m.sels&allowGlob == 0 {
		return selector{}, p.fail(base+fields[0].at, "%s takes archetype=NAME between ( and ), not an endpoint", m.name)
	}
	if len(fields) > 2 {
		return selector{}, p.fail(base+fields[2].at, "unexpected %q: an endpoint glob is METHOD /path, with no spaces in the path", fields[2].text)
	}
	sel := selector{kind: selGlob}
	if len(fields) == 2 {
		method := fields[0].text
		if method != "*" && !isLetters(method) {
			return selector{}, p.fail(base+fields[0].at, "expected an HTTP method or * before the path, got %q", method)
		}
		if method != "*" {
			sel.method = strings.ToUpper(method)
		}
	}
	path := fields[len(fields)-1]
	if !strings.HasPrefix(path.text, "/") && !strings.HasPrefix(path.text, "*") {
		if len(fields) == 1 && isHTTPMethod(path.text) {
			return selector{}, p.fail(base+path.at, "expected a path after the method %s, like %s /api/users/*", path.text, strings.ToUpper(path.text))
		}
		if len(fields) == 1 {
			return selector{}, p.fail(base+path.at, "expected an endpoint glob like GET /api/users/* or /api/users/*, or archetype=NAME, got %q", path.text)
		}
		return selector{}, p.fail(base+path.at, "expected a path starting with / or *, like /api/users/*, got %q", path.text)
	}
	sel.path = path.text
	return sel, nil
}

// archetypeSelector checks "archetype=NAME"; at is the offset of the key.
func (p *parser) archetypeSelector(m metric, key, value string, at int) (selector, error) {
	if !strings.EqualFold(key, "archetype") {
		return selector{}, p.fail(at, "unknown selector %q; expected archetype=NAME or an endpoint glob like GET /api/users/*", key)
	}
	if m.sels&allowArchetype == 0 {
		return selector{}, p.fail(at, "%s takes an endpoint glob between ( and ), not an archetype", m.name)
	}
	if value == "" {
		return selector{}, p.fail(at, "expected an archetype name after archetype=")
	}
	if strings.IndexFunc(value, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }) >= 0 {
		return selector{}, p.fail(at, "an archetype name has no spaces, got %q", value)
	}
	return selector{kind: selArchetype, archetype: value}, nil
}

// keyValue splits "key = value" when the text before '=' is a bare word;
// an endpoint glob never starts that way.
func keyValue(s string) (key, value string, ok bool) {
	key, value, found := strings.Cut(s, "=")
	key = strings.TrimFunc(key, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
	if !found || !isLetters(strings.ReplaceAll(key, "_", "a")) {
		return "", "", false
	}
	return key, strings.TrimFunc(value, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }), true
}

// field is a space-separated part of a selector and its byte offset.
type field struct {
	text string
	at   int
}

// fieldsAt splits s at runs of ASCII space, keeping each part's offset.
func fieldsAt(s string) []field {
	var fs []field
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		fs = append(fs, field{text: s[start:i], at: start})
	}
	return fs
}

// isLetters reports whether s is one or more ASCII letters.
func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// matches reports whether an endpoint is selected by the glob: the method
// must be equal (any method when the glob names none) and the route must
// match the path glob.
func (s selector) matches(e *reports.Endpoint) bool {
	method, template := splitEndpoint(e)
	if s.method != "" && !strings.EqualFold(s.method, method) {
		return false
	}
	// Parameters by position, as the contract checker matches operations:
	// "GET /articles/{id}" selects "GET /articles/{slug}".
	return matchGlob(s.path, template) || matchGlob(routes.Anonymous(s.path), routes.Anonymous(template))
}

// splitEndpoint returns the method and route template of an endpoint,
// from its name "GET /api/users/{id}" or, for a name without a method,
// from its Method field.
func splitEndpoint(e *reports.Endpoint) (method, route string) {
	if m, r, ok := strings.Cut(e.Name, " "); ok {
		return m, r
	}
	return e.Method, e.Name
}

// matchGlob reports whether name matches pattern, in which '*' matches any
// run of characters (none, '/' and braces included) and every other byte
// matches itself. It backtracks only to the last '*', so it runs in
// O(len(pattern)·len(name)) at worst.
func matchGlob(pattern, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, 0
	for nx < len(name) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			starP, starN = px, nx
			px++
		case px < len(pattern) && pattern[px] == name[nx]:
			px++
			nx++
		case starP >= 0:
			starN++
			px, nx = starP+1, starN
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// isHTTPMethod reports whether w is a standard HTTP method, in any case.
func isHTTPMethod(w string) bool {
	switch strings.ToUpper(w) {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return true
	}
	return false
}
