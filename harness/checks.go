package harness

import (
	"fmt"

	"github.com/trafficsim/trafficsim/harness/check"
)

// Assertion judges a response: nil when it holds, else what is wrong. It
// runs on the user's own request path, so it must be cheap and must not
// keep the response.
type Assertion func(resp *Response) error

// namedCheck is a named assertion.
type namedCheck struct {
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
	r.checks = append(r.checks, namedCheck{name: name, fn: a})
	return r
}

// WithCheck adds a named assertion to every request of the archetype whose
// answer has an expected status, except deliberately bad ones (Injected).
func WithCheck(name string, a Assertion) ArchetypeOption {
	return optionFunc(func(ar *archetype) { ar.checks = append(ar.checks, namedCheck{name: name, fn: a}) })
}

// StatusIn holds when the status is one of codes; with Expect it tells
// apart "an answer the journey can go on with" from "the answer it wanted".
func StatusIn(codes ...int) Assertion {
	f := check.Status(codes...)
	return func(resp *Response) error { return f(resp.Status) }
}

// HasJSON holds when the JSON body has a value (not null) at path: field
// names separated by dots, array indexes as numbers ("data.items.0.id").
func HasJSON(path string) Assertion { return onBody(check.HasJSON(path)) }

// JSONEquals holds when the JSON body's value at path (see HasJSON) equals
// want, compared as JSON: 3 equals 3.0, and a struct equals the object of
// its JSON form.
func JSONEquals(path string, want any) Assertion { return onBody(check.JSONEquals(path, want)) }

// BodyFunc holds when pred accepts the body; what names the property in
// the failure ("mentions the user's email").
func BodyFunc(what string, pred func(body []byte) bool) Assertion {
	return onBody(check.Body(what, pred))
}

// onBody makes an assertion on the response's body.
func onBody(f func(body []byte) error) Assertion {
	return func(resp *Response) error { return f(resp.Body) }
}

// runChecks runs the request's and the archetype's checks on an answer the
// request accepted, counts each, and returns the first failure (nil when
// every check held).
func (vu *VU) runChecks(req *Request, resp *Response) error {
	r := vu.env
	var first error
	judge := func(c namedCheck) {
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
