package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/wire"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/routes"
)

// Request is one request a journey asks a virtual user to make. It is named
// by its route template ("GET /api/users/{id}"), never by its raw URL, so
// metrics and reports stay bounded however many users exist.
type Request struct {
	Method string
	Route  string
	path   string
	Query  url.Values
	Body   any
	Header http.Header

	expect    []int
	checks    []namedCheck
	injected  bool
	anonymous bool
}

// NewRequest returns a request for the route template, filling its {name}
// placeholders in order with params (escaped).
func NewRequest(method, route string, params ...any) *Request {
	return &Request{Method: method, Route: route, path: routes.Fill(route, params...)}
}

// Get, Post, Put, Patch and Delete are NewRequest with that method.
func Get(route string, params ...any) *Request { return NewRequest(http.MethodGet, route, params...) }

// Post is NewRequest with POST.
func Post(route string, params ...any) *Request { return NewRequest(http.MethodPost, route, params...) }

// Put is NewRequest with PUT.
func Put(route string, params ...any) *Request { return NewRequest(http.MethodPut, route, params...) }

// Patch is NewRequest with PATCH.
func Patch(route string, params ...any) *Request {
	return NewRequest(http.MethodPatch, route, params...)
}

// Delete is NewRequest with DELETE.
func Delete(route string, params ...any) *Request {
	return NewRequest(http.MethodDelete, route, params...)
}

// JSON sets the body, sent as JSON ([]byte and json.RawMessage as they are).
func (r *Request) JSON(body any) *Request { r.Body = body; return r }

// Param adds a query parameter.
func (r *Request) Param(key, value string) *Request {
	if r.Query == nil {
		r.Query = url.Values{}
	}
	r.Query.Add(key, value)
	return r
}

// SetHeader sets a header of this request.
func (r *Request) SetHeader(key, value string) *Request {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set(key, value)
	return r
}

// Expect names the statuses that count as success (default: any 2xx).
func (r *Request) Expect(codes ...int) *Request { r.expect = codes; return r }

// Injected marks the request as deliberately bad (a wrong password, an
// invalid payload, a missing id): the statuses given are the answer the
// journey expects, counted as expected errors; any other answer is an
// unexpected error.
func (r *Request) Injected(codes ...int) *Request {
	r.injected = true
	r.expect = codes
	return r
}

// Anonymous sends the request without the user's token.
func (r *Request) Anonymous() *Request { r.anonymous = true; return r }

// Name is the request's name in metrics and reports: "GET /api/users/{id}".
func (r *Request) Name() string { return r.Method + " " + r.Route }

// Path is the request's path with its parameters filled in.
func (r *Request) Path() string { return r.path }

// IsInjected reports whether the request is deliberately bad.
func (r *Request) IsInjected() bool { return r.injected }

func (r *Request) accepts(status int) bool {
	if len(r.expect) == 0 {
		return status >= 200 && status < 300
	}
	for _, c := range r.expect {
		if c == status {
			return true
		}
	}
	return false
}

// body is the bytes the request's body goes as (wire.Encode).
func (r *Request) body() ([]byte, error) {
	b, err := wire.Encode(r.Body)
	if err != nil {
		return nil, fmt.Errorf("encode body of %s: %w", r.Name(), err)
	}
	return b, nil
}

// Response is the outcome of one request. Per-request failures are data
// here, not errors: a refused connection is a Response with Kind "refused".
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte // at most -max-body bytes
	Bytes   int64  // body bytes read in all, including discarded ones
	Latency time.Duration
	// OK is true when the answer is the one the request expected: a 2xx (or
	// an Expect status), or for an injected request its expected error.
	OK bool
	// Kind classifies a failure: timeout, refused, reset, dns, tls,
	// http_4xx, http_5xx, body_too_large, circuit_open, interrupted, ...;
	// kind.None when OK.
	Kind    kind.Kind
	Err     error
	TraceID string
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) error {
	if len(r.Body) == 0 {
		return fmt.Errorf("decode response: empty body (status %d)", r.Status)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode response (status %d): %w", r.Status, err)
	}
	return nil
}
