package metrics

import (
	"context"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defaultStopBound bounds Stop in tests that expect it to finish on its own.
const defaultStopBound = 10 * time.Second

func TestNewPusher_Validate(t *testing.T) {
	reg := prometheus.NewRegistry()
	valid := PusherConfig{URL: "http://127.0.0.1:9091", Job: "sim", RunID: "r1"}
	tests := []struct {
		name    string
		mutate  func(*PusherConfig)
		wantErr []string
	}{
		{name: "valid", mutate: func(*PusherConfig) {}},
		{name: "https with path", mutate: func(c *PusherConfig) { c.URL = "https://gw.example:443/prefix/" }},
		{name: "empty URL", mutate: func(c *PusherConfig) { c.URL = "" }, wantErr: []string{"-pushgateway: URL is empty"}},
		{name: "bad scheme", mutate: func(c *PusherConfig) { c.URL = "ftp://host:21" }, wantErr: []string{"-pushgateway", "scheme must be http or https"}},
		{name: "no scheme", mutate: func(c *PusherConfig) { c.URL = "127.0.0.1:9091" }, wantErr: []string{"-pushgateway"}},
		{name: "no host", mutate: func(c *PusherConfig) { c.URL = "http:///metrics" }, wantErr: []string{"-pushgateway", "no host"}},
		{name: "unparsable with secret", mutate: func(c *PusherConfig) { c.URL = "http://u:secret@[::1" }, wantErr: []string{"-pushgateway", "parse URL"}},
		{name: "no job", mutate: func(c *PusherConfig) { c.Job = "" }, wantErr: []string{"Job"}},
		{name: "no run id", mutate: func(c *PusherConfig) { c.RunID = "" }, wantErr: []string{"RunID"}},
		{name: "negative interval", mutate: func(c *PusherConfig) { c.Interval = -time.Second }, wantErr: []string{"-push-interval"}},
		{
			name:    "all problems at once",
			mutate:  func(c *PusherConfig) { *c = PusherConfig{URL: "gopher://x", Timeout: -1, GC: -1, DeleteAfter: -1} },
			wantErr: []string{"-pushgateway", "Job", "RunID", "PusherConfig.Timeout", "PusherConfig.GC", "PusherConfig.DeleteAfter"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.mutate(&cfg)
			p, err := NewPusher(cfg, reg)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				require.NotNil(t, p)
				return
			}
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "secret")
		})
	}
}

func TestPusher_PushesGroupedValues(t *testing.T) {
	fg := newFakeGateway(t, always(http.StatusOK))
	reg, c := testRegistry(t, "run-a")
	p, err := NewPusher(PusherConfig{URL: fg.URL, Job: "populate", Instance: "2", RunID: "run-a"}, reg)
	require.NoError(t, err)

	p.Start(t.Context())
	c.SetVUs("active", 0)
	require.NoError(t, stopNow(t, p))

	reqs := fg.recorded()
	require.NotEmpty(t, reqs, "at least the final push")
	last := reqs[len(reqs)-1]
	assert.Equal(t, http.MethodPut, last.method)
	assert.Equal(t, map[string]string{"job": "populate", "instance": "2", "run_id": "run-a"}, pathGrouping(t, last.path))

	fams := familiesByName(last.families)
	require.Contains(t, fams, RequestsTotalName)
	assert.Equal(t, 2.0, counterValue(fams[RequestsTotalName], map[string]string{"archetype": "active", "code": "200"}))
	assert.Equal(t, 1.0, counterValue(fams[RequestsTotalName], map[string]string{"archetype": "admin", "code": "0"}))
	require.Contains(t, fams, VUsActiveName)
	assert.Equal(t, 0.0, fams[VUsActiveName].Metric[0].GetGauge().GetValue(), "final push carries the end value")

	require.Contains(t, fams, RunInfoName)
	info := labelMap(fams[RunInfoName].Metric[0])
	assert.Equal(t, map[string]string{"seed": "7", "version": "test"}, info, "run_id comes from the grouping key")

	st := p.Stats()
	assert.True(t, st.Enabled)
	assert.Equal(t, int64(len(reqs)), st.Pushes)
	assert.Zero(t, st.Failures)
}

