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
