package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/trafficsim/trafficsim/harness/kind"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newRegistered returns collectors registered on a fresh registry.
func newRegistered(tb testing.TB) (*Collectors, *prometheus.Registry) {
	tb.Helper()
	c := New(RunInfo{RunID: "run-1", Seed: "42", Version: "v0.1.0"})
	reg := prometheus.NewPedanticRegistry()
	require.NoError(tb, c.Register(reg))
	return c, reg
}

func TestCollectors_Request(t *testing.T) {
	tests := []struct {
		name      string
		calls     func(c *Collectors)
		archetype string
		endpoint  string
		method    string
		code      string
		want      float64
	}{
		{
			name: "counts each call",
			calls: func(c *Collectors) {
				for range 3 {
					c.Request("active", "/api/users/{id}", "GET", 200, time.Millisecond)
				}
			},
			archetype: "active", endpoint: "/api/users/{id}", method: "GET", code: "200", want: 3,
		},
		{
			name:      "no response is code 0",
			calls:     func(c *Collectors) { c.Request("new", "/api/auth/login", "POST", 0, time.Second) },
			archetype: "new", endpoint: "/api/auth/login", method: "POST", code: "0", want: 1,
		},
		{
			name:      "negative code is code 0",
			calls:     func(c *Collectors) { c.Request("new", "/api/auth/login", "POST", -1, time.Second) },
			archetype: "new", endpoint: "/api/auth/login", method: "POST", code: "0", want: 1,
		},
		{
			name: "codes are separate series",
			calls: func(c *Collectors) {
				c.Request("admin", "/api/users", "GET", 200, 0)
				c.Request("admin", "/api/users", "GET", 403, 0)
				c.Request("admin", "/api/users", "GET", 403, 0)
			},
			archetype: "admin", endpoint: "/api/users", method: "GET", code: "403", want: 2,
		},
		{
			name:      "invalid UTF-8 does not panic",
			calls:     func(c *Collectors) { c.Request("power", "/api/\xff", "GET", 200, 0) },
			archetype: "power", endpoint: "/api/\uFFFD", method: "GET", code: "200", want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newRegistered(t)
			tt.calls(c)
			got := testutil.ToFloat64(c.requests.WithLabelValues(tt.archetype, tt.endpoint, tt.method, tt.code))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCollectors_RequestDuration(t *testing.T) {
	c, reg := newRegistered(t)
	c.Request("active", "/api/users/{id}", "GET", 200, 300*time.Microsecond) // first bucket
	c.Request("new", "/api/users/{id}", "GET", 404, 20*time.Millisecond)     // same endpoint, other archetype
	c.Request("active", "/api/users/{id}", "GET", 200, 30*time.Second)       // beyond the last bucket

	want := `
# HELP trafficsim_request_duration_seconds Time from sending a request to reading its whole response, by route template and method.
# TYPE trafficsim_request_duration_seconds histogram
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.0005"} 1
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.001"} 1
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.0025"} 1
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.005"} 1
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.01"} 1
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.025"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.05"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.1"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.25"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="0.5"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="1"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="2.5"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="5"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="10"} 2
trafficsim_request_duration_seconds_bucket{endpoint="/api/users/{id}",method="GET",le="+Inf"} 3
trafficsim_request_duration_seconds_sum{endpoint="/api/users/{id}",method="GET"} 30.0203
trafficsim_request_duration_seconds_count{endpoint="/api/users/{id}",method="GET"} 3
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), RequestDurationName))
}

func TestCollectors_ErrorsVUsLogins(t *testing.T) {
	c, reg := newRegistered(t)
	c.Error("/api/auth/login", "POST", "timeout")
	c.Error("/api/auth/login", "POST", "timeout")
	c.Error("/api/users", "GET", "http_5xx")
	c.AddVUs("active", 5)
	c.AddVUs("active", -2)
	c.SetVUs("admin", 7)
	c.SetVUs("admin", 0)
	c.Login(kind.LoginSuccess)
	c.Login(kind.LoginSuccess)
	c.Login(kind.LoginWrongPassword)

	want := `
# HELP trafficsim_errors_total Failed requests by route template, method and kind (timeout, refused, reset, http_4xx, http_5xx, check, ...).
# TYPE trafficsim_errors_total counter
trafficsim_errors_total{endpoint="/api/auth/login",kind="timeout",method="POST"} 2
trafficsim_errors_total{endpoint="/api/users",kind="http_5xx",method="GET"} 1
# HELP trafficsim_vus_active Virtual users currently running a journey, by archetype.
# TYPE trafficsim_vus_active gauge
trafficsim_vus_active{archetype="active"} 3
trafficsim_vus_active{archetype="admin"} 0
# HELP trafficsim_login_attempts_total Login attempts by outcome (success, wrong_password, locked, error).
# TYPE trafficsim_login_attempts_total counter
trafficsim_login_attempts_total{outcome="error"} 0
trafficsim_login_attempts_total{outcome="locked"} 0
trafficsim_login_attempts_total{outcome="success"} 2
trafficsim_login_attempts_total{outcome="wrong_password"} 1
# HELP trafficsim_run_info Always 1; its labels identify the run (id, seed, harness version).
# TYPE trafficsim_run_info gauge
trafficsim_run_info{run_id="run-1",seed="42",version="v0.1.0"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		ErrorsTotalName, VUsActiveName, LoginAttemptsName, RunInfoName))
}

func TestCollectors_Register(t *testing.T) {
	tests := []struct {
		name    string
		reg     func(tb testing.TB) prometheus.Registerer
		wantErr bool
	}{
		{name: "fresh registry", reg: func(testing.TB) prometheus.Registerer { return prometheus.NewRegistry() }},
		{
			name: "twice on one registry",
			reg: func(tb testing.TB) prometheus.Registerer {
				r := prometheus.NewRegistry()
				require.NoError(tb, New(RunInfo{RunID: "other"}).Register(r))
				return r
			},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New(RunInfo{RunID: "r"}).Register(tt.reg(t))
			if tt.wantErr {
				require.ErrorContains(t, err, "register trafficsim metrics")
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestCollectors_Lint(t *testing.T) {
	c, reg := newRegistered(t)
	c.Request("active", "/api/users/{id}", "GET", 200, time.Millisecond)
	c.Error("/api/users/{id}", "GET", "http_5xx")
	c.AddVUs("active", 1)
	c.Login(kind.LoginLocked)

	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
	n, err := testutil.GatherAndCount(reg)
	require.NoError(t, err)
	assert.Equal(t, 1+1+1+1+4+1, n, "series: requests, duration, errors, vus, 4 logins, run_info")
}

func TestCollectors_Concurrent(t *testing.T) {
	c, _ := newRegistered(t)
	const goroutines, perGoroutine = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				endpoint := fmt.Sprintf("/api/e%d", i%5)
				c.Request("active", endpoint, "GET", 200+g%2, time.Millisecond)
				c.Error(endpoint, "GET", "timeout")
				c.AddVUs("active", 1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 5*2, c.requestChildren.len())
	var total float64
	for i := range 5 {
		for _, code := range []string{"200", "201"} {
			total += testutil.ToFloat64(c.requests.WithLabelValues("active", fmt.Sprintf("/api/e%d", i), "GET", code))
		}
	}
	assert.Equal(t, float64(goroutines*perGoroutine), total)
	assert.Equal(t, float64(goroutines*perGoroutine), testutil.ToFloat64(c.vus.WithLabelValues("active")))
	assert.Equal(t, float64(goroutines*perGoroutine/5), testutil.ToFloat64(c.errors.WithLabelValues("/api/e0", "GET", "timeout")))
}

func TestCollectors_NoAllocs(t *testing.T) {
	c, _ := newRegistered(t)
	tests := []struct {
		name string
		call func()
	}{
		{name: "Request", call: func() { c.Request("active", "/api/users/{id}", "GET", 200, 3*time.Millisecond) }},
		{name: "Request no response", call: func() { c.Request("active", "/api/users/{id}", "GET", 0, time.Second) }},
		{name: "Error", call: func() { c.Error("/api/users/{id}", "GET", "timeout") }},
		{name: "AddVUs", call: func() { c.AddVUs("active", 1) }},
		{name: "Login", call: func() { c.Login(kind.LoginSuccess) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call() // warm the cache
			assert.Zero(t, testing.AllocsPerRun(1000, tt.call))
		})
	}
}

func BenchmarkCollectors_Request(b *testing.B) {
	c, _ := newRegistered(b)
	endpoints := []string{"/api/users", "/api/users/{id}", "/api/auth/login", "/api/auth/refresh"}
	codes := []int{200, 201, 401, 404, 0}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Request("active", endpoints[i%len(endpoints)], "GET", codes[i%len(codes)], time.Duration(i%1000)*time.Microsecond)
			i++
		}
	})
}

func TestCollectors_Checks(t *testing.T) {
	c, reg := newRegistered(t)
	c.Check("has id", true)
	c.Check("has id", true)
	c.Check("has id", false)
	c.Check("status 200", true)
	want := `
# HELP trafficsim_checks_total Named checks on responses (Request.Check, WithCheck) by check and result (pass, fail).
# TYPE trafficsim_checks_total counter
trafficsim_checks_total{check="has id",result="fail"} 1
trafficsim_checks_total{check="has id",result="pass"} 2
trafficsim_checks_total{check="status 200",result="pass"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), ChecksTotalName))
}