func TestPusher_Failures(t *testing.T) {
	tests := []struct {
		name         string
		respond      func(int, *http.Request) int
		retries      int
		wantRequests int
		wantPushes   int64
		wantByKind   map[string]int64
		wantErr      bool
		wantLevel    string // the level of the one line logged about it
	}{
		{
			name:         "500 then 200 is retried and succeeds",
			respond:      func(nth int, _ *http.Request) int { return map[bool]int{true: 500, false: 200}[nth == 0] },
			wantRequests: 2, wantPushes: 1, wantByKind: map[string]int64{string(PushHTTP5xx): 1}, wantLevel: "WARN",
		},
		{
			name:         "400 is not retried",
			respond:      always(http.StatusBadRequest),
			wantRequests: 1, wantByKind: map[string]int64{string(PushHTTP4xx): 1}, wantErr: true, wantLevel: "ERROR",
		},
		{
			name:         "429 is retried",
			respond:      func(nth int, _ *http.Request) int { return map[bool]int{true: 429, false: 202}[nth == 0] },
			wantRequests: 2, wantPushes: 1, wantByKind: map[string]int64{string(PushHTTP4xx): 1}, wantLevel: "WARN",
		},
		{
			name:         "503 forever gives up after the retries",
			respond:      always(http.StatusServiceUnavailable),
			retries:      2,
			wantRequests: 3, wantByKind: map[string]int64{string(PushHTTP5xx): 3}, wantErr: true, wantLevel: "WARN",
		},
		{
			name:         "negative retries means one attempt",
			respond:      always(http.StatusBadGateway),
			retries:      -1,
			wantRequests: 1, wantByKind: map[string]int64{string(PushHTTP5xx): 1}, wantErr: true, wantLevel: "WARN",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fg := newFakeGateway(t, tt.respond)
			log, logs := newLogger()
			reg, _ := testRegistry(t, "r")
			p, err := NewPusher(PusherConfig{URL: fg.URL, Job: "sim", RunID: "r", Retries: tt.retries, Logger: log}, reg)
			require.NoError(t, err)

			err = stopNow(t, p) // Stop without Start: the final push alone
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "final push")
			} else {
				require.NoError(t, err)
			}
			assert.Len(t, fg.recorded(), tt.wantRequests)
			st := p.Stats()
			assert.Equal(t, tt.wantPushes, st.Pushes)
			assert.Equal(t, tt.wantByKind, st.ByKind)
			var failures int64
			for _, n := range tt.wantByKind {
				failures += n
			}
			assert.Equal(t, failures, st.Failures)
			assert.Contains(t, st.LastError, "unexpected status code")
			assert.Equal(t, 1, logs.count("WARN")+logs.count("ERROR"), "one line per kind: %q", logs.lines())
			assert.Equal(t, 1, logs.count(tt.wantLevel), "%q", logs.lines())
		})
	}
}

func TestPusher_GatewayDown(t *testing.T) {
	log, logs := newLogger()
	reg, _ := testRegistry(t, "r")
	p, err := NewPusher(PusherConfig{URL: closedURL(t), Job: "sim", RunID: "r", Retries: 1, Logger: log}, reg)
	require.NoError(t, err)

	p.Start(t.Context())
	err = stopNow(t, p)
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)

	st := p.Stats()
	assert.Zero(t, st.Pushes)
	assert.GreaterOrEqual(t, st.ByKind[string(PushRefused)], int64(2), "the final push and its retry")
	assert.Equal(t, st.Failures, st.ByKind[string(PushRefused)], "every failure is a refusal: %v", st.ByKind)
	assert.Equal(t, 1, logs.count("WARN"), "exactly one warning: %q", logs.lines())
	assert.Zero(t, logs.count("ERROR"))
	assert.Equal(t, st, p.Stats(), "nothing runs after Stop")
	assert.Equal(t, err, p.Stop(t.Context()), "Stop is idempotent")
}

