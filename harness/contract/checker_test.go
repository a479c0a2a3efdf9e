package contract

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/reports"
)

func TestChecker_Observe(t *testing.T) {
	type sent struct {
		req  *harness.Request
		resp *harness.Response
	}
	pet := `{"id":7,"name":"Rex"}`
	tests := []struct {
		name         string
		sent         []sent
		wantRequests map[string]int64            // by operation; absent means 0
		wantClasses  map[string]map[string]int64 // by operation
		wantCoverage float64
		wantNotes    []string // substrings of some note
	}{
		{
			name: "parameter names match by position",
			sent: []sent{
				{harness.Get("/pets/{id}", 7), answer(200, pet)},
				{harness.Get("/pets/{petId}", 7), answer(200, pet)},
				{harness.Delete("/pets/{x}", 9), answer(404, `{"error":"no"}`)},
			},
			wantRequests: map[string]int64{"GET /pets/{petId}": 2, "DELETE /pets/{petId}": 1},
			wantClasses: map[string]map[string]int64{
				"GET /pets/{petId}": {"2xx": 2}, "DELETE /pets/{petId}": {"4xx": 1},
			},
			wantCoverage: 2.0 / 6,
		},
		{
			name: "status classes",
			sent: []sent{
				{harness.Get("/health"), answer(200, `{"ok":true}`)},
				{harness.Get("/health"), answer(302, "")},
				{harness.Get("/health"), answer(503, `{"error":"down"}`)},
				{harness.Get("/health"), answer(499, `{"error":"x"}`)},
				{harness.Get("/health"), answer(600, "")},
			},
			wantRequests: map[string]int64{"GET /health": 5},
			wantClasses:  map[string]map[string]int64{"GET /health": {"2xx": 1, "3xx": 1, "4xx": 1, "5xx": 1, "other": 1}},
			wantCoverage: 1.0 / 6,
		},
		{
			name: "no answer exercises nothing",
			sent: []sent{
				{harness.Get("/health"), &harness.Response{Kind: kind.Refused}},
			},
			wantCoverage: 0,
			wantNotes:    []string{"1 request got no answer"},
		},
		{
			name: "undescribed routes are named in the notes",
			sent: []sent{
				{harness.Get("/metrics"), answer(200, "")},
				{harness.Get("/metrics"), answer(200, "")},
				{harness.Put("/pets/{id}", 1), answer(405, "")},
				{harness.Get("/pets"), answer(200, "[]")},
			},
			wantRequests: map[string]int64{"GET /pets": 1},
			wantClasses:  map[string]map[string]int64{"GET /pets": {"2xx": 1}},
			wantCoverage: 1.0 / 6,
			wantNotes: []string{
				"contract: GET /metrics matches no operation of pets.yaml (2 requests)",
				"contract: PUT /pets/{id} matches no operation of pets.yaml (1 request)",
				"1 of 6 operations of pets.yaml answered as described",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(parsePets(t), 0, 1)
			for _, s := range tt.sent {
				c.Observe(s.req, s.resp)
			}
			var sum reports.Summary
			c.FillSummary(&sum)
			require.Len(t, sum.Operations, len(petsOps), "every described operation is listed")
			for i, op := range sum.Operations {
				assert.Equal(t, petsOps[i], op.Name, "sorted by name")
				assert.Equal(t, tt.wantRequests[op.Name], op.Requests, op.Name)
				assert.Equal(t, tt.wantClasses[op.Name], op.ByClass, op.Name)
			}
			require.NotNil(t, sum.Coverage)
			assert.InDelta(t, tt.wantCoverage, *sum.Coverage, 1e-9)
			for _, want := range tt.wantNotes {
				assert.True(t, containsSub(sum.Notes, want), "a note contains %q: %q", want, sum.Notes)
			}
		})
	}
}

// containsSub reports whether some note contains sub.
func containsSub(notes []string, sub string) bool {
	for _, n := range notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

func TestChecker_UnmatchedRoutesAreBounded(t *testing.T) {
	c := NewChecker(parsePets(t), 0, 1)
	for i := range MaxUnmatchedRoutes + 50 {
		c.Observe(harness.Get("/raw/"+strconv.Itoa(i)), answer(404, ""))
	}
	assert.Len(t, *c.routes.Load(), MaxUnmatchedRoutes+1, "named routes plus one shared counter")
	assert.Equal(t, int64(MaxUnmatchedRoutes+50), c.Stats().Unmatched, "every request is counted")
	var sum reports.Summary
	c.FillSummary(&sum)
	assert.True(t, containsSub(sum.Notes, otherRoutes+" matches no operation of pets.yaml (50 requests)"), "%q", sum.Notes[len(sum.Notes)-2:])
}

func TestChecker_Sampling(t *testing.T) {
	valid := `{"id":7,"name":"Rex"}`
	tests := []struct {
		name      string
		pct       float64
		n         int
		want      int64
		tolerance float64
	}{
		{"10 percent of 1000", 10, 1000, 100, 1},
		{"1 percent of 1000", 1, 1000, 10, 1},
		{"a third of 999", 100.0 / 3, 999, 333, 1},
		{"all", 100, 500, 500, 0},
		{"none", 0, 500, 0, 0},
		{"above 100 is all", 150, 20, 20, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(parsePets(t), tt.pct, 42)
			for range tt.n {
				c.Observe(harness.Get("/pets/{id}", 7), answer(200, valid))
			}
			st := c.Stats()
			assert.InDelta(t, tt.want, st.Validated, tt.tolerance)
			assert.Zero(t, st.Violations)
			assert.Equal(t, int64(tt.n), st.Requests)
		})
	}
	t.Run("same seed, same sample; another seed, another", func(t *testing.T) {
		picks := func(seed int64) []uint64 {
			c := NewChecker(parsePets(t), 10, seed)
			var out []uint64
			for n := range uint64(1000) {
				if c.sampled(n, c.ops[0].salt) {
					out = append(out, n)
				}
			}
			return out
		}
		a, b, other := picks(1), picks(1), picks(2)
		assert.Equal(t, a, b)
		assert.NotEqual(t, a, other)
		require.Len(t, a, 100)
		for k, n := range a {
			assert.Equal(t, uint64(k), n/10, "one pick in each stratum of ten")
		}
	})
	t.Run("concurrent observers count exactly", func(t *testing.T) {
		c := NewChecker(parsePets(t), 10, 3)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 250 {
					body := valid
					if i%2 == 1 {
						body = `{"id":"7","name":"Rex"}`
					}
					c.Observe(harness.Get("/pets/{id}", 7), answer(200, body))
					c.Observe(harness.Get("/other/"+strconv.Itoa(g)+"/"+strconv.Itoa(i%3)), answer(404, ""))
				}
			})
		}
		wg.Wait()
		st := c.Stats()
		assert.Equal(t, int64(200), st.Validated)
		assert.Equal(t, int64(2000), st.Requests)
		assert.Equal(t, int64(2000), st.Unmatched)
		assert.Positive(t, st.Violations)
		assert.Less(t, st.Violations, st.Validated)
		assert.Len(t, *c.routes.Load(), 1+8*3, "each template remembered once")
	})
}

