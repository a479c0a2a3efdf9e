package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/faults"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/reports"
)

// chaosRunLimit bounds every chaos run, generously for a loaded 2-core
// machine; each run's own -duration cap is below it.
const (
	chaosRunLimit = 20 * time.Second
	chaosDuration = 15 * time.Second
)

// checkReports reads the run's summary.json back, checks that it is what
// Run returned and that its counts add up, and that junit.xml and
// report.html were written beside it.
func checkReports(tb testing.TB, res *Result) *reports.Summary {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(res.Dir, "summary.json"))
	require.NoError(tb, err, "summary.json written")
	var s reports.Summary
	require.NoError(tb, json.Unmarshal(raw, &s), "summary.json parses")
	assert.Equal(tb, res.Summary.Requests, s.Requests)
	assert.Equal(tb, res.Summary.ErrorsByKind, s.ErrorsByKind)
	var endpoints, endpointErrs, archetypes, kinds, ticks, blocked, tickBlocked int64
	for _, e := range s.Endpoints {
		endpoints += e.Requests
		endpointErrs += e.ErrorsUnexpected
		blocked += e.Blocked
	}
	for _, a := range s.Archetypes {
		archetypes += a.Requests
	}
	for _, n := range s.ErrorsByKind {
		kinds += n
	}
	for _, tk := range s.Timeline {
		ticks += tk.Requests
		tickBlocked += tk.Blocked
	}
	assert.Equal(tb, s.Blocked, blocked, "blocked: endpoints add up")
	assert.Equal(tb, s.Blocked, tickBlocked, "blocked: the timeline adds up")
	assert.Equal(tb, s.Requests, endpoints, "requests: endpoints add up")
	assert.Equal(tb, s.Requests, archetypes, "requests: archetypes add up")
	assert.Equal(tb, s.Requests, ticks, "requests: the timeline adds up")
	assert.Equal(tb, s.ErrorsUnexpected, endpointErrs, "errors: endpoints add up")
	assert.Equal(tb, s.ErrorsUnexpected, kinds, "errors: kinds add up")
	for _, name := range []string{"junit.xml", "report.html"} {
		assert.FileExists(tb, filepath.Join(res.Dir, name))
	}
	return &s
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logTB is a test's TB whose Output is also copied into a buffer, so the
// test can read what a run logged.
type logTB struct {
	testing.TB
	log lockedBuffer
}

func (l *logTB) Output() io.Writer { return io.MultiWriter(l.TB.Output(), &l.log) }

// timedRun runs sim and checks it ended within chaosRunLimit and its cap.
func timedRun(tb testing.TB, sim *Simulation) *Result {
	tb.Helper()
	start := time.Now()
	res := sim.MustRun(context.Background())
	elapsed := time.Since(start)
	assert.Less(tb, elapsed, chaosRunLimit, "the run ends in bounded time")
	if d := sim.Config().Duration; d > 0 {
		assert.Less(tb, res.Summary.DurationSeconds, (d + sim.Config().Grace + stopStraggle).Seconds(), "the run keeps its cap")
	}
	return res
}

// chaosConfig is a run against target with the breaker off, so every
// failure is measured as what it is.
func chaosConfig(t *testing.T, target string) Config {
	cfg := withReportDir(t, testConfig(target))
	cfg.Breaker, cfg.Duration = 0, chaosDuration
	return cfg
}

// itemsBody is what the healthy handler behind the faults answers.
var itemsBody = []byte(`{"items":[` + strings.Repeat(`{"id":12345,"name":"a healthy item"},`, 8) + `{"id":0}]}`)