func TestPusher_GatewayHangs(t *testing.T) {
	release := make(chan struct{})
	fg := newFakeGateway(t, func(_ int, r *http.Request) int {
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return http.StatusOK
	})
	t.Cleanup(func() { close(release) }) // runs before fg.Close
	reg, _ := testRegistry(t, "r")
	p, err := NewPusher(PusherConfig{URL: fg.URL, Job: "sim", RunID: "r", Timeout: 50 * time.Millisecond, Retries: 5}, reg)
	require.NoError(t, err)

	p.Start(t.Context())
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err = p.Stop(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	st := p.Stats()
	assert.Zero(t, st.Pushes)
	assert.Positive(t, st.ByKind[string(PushTimeout)])
	assert.Equal(t, st.Failures, st.ByKind[string(PushTimeout)], "%v", st.ByKind)
}

func TestPusher_RedactsCredentials(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	tests := []struct {
		name     string
		respond  func(int, *http.Request) int
		userinfo *url.Userinfo
		down     bool
		wantUser string // the user the gateway sees
		wantPass string
		wantURL  string // how Stats shows the userinfo
	}{
		{name: "gateway answers 500", respond: always(http.StatusInternalServerError),
			userinfo: url.UserPassword("pusher", secret), wantUser: "pusher", wantPass: secret, wantURL: "pusher:xxxxx@"},
		{name: "gateway answers 400", respond: always(http.StatusBadRequest),
			userinfo: url.UserPassword("pusher", secret), wantUser: "pusher", wantPass: secret, wantURL: "pusher:xxxxx@"},
		{name: "gateway down", down: true, userinfo: url.UserPassword("pusher", secret), wantURL: "pusher:xxxxx@"},
		{name: "token as lone user", respond: always(http.StatusServiceUnavailable),
			userinfo: url.User(secret), wantUser: secret, wantURL: "//xxxxx@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := closedURL(t)
			var fg *fakeGateway
			if !tt.down {
				fg = newFakeGateway(t, tt.respond)
				base = fg.URL
			}
			u, err := url.Parse(base)
			require.NoError(t, err)
			u.User = tt.userinfo
			log, logs := newLogger()
			reg, _ := testRegistry(t, "r")
			p, err := NewPusher(PusherConfig{URL: u.String(), Job: "sim", RunID: "r", Retries: -1, Logger: log}, reg)
			require.NoError(t, err)

			p.Start(t.Context())
			stopErr := stopNow(t, p)
			require.Error(t, stopErr)

			st := p.Stats()
			assert.Positive(t, st.Failures)
			assert.NotContains(t, stopErr.Error(), secret)
			assert.NotContains(t, st.Gateway, secret)
			assert.Contains(t, st.Gateway, tt.wantURL)
			assert.NotContains(t, st.LastError, secret)
			require.NotEmpty(t, logs.lines())
			for _, line := range logs.lines() {
				assert.NotContains(t, line, secret)
			}
			if fg != nil {
				for _, r := range fg.recorded() {
					assert.Equal(t, tt.wantUser, r.user, "basic auth is sent")
					assert.Equal(t, tt.wantPass, r.password, "basic auth is sent")
				}
			}
		})
	}
}

func TestPusher_StartTwiceAndAfterStop(t *testing.T) {
	fg := newFakeGateway(t, always(http.StatusOK))
	reg, _ := testRegistry(t, "r")
	p, err := NewPusher(PusherConfig{URL: fg.URL, Job: "sim", RunID: "r", Interval: time.Hour}, reg)
	require.NoError(t, err)
	p.Start(t.Context())
	p.Start(t.Context())
	require.NoError(t, stopNow(t, p))
	n := len(fg.recorded())
	p.Start(t.Context()) // after Stop: nothing
	require.NoError(t, stopNow(t, p))
	assert.Len(t, fg.recorded(), n)
	assert.LessOrEqual(t, n, 2, "one loop's first push and one final push")
}

func TestPusher_DeleteAfter(t *testing.T) {
	fg := newFakeGateway(t, func(_ int, r *http.Request) int {
		if r.Method == http.MethodDelete {
			return http.StatusAccepted
		}
		return http.StatusOK
	})
	reg, _ := testRegistry(t, "r9")
	p, err := NewPusher(PusherConfig{URL: fg.URL, Job: "sim", Instance: "1", RunID: "r9", DeleteAfter: time.Millisecond}, reg)
	require.NoError(t, err)
	require.NoError(t, stopNow(t, p))
	reqs := fg.recorded()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodPut, reqs[0].method)
	assert.Equal(t, http.MethodDelete, reqs[1].method)
	assert.Equal(t, map[string]string{"job": "sim", "instance": "1", "run_id": "r9"}, pathGrouping(t, reqs[1].path))
}
