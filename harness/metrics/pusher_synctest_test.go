package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTransport is an in-memory gateway for synctest bubbles, where real
// sockets would not let the fake clock advance. It records when (in bubble
// time since start) each request arrived.
type fakeTransport struct {
	start   time.Time
	respond func(nth int, r *http.Request) int // may block on r.Context()

	mu  sync.Mutex
	ats []time.Duration
}

// RoundTrip records req and answers it.
func (ft *fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ft.mu.Lock()
	nth := len(ft.ats)
	ft.ats = append(ft.ats, time.Since(ft.start))
	ft.mu.Unlock()
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	status := ft.respond(nth, req)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// arrivals returns when the requests arrived.
func (ft *fakeTransport) arrivals() []time.Duration {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return append([]time.Duration(nil), ft.ats...)
}

// newSyncPusher returns a pusher whose requests go to a fakeTransport.
func newSyncPusher(t *testing.T, cfg PusherConfig, respond func(int, *http.Request) int) (*Pusher, *fakeTransport) {
	t.Helper()
	ft := &fakeTransport{start: time.Now(), respond: respond}
	cfg.URL, cfg.Job, cfg.RunID = "http://gateway.invalid:9091", "sim", "r"
	cfg.Client = &http.Client{Transport: ft}
	reg, _ := testRegistry(t, "r")
	p, err := NewPusher(cfg, reg)
	require.NoError(t, err)
	return p, ft
}

func TestPusher_IntervalSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, ft := newSyncPusher(t, PusherConfig{Interval: 5 * time.Second}, always(http.StatusOK))
		p.Start(t.Context())
		time.Sleep(12 * time.Second)
		synctest.Wait()
		assert.Equal(t, []time.Duration{0, 5 * time.Second, 10 * time.Second}, ft.arrivals())

		require.NoError(t, p.Stop(t.Context()))
		assert.Equal(t, []time.Duration{0, 5 * time.Second, 10 * time.Second, 12 * time.Second}, ft.arrivals(), "final push at Stop")
		assert.Equal(t, int64(4), p.Stats().Pushes)
	})
}

func TestPusher_BackoffSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		respond := func(nth int, _ *http.Request) int {
			if nth < 3 {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		}
		p, ft := newSyncPusher(t, PusherConfig{}, respond)
		require.NoError(t, p.Stop(t.Context()))
		want := []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond}
		assert.Equal(t, want, ft.arrivals(), "exponential backoff from 100ms")
		st := p.Stats()
		assert.Equal(t, int64(1), st.Pushes)
		assert.Equal(t, map[string]int64{string(PushHTTP5xx): 3}, st.ByKind)
	})
}

func TestPusher_HangingGatewaySynctest(t *testing.T) {
	hang := func(_ int, r *http.Request) int {
		<-r.Context().Done()
		return http.StatusOK
	}
	tests := []struct {
		name         string
		stopBound    time.Duration
		wantStopTook time.Duration
		wantTimeouts int64
	}{
		{
			name:         "Stop bounded by its ctx",
			stopBound:    time.Second,
			wantStopTook: time.Second,
			wantTimeouts: 0, // the loop's push, cut at the ctx deadline; no final push
		},
		{
			name:      "Stop bounded by timeout and retries",
			stopBound: time.Minute,
			// the loop's attempt to its DefaultPushTimeout, then four final
			// attempts of DefaultPushTimeout plus backoffs 100+200+400ms
			wantStopTook: 5*DefaultPushTimeout + 700*time.Millisecond,
			wantTimeouts: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, ft := newSyncPusher(t, PusherConfig{}, hang)
				p.Start(t.Context())
				synctest.Wait() // the loop's first push is in flight
				require.Len(t, ft.arrivals(), 1)

				start := time.Now()
				ctx, cancel := context.WithTimeout(t.Context(), tt.stopBound)
				defer cancel()
				err := p.Stop(ctx)
				assert.Equal(t, tt.wantStopTook, time.Since(start))
				require.Error(t, err)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				st := p.Stats()
				assert.Zero(t, st.Pushes)
				want := map[string]int64{string(PushTimeout): tt.wantTimeouts}
				if tt.wantTimeouts == 0 {
					want = nil
				}
				assert.Equal(t, want, st.ByKind, "the loop's push cut by Stop is not a failure")
			})
		})
	}
}

func TestPusher_StartReturnsAtOnceSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := func(_ int, r *http.Request) int {
			<-r.Context().Done()
			return http.StatusOK
		}
		p, _ := newSyncPusher(t, PusherConfig{GC: time.Hour}, hang)
		start := time.Now()
		p.Start(t.Context())
		assert.Zero(t, time.Since(start), "Start does not wait for GC or the first push")
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		require.Error(t, p.Stop(ctx))
	})
}

// TestPusher_FinalPushLandsLastSynctest: a push in progress when Stop is
// called is let finish before the final push is sent, so an older snapshot
// can never reach the gateway after the final one.
func TestPusher_FinalPushLandsLastSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var finished []int
		slow := func(nth int, _ *http.Request) int {
			time.Sleep(300 * time.Millisecond)
			mu.Lock()
			finished = append(finished, nth)
			mu.Unlock()
			return http.StatusOK
		}
		p, ft := newSyncPusher(t, PusherConfig{Interval: time.Second}, slow)
		p.Start(t.Context())
		// The interval counts from the end of the first push (0.3 s): the
		// second is sent at 1.3 s and in flight at 1.4 s.
		time.Sleep(1400 * time.Millisecond)
		require.NoError(t, p.Stop(t.Context()))
		assert.Equal(t, []time.Duration{0, 1300 * time.Millisecond, 1600 * time.Millisecond}, ft.arrivals(),
			"the final push starts when the loop's has finished")
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []int{0, 1, 2}, finished)
		assert.Equal(t, int64(3), p.Stats().Pushes)
	})
}