func TestChaos_faultyTarget(t *testing.T) {
	const users, budget = 4, 5
	const n = users * budget
	tests := []struct {
		name   string
		fault  faults.Fault
		mutate func(*Config)
		decode bool
		check  func(t *testing.T, s *reports.Summary, ep *reports.Endpoint)
	}{
		{"all 5xx", faults.Status{Code: http.StatusServiceUnavailable}, nil, false, func(t *testing.T, s *reports.Summary, ep *reports.Endpoint) {
			assert.Equal(t, map[string]int64{string(kind.HTTP5xx): n}, s.ErrorsByKind)
			assert.Equal(t, map[string]int64{"503": n}, ep.Codes)
		}},
		{"hangs", faults.Hang{}, func(c *Config) { c.Timeout = 300 * time.Millisecond }, false, func(t *testing.T, s *reports.Summary, ep *reports.Endpoint) {
			assert.Equal(t, map[string]int64{string(kind.Timeout): n}, s.ErrorsByKind, "the client gave up at -timeout")
			assert.GreaterOrEqual(t, ep.P50Ms, 299.0, "after waiting -timeout")
		}},
		{"resets", faults.Reset{}, nil, false, func(t *testing.T, s *reports.Summary, ep *reports.Endpoint) {
			assert.Equal(t, map[string]int64{string(kind.Reset): n}, s.ErrorsByKind)
		}},
		{"slow bodies", faults.SlowBody{Chunk: 32, Every: 10 * time.Millisecond}, nil, false, func(t *testing.T, s *reports.Summary, ep *reports.Endpoint) {
			assert.Zero(t, s.ErrorsUnexpected, "a slow body is complete, not an error")
			assert.Empty(t, s.ErrorsByKind)
			assert.EqualValues(t, n*len(itemsBody), s.BytesRead, "every byte arrived")
			chunks := (len(itemsBody) + 31) / 32
			assert.GreaterOrEqual(t, ep.P50Ms, float64(chunks-1)*10-1, "the latency includes the trickle")
		}},
		{"malformed JSON", faults.MalformedJSON{}, nil, true, func(t *testing.T, s *reports.Summary, ep *reports.Endpoint) {
			assert.Equal(t, map[string]int64{string(kind.Decode): n}, s.ErrorsByKind, "vu.Decode counted every bad body")
			assert.Equal(t, map[string]int64{"200": n}, ep.Codes)
			assert.EqualValues(t, n, ep.ErrorsUnexpected)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := faults.Rule{Match: "GET /api/*", Ratio: 1, Fault: tt.fault}
			srv := faults.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(itemsBody)
			}), faults.Config{Seed: 1, Rules: []faults.Rule{rule}})
			cfg := chaosConfig(t, srv.URL)
			cfg.Users = users
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(budget, budget), func(ctx context.Context, vu *VU) error {
				for {
					req := Get("/api/items")
					resp, err := vu.Do(ctx, req)
					if err != nil {
						return err
					}
					if tt.decode && resp.OK {
						var v map[string]any
						vu.Decode(req, resp, &v)
					}
				}
			})
			res := timedRun(t, sim)
			s := checkReports(t, res)
			assert.False(t, s.Partial, s.PartialReason)
			assert.EqualValues(t, n, s.Requests, "every request was made and measured")
			assert.EqualValues(t, n, srv.Injected()[rule.String()], "every request met the fault")
			ep := s.Endpoint("GET /api/items")
			require.NotNil(t, ep)
			tt.check(t, s, ep)
		})
	}
}

