package harness

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/outbound"
)

// startNXDomainServer answers every DNS query on a loopback UDP port with
// NXDOMAIN, so a name fails to resolve for real without leaving the
// machine (Go's resolver would ask the system's name server about .invalid
// too). It counts the queries and returns the server's address.
func startNXDomainServer(tb testing.TB, queries *atomic.Int64) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(tb, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return // closed by the cleanup
			}
			if resp := nxdomain(buf[:n]); resp != nil {
				queries.Add(1)
				_, _ = pc.WriteTo(resp, addr)
			}
		}
	}()
	tb.Cleanup(func() {
		pc.Close()
		<-done
	})
	return pc.LocalAddr().String()
}

// nxdomain turns a DNS query into its NXDOMAIN answer: the same id and
// question, no records. It returns nil for a packet that is not a query.
func nxdomain(q []byte) []byte {
	const header = 12
	if len(q) < header || q[2]&0x80 != 0 {
		return nil
	}
	i := header
	for i < len(q) && q[i] != 0 { // the question's name, label by label
		i += int(q[i]) + 1
	}
	end := i + 1 + 4 // the root label, type and class
	if end > len(q) {
		return nil
	}
	r := append([]byte(nil), q[:end]...)
	r[2] = 0x80 | q[2]&0x01 // response, recursion desired as asked
	r[3] = 0x80 | 3         // recursion available, NXDOMAIN
	clear(r[6:header])      // no answer, authority or additional records
	return r
}

// closedPort returns the address of a loopback port nothing listens on.
func closedPort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	addr := ln.Addr().String()
	require.NoError(tb, ln.Close())
	return addr
}

// startClosingListener accepts connections, reads the request and closes:
// with SO_LINGER 0 (a reset) when reset is true, else with a plain FIN and
// no answer.
func startClosingListener(tb testing.TB, reset bool) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, _ = http.ReadRequest(bufio.NewReader(c))
			if tcp, ok := c.(*net.TCPConn); ok && reset {
				_ = tcp.SetLinger(0)
			}
			c.Close()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// quietTLSServer is httptest.NewTLSServer without the log line of each
// refused handshake.
func quietTLSServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv
}

// netTimeout is a net.Error that timed out, as a dialer's or a deadline's.
type netTimeout struct{}

func (netTimeout) Error() string   { return "i/o timeout" }
func (netTimeout) Timeout() bool   { return true }
func (netTimeout) Temporary() bool { return true }

func TestClassify_realErrors(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	secure := quietTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	var queries atomic.Int64
	dns := startNXDomainServer(t, &queries)
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dns)
	}}

	tests := []struct {
		name     string
		url      string
		insecure bool
		timeout  time.Duration // of the request's context
		want     string        // "" for no error
	}{
		{"refused: closed port", "http://" + closedPort(t), false, 0, KindRefused},
		{"reset: SO_LINGER 0", startClosingListener(t, true), false, 0, KindReset},
		{"reset: closed without an answer", startClosingListener(t, false), false, 0, KindReset},
		{"timeout: handler sleeps past the deadline", slow.URL, false, 100 * time.Millisecond, KindTimeout},
		{"dns: .invalid does not resolve", "http://no-such-host.invalid/", false, 0, KindDNS},
		{"tls: unknown authority", secure.URL, false, 0, KindTLS},
		{"tls: with -insecure it passes", secure.URL, true, 0, ""},
		{"tls: https to a plain server", "https://" + plain.Listener.Addr().String(), true, 0, KindTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{
				DialContext:       (&net.Dialer{Resolver: resolver, Timeout: 5 * time.Second}).DialContext,
				TLSClientConfig:   outbound.TLSConfig(tt.insecure),
				DisableKeepAlives: true,
			}
			t.Cleanup(tr.CloseIdleConnections)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			resp, err := tr.RoundTrip(req)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, classify(err), "error: %v", err)
		})
	}
	assert.Positive(t, queries.Load(), "the .invalid name was asked of the loopback name server")
}

func TestClassify_clientTimeout(t *testing.T) {
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
	assert.Equal(t, KindTimeout, classify(err), "error: %v", err)
}

func TestClassify_wrappedErrors(t *testing.T) {
	opErr := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: err}}
	}
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1:1/x", Err: err} }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"cancelled", fmt.Errorf("do request: %w", context.Canceled), KindInterrupted},
		{"deadline", urlErr(context.DeadlineExceeded), KindTimeout},
		{"ETIMEDOUT", opErr(syscall.ETIMEDOUT), KindTimeout},
		{"net.Error timeout", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: netTimeout{}}), KindTimeout},
		{"refused", urlErr(opErr(syscall.ECONNREFUSED)), KindRefused},
		{"reset", opErr(syscall.ECONNRESET), KindReset},
		{"broken pipe", opErr(syscall.EPIPE), KindReset},
		{"aborted", opErr(syscall.ECONNABORTED), KindReset},
		{"unexpected EOF", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), KindReset},
		{"EOF", urlErr(io.EOF), KindReset},
		{"dns not found", urlErr(&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}), KindDNS},
		{"dns timeout is dns", &net.DNSError{Err: "i/o timeout", Name: "x.test", IsTimeout: true}, KindDNS},
		{"certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, KindTLS},
		{"hostname", urlErr(x509.HostnameError{Host: "x.test", Certificate: &x509.Certificate{}}), KindTLS},
		{"record header", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, KindTLS},
		{"alert", fmt.Errorf("handshake: %w", tls.AlertError(40)), KindTLS},
		{"anything else", errors.New("malformed HTTP response"), KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, classify(tt.err), "error: %v", tt.err) })
	}
}

func TestStatusKind(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{500, KindHTTP5xx}, {503, KindHTTP5xx}, {599, KindHTTP5xx},
		{400, KindHTTP4xx}, {404, KindHTTP4xx}, {429, KindHTTP4xx},
		{302, KindHTTP3xx}, {301, KindHTTP3xx}, {308, KindHTTP3xx}, {101, KindOther},
		{204, KindUnexpectedSuccess}, {200, KindUnexpectedSuccess},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) { assert.Equal(t, tt.want, statusKind(tt.status)) })
	}
}

// TestRun_insecureTLSTarget checks that -insecure reaches the run's own
// transport (the refusal without it is TestClassify_realErrors' tls case;
// a run would spend the whole preflight wait to show it again).
func TestRun_insecureTLSTarget(t *testing.T) {
	srv := quietTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Insecure = 3, true
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(2, 2), (&userLog{}).journey("/x"))
	s := sim.Run(context.Background()).Summary
	assert.EqualValues(t, 6, s.Requests)
	assert.Zero(t, s.ErrorsUnexpected, "with -insecure it passes: %v", s.ErrorsByKind)
}
