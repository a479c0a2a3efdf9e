package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// Assertion judges a response: nil when it holds, else what is wrong. It
// runs on the user's own request path, so it must be cheap and must not
// keep the response.
type Assertion func(resp *Response) error

// check is a named assertion.
type check struct {
	name string
	fn   Assertion
}

// Check adds a named assertion on the response, as k6's check: when the
// answer has an expected status but the assertion fails, the request is an
// unexpected error of kind check, and the check's pass and fail counts go to
// summary.json (checks), junit.xml, report.html and
// trafficsim_checks_total{check,result}. Budgets "checks >= 99%" and
// "checks(NAME) >= 99%" judge them.
func (r *Request) Check(name string, a Assertion) *Request {
	r.checks = append(r.checks, check{name: name, fn: a})
	return r
}

// WithCheck adds a named assertion to every request of the archetype whose
// answer has an expected status, except deliberately bad ones (Injected).
func WithCheck(name string, a Assertion) ArchetypeOption {
	return optionFunc(func(ar *archetype) { ar.checks = append(ar.checks, check{name: name, fn: a}) })
}

// StatusIn holds when the status is one of codes; with Expect it tells
// apart "an answer the journey can go on with" from "the answer it wanted".
func StatusIn(codes ...int) Assertion {
	return func(resp *Response) error {
		if slices.Contains(codes, resp.Status) {
			return nil
		}
		return fmt.Errorf("status %d, want one of %v", resp.Status, codes)
	}
}

// HasJSON holds when the JSON body has a value (not null) at path: field
// names separated by dots, array indexes as numbers ("data.items.0.id").
func HasJSON(path string) Assertion {
	return func(resp *Response) error {
		v, err := jsonAt(resp.Body, path)
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("%s is null", path)
		}
		return nil
	}
}

// JSONEquals holds when the JSON body's value at path (see HasJSON) equals
// want, compared as JSON: 3 equals 3.0, and a struct equals the object of
// its JSON form.
func JSONEquals(path string, want any) Assertion {
	wantJSON, merr := json.Marshal(want)
	var norm any
	if merr == nil {
		merr = json.Unmarshal(wantJSON, &norm)
	}
	return func(resp *Response) error {
		if merr != nil {
			return fmt.Errorf("encode wanted value of %s: %w", path, merr)
		}
		v, err := jsonAt(resp.Body, path)
		if err != nil {
			return err
		}
		got, _ := json.Marshal(v)
		norm2, _ := json.Marshal(norm)
		if bytes.Equal(got, norm2) {
			return nil
		}
		if sensitivePath(path) {
			return fmt.Errorf("%s is not the wanted value (%s)", path, redact.Redacted)
		}
		return fmt.Errorf("%s is %s, want %s", path, truncateText(string(got), 80), truncateText(string(norm2), 80))
	}
}

// BodyFunc holds when pred accepts the body; what names the property in
// the failure ("mentions the user's email").
func BodyFunc(what string, pred func(body []byte) bool) Assertion {
	return func(resp *Response) error {
		if pred(resp.Body) {
			return nil
		}
		return errors.New("body: not " + what)
	}
}

// jsonAt decodes body and returns the value at path ("" or "." for the
// whole document).
func jsonAt(body []byte, path string) (any, error) {
	if len(body) == 0 {
		return nil, errors.New("empty body, want JSON")
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	if path == "" || path == "." {
		return v, nil
	}
	seen := ""
	for _, part := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[part]
			if !ok {
				return nil, fmt.Errorf("no field %s", joinPath(seen, part))
			}
			v = x
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, fmt.Errorf("no element %s (array of %d)", joinPath(seen, part), len(t))
			}
			v = t[i]
		default:
			return nil, fmt.Errorf("no field %s: %s is not an object", joinPath(seen, part), cmpOrDot(seen))
		}
		seen = joinPath(seen, part)
	}
	return v, nil
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func cmpOrDot(s string) string {
	if s == "" {
		return "the body"
	}
	return s
}

// sensitivePath reports whether a path's last field names a secret.
func sensitivePath(path string) bool {
	parts := strings.Split(path, ".")
	return redact.SensitiveKey(parts[len(parts)-1])
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// runChecks runs the request's and the archetype's checks on an answer the
// request accepted, counts each, and returns the first failure (nil when
// every check held).
func (vu *VU) runChecks(req *Request, resp *Response) error {
	r := vu.env
	var first error
	judge := func(c check) {
		err := c.fn(resp)
		r.rec.Check(c.name, err == nil)
		if err != nil && first == nil {
			first = fmt.Errorf("check %q: %w", c.name, err)
		}
	}
	for _, c := range req.checks {
		judge(c)
	}
	if !req.injected {
		for _, c := range r.plan.archetypes[vu.arch].checks {
			judge(c)
		}
	}
	return first
}

// hasChecks reports whether an answer to req is checked.
func (vu *VU) hasChecks(req *Request) bool {
	if len(req.checks) > 0 {
		return true
	}
	p := vu.env.plan
	return !req.injected && p != nil && vu.arch < len(p.archetypes) && len(p.archetypes[vu.arch].checks) > 0
}