func TestChaos_targetKilledMidRun(t *testing.T) {
	tests := []struct {
		name      string
		start     func(t *testing.T, h http.Handler) (url string, kill func())
		wantKinds []kind.Kind // at least one error of each
	}{
		{"faults Down", func(t *testing.T, h http.Handler) (string, func()) {
			srv := faults.NewServer(t, h, faults.Config{})
			return srv.URL, srv.Down
		}, []kind.Kind{kind.Reset}},
		{"httptest server closed", func(t *testing.T, h http.Handler) (string, func()) {
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return srv.URL, func() {
				srv.CloseClientConnections()
				srv.Close()
			}
		}, []kind.Kind{kind.Refused}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const killAfter = 200
			var hits atomic.Int64
			reached := make(chan struct{})
			var once sync.Once
			url, kill := tt.start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/" && hits.Add(1) == killAfter {
					once.Do(func() { close(reached) })
				}
				w.Write([]byte(`{}`))
			}))
			// The killer is a goroutine of the test's own, so that closing
			// the server (which waits for handlers) never runs in one.
			killed, quit := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(killed)
				select {
				case <-reached:
					kill()
				case <-quit:
				}
			}()
			t.Cleanup(func() { close(quit); <-killed })

			cfg := chaosConfig(t, url)
			cfg.Users, cfg.Think, cfg.Duration = 8, "const:2ms", 1500*time.Millisecond
			cfg.MaxRequests = 1_000_000
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(1_000_000, 1_000_000), (&userLog{}).journey("/api/x"))
			res := timedRun(t, sim)
			s := checkReports(t, res)

			select {
			case <-killed:
			default:
				t.Fatalf("the target was never killed: %d hits", hits.Load())
			}
			assert.False(t, s.Partial, "the duration ended the run: %s", s.PartialReason)
			assert.Greater(t, s.ErrorsUnexpected, int64(0))
			for k := range s.ErrorsByKind {
				assert.Contains(t, []kind.Kind{kind.Refused, kind.Reset}, kind.Kind(k), "a dead target is refused or reset")
			}
			for _, k := range tt.wantKinds {
				assert.Positive(t, s.ErrorsByKind[string(k)], "errors of kind %s in %v", k, s.ErrorsByKind)
			}
			answered := s.Requests - s.ErrorsUnexpected
			assert.GreaterOrEqual(t, answered, int64(killAfter-cfg.Users), "requests before the kill were answered")
			assert.LessOrEqual(t, answered, hits.Load(), "no answer without a handler")
		})
	}
}

// heapSampler polls HeapAlloc until stopped and keeps the peak.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapSampler(tb testing.TB) *heapSampler {
	tb.Helper()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > h.peak.Load() {
				h.peak.Store(ms.HeapAlloc)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	tb.Cleanup(h.halt)
	return h
}

// halt stops the sampler; it may be called again.
func (h *heapSampler) halt() {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	<-h.done
}

// readWhole reads a whole response body into memory, as a careless client
// does, and returns its length.
func readWhole(tb testing.TB, c *http.Client, url string) int {
	tb.Helper()
	defer c.CloseIdleConnections()
	resp, err := c.Get(url)
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return len(b)
}

// baseHeap collects garbage and returns the live heap.
func baseHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestChaos_oversizedBodiesDoNotGrowTheHeap(t *testing.T) {
	const (
		users, budget = 4, 2
		size          = 20 << 20
		maxBody       = 64 << 10
	)
	rule := faults.Rule{Match: "GET /api/*", Ratio: 1, Fault: faults.Oversized{Bytes: size}}
	srv := faults.NewServer(t, http.NotFoundHandler(), faults.Config{Rules: []faults.Rule{rule}})

	// The measure is not blind: a client that keeps one such body shows it.
	base := baseHeap()
	sampler := startHeapSampler(t)
	require.Equal(t, size, readWhole(t, srv.Client(), srv.URL+"/api/control"))
	sampler.halt()
	require.Greater(t, sampler.peak.Load()-base, uint64(size), "the sampler sees a body held in memory")

	cfg := chaosConfig(t, srv.URL)
	cfg.Users, cfg.MaxBody = users, maxBody
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(budget, budget), (&userLog{}).journey("/api/dump"))
	base = baseHeap()
	sampler = startHeapSampler(t)
	res := timedRun(t, sim)
	sampler.halt()
	growth := sampler.peak.Load() - min(base, sampler.peak.Load())
	s := checkReports(t, res)

	t.Logf("heap: base %d KiB, peak growth %d KiB for %d concurrent bodies of %d MiB", base>>10, growth>>10, users, size>>20)
	assert.Less(t, growth, uint64(size), "the heap grew by less than one body, not by %d of them", users)
	assert.Equal(t, map[string]int64{string(kind.BodyTooLarge): users * budget}, s.ErrorsByKind)
	assert.EqualValues(t, users*budget*size, s.BytesRead, "every byte was read and counted")
	assert.EqualValues(t, users*budget+1, srv.Injected()[rule.String()], "the run's requests and the control")
}

