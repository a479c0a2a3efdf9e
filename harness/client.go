package harness

import (
	"net/http"

	"github.com/trafficsim/trafficsim/harness/outbound"
)

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
