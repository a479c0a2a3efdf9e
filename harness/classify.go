package harness

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

// Error kinds, the values of the kind label and of summary.errors_by_kind.
const (
	KindTimeout      = "timeout"
	KindRefused      = "refused"
	KindReset        = "reset"
	KindDNS          = "dns"
	KindTLS          = "tls"
	KindHTTP3xx      = "http_3xx"
	KindHTTP4xx      = "http_4xx"
	KindHTTP5xx      = "http_5xx"
	KindBodyTooLarge = "body_too_large"
	KindDecode       = "decode"
	KindInterrupted  = "interrupted"
	KindOther        = "other"

	// Resource exhaustion of the generator's machine, each a kind of its
	// own (not other) and warned once with the limit and what to do:
	// EMFILE/ENFILE, EADDRINUSE, EADDRNOTAVAIL.
	KindTooManyOpenFiles = "too_many_open_files"
	KindAddrInUse        = "addr_in_use"
	KindNoPorts          = "no_ports"

	// KindRemoteRefused is a request the outbound guard did not send: its
	// destination (or a redirect's) is not loopback and -allow-remote is off.
	KindRemoteRefused = "remote_refused"

	// KindRequest is a request the harness could not build from what the
	// journey gave (a body that does not encode as JSON): nothing was sent.
	KindRequest = "request"

	// KindUnexpectedSuccess is a 2xx answer the request did not expect: an
	// injected (deliberately bad) request the target accepted, or a request
	// whose Expect names other statuses.
	KindUnexpectedSuccess = "unexpected_success"

	// KindCircuitOpen is a request not sent because its endpoint's circuit
	// breaker is open (-breaker): the outage stays visible in error_rate.
	KindCircuitOpen = "circuit_open"
)

// classify names the kind of a transport error.
func classify(err error) string {
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
		return KindTooManyOpenFiles
	case errors.Is(err, syscall.EADDRINUSE):
		return KindAddrInUse
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return KindNoPorts
	case errors.Is(err, outbound.ErrNotLoopback):
		return KindRemoteRefused
	case errors.Is(err, context.Canceled):
		return KindInterrupted
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return KindTimeout
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return KindReset
	case errors.As(err, &certErr), errors.As(err, &unkAuth), errors.As(err, &hostErr),
		errors.As(err, &recErr), errors.As(err, &alert):
		return KindTLS
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		// The server closed the connection mid-exchange: from the
		// client's side a reset.
		return KindReset
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	}
	return KindOther
}

func statusKind(status int) string {
	switch {
	case status >= 500:
		return KindHTTP5xx
	case status >= 400:
		return KindHTTP4xx
	case status >= 300:
		return KindHTTP3xx
	case status >= 200 && status < 300:
		return KindUnexpectedSuccess
	default:
		return KindOther
	}
}
