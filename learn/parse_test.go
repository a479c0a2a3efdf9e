package learn

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCombined(t *testing.T) {
	tests := []struct {
		name string
		line string
		ok   bool
		want Entry
	}{
		{"combined", `127.0.0.1 - 42 [02/Dec/2026:05:07:07 +0000] "GET /api/users?page=2 HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11)"`, true,
			Entry{Client: "127.0.0.1", User: "42", Method: "GET", Target: "/api/users?page=2", Status: 200, UA: "Mozilla/5.0 (X11)"}},
		{"anonymous, no agent", `10.0.0.1 - - [02/Dec/2026:05:07:07 +0100] "POST /api/auth/login HTTP/1.1" 401 -`, true,
			Entry{Client: "10.0.0.1", Method: "POST", Target: "/api/auth/login", Status: 401}},
		{"escaped quote in agent", `::1 - 7 [02/Dec/2026:05:07:07 +0000] "GET / HTTP/1.1" 200 5 "-" "a\x22b" 0.003`, true,
			Entry{Client: "::1", User: "7", Method: "GET", Target: "/", Status: 200, UA: `a\x22b`}},
		{"garbage", `not a log line`, false, Entry{}},
		{"bad time", `1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 1`, false, Entry{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e Entry
			require.Equal(t, tc.ok, parseCombined([]byte(tc.line), &e))
			if !tc.ok {
				return
			}
			e.Time = time.Time{}
			assert.Equal(t, tc.want, e)
		})
	}
}

func TestRead_JSONFields(t *testing.T) {
	log := `{"ts": 1764652027.25, "uid": 9, "verb": "GET", "url": "/a/1", "code": "200", "rt_ms": 2.5, "agent": "x", "sid": "abc"}
{"ts": 1764652028.5, "uid": null, "verb": "GET", "url": "/a/2", "code": 404, "rt_ms": 1, "agent": "x", "sid": "abc"}
this line is broken
`
	f, err := ParseFields("time=ts,user=uid,method=verb,path=url,status=code,duration=rt_ms,ua=agent,session=sid")
	require.NoError(t, err)
	l, err := Read(strings.NewReader(log), ReadOptions{Fields: f})
	require.NoError(t, err)
	assert.Equal(t, 2, l.Len())
	assert.Equal(t, 1, l.Skipped)
	assert.Equal(t, 3, l.Lines)
	r := l.recs[0]
	assert.Equal(t, "GET /a/1", l.raws.str(r.raw))
	assert.Equal(t, "9", l.users.str(r.user))
	assert.Equal(t, int64(2500*time.Microsecond), r.dur)
	assert.Equal(t, "abc", l.keys.str(r.key))
	assert.Equal(t, uint16(404), l.recs[1].status)

	_, err = ParseFields("colour=red")
	require.ErrorContains(t, err, "-fields")
}

func TestRead_HAR(t *testing.T) {
	har := `{"log": {"version": "1.2", "entries": [
 {"startedDateTime": "2026-12-02T05:00:00.000Z", "time": 12.5, "request": {"method": "GET", "url": "https://shop.example/api/items?page=1", "headers": [{"name": "user-agent", "value": "Firefox"}]}, "response": {"status": 200}},
 {"startedDateTime": "2026-12-02T05:00:01.000Z", "time": 3, "request": {"method": "POST", "url": "https://shop.example/api/cart", "headers": []}, "response": {"status": 201}}
]}}`
	l, err := Read(strings.NewReader(har), ReadOptions{})
	require.NoError(t, err)
	require.Equal(t, 2, l.Len())
	assert.Equal(t, "GET /api/items", l.raws.str(l.recs[0].raw))
	assert.Equal(t, "page", l.queries.str(l.recs[0].query))
	assert.Equal(t, "POST /api/cart", l.raws.str(l.recs[1].raw))
}

func TestRead_Errors(t *testing.T) {
	_, err := Read(strings.NewReader(""), ReadOptions{})
	require.ErrorContains(t, err, "empty")
	_, err = Read(strings.NewReader("nonsense\nmore nonsense\n"), ReadOptions{})
	require.ErrorContains(t, err, "no line of 2 parsed")
	_, err = Read(strings.NewReader("x"), ReadOptions{Format: "xml"})
	require.ErrorContains(t, err, "-format")
}

func TestQueryKeys_NoValues(t *testing.T) {
	assert.Equal(t, "page,per_page", queryKeys("per_page=20&page=2&page=3"))
	// A key that is a value in disguise (a token, an email) is dropped.
	assert.Equal(t, "q", queryKeys("q=secret&eyJhbGciOiJIUzI1NiJ9abc123=1&a%40b.c=1"))
}
