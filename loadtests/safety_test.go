package loadtests

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
)

// TestCleanup_insecureHTTPSLeavesNone: against an https target with a
// certificate of its own, -insecure holds for the cleanup as for the users:
// none of the run's users remain.
func TestCleanup_insecureHTTPSLeavesNone(t *testing.T) {
	opts := adminOptions(t)
	svc := userservice.New(userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword})
	srv := httptest.NewTLSServer(svc)
	t.Cleanup(srv.Close)
	before := svc.UserCount()

	cfg := harness.DefaultConfig()
	cfg.Target, cfg.Insecure, cfg.Cleanup = srv.URL, true, true
	cfg.Users, cfg.MaxRequests, cfg.ReportDir, cfg.Progress = 40, 40, t.TempDir(), 0
	res := populate(t, cfg, opts).MustRun(t.Context())
	require.Positive(t, res.Summary.Endpoint("POST /api/auth/register").Requests)
	assert.Equal(t, before, svc.UserCount(), "0 of the run's users remain")
}

// TestCleanup_periodicWithAdminsLeavesNone: a continuous run whose admin
// users all log in as the one admin account (the service keeps 200 live
// sessions per account, revoking the oldest: soon the cleanup's) cleans
// up every interval without a failure, and leaves none of its users.
// Before the cleanup logged in again on a 401, most periodic cleanups of
// this run failed with "cleanup list: status 401" (some 6,000 logins in
// 6 s push a session out within a cleanup's listing) and the test passed.
func TestCleanup_periodicWithAdminsLeavesNone(t *testing.T) {
	opts := adminOptions(t)
	srv := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword})
	before := srv.Service.UserCount()

	cfg := harness.DefaultConfig()
	cfg.Target, cfg.Continuous, cfg.Cleanup, cfg.CleanupInterval = srv.URL, true, true, 500*time.Millisecond
	cfg.Users, cfg.MinRequests, cfg.MaxRequests, cfg.Duration = 200, 1, 30, 6*time.Second
	cfg.UserTypes, cfg.Think = []string{"new", "admin"}, "none"
	cfg.ReportDir, cfg.Progress = t.TempDir(), 0
	res := populate(t, cfg, opts).MustRun(t.Context())
	logins := res.Summary.Endpoint("POST /api/auth/login")
	require.NotNil(t, logins)
	t.Logf("%d logins, %d users started", logins.Requests, res.Summary.Users)
	assert.NotContains(t, strings.Join(res.Summary.Notes, "\n"), "cleanup failed")
	assert.Equal(t, before, srv.Service.UserCount(), "0 of the run's users remain")
}

// Canary passwords, one per URL flag.
const (
	canaryTarget  = "TgtS3cret"
	canaryPush    = "PgS3cret"
	canaryOpenAPI = "OaS3cret"
)

// TestSecrets_canaryPasswordsInURLs: a password in -target, -pushgateway
// and -openapi appears in no output and no report, whether the URLs are
// valid, refused or do not parse.
func TestSecrets_canaryPasswordsInURLs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary as a separate process")
	}
	opts := adminOptions(t)
	srv := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword})
	host := strings.TrimPrefix(srv.URL, "http://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	gone := ln.Addr().String() // a Pushgateway that is down: its errors carry the URL
	require.NoError(t, ln.Close())
	tests := []struct {
		name     string
		target   string
		push     string
		openapi  string
		wantFail []string // flags the output must name
	}{
		{"valid", "http://tgt:" + canaryTarget + "@" + host, "http://pg:" + canaryPush + "@" + gone,
			"http://oa:" + canaryOpenAPI + "@" + host + "/openapi.json", nil},
		{"refused", "http://tgt:" + canaryTarget + "@192.0.2.1:80", "ftp://pg:" + canaryPush + "@192.0.2.1",
			"http://oa:" + canaryOpenAPI + "@192.0.2.1/openapi.json", []string{"-target", "-pushgateway", "-openapi"}},
		{"unparsable", "http://tgt:" + canaryTarget + "@[::1", "http://pg:" + canaryPush + "@[::1",
			"http://oa:" + canaryOpenAPI + "@[::1/x", []string{"-target", "-pushgateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, testBinary(t), "-test.run", "^TestPopulate$", "-test.v",
				"-target="+tt.target, "-pushgateway="+tt.push, "-openapi="+tt.openapi, "-push-interval=200ms",
				"-admin-email="+opts.AdminEmail, "-admin-password="+opts.AdminPassword,
				"-users=10", "-max-request-count=10", "-debug", "-report-dir="+dir, "-progress=0")
			out, err := cmd.CombinedOutput()
			text := string(out)
			if tt.wantFail == nil {
				assert.Contains(t, text, "run finished", "the run ran:\n%s", tail(text))
			} else {
				require.Error(t, err, "bad URLs fail:\n%s", tail(text))
				for _, f := range tt.wantFail {
					assert.Contains(t, text, f+":")
				}
			}
			_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(path)
					text += string(b)
				}
				return nil
			})
			for _, c := range []string{canaryTarget, canaryPush, canaryOpenAPI} {
				assert.NotContains(t, text, c, "a password in a URL flag is printed")
			}
		})
	}
}

