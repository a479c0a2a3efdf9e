package check

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trafficsim/trafficsim/harness/redact"
)

func TestStatus(t *testing.T) {
	ok := Status(200, 204)
	assert.NoError(t, ok(204))
	assert.EqualError(t, ok(500), "status 500, want one of [200 204]")
}

func TestHasJSON(t *testing.T) {
	body := []byte(`{"id":7,"none":null,"data":{"items":[{"id":"a"}]},"n":3}`)
	tests := []struct {
		name, path, body, err string
	}{
		{"field", "id", "", ""},
		{"nested array element", "data.items.0.id", "", ""},
		{"whole document", ".", "", ""},
		{"null", "none", "", "none is null"},
		{"missing field", "data.name", "", "no field data.name"},
		{"index out of range", "data.items.3", "", "no element data.items.3 (array of 1)"},
		{"not an index", "data.items.x", "", "no element data.items.x (array of 1)"},
		{"into a number", "n.x", "", "no field n.x: n is not an object"},
		{"top level not an object", "x", `"s"`, "no field x: the body is not an object"},
		{"empty body", "id", "-", "empty body, want JSON"},
		{"not JSON", "id", "<html>", "body is not JSON: invalid character '<' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body
			switch tt.body {
			case "":
			case "-":
				b = nil
			default:
				b = []byte(tt.body)
			}
			err := HasJSON(tt.path)(b)
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.err)
		})
	}
}

func TestJSONEquals(t *testing.T) {
	body := []byte(`{"n":3,"user":{"name":"x","password":"hunter22"},"long":"` + strings.Repeat("a", 100) + `"}`)
	assert.NoError(t, JSONEquals("n", 3.0)(body), "3 equals 3.0")
	assert.NoError(t, JSONEquals("user.name", "x")(body))
	assert.NoError(t, JSONEquals("user", struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}{"x", "hunter22"})(body), "a struct equals the object of its JSON form")
	assert.EqualError(t, JSONEquals("user.name", "y")(body), `user.name is "x", want "y"`)
	assert.EqualError(t, JSONEquals("user.password", "guess")(body), "user.password is not the wanted value ("+redact.Redacted+")")
	err := JSONEquals("long", "b")(body)
	assert.EqualError(t, err, `long is "`+strings.Repeat("a", 79)+`…, want "b"`, "long values are cut")
	assert.ErrorContains(t, JSONEquals("n", func() {})(body), "encode wanted value of n: json: unsupported type")
	assert.EqualError(t, JSONEquals("gone", 1)(body), "no field gone")
}

func TestBody(t *testing.T) {
	has := Body("mentions x", func(b []byte) bool { return strings.Contains(string(b), "x") })
	assert.NoError(t, has([]byte("xyz")))
	assert.EqualError(t, has([]byte("abc")), "body: not mentions x")
}
