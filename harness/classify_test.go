package harness

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
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
		want     kind.Kind     // kind.None for no error
	}{
		{"refused: closed port", "http://" + closedPort(t), false, 0, kind.Refused},
		{"reset: SO_LINGER 0", startClosingListener(t, true), false, 0, kind.Reset},
		{"reset: closed without an answer", startClosingListener(t, false), false, 0, kind.Reset},
		{"timeout: handler sleeps past the deadline", slow.URL, false, 100 * time.Millisecond, kind.Timeout},
		{"dns: .invalid does not resolve", "http://no-such-host.invalid/", false, 0, kind.DNS},
		{"tls: unknown authority", secure.URL, false, 0, kind.TLS},
		{"tls: with -insecure it passes", secure.URL, true, 0, ""},
		{"tls: https to a plain server", "https://" + plain.Listener.Addr().String(), true, 0, kind.TLS},
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
			if tt.want == kind.None {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, kind.Of(err), "error: %v", err)
		})
	}
	assert.Positive(t, queries.Load(), "the .invalid name was asked of the loopback name server")
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
	s := sim.MustRun(context.Background()).Summary
	assert.EqualValues(t, 6, s.Requests)
	assert.Zero(t, s.ErrorsUnexpected, "with -insecure it passes: %v", s.ErrorsByKind)
}