// pushWarning is the line the pusher logs once per kind of failure.
var pushWarning = regexp.MustCompile(`level=WARN msg="push to pushgateway failed[^"]*".*? kind=(\w+)`)

func TestChaos_pushgatewayFailuresNeverStallTheRun(t *testing.T) {
	target := newCountingServer(t, nil)
	run := func(t *testing.T, gateway string) (*Result, string) {
		t.Helper()
		cfg := chaosConfig(t, target.URL)
		cfg.Users, cfg.Seed, cfg.Pushgateway = 10, 42, gateway
		ltb := &logTB{TB: t}
		sim := New(ltb, cfg)
		sim.Archetype("u", 1, Between(5, 40), (&userLog{}).journey("/x"))
		return timedRun(t, sim), ltb.log.String()
	}
	baseline, _ := run(t, "")
	require.False(t, baseline.Summary.Push.Enabled)

	tests := []struct {
		name     string
		gateway  func(t *testing.T) string
		wantKind string
	}{
		{"down", func(t *testing.T) string { return "http://" + closedPort(t) }, "refused"},
		{"slow", func(t *testing.T) string {
			gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Reading the body first lets net/http notice when the
				// client hangs up, which ends the sleep.
				_, _ = io.Copy(io.Discard, r.Body)
				select { // sleeps 10 s, unless the client has gone
				case <-time.After(10 * time.Second):
				case <-r.Context().Done():
				}
			}))
			t.Cleanup(func() { gw.CloseClientConnections(); gw.Close() })
			return gw.URL
		}, "timeout"},
		{"answering 500", func(t *testing.T) string {
			gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "gateway broken", http.StatusInternalServerError)
			}))
			t.Cleanup(gw.Close)
			return gw.URL
		}, "http_5xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, log := run(t, tt.gateway(t))
			s := checkReports(t, res)
			assert.Equal(t, baseline.Summary.Requests, s.Requests, "the same run as without a gateway")
			assert.False(t, s.Partial)
			assert.True(t, s.Push.Enabled)
			assert.Positive(t, s.Push.Failures)
			assert.Positive(t, s.Push.ByKind[tt.wantKind], "failures by kind: %v", s.Push.ByKind)

			warned := map[string]int{}
			for _, m := range pushWarning.FindAllStringSubmatch(log, -1) {
				warned[m[1]]++
			}
			want := map[string]int{}
			for kind := range s.Push.ByKind {
				want[kind] = 1
			}
			assert.Equal(t, want, warned, "one warning line per failure kind")
		})
	}
}

func TestChaos_remoteTargetNeedsAllowRemote(t *testing.T) {
	journey := func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err }
	// Addresses of documentation ranges: validation only, no traffic.
	for _, target := range []string{"http://example.com", "https://192.0.2.10:8443", "http://[2001:db8::1]:8080"} {
		t.Run(target, func(t *testing.T) {
			cfg := withReportDir(t, testConfig(target))
			msg := runFatal(t, cfg, func(s *Simulation) { s.Archetype("a", 1, Between(1, 1), journey) })
			assert.Contains(t, msg, "invalid configuration")
			assert.Contains(t, msg, "-allow-remote")

			cfg.AllowRemote = true
			assert.NoError(t, cfg.Validate())
			sim := New(t, cfg)
			sim.Archetype("a", 1, Between(1, 1), journey)
			assert.NoError(t, sim.Validate())
		})
	}
}
