package kind

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/trafficsim/trafficsim/harness/outbound"
)

// Kind classifies a request that did not go as expected. Its values are the
// kind label of trafficsim_errors_total and the keys of the summary's
// errors_by_kind, so they never change spelling. None is a request that
// went as expected.
type Kind string

// The kinds of a request's outcome.
const (
	None Kind = "" // the request went as expected

	Timeout      Kind = "timeout"
	Refused      Kind = "refused"
	Reset        Kind = "reset"
	DNS          Kind = "dns"
	TLS          Kind = "tls"
	HTTP3xx      Kind = "http_3xx"
	HTTP4xx      Kind = "http_4xx"
	HTTP5xx      Kind = "http_5xx"
	BodyTooLarge Kind = "body_too_large"
	Decode       Kind = "decode"
	Interrupted  Kind = "interrupted"
	Other        Kind = "other"

	// Resource exhaustion of the generator's machine, each a kind of its
	// own (not other) so the cause shows: EMFILE/ENFILE, EADDRINUSE,
	// EADDRNOTAVAIL. See Kind.Exhausts.
	TooManyOpenFiles Kind = "too_many_open_files"
	AddrInUse        Kind = "addr_in_use"
	NoPorts          Kind = "no_ports"

	// RemoteRefused is a request the outbound guard did not send: its
	// destination (or a redirect's) is not loopback and -allow-remote is off.
	RemoteRefused Kind = "remote_refused"

	// Request is a request the harness could not build from what the
	// journey gave (a body that does not encode as JSON): nothing was sent.
	Request Kind = "request"

	// UnexpectedSuccess is a 2xx answer the request did not expect: an
	// injected (deliberately bad) request the target accepted, or a request
	// whose Expect names other statuses.
	UnexpectedSuccess Kind = "unexpected_success"

	// CircuitOpen is a request not sent because its endpoint's circuit
	// breaker is open (-breaker): the outage stays visible in error_rate.
	CircuitOpen Kind = "circuit_open"

	// Check is a request whose answer had the expected status but failed
	// one of its checks (Request.Check, WithCheck).
	Check Kind = "check"
)

// Exhausts reports whether the kind is the generator's machine running out
// of open files, local addresses or ports: then every further error has
// that one cause, and the machine's limit needs changing, not the target.
func (k Kind) Exhausts() bool {
	switch k {
	case TooManyOpenFiles, AddrInUse, NoPorts:
		return true
	}
	return false
}

// Of names the kind of a transport error (never None).
func Of(err error) Kind {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unkAuth x509.UnknownAuthorityError
		hostErr x509.HostnameError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		netErr  net.Error
	)
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return TooManyOpenFiles
	case errors.Is(err, syscall.EADDRINUSE):
		return AddrInUse
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return NoPorts
	case errors.Is(err, outbound.ErrNotLoopback):
		return RemoteRefused
	case errors.Is(err, context.Canceled):
		return Interrupted
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return Timeout
	case errors.As(err, &dnsErr):
		return DNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return Reset
	case errors.As(err, &certErr), errors.As(err, &unkAuth), errors.As(err, &hostErr),
		errors.As(err, &recErr), errors.As(err, &alert):
		return TLS
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		// The server closed the connection mid-exchange: from the
		// client's side a reset.
		return Reset
	case errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	}
	return Other
}

// OfStatus names the kind of an answer whose status the request did not
// accept.
func OfStatus(status int) Kind {
	switch {
	case status >= 500:
		return HTTP5xx
	case status >= 400:
		return HTTP4xx
	case status >= 300:
		return HTTP3xx
	case status >= 200 && status < 300:
		return UnexpectedSuccess
	default:
		return Other
	}
}
