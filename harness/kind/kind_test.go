package kind_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// netTimeout is a net.Error that timed out, as a dialer's or a deadline's.
type netTimeout struct{}

func (netTimeout) Error() string   { return "i/o timeout" }
func (netTimeout) Timeout() bool   { return true }
func (netTimeout) Temporary() bool { return true }

func TestOf_clientTimeout(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	c := &http.Client{Timeout: 100 * time.Millisecond}
	t.Cleanup(c.CloseIdleConnections)
	_, err := c.Get(slow.URL)
	require.Error(t, err)
	assert.Equal(t, kind.Timeout, kind.Of(err), "error: %v", err)
}

func TestOf_wrappedErrors(t *testing.T) {
	opErr := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: err}}
	}
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1:1/x", Err: err} }
	tests := []struct {
		name string
		err  error
		want kind.Kind
	}{
		{"cancelled", fmt.Errorf("do request: %w", context.Canceled), kind.Interrupted},
		{"deadline", urlErr(context.DeadlineExceeded), kind.Timeout},
		{"ETIMEDOUT", opErr(syscall.ETIMEDOUT), kind.Timeout},
		{"net.Error timeout", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: netTimeout{}}), kind.Timeout},
		{"refused", urlErr(opErr(syscall.ECONNREFUSED)), kind.Refused},
		{"reset", opErr(syscall.ECONNRESET), kind.Reset},
		{"broken pipe", opErr(syscall.EPIPE), kind.Reset},
		{"aborted", opErr(syscall.ECONNABORTED), kind.Reset},
		{"unexpected EOF", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), kind.Reset},
		{"EOF", urlErr(io.EOF), kind.Reset},
		{"dns not found", urlErr(&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}), kind.DNS},
		{"dns timeout is dns", &net.DNSError{Err: "i/o timeout", Name: "x.test", IsTimeout: true}, kind.DNS},
		{"certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, kind.TLS},
		{"hostname", urlErr(x509.HostnameError{Host: "x.test", Certificate: &x509.Certificate{}}), kind.TLS},
		{"record header", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, kind.TLS},
		{"alert", fmt.Errorf("handshake: %w", tls.AlertError(40)), kind.TLS},
		{"anything else", errors.New("malformed HTTP response"), kind.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, kind.Of(tt.err), "error: %v", tt.err) })
	}
}

func TestOfStatus(t *testing.T) {
	tests := []struct {
		status int
		want   kind.Kind
	}{
		{500, kind.HTTP5xx}, {503, kind.HTTP5xx}, {599, kind.HTTP5xx},
		{400, kind.HTTP4xx}, {404, kind.HTTP4xx}, {429, kind.HTTP4xx},
		{302, kind.HTTP3xx}, {301, kind.HTTP3xx}, {308, kind.HTTP3xx}, {101, kind.Other},
		{204, kind.UnexpectedSuccess}, {200, kind.UnexpectedSuccess},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) { assert.Equal(t, tt.want, kind.OfStatus(tt.status)) })
	}
}

func TestOf_resourceExhaustion(t *testing.T) {
	op := func(call string, errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError(call, errno)}
	}
	for _, tt := range []struct {
		err  error
		want kind.Kind
	}{
		{op("socket", syscall.EMFILE), kind.TooManyOpenFiles},
		{op("socket", syscall.ENFILE), kind.TooManyOpenFiles},
		{op("connect", syscall.EADDRINUSE), kind.AddrInUse},
		{op("connect", syscall.EADDRNOTAVAIL), kind.NoPorts},
	} {
		assert.Equal(t, tt.want, kind.Of(tt.err))
		assert.True(t, tt.want.Exhausts(), tt.want)
	}
	assert.False(t, kind.Refused.Exhausts())
}
