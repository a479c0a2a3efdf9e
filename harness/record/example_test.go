package record_test

import (
	"fmt"
	"time"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/reports"
)

func ExampleRecorder_Fill() {
	rec := record.New([]string{"browser"}, nil)
	e := rec.Endpoint("GET", "/api/users/{id}")
	rec.Observe(e, &record.Outcome{Status: 200, Latency: 12 * time.Millisecond})
	rec.Observe(e, &record.Outcome{Status: 503, Latency: 3 * time.Millisecond, Kind: kind.HTTP5xx})
	rec.Login(kind.LoginWrongPassword)
	var s reports.Summary
	if err := rec.Fill(&s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Requests, s.ErrorsUnexpected, s.ErrorsByKind, s.LoginAttempts)
	fmt.Println(s.Endpoints[0].Name, s.Endpoints[0].Codes)
	// Output:
	// 2 1 map[http_5xx:1] map[wrong_password:1]
	// GET /api/users/{id} map[200:1 503:1]
}
