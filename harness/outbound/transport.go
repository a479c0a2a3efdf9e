package outbound

import (
	"net/http"
	"time"
)

// Connection settings of NewSharedTransport.
const (
	sharedMaxIdleConnsPerHost = 1024
	sharedIdleConnTimeout     = 30 * time.Second
)

// NewSharedTransport returns the Transport every user of a run shares: one
// pool of keep-alive connections to the target, sized for many users,
// dialling through the guard (loopback only unless o.AllowRemote), with at
// most maxConnsPerHost connections per host (0: no bound; the harness
// passes -max-in-flight, one per worker). Unlike NewTransport it keeps up
// to 1,024 idle connections per host and bounds no TLS handshake, as the
// users' own Transport always has. BenchmarkThroughput's plain net/http
// loop uses it too, to run on exactly the harness's configuration.
func NewSharedTransport(o Options, maxConnsPerHost int) *http.Transport {
	return &http.Transport{
		DialContext:         Dialer(o).DialContext,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: sharedMaxIdleConnsPerHost,
		MaxConnsPerHost:     maxConnsPerHost,
		IdleConnTimeout:     sharedIdleConnTimeout,
		ForceAttemptHTTP2:   true,
		TLSClientConfig:     TLSConfig(o.Insecure),
	}
}
