package routes

import (
	"fmt"
	"testing"
)

func TestAnonymous(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/api/users", "/api/users"},
		{"/api/users/{id}", "/api/users/{}"},
		{"/articles/{slug}/comments/{id}", "/articles/{}/comments/{}"},
		{"/files/{name", "/files/{name"},
		{"/{a}{b}", "/{}{}"},
		{"", ""},
	} {
		if got := Anonymous(tc.in); got != tc.want {
			t.Errorf("Anonymous(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func ExampleAnonymous() {
	fmt.Println(Anonymous("/articles/{slug}/comments/{id}"))
	fmt.Println(Anonymous("/articles/{id}/comments/{cid}") == Anonymous("/articles/{slug}/comments/{id}"))
	// Output:
	// /articles/{}/comments/{}
	// true
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		route  string
		params []any
		want   string
	}{
		{"/api/users/{id}", []any{42}, "/api/users/42"},
		{"/api/users/{id}", []any{int64(7)}, "/api/users/7"},
		{"/articles/{slug}/comments/{id}", []any{"a b/c", 3}, "/articles/a%20b%2Fc/comments/3"},
		{"/x/{a}", []any{1.5}, "/x/1.5"},
		{"/x/{a}/{b}", []any{1}, "/x/1/{b}"}, // a missing parameter leaves the placeholder: the target's 404
		{"/x/{a", []any{1}, "/x/{a"},
		{"/plain", []any{1}, "/plain"},
		{"/x/{a}", nil, "/x/{a}"},
	} {
		if got := Fill(tc.route, tc.params...); got != tc.want {
			t.Errorf("Fill(%q, %v) = %q, want %q", tc.route, tc.params, got, tc.want)
		}
	}
}