func tail(s string) string {
	const n = 4000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// recorder is a server that keeps what reached it.
type recorder struct {
	srv  *http.Server
	url  string
	reqs chan string // one line per request: method, path, headers, body
}

func startRecorder(t *testing.T, addr string) *recorder {
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	rec := &recorder{url: "http://" + ln.Addr().String(), reqs: make(chan string, 100)}
	rec.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case rec.reqs <- fmt.Sprintf("%s %s %v %s", r.Method, r.URL, r.Header, b):
		default:
		}
		w.Write([]byte(`{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{"/x":{"get":{"responses":{"200":{"description":"ok"}}}}}}`))
	})}
	go rec.srv.Serve(ln)
	t.Cleanup(func() { rec.srv.Close() })
	return rec
}

// seen returns what reached the recorder so far.
func (r *recorder) seen() []string {
	var out []string
	for {
		select {
		case s := <-r.reqs:
			out = append(out, s)
		default:
			return out
		}
	}
}

// TestBudgets_defaultFileFromAnotherFolder: the compiled test binary run
// from a folder without budgets.yaml judges Populate's default budgets as
// `go test` does.
func TestBudgets_defaultFileFromAnotherFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary as a separate process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), "-test.run", "^TestPopulate$", "-test.v",
		"-users=10", "-max-request-count=10", "-report-dir="+t.TempDir(), "-progress=0")
	cmd.Dir = t.TempDir()
	out, _ := cmd.CombinedOutput() // 10 users cover too little to pass coverage: not the point here
	for _, b := range []string{"budget/error_rate", "budget/p95/POST_/api/auth/login", "budget/goroutine_leaks", "budget/error_rate/abort"} {
		assert.Contains(t, string(out), "--- PASS: TestPopulate/"+b+" ", "the default budgets are judged:\n%s", tail(string(out)))
	}
	assert.NotContains(t, string(out), "read budget file")
}

// TestMainJob_everyBadFlagAtOnce: the main job given every kind of bad
// flag names each of them in one message, and the target sees no request.
func TestMainJob_everyBadFlagAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary as a separate process")
	}
	opts := adminOptions(t)
	var hits atomic.Int64
	srv := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword,
		Middleware: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h.ServeHTTP(w, r) })
		}})
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), "-test.run", "^TestPopulate$", "-test.v",
		"-target="+srv.URL, "-admin-email="+opts.AdminEmail, "-admin-password="+opts.AdminPassword,
		"-stages=garbage", "-min-request-count=9", "-max-request-count=3", "-error-rate=101", "-think=maybe",
		"-timeout=0", "-user-types=new,ghost", "-budget=p95(x) <", "-report-dir="+filepath.Join(file, "out"))
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	text := string(out)
	for _, f := range []string{"-stages:", "-min-request-count", "-error-rate", "-think", "-timeout", "-user-types:", "-budget:", "-report-dir:"} {
		assert.Contains(t, text, f, "named in the one message:\n%s", tail(text))
	}
	assert.Equal(t, 1, strings.Count(text, "invalid configuration"), "one message, not one pass per kind of problem")
	assert.Zero(t, hits.Load(), "no request reached the target")
}
