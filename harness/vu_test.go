package harness

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// TestVU_DoHonoursItsContext: a journey's own context cuts the pause and
// the request; Do returns within 50 ms of the context's end.
func TestVU_DoHonoursItsContext(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-time.After(1500 * time.Millisecond):
			case <-r.Context().Done():
			}
		}
		w.Write([]byte("{}"))
	})
	const within = 50 * time.Millisecond
	tests := []struct {
		name     string
		think    string
		route    string
		cancel   bool // cancel the context instead of letting its deadline pass
		wantErr  error
		wantKind kind.Kind
	}{
		{"deadline during the pause", "const:2s", "/x", false, context.DeadlineExceeded, ""},
		{"cancel during the pause", "const:2s", "/x", true, context.Canceled, ""},
		{"deadline during the request (pool worker)", "const:1ms", "/slow", false, nil, kind.Timeout},
		{"cancel during the request (pool worker)", "const:1ms", "/slow", true, nil, kind.Interrupted},
		{"deadline during the request (inline user)", "none", "/slow", false, nil, kind.Timeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withReportDir(t, testConfig(srv.URL))
			cfg.Users, cfg.Think = 1, tt.think
			var (
				mu       sync.Mutex
				ended    time.Time
				returned time.Time
				resp     *Response
				doErr    error
			)
			sim := New(t, cfg)
			sim.Archetype("u", 1, Between(2, 2), func(ctx context.Context, vu *VU) error {
				if _, err := vu.Do(ctx, Get("/x")); err != nil { // no pause before the first
					return err
				}
				var c context.Context
				var cancel context.CancelFunc
				if tt.cancel {
					c, cancel = context.WithCancel(ctx)
					time.AfterFunc(100*time.Millisecond, cancel)
				} else {
					c, cancel = context.WithTimeout(ctx, 100*time.Millisecond)
				}
				defer cancel()
				context.AfterFunc(c, func() { mu.Lock(); ended = time.Now(); mu.Unlock() })
				r, err := vu.Do(c, Get(tt.route))
				mu.Lock()
				returned, resp, doErr = time.Now(), r, err
				mu.Unlock()
				return ErrBudgetSpent
			})
			sim.MustRun(context.Background())
			mu.Lock()
			defer mu.Unlock()
			require.False(t, ended.IsZero(), "the context ended")
			assert.Less(t, returned.Sub(ended), within, "Do returned %s after its context ended", returned.Sub(ended))
			if tt.wantErr != nil {
				assert.True(t, errors.Is(doErr, tt.wantErr), "err %v", doErr)
				return
			}
			require.NoError(t, doErr)
			require.NotNil(t, resp)
			assert.Equal(t, tt.wantKind, resp.Kind)
			assert.False(t, resp.OK)
		})
	}
}

func TestVU_DoWithAnExpiredContextReturnsAtOnce(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 1
	var took time.Duration
	var doErr error
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		c, cancel := context.WithTimeout(ctx, -time.Second)
		defer cancel()
		start := time.Now()
		_, doErr = vu.Do(c, Get("/x"))
		took = time.Since(start)
		return ErrBudgetSpent
	})
	s := sim.MustRun(context.Background()).Summary
	assert.ErrorIs(t, doErr, context.DeadlineExceeded)
	assert.Less(t, took, 50*time.Millisecond)
	assert.Zero(t, s.Requests, "nothing was sent")
}

// TestExchange_failureAfterTheHeadersKeepsStatusAndKind: a connection cut
// while the body is read gives a Response with the status received and the
// kind of the failure; the code label is the status line received.
func TestExchange_failureAfterTheHeadersKeepsStatusAndKind(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			return
		}
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 1
	var got *Response
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		r, err := vu.Do(ctx, Get("/x"))
		got = r
		return err
	})
	s := sim.MustRun(context.Background()).Summary
	require.NotNil(t, got)
	assert.Equal(t, http.StatusOK, got.Status, "the status received")
	assert.NotEmpty(t, got.Kind, "and the failure's kind")
	assert.False(t, got.OK)
	ep := s.Endpoint("GET /x")
	require.NotNil(t, ep)
	assert.EqualValues(t, 1, ep.Codes["200"], "code label: the status line received")
	assert.EqualValues(t, 1, ep.ErrorsUnexpected)
	assert.EqualValues(t, 1, s.ErrorsByKind[string(got.Kind)])
	t.Logf("a cut body: status %d, kind %s", got.Status, got.Kind)
}
