// Package outbound is the one gate every request of trafficsim passes:
// virtual users, the start-up reachability check, cleanup, the explorer,
// the API description fetch and the Pushgateway pusher. A destination that
// is not loopback is refused unless the run allows remote targets, and the
// check is made on the address actually dialled, so neither a DNS name nor
// a redirect gets past it. Credentials never follow a redirect to another
// origin: NewClient's clients follow CheckRedirect, and the users' requests,
// made on the shared Transport without an http.Client, follow theirs in
// Follow, each hop built from NextHop: every hop of every request is this
// package's.
// NewSharedTransport is the Transport all the users of a run share.
package outbound

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// Connection settings shared by every client.
const (
	DialTimeout   = 5 * time.Second
	DialKeepAlive = 30 * time.Second
	// MaxRedirects bounds the redirects one request follows, as browsers do
	// (Chrome and Firefox stop at 20; Go's client at 10).
	MaxRedirects = 10
)

// ErrNotLoopback is the cause of every refused destination.
var ErrNotLoopback = errors.New("not a loopback address")

// RemoteError is a destination refused because it is not loopback and
// remote destinations were not allowed.
type RemoteError struct {
	// Addr is the address refused: host:port as dialled, or a URL's host.
	Addr string
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("refused to send to %s: %v; pass -allow-remote (or TRAFFICSIM_ALLOW_REMOTE=1) to send traffic to another host", e.Addr, ErrNotLoopback)
}

// Unwrap makes errors.Is(err, ErrNotLoopback) true.
func (e *RemoteError) Unwrap() error { return ErrNotLoopback }

// Options are the run's settings every client honours.
type Options struct {
	// AllowRemote permits destinations that are not loopback.
	AllowRemote bool
	// Insecure skips TLS verification.
	Insecure bool
	// Timeout bounds one request of a Client, redirects included (0: none).
	Timeout time.Duration
	// MaxRedirects bounds the redirects a Client follows (0: MaxRedirects;
	// negative: none are followed, the 3xx is the answer).
	MaxRedirects int
}

// IsLoopbackHost reports whether a URL's host names this machine:
// "localhost" or a loopback IP. Other names are checked when dialled.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckURL refuses a URL whose host is an IP that is not loopback, before
// any connection; a name is left to the dial check, which sees the address
// it resolved to.
func CheckURL(u *url.URL, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
		return &RemoteError{Addr: u.Host}
	}
	return nil
}

// Control is a net.Dialer Control that refuses a connection to an address
// that is not loopback, unless allowRemote. It runs after name resolution,
// on every address tried, so it holds for DNS names and redirects alike.
func Control(allowRemote bool) func(network, address string, c syscall.RawConn) error {
	if allowRemote {
		return nil
	}
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("outbound: %s: %w", address, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return &RemoteError{Addr: address}
		}
		return nil
	}
}

// Dialer returns the guarded dialer of every client.
func Dialer(o Options) *net.Dialer {
	return &net.Dialer{Timeout: DialTimeout, KeepAlive: DialKeepAlive, Control: Control(o.AllowRemote)}
}

// TLSConfig is the TLS configuration of every client: verified unless
// insecure was asked for.
func TLSConfig(insecure bool) *tls.Config {
	return &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in -insecure
}

// NewTransport returns a Transport with the guarded dialer and the run's
// TLS settings. It never uses a proxy from the environment: a proxy would
// be the address dialled, and the load would leave through it unchecked.
func NewTransport(o Options) *http.Transport {
	return &http.Transport{
		DialContext:         Dialer(o).DialContext,
		ForceAttemptHTTP2:   true,
		TLSClientConfig:     TLSConfig(o.Insecure),
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     30 * time.Second,
	}
}

// NewClient returns a client for the harness's own requests (reachability
// check, cleanup, description fetch, pushes): the guarded Transport, the
// run's timeout, and CheckRedirect as the redirect policy.
func NewClient(o Options) *http.Client {
	return &http.Client{Transport: NewTransport(o), Timeout: o.Timeout, CheckRedirect: CheckRedirect(o)}
}

// SameOrigin reports whether a and b share scheme, host and port.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u.Hostname() + ":443"
	default:
		return u.Hostname() + ":80"
	}
}

// StripCredentials removes from h every header that carries a credential:
// Authorization, Cookie, API keys and any header redact calls sensitive.
func StripCredentials(h http.Header) {
	for k := range h {
		if redact.SensitiveKey(k) {
			delete(h, k)
		}
	}
}

// Describe returns err as a message fit for a log: redacted, and for a
// refused destination the refusal itself, not the url.Error around it.
func Describe(err error) string {
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Error()
	}
	return redact.Error(err)
}
