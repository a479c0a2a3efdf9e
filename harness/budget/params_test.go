package budget

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/reports"
)

// TestEvaluate_parametersMatchByPosition: a budget written with the API
// description's parameter name selects the endpoint a journey named with
// another, as the contract checker matches operations; a budget that
// matches nothing suggests the nearest endpoint.
func TestEvaluate_parametersMatchByPosition(t *testing.T) {
	s := &reports.Summary{Endpoints: []reports.Endpoint{
		{Name: "GET /articles/{slug}", Method: "GET", Route: "/articles/{slug}", Requests: 10, Histogram: encoded(t, samples{micros: 20_000, count: 10})},
		{Name: "GET /articles/{slug}/comments/{id}", Method: "GET", Route: "/articles/{slug}/comments/{id}", Requests: 4, Histogram: encoded(t, samples{micros: 90_000, count: 4})},
	}}
	tests := []struct {
		expr    string
		passed  bool
		message string
	}{
		{"p95(GET /articles/{id}) < 50ms", true, "p95 of GET /articles/{slug} was 20ms"},
		{"p95(GET /articles/{a}/comments/{b}) < 50ms", false, "p95 of GET /articles/{slug}/comments/{id} was 90ms"},
		{"p95(GET /articles/*) < 100ms", true, "(2 endpoints)"},
		{"p95(GET /articels/{id}) < 50ms", false, "no endpoint matched; did you mean GET /articles/{slug}?"},
		{"p95(POST /articles/{id}) < 50ms", false, "no endpoint matched"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			v := Evaluate(s, []Budget{mustParse(t, tt.expr)})
			require.Len(t, v, 1)
			assert.Equal(t, tt.passed, v[0].Passed, v[0].Message)
			assert.Contains(t, v[0].Message, tt.message)
		})
	}
}

// TestEvaluate_checks judges the share of passed check results, of all
// checks or of one, naming the failing checks; an unknown check's name
// gets a suggestion.
func TestEvaluate_checks(t *testing.T) {
	s := &reports.Summary{Checks: []reports.Check{{Name: "has id", Passes: 98, Fails: 2}, {Name: "status ok", Passes: 100}}}
	tests := []struct {
		expr    string
		passed  bool
		message string
	}{
		{"checks >= 99%", true, "checks passed was 99%"},
		{"checks >= 99.5%", false, `"has id" failed 2 of 100`},
		{"checks(has id) >= 99%", false, `check "has id" passed was 98%`},
		{"checks(status ok) >= 100%", true, "100 of 100 results"},
		{"checks(has ids) >= 99%", false, `no check named "has ids"; did you mean "has id"?`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			b := mustParse(t, tt.expr)
			assert.Equal(t, b, mustParse(t, b.String()), "the canonical text parses back")
			v := Evaluate(s, []Budget{b})[0]
			assert.Equal(t, tt.passed, v.Passed, v.Message)
			assert.Contains(t, v.Message, tt.message)
		})
	}
	v := Evaluate(&reports.Summary{}, []Budget{mustParse(t, "checks >= 99%")})[0]
	assert.False(t, v.Passed)
	assert.Contains(t, v.Message, "no data — no check ran")
}
