package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
				assert.Zero(t, th.Draw(userRand(1, 1)), "a user that never thinks draws no pause")
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
	if strings.Contains(stack, "(*exchangePool).work") {
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
