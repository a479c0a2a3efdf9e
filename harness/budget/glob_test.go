package budget

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trafficsim/trafficsim/reports"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		route   string
		want    bool
	}{
		{"exact", "/api/users", "/api/users", true},
		{"exact with braces", "/api/users/{id}", "/api/users/{id}", true},
		{"literal braces are not a wildcard", "/api/users/{id}", "/api/users/42", false},
		{"star matches braces", "/api/users/*", "/api/users/{id}", true},
		{"star crosses slashes", "/api/users/*", "/api/users/{id}/posts/{post}", true},
		{"star needs the prefix", "/api/users/*", "/api/users", false},
		{"trailing star matches empty", "/api/users*", "/api/users", true},
		{"trailing star matches more", "/api/users*", "/api/users/{id}", true},
		{"star in the middle", "/api/*/{id}", "/api/users/{id}", true},
		{"star in the middle, wrong suffix", "/api/*/{id}", "/api/users/{id}/posts", false},
		{"leading star", "*/{id}", "/api/users/{id}", true},
		{"only star", "*", "/anything/at/all", true},
		{"only star matches empty", "*", "", true},
		{"backtracking", "/a*b*c", "/aXbYbZc", true},
		{"backtracking fails", "/a*b*c", "/aXbYbZ", false},
		{"many stars", "**/**", "/x", true},
		{"case matters in paths", "/API/users", "/api/users", false},
		{"longer route", "/api", "/api/users", false},
		{"longer pattern", "/api/users", "/api", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matchGlob(tt.pattern, tt.route))
		})
	}
}

func TestSelector_matches(t *testing.T) {
	endpoints := []reports.Endpoint{
		{Name: "GET /api/users/{id}", Method: "GET", Route: "/api/users/{id}"},
		{Name: "PUT /api/users/{id}", Method: "PUT", Route: "/api/users/{id}"},
		{Name: "GET /api/users", Method: "GET", Route: "/api/users"},
		{Name: "POST /api/auth/login", Method: "POST", Route: "/api/auth/login"},
		{Name: "/health", Method: "GET", Route: "/health"}, // a name without its method
	}
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"method and glob", "p95(GET /api/users/*) < 1s", []string{"GET /api/users/{id}"}},
		{"method omitted is any", "p95(/api/users/*) < 1s", []string{"GET /api/users/{id}", "PUT /api/users/{id}"}},
		{"star method is any", "p95(* /api/users*) < 1s", []string{"GET /api/users/{id}", "PUT /api/users/{id}", "GET /api/users"}},
		{"method in lower case", "p95(post /api/auth/*) < 1s", []string{"POST /api/auth/login"}},
		{"exact name", "p95(GET /api/users) < 1s", []string{"GET /api/users"}},
		{"method from the field", "p95(GET /health) < 1s", []string{"/health"}},
		{"everything", "p95(*) < 1s", []string{"GET /api/users/{id}", "PUT /api/users/{id}", "GET /api/users", "POST /api/auth/login", "/health"}},
		{"nothing", "p95(DELETE *) < 1s", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := mustParse(t, tt.expr).sel
			var got []string
			for i := range endpoints {
				if sel.matches(&endpoints[i]) {
					got = append(got, endpoints[i].Name)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
