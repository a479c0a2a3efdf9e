package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/internal/mix"
)

func TestNeverThinks(t *testing.T) {
	tests := []struct {
		name  string
		think string
		want  bool
	}{
		{"none", "none", true},
		{"zero constant", "const:0s", true},
		{"zero range", "uniform:0s-0s", true},
		{"constant", "const:1ms", false},
		{"range from zero", "uniform:0s-1ms", false},
		{"exponential, even with a zero mean (it draws)", "exp:0s", false},
		{"log-normal", "lognormal:1ms,0.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, err := ParseThink(tt.think)
			require.NoError(t, err)
			assert.Equal(t, tt.want, neverThinks(th))
			if tt.want {
				assert.Zero(t, th.Draw(mix.Rand(1, 1)), "a user that never thinks draws no pause")
			}
		})
	}
}

// goroutineRecorder is an Observer noting, for each request, whether its
// exchange ran on a pool worker: Observe runs on the exchange's goroutine.
type goroutineRecorder struct {
	mu       sync.Mutex
	onWorker int
	onUser   int
}

func (g *goroutineRecorder) Observe(*Request, *Response) {
	buf := make([]byte, 16<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	g.mu.Lock()
	defer g.mu.Unlock()
	if strings.Contains(stack, "internal/pool.(*Pool[...]).work") {
		g.onWorker++
	} else {
		g.onUser++
	}
}

func TestExchangePool_whereExchangesRun(t *testing.T) {
	const users, budget = 3, 4
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(srv.Close)
	tests := []struct {
		name       string
		think      string
		wantWorker bool
	}{
		{"a user that never thinks makes its own exchanges", "none", false},
		{"a thinking user hands them to a worker", "const:1ms", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withReportDir(t, testConfig(srv.URL))
			cfg.Users, cfg.Think, cfg.Ramp = users, tt.think, time.Millisecond
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(budget, budget), func(ctx context.Context, vu *VU) error {
				_, err := vu.Do(ctx, Get("/x"))
				return err
			})
			var g goroutineRecorder
			sim.Observe(&g)
			res := sim.MustRun(context.Background())
			assert.EqualValues(t, users*budget, res.Summary.Requests)
			if tt.wantWorker {
				assert.Equal(t, users*budget, g.onWorker)
				assert.Zero(t, g.onUser)
			} else {
				assert.Equal(t, users*budget, g.onUser)
				assert.Zero(t, g.onWorker)
			}
		})
	}
}

// TestPool_lineIsNotSentAfterTheStop: against a target that cannot keep
// up, the requests waiting in line when the run stops are never sent; the
// grace period is for the one in flight, so the run ends as soon as it is
// answered instead of spending the grace sending the line.
func TestPool_lineIsNotSentAfterTheStop(t *testing.T) {
	for _, think := range []string{"none", "const:1ms"} {
		t.Run("think="+think, func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				hits.Add(1)
				time.Sleep(200 * time.Millisecond)
			}))
			t.Cleanup(srv.Close)
			cfg := withReportDir(t, testConfig(srv.URL))
			cfg.Users, cfg.Think, cfg.Ramp, cfg.MaxInFlight, cfg.Grace = 20, think, time.Millisecond, 1, 10*time.Second
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(100, 100), func(ctx context.Context, vu *VU) error {
				_, err := vu.Do(ctx, Get("/x"))
				return err
			})
			ctx, cancel := context.WithCancel(context.Background())
			var stopped time.Time
			time.AfterFunc(500*time.Millisecond, func() { stopped = time.Now(); cancel() })
			res := sim.MustRun(ctx)
			res.AcceptPartial()
			took := time.Since(stopped)
			assert.Less(t, took, 2*time.Second, "ended once the request in flight was answered, not after the line")
			assert.LessOrEqual(t, hits.Load(), int64(5), "one in flight at a time: about 3 by the stop, none after")
			assert.Zero(t, res.Summary.ErrorsUnexpected, "%v", res.Summary.ErrorsByKind)
			assert.Positive(t, res.Summary.Saturation.QueuedRequests, "the line was there")
		})
	}
}
