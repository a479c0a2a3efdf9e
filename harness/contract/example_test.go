package contract_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/contract"
	"github.com/trafficsim/trafficsim/reports"
)

const notesDoc = `{
  "openapi": "3.0.3",
  "info": {"title": "notes", "version": "1"},
  "paths": {
    "/notes/{noteId}": {
      "get": {
        "parameters": [{"name": "noteId", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
          "type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}}}}
      }
    },
    "/notes": {"post": {"responses": {"201": {"description": "created"}}}}
  }
}`

// A Checker counts each request against its operation — {id} matches
// {noteId} by position — validates the sample, and fills the summary.
func ExampleNewChecker() {
	d, err := contract.Parse(context.Background(), "notes.json", []byte(notesDoc))
	if err != nil {
		fmt.Println(err)
		return
	}
	checker := contract.NewChecker(d, 100, 1)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	good := &harness.Response{Status: 200, Header: jsonHeader, Body: []byte(`{"id":7}`), Bytes: 8}
	bad := &harness.Response{Status: 200, Header: jsonHeader, Body: []byte(`{"id":"7"}`), Bytes: 10}
	checker.Observe(harness.Get("/notes/{id}", 7), good)
	checker.Observe(harness.Get("/notes/{id}", 7), bad)
	checker.Observe(harness.Get("/metrics"), good)

	var s reports.Summary
	checker.FillSummary(&s)
	fmt.Printf("coverage %.2f\n", *s.Coverage)
	for _, op := range s.Operations {
		fmt.Println(op.Name, op.Requests, op.ByClass, op.Violations, op.Examples)
	}
	fmt.Println(s.Notes[0])
	fmt.Println(checker.Unexercised())
	// Output:
	// coverage 0.50
	// GET /notes/{noteId} 2 map[2xx:2] 1 [status 200: response body doesn't match schema: at /id, value must be an integer (got string "7")]
	// POST /notes 0 map[] 0 []
	// contract: GET /metrics matches no operation of notes.json (1 request)
	// [POST /notes]
}
