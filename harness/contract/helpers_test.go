package contract

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/reports"
)

// petsDoc is a small description: six operations, a parameter named
// {petId} where the journeys say {id}, a body example with an email, a
// login whose answer holds a secret, and servers on another host (ignored).
const petsDoc = `
openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 10}}
        - {name: kind, in: query, required: true, schema: {type: string, enum: [cat, dog]}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}}}}
        "401": {$ref: "#/components/responses/Error"}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, owner_email]
              properties: {name: {type: string}, owner_email: {type: string, format: email}}
              example: {name: Rex, owner_email: ada@example.com}
      responses:
        "201": {description: created, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
        "422": {$ref: "#/components/responses/Error"}
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: integer}}
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
        "404": {$ref: "#/components/responses/Error"}
    delete:
      responses:
        "204": {description: deleted}
        "404": {$ref: "#/components/responses/Error"}
  /login:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties: {email: {type: string}, password: {type: string}}
              example: {email: ada@example.com, password: correct-horse}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [access_token, user_id]
                properties: {access_token: {type: string}, user_id: {type: integer}}
        "401": {$ref: "#/components/responses/Error"}
  /health:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, required: [ok], properties: {ok: {type: boolean}}}}}}
components:
  responses:
    Error: {description: error, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, minimum: 1}
        name: {type: string}
        owner_email: {type: string}
    Error:
      type: object
      required: [error]
      properties: {error: {type: string}}
`

// petsOps are the operations of petsDoc, sorted.
var petsOps = []string{
	"DELETE /pets/{petId}", "GET /health", "GET /pets", "GET /pets/{petId}", "POST /login", "POST /pets",
}

// parsePets returns petsDoc as a Description.
func parsePets(tb testing.TB) *Description {
	tb.Helper()
	d, err := Parse(context.Background(), "pets.yaml", []byte(petsDoc))
	require.NoError(tb, err)
	return d
}

// answer is a response as the harness hands it to observers.
func answer(status int, body string) *harness.Response {
	h := http.Header{}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	return &harness.Response{Status: status, Header: h, Body: []byte(body), Bytes: int64(len(body)), OK: status < 400}
}

// petsServer implements petsDoc, correctly: pets are created, read,
// listed and deleted; login hands out a token. It records the bodies it
// was sent.
type petsServer struct {
	mu     sync.Mutex
	pets   map[int]string
	nextID int
	bodies []map[string]any
}

func newPetsServer() *petsServer {
	return &petsServer{pets: map[int]string{1: "Tom", 2: "Rex"}, nextID: 3}
}

func (p *petsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	var body map[string]any
	if r.Body != nil {
		if err := json.NewDecoder(r.Body).Decode(&body); err == nil {
			p.bodies = append(p.bodies, body)
		}
	}
	id, idErr := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/pets/"))
	switch {
	case r.URL.Path == "/" || r.URL.Path == "/health":
		_, _ = w.Write([]byte(`{"ok":true}`))
	case r.Method == http.MethodPost && r.URL.Path == "/login":
		_, _ = w.Write([]byte(`{"access_token":"tok-secret","user_id":1}`))
	case r.Method == http.MethodGet && r.URL.Path == "/pets":
		var items []string
		for id, name := range p.pets {
			items = append(items, `{"id":`+strconv.Itoa(id)+`,"name":"`+name+`"}`)
		}
		_, _ = w.Write([]byte("[" + strings.Join(items, ",") + "]"))
	case r.Method == http.MethodPost && r.URL.Path == "/pets":
		name, _ := body["name"].(string)
		if name == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"error":"name"}`))
			return
		}
		p.pets[p.nextID] = name
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":` + strconv.Itoa(p.nextID) + `,"name":"` + name + `"}`))
		p.nextID++
	case idErr == nil && p.pets[id] == "":
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"no such pet"}`))
	case idErr == nil && r.Method == http.MethodGet:
		_, _ = w.Write([]byte(`{"id":` + strconv.Itoa(id) + `,"name":"` + p.pets[id] + `"}`))
	case idErr == nil && r.Method == http.MethodDelete:
		delete(p.pets, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"no route"}`))
	}
}

// sent returns the JSON bodies the server received.
func (p *petsServer) sent() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.bodies...)
}

// findOperation returns the summary entry of an operation, failing the test
// when there is none.
func findOperation(tb testing.TB, ops []reports.Operation, name string) reports.Operation {
	tb.Helper()
	for _, o := range ops {
		if o.Name == name {
			return o
		}
	}
	tb.Fatalf("no operation %q in %v", name, ops)
	return reports.Operation{}
}
