package learn

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// synthLog writes a JSON-lines access log of about n requests from two
// kinds of visitors — readers (70 %) and writers (30 %) — each arriving
// anonymous, then known by a user id; think times log-normal. Canary ids,
// emails and tokens appear in paths, query values and the user field.
func synthLog(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	type visitor struct {
		at     time.Time
		user   int
		writer bool
		left   int
		step   int
	}
	var active []*visitor
	next := start
	written, users := 0, 0
	for written < n {
		// The visitor whose next request comes first.
		k := 0
		for i, v := range active {
			if v.at.Before(active[k].at) {
				k = i
			}
		}
		// A new visitor every 20 ms on average (Poisson arrivals).
		if len(active) == 0 || next.Before(active[k].at) {
			users++
			active = append(active, &visitor{at: next, user: 1000 + users, writer: r.Float64() < 0.3, left: 5 + r.IntN(20)})
			next = next.Add(time.Duration(r.ExpFloat64() * float64(20*time.Millisecond)))
			k = len(active) - 1
		}
		v := active[k]
		user := fmt.Sprint(v.user)
		var method, path string
		switch {
		case v.step == 0:
			method, path, user = "GET", "/health", ""
		case v.step == 1:
			method, path = "POST", "/api/login"
		case v.writer && r.Float64() < 0.6:
			method, path = "PUT", fmt.Sprintf("/api/items/%d", r.IntN(5000))
		case v.writer:
			method, path = "POST", "/api/items?token=tok_"+fmt.Sprintf("%x", r.Uint64())
		case r.Float64() < 0.5:
			method, path = "GET", fmt.Sprintf("/api/items?page=%d&q=user%d@example.com", 1+r.IntN(9), v.user)
		default:
			method, path = "GET", fmt.Sprintf("/api/users/%d/items/%d", v.user, r.IntN(5000))
		}
		dur := 200 + r.IntN(800)
		fmt.Fprintf(bw, `{"time":%q,"client":"10.0.%d.%d","user":%q,"method":%q,"path":%q,"status":200,"bytes":10,"duration_us":%d,"ua":"ua-%d"}`+"\n",
			v.at.Format(time.RFC3339Nano), v.user%7, v.user%250, user, method, path, dur, v.user%5)
		written++
		v.step++
		v.left--
		think := time.Duration(float64(300*time.Millisecond) * math.Exp(0.5*r.NormFloat64()))
		v.at = v.at.Add(time.Duration(dur)*time.Microsecond + think)
		if v.left <= 0 {
			active[k] = active[len(active)-1]
			active = active[:len(active)-1]
		}
	}
	return bw.Flush()
}
