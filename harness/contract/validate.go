package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/trafficsim/trafficsim/harness"
)

// Why a sampled response was not validated.
const (
	skipTruncated = iota // the body was cut at -max-body or the read failed
	skipNotJSON          // the body is not JSON (an HTML error page, text)
	skipNoRoute          // the router maps the real path elsewhere
	numSkips
)

// The reasons of Stats.Skipped.
const (
	// SkippedTruncated means the body was cut at -max-body, or reading it failed.
	SkippedTruncated = "truncated body"
	// SkippedNotJSON means the body is not JSON (an HTML error page, text).
	SkippedNotJSON = "not JSON"
	// SkippedNoRoute means the router places the request's real path in
	// another operation than its route template, or in none (a journey's
	// bug, not the target's).
	SkippedNoRoute = "no route"
)

// skipReasons name the skip counters in Stats and in the notes.
var skipReasons = [numSkips]string{SkippedTruncated, SkippedNotJSON, SkippedNoRoute}

// validationHost stands in for the target in the requests rebuilt for the
// router: the description's servers are ignored, any host matches.
const validationHost = "contract.invalid"

// validate checks one sampled response against its operation and records
// a violation with a redacted example.
func (c *Checker) validate(o *opStats, req *harness.Request, resp *harness.Response) {
	switch {
	case resp.Err != nil || resp.Bytes > int64(len(resp.Body)):
		c.skipped[skipTruncated].Add(1)
		return
	case len(resp.Body) > 0 && !json.Valid(resp.Body):
		c.skipped[skipNotJSON].Add(1)
		return
	}
	hreq, err := rebuild(req)
	if err != nil {
		c.skipped[skipNoRoute].Add(1)
		return
	}
	rt, params, err := c.d.router.FindRoute(hreq)
	if err != nil || rt.Operation != o.desc.op {
		// The journey named a template but filled a path that is another
		// operation's (or none): a bug of the journey, not of the target.
		c.skipped[skipNoRoute].Add(1)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: hreq, PathParams: params, Route: rt, Options: c.opts}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.Status,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(resp.Body)),
		Options:                c.opts,
	})
	c.validated.Add(1)
	if err != nil {
		o.violation(exampleText(resp.Status, err))
	}
}

// rebuild turns a harness request back into the http.Request the router
// and validator read: method, path and query, no body.
func rebuild(req *harness.Request) (*http.Request, error) {
	u, err := url.Parse("http://" + validationHost + req.Path())
	if err != nil {
		return nil, err
	}
	if req.Query != nil {
		u.RawQuery = req.Query.Encode()
	}
	return &http.Request{Method: req.Method, URL: u, Host: u.Host, Header: http.Header{}}, nil
}

// violation counts a violation and keeps the first MaxExamples examples.
func (o *opStats) violation(example string) {
	o.violations.Add(1)
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.examples) < MaxExamples {
		o.examples = append(o.examples, example)
	}
}

// exampleText is a violation as the summary shows it: the status and what
// was wrong, secrets scrubbed, at most MaxExampleLen bytes.
func exampleText(status int, err error) string {
	return truncate(redact("status "+strconv.Itoa(status)+": "+err.Error()), MaxExampleLen)
}