func TestChecker_Validate(t *testing.T) {
	tests := []struct {
		name        string
		req         *harness.Request
		resp        *harness.Response
		wantExample []string // substrings of the example; none means no violation
		wantSkipped string
	}{
		{name: "valid", req: harness.Get("/pets/{id}", 7), resp: answer(200, `{"id":7,"name":"Rex","extra":1}`)},
		{name: "valid error answer", req: harness.Get("/pets/{id}", 7), resp: answer(404, `{"error":"no such pet"}`)},
		{name: "valid empty answer", req: harness.Delete("/pets/{id}", 7), resp: answer(204, "")},
		{
			name: "wrong type", req: harness.Get("/pets/{id}", 7), resp: answer(200, `{"id":"7","name":"Rex"}`),
			wantExample: []string{"status 200", "at /id", "must be an integer", `(got string "7")`},
		},
		{
			name: "missing property", req: harness.Get("/pets/{id}", 7), resp: answer(200, `{"id":7}`),
			wantExample: []string{"status 200", `property "name" is missing`},
		},
		{
			name: "undescribed status", req: harness.Get("/pets/{id}", 7), resp: answer(500, `{"error":"boom"}`),
			wantExample: []string{"status 500", "status is not supported"},
		},
		{
			name: "wrong item in a list", req: harness.Get("/pets").Param("kind", "cat"), resp: answer(200, `[{"id":1,"name":"a"},{"id":0,"name":"b"}]`),
			wantExample: []string{"at /1/id", "must be at least 1", "(got number 0)"},
		},
		{
			name: "truncated body", req: harness.Get("/pets/{id}", 7),
			resp:        &harness.Response{Status: 200, Body: []byte(`{"id":`), Bytes: 1 << 21, Kind: kind.BodyTooLarge},
			wantSkipped: "truncated body",
		},
		{name: "not JSON", req: harness.Get("/pets/{id}", 7), resp: answer(502, "<html>bad gateway</html>"), wantSkipped: "not JSON"},
		{name: "path the router cannot place", req: harness.Get("/pets/{id}", ""), resp: answer(200, `{"id":7,"name":"Rex"}`), wantSkipped: "no route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(parsePets(t), 100, 1)
			c.Observe(tt.req, tt.resp)
			st := c.Stats()
			var sum reports.Summary
			c.FillSummary(&sum)
			i, ok := c.d.find(tt.req.Method, tt.req.Route)
			require.True(t, ok)
			op := findOperation(t, sum.Operations, c.d.ops[i].name)
			if tt.wantSkipped != "" {
				assert.Equal(t, map[string]int64{tt.wantSkipped: 1}, st.Skipped)
				assert.Zero(t, st.Validated)
				assert.True(t, containsSub(sum.Notes, "skipped "+tt.wantSkipped+" 1"), "%q", sum.Notes)
				return
			}
			if len(tt.wantExample) == 0 {
				assert.Zero(t, op.Violations, "%q", op.Examples)
				return
			}
			assert.Equal(t, int64(1), op.Violations)
			require.Len(t, op.Examples, 1)
			for _, want := range tt.wantExample {
				assert.Contains(t, op.Examples[0], want)
			}
			assert.LessOrEqual(t, len(op.Examples[0]), MaxExampleLen)
			assert.NotContains(t, op.Examples[0], "Schema:", "no schema dump")
		})
	}
}

func TestChecker_ExamplesAreBounded(t *testing.T) {
	c := NewChecker(parsePets(t), 100, 1)
	for i := range 20 {
		c.Observe(harness.Get("/pets/{id}", 7), answer(200, fmt.Sprintf(`{"id":"%d","name":"x"}`, i)))
	}
	var sum reports.Summary
	c.FillSummary(&sum)
	op := findOperation(t, sum.Operations, "GET /pets/{petId}")
	assert.Equal(t, int64(20), op.Violations)
	require.Len(t, op.Examples, MaxExamples)
	assert.Contains(t, op.Examples[0], `"0"`, "the first ones are kept")
	assert.True(t, containsSub(sum.Notes, "20 violations"), "%q", sum.Notes)
}
