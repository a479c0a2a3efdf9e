package learn

import (
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// MaxLiteralValues is how many distinct values a path segment may take,
// under one prefix, before it is taken for a parameter: /api/users/alice,
// /api/users/bob, … become /api/users/{param}.
const MaxLiteralValues = 20

// routeSet maps raw paths to route templates: first by the operations of
// an API description, then by inference.
type routeSet struct {
	ops []opMatch
}

type opMatch struct {
	method   string
	segs     []string // "" for a parameter
	template string   // "METHOD /path/{id}"
	literals int
}

// newRouteSet reads the operations of doc (nil: none).
func newRouteSet(doc *openapi3.T) *routeSet {
	rs := &routeSet{}
	if doc == nil || doc.Paths == nil {
		return rs
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			m := opMatch{method: strings.ToUpper(method), template: strings.ToUpper(method) + " " + path}
			for _, s := range splitPath(path) {
				if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
					m.segs = append(m.segs, "")
				} else {
					m.segs = append(m.segs, s)
					m.literals++
				}
			}
			rs.ops = append(rs.ops, m)
		}
	}
	// Most literal segments first: /api/users/me wins over /api/users/{id}.
	sort.Slice(rs.ops, func(i, j int) bool {
		if rs.ops[i].literals != rs.ops[j].literals {
			return rs.ops[i].literals > rs.ops[j].literals
		}
		return rs.ops[i].template < rs.ops[j].template
	})
	return rs
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns the described template of a raw "METHOD /path".
func (rs *routeSet) match(method string, segs []string) (string, bool) {
	for _, op := range rs.ops {
		if op.method != method || len(op.segs) != len(segs) {
			continue
		}
		ok := true
		for i, s := range op.segs {
			if s != "" && s != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return op.template, true
		}
	}
	return "", false
}

// templates maps every raw "METHOD /path" to its route template.
func (rs *routeSet) templates(raws []string) []string {
	out := make([]string, len(raws))
	type pending struct {
		idx    int
		method string
		segs   []string
	}
	var rest []pending
	for i, raw := range raws {
		if raw == "" {
			continue
		}
		method, path, _ := strings.Cut(raw, " ")
		segs := splitPath(path)
		if t, ok := rs.match(method, segs); ok {
			out[i] = t
			continue
		}
		for j, s := range segs {
			if k := segmentKind(s); k != "" {
				segs[j] = "{" + k + "}"
			}
		}
		rest = append(rest, pending{i, method, segs})
	}
	// High-cardinality segments, position by position: under one method and
	// prefix, more than MaxLiteralValues distinct values make a parameter.
	for pos := 0; ; pos++ {
		any := false
		distinct := map[string]map[string]bool{}
		for _, p := range rest {
			if pos >= len(p.segs) {
				continue
			}
			any = true
			if strings.HasPrefix(p.segs[pos], "{") {
				continue
			}
			prefix := p.method + " " + strconv.Itoa(len(p.segs)) + " " + strings.Join(p.segs[:pos], "/")
			if distinct[prefix] == nil {
				distinct[prefix] = map[string]bool{}
			}
			distinct[prefix][p.segs[pos]] = true
		}
		if !any {
			break
		}
		for _, p := range rest {
			if pos >= len(p.segs) || strings.HasPrefix(p.segs[pos], "{") {
				continue
			}
			prefix := p.method + " " + strconv.Itoa(len(p.segs)) + " " + strings.Join(p.segs[:pos], "/")
			if len(distinct[prefix]) > MaxLiteralValues {
				p.segs[pos] = "{param}"
			}
		}
	}
	for _, p := range rest {
		out[p.idx] = p.method + " /" + strings.Join(numberParams(p.segs), "/")
	}
	return out
}

// numberParams renames repeated parameter names: {id}/…/{id} → {id}/…/{id2}.
func numberParams(segs []string) []string {
	seen := map[string]int{}
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		seen[s]++
		if n := seen[s]; n > 1 {
			segs[i] = strings.TrimSuffix(s, "}") + strconv.Itoa(n) + "}"
		}
	}
	return segs
}

// segmentKind names a segment that is a value, not a name: "id" for a
// number, "uuid", "hash" for long hex, "email", "token" for a long mix of
// letters and digits; "" for a literal.
func segmentKind(s string) string {
	switch {
	case s == "":
		return ""
	case isDigits(s):
		return "id"
	case isUUID(s):
		return "uuid"
	case len(s) >= 16 && isHex(s):
		return "hash"
	case strings.Contains(s, "@"):
		return "email"
	case looksLikeValue(s):
		return "token"
	}
	return ""
}

// looksLikeValue reports a string long enough and mixed enough (letters
// and digits, base64 or JWT punctuation) to be a token or an id rather
// than a word.
func looksLikeValue(s string) bool {
	if len(s) < 20 {
		return isDigits(s) && len(s) >= 6
	}
	var digits, letters int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
		}
	}
	return digits > 0 && letters > 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i : i+1]) {
			return false
		}
	}
	return true
}

// paramSegments returns the positions of a template's parameters.
func paramSegments(template string) []int {
	_, path, _ := strings.Cut(template, " ")
	var out []int
	for i, s := range splitPath(path) {
		if strings.HasPrefix(s, "{") {
			out = append(out, i)
		}
	}
	return out
}
