package harness_test

import (
	"fmt"
	"time"

	"github.com/trafficsim/trafficsim/harness"
)

func ExampleParseThink() {
	for _, s := range []string{"const:2s", "uniform:500ms-3s", "exp:1s", "lognormal:1s,0.5"} {
		t, err := harness.ParseThink(s)
		fmt.Println(t, err)
	}
	// Output:
	// const:2s <nil>
	// uniform:500ms-3s <nil>
	// exp:1s <nil>
	// lognormal:1s,0.5 <nil>
}

func ExampleParseStages() {
	st, err := harness.ParseStages("30s:10,1m:50,30s:0")
	fmt.Println(len(st), st[1].Duration, st[1].Target, err)
	// Output: 3 1m0s 50 <nil>
}

func ExampleNewRequest() {
	req := harness.Get("/api/users/{id}/profile", 42).Param("fields", "bio")
	fmt.Println(req.Name(), req.Path())
	// Output: GET /api/users/{id}/profile /api/users/42/profile
}

func ExampleP95() {
	fmt.Println(harness.P95("GET /api/users/{id}", 150*time.Millisecond))
	fmt.Println(harness.ErrorRateBelow(1))
	// Output:
	// p95(GET /api/users/{id}) < 150ms
	// error_rate < 1%
}
