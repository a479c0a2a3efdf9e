package harness

import (
	"net/http"
	"time"

	"github.com/trafficsim/trafficsim/harness/outbound"
)

// Connection settings of the run's shared Transport.
const (
	maxIdleConnsPerHost = 1024
	idleConnTimeout     = 30 * time.Second
)

// newTransport returns the Transport every user of a run shares: one pool of
// keep-alive connections to the target, sized for many users, dialling
// through the outbound guard (loopback only unless -allow-remote). It is a
// function of its own so that BenchmarkThroughput's plain net/http loop runs
// on exactly the same configuration as the harness.
func newTransport(cfg Config) *http.Transport {
	return &http.Transport{
		DialContext:         outbound.Dialer(outboundOptions(cfg)).DialContext,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: maxIdleConnsPerHost,
		MaxConnsPerHost:     cfg.MaxInFlight, // one per worker at most; 0: no bound
		IdleConnTimeout:     idleConnTimeout,
		ForceAttemptHTTP2:   true,
		TLSClientConfig:     outbound.TLSConfig(cfg.Insecure),
	}
}

// outboundOptions are the settings of cfg every client of the run honours.
func outboundOptions(cfg Config) outbound.Options {
	o := outbound.Options{AllowRemote: cfg.AllowRemote, Insecure: cfg.Insecure, Timeout: cfg.Timeout}
	if !cfg.FollowRedirects {
		o.MaxRedirects = -1
	}
	return o
}

// NewClient returns the http.Client for the requests a simulation makes
// beside its users' — cleanup, fetching an API description, setting up
// data — built from the run's configuration, as the harness builds its own:
// destinations outside loopback refused unless -allow-remote (each redirect
// hop checked, the address dialled included), TLS verified unless
// -insecure, each request bounded by -timeout, credentials never sent on a
// redirect to another origin. Every client of the harness comes from here;
// to add something (authentication), wrap its Transport.
func NewClient(cfg Config) *http.Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultConfig().Timeout
	}
	return outbound.NewClient(outboundOptions(cfg))
}
