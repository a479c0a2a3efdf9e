package harness

import (
	"net"
	"net/http"
	"time"
)

// Connection settings of the run's shared Transport.
const (
	dialTimeout         = 5 * time.Second
	dialKeepAlive       = 30 * time.Second
	maxIdleConnsPerHost = 1024
	idleConnTimeout     = 30 * time.Second
)

// newTransport returns the Transport every user of a run shares: one pool of
// keep-alive connections to the target, sized for many users. It is a
// function of its own so that BenchmarkThroughput's plain net/http loop runs
// on exactly the same configuration as the harness.
func newTransport(cfg Config) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive}).DialContext,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: maxIdleConnsPerHost,
		IdleConnTimeout:     idleConnTimeout,
		ForceAttemptHTTP2:   true,
		TLSClientConfig:     tlsConfig(cfg.Insecure),
	}
}
