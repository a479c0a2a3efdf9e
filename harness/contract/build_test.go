package contract

import (
	"math/rand/v2"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
)

func TestExplorer_Build(t *testing.T) {
	d := parsePets(t)
	c := NewChecker(d, 0, 1)
	c.ids.collect([]byte(`{"id":41}`))
	e := &explorer{d: d, c: c}
	tests := []struct {
		name      string
		op        string
		ownIDs    []int64
		wantPath  string
		wantQuery string
		wantBody  any
	}{
		{name: "query from default and enum", op: "GET /pets", wantPath: "/pets", wantQuery: "kind=cat&limit=10"},
		{name: "path id seen in the run", op: "GET /pets/{petId}", wantPath: "/pets/41"},
		{name: "path id from the user's own answers first", op: "DELETE /pets/{petId}", ownIDs: []int64{5}, wantPath: "/pets/5"},
		{
			name: "body from the example, email made unique", op: "POST /pets", wantPath: "/pets",
			wantBody: map[string]any{"name": "Rex", "owner_email": "ts-run1-3x0@trafficsim.test"},
		},
		{
			name: "every email of a body made unique", op: "POST /login", wantPath: "/login",
			wantBody: map[string]any{"email": "ts-run1-3x0@trafficsim.test", "password": "correct-horse"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := &harness.VU{Index: 3, RunID: "run1", Rand: rand.New(rand.NewPCG(1, 2))}
			st := &explorerState{tried: map[string]int{}, ownIDs: tt.ownIDs}
			var op *operation
			for _, o := range d.ops {
				if o.name == tt.op {
					op = o
				}
			}
			require.NotNil(t, op)
			req := e.build(vu, st, op)
			assert.Equal(t, tt.op, req.Name(), "named by the described template")
			assert.Equal(t, tt.wantPath, req.Path())
			assert.Equal(t, tt.wantQuery, req.Query.Encode())
			assert.Equal(t, tt.wantBody, req.Body)
		})
	}
	t.Run("the document's example is not changed", func(t *testing.T) {
		for _, o := range d.ops {
			if o.name == "POST /pets" {
				ex := o.op.RequestBody.Value.Content.Get("application/json").Schema.Value.Example
				assert.Equal(t, "ada@example.com", ex.(map[string]any)["owner_email"])
			}
		}
	})
}

func TestSampleValue(t *testing.T) {
	num := func(f float64) *float64 { return &f }
	str := &openapi3.Types{openapi3.TypeString}
	tests := []struct {
		name   string
		schema *openapi3.Schema
		want   any
	}{
		{"example wins", &openapi3.Schema{Type: str, Example: "ex", Default: "def"}, "ex"},
		{"default", &openapi3.Schema{Type: str, Default: "def"}, "def"},
		{"enum", &openapi3.Schema{Type: str, Enum: []any{"a", "b"}}, "a"},
		{"email", &openapi3.Schema{Type: str, Format: "email"}, "explorer@example.com"},
		{"min length", &openapi3.Schema{Type: str, MinLength: 3}, "xxx"},
		{"integer minimum", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeInteger}, Min: num(5)}, 5.0},
		{"boolean", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeBoolean}}, false},
		{
			"object with required properties only",
			&openapi3.Schema{
				Type:     &openapi3.Types{openapi3.TypeObject},
				Required: []string{"a"},
				Properties: openapi3.Schemas{
					"a": {Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: str, Format: "date"}}}},
					"b": {Value: &openapi3.Schema{Type: str}},
				},
			},
			map[string]any{"a": []any{"2026-01-02"}},
		},
		{
			"allOf merged",
			&openapi3.Schema{AllOf: openapi3.SchemaRefs{
				{Value: &openapi3.Schema{Properties: openapi3.Schemas{"a": {Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeBoolean}}}}}},
				{Value: &openapi3.Schema{Properties: openapi3.Schemas{"b": {Value: &openapi3.Schema{Type: str, Enum: []any{"z"}}}}}},
			}},
			map[string]any{"a": false, "b": "z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, sampleValue(tt.schema, 0))
		})
	}
}

func TestExpectedStatuses(t *testing.T) {
	tests := []struct {
		name  string
		codes []string
		want  []int
	}{
		{"described codes below 500", []string{"201", "422", "503", "200"}, []int{200, 201, 422}},
		{"a range", []string{"2XX", "500"}, rangeOf(200, 300)},
		{"default", []string{"default"}, rangeOf(200, 500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := openapi3.NewResponses()
			for _, c := range tt.codes {
				resp.Set(c, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("x")})
			}
			assert.Equal(t, tt.want, expectedStatuses(&openapi3.Operation{Responses: resp}))
		})
	}
}

func rangeOf(from, to int) []int {
	var out []int
	for c := from; c < to; c++ {
		out = append(out, c)
	}
	return out
}

// TestExplorer_BodiesMatchTheirSchemas: a body built from an example,
// with its emails replaced, still passes the described schema.
func TestExplorer_BodiesMatchTheirSchemas(t *testing.T) {
	d := parsePets(t)
	e := &explorer{d: d, c: NewChecker(d, 0, 1)}
	for _, o := range d.ops {
		if o.op.RequestBody == nil {
			continue
		}
		t.Run(o.name, func(t *testing.T) {
			vu := &harness.VU{Index: 1, RunID: "r", Rand: rand.New(rand.NewPCG(1, 1))}
			req := e.build(vu, &explorerState{tried: map[string]int{}}, o)
			schema := o.op.RequestBody.Value.Content.Get("application/json").Schema.Value
			assert.NoError(t, schema.VisitJSON(req.Body))
		})
	}
}
