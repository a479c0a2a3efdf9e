package contract

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/reports"
)

// swaggerDoc is a Swagger 2.0 description in the style Alertmanager and
// Gitea publish: a base path, definitions, a body parameter, a path
// parameter and a response schema by $ref.
const swaggerDoc = `
swagger: "2.0"
info: {title: silences, version: "1"}
basePath: /api/v2
consumes: [application/json]
produces: [application/json]
paths:
  /silences:
    get:
      responses:
        "200": {description: ok, schema: {type: array, items: {$ref: "#/definitions/silence"}}}
    post:
      parameters:
        - {name: silence, in: body, required: true, schema: {$ref: "#/definitions/silence"}}
      responses:
        "200": {description: ok, schema: {type: object, properties: {silenceID: {type: string}}}}
        "400": {description: bad request, schema: {type: string}}
  /silence/{silenceID}:
    get:
      parameters:
        - {name: silenceID, in: path, required: true, type: string, format: uuid}
      responses:
        "200": {description: ok, schema: {$ref: "#/definitions/silence"}}
        "404": {description: not found}
definitions:
  silence:
    type: object
    required: [comment, createdBy]
    properties:
      id: {type: string}
      comment: {type: string}
      createdBy: {type: string}
`

// openapi31Doc uses what only 3.1 has: a type list with null.
const openapi31Doc = `
openapi: 3.1.0
info: {title: notes, version: "1"}
paths:
  /notes/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, title]
                properties:
                  id: {type: integer}
                  title: {type: [string, "null"]}
`

// TestParse_Swagger2LoadsAndValidates: a Swagger 2.0 description is
// converted to OpenAPI 3 — its operations listed (paths relative to the
// basePath the target holds), its parameters matched by position and its
// response schemas checked: a wrong type is a violation.
func TestParse_Swagger2LoadsAndValidates(t *testing.T) {
	d, err := Parse(context.Background(), "swagger.yaml", []byte(swaggerDoc))
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /silence/{silenceID}", "GET /silences", "POST /silences"}, d.Operations())

	c := NewChecker(d, 100, 1)
	c.Observe(harness.NewRequest("GET", "/silence/{id}", "b2c7f6a0-5d7e-4c1b-9a57-2f9e0c7d1a11"),
		answer(200, `{"id":"x","comment":"maintenance","createdBy":"ops"}`))
	c.Observe(harness.NewRequest("GET", "/silences"), answer(200, `[{"id":"x","comment":1,"createdBy":"ops"}]`))
	var s reports.Summary
	c.FillSummary(&s)
	assert.Zero(t, findOperation(t, s.Operations, "GET /silence/{silenceID}").Violations, "{id} matches {silenceID} by position")
	bad := findOperation(t, s.Operations, "GET /silences")
	assert.Equal(t, int64(1), bad.Violations, "a number where the definition says string")
	require.NotEmpty(t, bad.Examples)
	assert.Contains(t, bad.Examples[0], "comment")
}

// TestParse_OpenAPI31: a 3.1 document loads, and its JSON Schema 2020-12
// types are checked (null allowed, a number not).
func TestParse_OpenAPI31(t *testing.T) {
	d, err := Parse(context.Background(), "notes.yaml", []byte(openapi31Doc))
	require.NoError(t, err)
	c := NewChecker(d, 100, 1)
	req := harness.NewRequest("GET", "/notes/{id}", 1)
	c.Observe(req, answer(200, `{"id":1,"title":null}`))
	c.Observe(req, answer(200, `{"id":1,"title":7}`))
	var s reports.Summary
	c.FillSummary(&s)
	assert.Equal(t, int64(1), findOperation(t, s.Operations, "GET /notes/{id}").Violations)
}

// TestChecker_CoverageNeedsADescribedStatus: an operation reached only
// with statuses its description does not list (a redirect, a 401) is not
// covered, and the notes say so apart from the operations never called.
func TestChecker_CoverageNeedsADescribedStatus(t *testing.T) {
	d, err := Parse(context.Background(), "swagger.yaml", []byte(swaggerDoc))
	require.NoError(t, err)
	c := NewChecker(d, 0, 1)
	c.Observe(harness.Get("/silences"), answer(301, ""))
	c.Observe(harness.Post("/silences"), answer(401, ""))
	c.Observe(harness.Get("/silence/{id}", "x"), answer(404, ""))
	var s reports.Summary
	c.FillSummary(&s)
	require.NotNil(t, s.Coverage)
	assert.InDelta(t, 1.0/3, *s.Coverage, 1e-9, "only the described 404 counts")
	assert.Equal(t, []string{"GET /silences", "POST /silences"}, c.Unexercised())
	assert.True(t, containsSub(s.Notes, "reached, never answered as described: GET /silences (200 described), POST /silences (200, 400 described)"), "%q", s.Notes)
	st := c.Stats()
	assert.Equal(t, 3, st.Reached)
	assert.Equal(t, 1, st.Exercised)
}
