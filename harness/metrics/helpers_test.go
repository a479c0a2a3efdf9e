package metrics

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
)

// logBuffer is a concurrency-safe sink for slog text output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the logged lines.
func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// count returns how many lines are at the given level ("WARN", "ERROR").
func (b *logBuffer) count(level string) int {
	n := 0
	for _, l := range b.lines() {
		if strings.Contains(l, "level="+level) {
			n++
		}
	}
	return n
}

// newLogger returns a debug-level text logger writing to a fresh buffer.
func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// pushRequest is one request a fake gateway received.
type pushRequest struct {
	method   string
	path     string
	user     string
	password string
	families []*dto.MetricFamily
}

// fakeGateway is an httptest Pushgateway stand-in that records requests and
// answers with the status its respond function picks (nth counts from 0).
type fakeGateway struct {
	*httptest.Server
	mu       sync.Mutex
	requests []pushRequest
}

// newFakeGateway starts a fake gateway; it is closed at the end of the test.
func newFakeGateway(tb testing.TB, respond func(nth int, r *http.Request) int) *fakeGateway {
	tb.Helper()
	fg := &fakeGateway{}
	fg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr := pushRequest{method: r.Method, path: r.URL.Path}
		pr.user, pr.password, _ = r.BasicAuth()
		if r.Method == http.MethodPut {
			pr.families = decodeFamilies(r.Body)
		}
		fg.mu.Lock()
		nth := len(fg.requests)
		fg.requests = append(fg.requests, pr)
		fg.mu.Unlock()
		status := respond(nth, r)
		w.WriteHeader(status)
		if status >= 400 {
			_, _ = io.WriteString(w, "fake gateway says no")
		}
	}))
	tb.Cleanup(fg.Close)
	return fg
}

// recorded returns a copy of the requests received so far.
func (fg *fakeGateway) recorded() []pushRequest {
	fg.mu.Lock()
	defer fg.mu.Unlock()
	return append([]pushRequest(nil), fg.requests...)
}

// always answers every request with status.
func always(status int) func(int, *http.Request) int {
	return func(int, *http.Request) int { return status }
}

// decodeFamilies decodes a delimited-protobuf push body; it returns nil when
// the body does not decode (the test then fails on the missing families).
func decodeFamilies(r io.Reader) []*dto.MetricFamily {
	dec := expfmt.NewDecoder(r, expfmt.NewFormat(expfmt.TypeProtoDelim))
	var out []*dto.MetricFamily
	for range 1000 {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err != nil {
			return out
		}
		out = append(out, mf)
	}
	return out
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	addr := l.Addr().String()
	require.NoError(tb, l.Close())
	return "http://" + addr
}

// testRegistry returns a registry holding collectors with known values.
func testRegistry(tb testing.TB, runID string) (*prometheus.Registry, *Collectors) {
	tb.Helper()
	c := New(RunInfo{RunID: runID, Seed: "7", Version: "test"})
	reg := prometheus.NewRegistry()
	require.NoError(tb, c.Register(reg))
	c.Request("active", "/api/users/{id}", "GET", 200, 0)
	c.Request("active", "/api/users/{id}", "GET", 200, 0)
	c.Request("admin", "/api/users", "POST", 0, 0)
	c.AddVUs("active", 3)
	return reg, c
}

// stopNow stops p with a generous bound and returns Stop's error.
func stopNow(tb testing.TB, p *Pusher) error {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), defaultStopBound)
	defer cancel()
	return p.Stop(ctx)
}

// pathGrouping parses /metrics/job/<j>/<name>/<value>... into a map.
func pathGrouping(tb testing.TB, path string) map[string]string {
	tb.Helper()
	parts := strings.Split(strings.TrimPrefix(path, "/metrics/"), "/")
	require.Zero(tb, len(parts)%2, "path %q", path)
	out := map[string]string{}
	for i := 0; i < len(parts); i += 2 {
		out[parts[i]] = parts[i+1]
	}
	return out
}

// familiesByName indexes families by name.
func familiesByName(mfs []*dto.MetricFamily) map[string]*dto.MetricFamily {
	out := make(map[string]*dto.MetricFamily, len(mfs))
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// labelMap returns a metric's labels as a map.
func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// counterValue sums the counters of mf whose labels include want.
func counterValue(mf *dto.MetricFamily, want map[string]string) float64 {
	var sum float64
	for _, m := range mf.GetMetric() {
		labels := labelMap(m)
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if match {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}
