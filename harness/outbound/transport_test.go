package outbound

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewSharedTransport(t *testing.T) {
	tr := NewSharedTransport(Options{}, 8)
	t.Cleanup(tr.CloseIdleConnections)
	assert.Equal(t, 8, tr.MaxConnsPerHost, "bounded as asked")
	assert.Equal(t, sharedMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost, "idle connections kept for many users")
	assert.Nil(t, tr.Proxy, "no proxy from the environment")
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify, "TLS verified unless insecure")

	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err, "loopback is reached")
	resp.Body.Close()

	_, err = tr.DialContext(context.Background(), "tcp", "192.0.2.1:80")
	assert.ErrorIs(t, err, ErrNotLoopback, "the dial is guarded")
	assert.True(t, NewSharedTransport(Options{Insecure: true}, 0).TLSClientConfig.InsecureSkipVerify)
}
