package preflight

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/outbound"
)

func client() *http.Client {
	return outbound.NewClient(outbound.Options{Timeout: time.Second, MaxRedirects: -1})
}

func TestWait_anyAnswerWillDo(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "http://192.0.2.1/elsewhere", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	require.NoError(t, Wait(context.Background(), client(), srv.URL+"/", time.Second))
	assert.Equal(t, int64(1), hits.Load(), "a 302 elsewhere says the target is up; it is not followed")
}

func TestWait_retriesUntilTheTargetIsUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // refused until the server below starts
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), ReadHeaderTimeout: time.Second}
	go func() {
		time.Sleep(3 * retry)
		l, err := net.Listen("tcp", addr)
		if err == nil {
			_ = srv.Serve(l)
		}
	}()
	t.Cleanup(func() { _ = srv.Close() })
	assert.NoError(t, Wait(context.Background(), client(), "http://"+addr+"/", 3*time.Second))
}

func TestWait_failsNamingTheKind(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	err = Wait(context.Background(), client(), "http://"+addr+"/", 500*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no answer within 500ms (refused)")
}

func TestWait_refusedDestinationFailsAtOnce(t *testing.T) {
	start := time.Now()
	err := Wait(context.Background(), client(), "http://192.0.2.1/", 5*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-allow-remote")
	assert.Less(t, time.Since(start), 2*time.Second, "the guard's refusal is not retried")
}
