package harness

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The seed corpus below runs as an ordinary test; `go test -fuzz=FuzzArrivals`
// explores from it. The parsers' fuzz tests are package config's.

func FuzzArrivals(f *testing.F) {
	for _, s := range []string{
		"30s:10,1m:50,30s:0", "1s:0", "10m:1000000", " 5s : 2.5 , 1h:0 ", "1ns:1e-300",
		"2562047h47m16.854775807s:1000000", "2562047h:0,2562047h:0,1s:5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStages(s)
		if err != nil {
			return
		}
		// The schedule a plan makes never runs backwards (a bounded look).
		plan := arrivals{stages: st}
		var prev time.Duration
		for n := range int64(64) {
			at, ok := plan.next(n)
			if !ok {
				break
			}
			require.GreaterOrEqual(t, at, prev, "arrival %d", n)
			prev = at
		}
	})
}
