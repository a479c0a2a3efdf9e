package harness

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/reports"
)

func TestValidate_everyBadFlagAtOnce(t *testing.T) {
	srv := newCountingServer(t, nil)
	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, nil, 0o644))
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	flags := RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{
		"-target=" + srv.URL, "-stages=garbage", "-users=0", "-min-request-count=5", "-max-request-count=2",
		"-error-rate=200", "-think=sometimes", "-shard=3/2", "-timeout=0", "-headers=loud",
		"-user-types=a,ghost", "-budget=p95(x) <", "-budgets=" + filepath.Join(t.TempDir(), "missing.yaml"),
		"-report-dir=" + filepath.Join(notADir, "reports"), "-pushgateway=ftp://pg", "-openapi=http://192.0.2.1/openapi.json",
	}))
	cfg, err := flags.Config()
	require.Error(t, err, "the flags alone are already wrong")
	msg := runFatal(t, cfg, func(s *Simulation) {
		s.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err })
	})
	for _, want := range []string{
		"-stages:", "-users", "-min-request-count", "-error-rate", "-think", "-shard", "-timeout", "-headers",
		`-user-types: unknown user type "ghost"`, "-budget:", `got "x"`, "expected a duration like 150ms after <",
		"-budgets:", "-report-dir:", "-pushgateway", "-openapi",
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "expected a path after the method x", "x is not a method")
	assert.Zero(t, srv.hits.Load(), "no request before the configuration is right")
}

func TestRun_unwritableReportDirFailsBeforeFirstRequest(t *testing.T) {
	srv := newCountingServer(t, nil)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	cfg := testConfig(srv.URL)
	cfg.ReportDir = filepath.Join(file, "reports") // a folder under a file: not even root can make it
	msg := runFatal(t, cfg, func(s *Simulation) {
		s.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err })
	})
	assert.Contains(t, msg, "-report-dir:")
	assert.Contains(t, msg, file)
	assert.Zero(t, srv.hits.Load())
}

func TestRun_reportDirGoneMidRunLosesNoSummary(t *testing.T) {
	srv := newCountingServer(t, nil)
	dir := filepath.Join(t.TempDir(), "reports")
	cfg := testConfig(srv.URL)
	cfg.ReportDir, cfg.Users, cfg.MinRequests, cfg.MaxRequests = dir, 2, 5, 5
	cfg.RunID = fmt.Sprintf("gone-%d", time.Now().UnixNano())
	t.Cleanup(func() { os.RemoveAll(reports.FallbackDir(cfg.RunID)) })
	var once sync.Once
	etb := tbtest.New(t)
	ltb := &logTB{TB: etb}
	sim := New(ltb, cfg)
	sim.Archetype("a", 1, Between(5, 5), func(ctx context.Context, vu *VU) error {
		once.Do(func() {
			// The folder is replaced by a file: unwritable for root too.
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, nil, 0o644))
		})
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	res := sim.MustRun(t.Context())
	fallback := reports.FallbackDir(cfg.RunID)
	assert.Contains(t, etb.Messages(), fallback, "the error names where the reports went")
	assert.Equal(t, fallback, res.Dir)
	s, err := reports.ReadSummary(filepath.Join(fallback, "summary.json"))
	require.NoError(t, err)
	assert.Equal(t, int64(10), s.Requests)
	assert.FileExists(t, filepath.Join(fallback, "junit.xml"))
	assert.NotContains(t, ltb.log.String(), "reports="+dir+" ", "the log does not claim the reports are where they are not")
	assert.Contains(t, ltb.log.String(), "reports="+fallback)
}

func TestCleanup_failureFailsTheTestNamingWhy(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests, cfg.Cleanup = 2, 1, 1, true
	etb := tbtest.New(t)
	sim := New(etb, cfg)
	sim.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err })
	var got CleanupScope
	sim.OnCleanup(func(ctx context.Context, scope CleanupScope) error {
		got = scope
		return errors.New("delete: status 503; 2 users of the run remain")
	})
	res := sim.MustRun(t.Context())
	msg := etb.Messages()
	assert.Contains(t, msg, "cleanup failed 1 of 1 times")
	assert.Contains(t, msg, "2 users of the run remain")
	assert.Contains(t, strings.Join(res.Summary.Notes, "\n"), "cleanup failed: final cleanup: delete: status 503")
	var verdict *reports.Budget
	for i, b := range res.Summary.Budgets {
		if b.Name == "cleanup" {
			verdict = &res.Summary.Budgets[i]
		}
	}
	require.NotNil(t, verdict, "summary.json and junit.xml say the cleanup failed too")
	assert.False(t, verdict.Passed)
	assert.Contains(t, verdict.Message, "2 users of the run remain")
	require.NotNil(t, got.Client, "the cleanup gets the run's client")
	assert.Equal(t, srv.URL, got.Target)
}

// redirectTarget is a loopback target that redirects; other is a second
// loopback server, another origin (another port), that records what
// reaches it.
type redirectTarget struct {
	target *httptest.Server
	other  *httptest.Server
	mu     sync.Mutex
	seen   []*http.Request // what reached other, with its body read
	bodies []string
}

func newRedirectTarget(t *testing.T) *redirectTarget {
	rt := &redirectTarget{}
	rt.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rt.mu.Lock()
		rt.seen, rt.bodies = append(rt.seen, r), append(rt.bodies, string(b))
		rt.mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(rt.other.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /old/{id}", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		// A cookie jar, like a browser, tells hosts apart but not ports:
		// the path keeps this one from the other server's /landing.
		http.SetCookie(w, &http.Cookie{Name: "hop", Value: "1", Path: "/new"})
		http.Redirect(w, r, "/new/"+r.PathValue("id"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /new/{id}", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		if _, err := r.Cookie("hop"); err != nil {
			http.Error(w, "the cookie of the hop is missing", http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	})
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/done", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) })
	mux.HandleFunc("POST /users", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/users/", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("POST /users/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(b), "ada") {
			http.Error(w, "the body did not follow the 307", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{}`))
	})
	mux.HandleFunc("GET /away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, rt.other.URL+"/landing", http.StatusFound)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, rt.other.URL+"/login", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {})
	rt.target = httptest.NewServer(mux)
	t.Cleanup(rt.target.Close)
	return rt
}

// seenOther returns what reached the other origin.
func (rt *redirectTarget) seenOther() ([]*http.Request, []string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]*http.Request(nil), rt.seen...), append([]string(nil), rt.bodies...)
}

type routeObserver struct {
	mu     sync.Mutex
	routes map[string]int
}

func (o *routeObserver) Observe(req *Request, resp *Response) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.routes[req.Name()+" "+fmt.Sprint(resp.Status)]++
}

func TestRedirects_followedAsABrowserAndNamedByTheirRoute(t *testing.T) {
	rt := newRedirectTarget(t)
	journey := func(ctx context.Context, vu *VU) error {
		vu.Token = "user-token-s3cret"
		for _, req := range []*Request{
			Get("/old/{id}", 7),
			Post("/form").JSON(map[string]string{"q": "1"}),
			Post("/users").JSON(map[string]string{"name": "ada"}).Expect(http.StatusCreated),
			Get("/away").SetHeader("X-Api-Key", "k3y-s3cret").SetHeader("Cookie", "sid=c00kie-s3cret"),
			Post("/login").JSON(map[string]string{"email": "a@x.test", "password": "pw-s3cret"}),
		} {
			if _, err := vu.Do(ctx, req); err != nil {
				return err
			}
		}
		return nil
	}
	cfg := withReportDir(t, testConfig(rt.target.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 1, 5, 5
	sim := New(t, cfg)
	obs := &routeObserver{routes: map[string]int{}}
	sim.Observe(obs)
	sim.Archetype("a", 1, Between(5, 5), journey)
	res := sim.MustRun(t.Context())
	s := res.Summary

	old := s.Endpoint("GET /old/{id}")
	require.NotNil(t, old, "the request keeps its route template's name")
	assert.EqualValues(t, 1, old.Codes["200"], "301 followed to the answer, the hop's cookie kept: %v", old.Codes)
	assert.GreaterOrEqual(t, old.MaxMs, 40.0, "the latency covers both hops")
	assert.Nil(t, s.Endpoint("GET /new/{id}"), "the hop is not an endpoint of its own")
	assert.EqualValues(t, 1, s.Endpoint("POST /form").Codes["200"], "303: GET without body")
	assert.EqualValues(t, 1, s.Endpoint("POST /users").Codes["201"], "307: method and body kept")
	assert.Equal(t, 1, obs.routes["GET /old/{id} 200"], "observers see the original request: %v", obs.routes)

	seen, bodies := rt.seenOther()
	require.Len(t, seen, 1, "only the 302 to the other origin was followed; the 307 with a password was not")
	assert.Equal(t, "/landing", seen[0].URL.Path)
	for _, h := range []string{"Authorization", "Cookie", "X-Api-Key"} {
		assert.Empty(t, seen[0].Header.Get(h), "%s does not cross origins", h)
	}
	assert.NotContains(t, strings.Join(bodies, ""), "pw-s3cret")
	assert.EqualValues(t, 1, s.Endpoint("POST /login").Codes["307"], "the 307 is the answer")
	assert.EqualValues(t, 1, s.ErrorsByKind[string(kind.HTTP3xx)])
}

func TestRedirects_notFollowedAreKindHTTP3xx(t *testing.T) {
	rt := newRedirectTarget(t)
	cfg := withReportDir(t, testConfig(rt.target.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests, cfg.FollowRedirects = 1, 2, 2, false
	sim := New(t, cfg)
	sim.Archetype("a", 1, Between(2, 2), func(ctx context.Context, vu *VU) error {
		if _, err := vu.Do(ctx, Get("/old/{id}", 1)); err != nil {
			return err
		}
		_, err := vu.Do(ctx, Get("/away"))
		return err
	})
	s := sim.MustRun(t.Context()).Summary
	assert.EqualValues(t, 2, s.ErrorsByKind[string(kind.HTTP3xx)], "by kind: %v", s.ErrorsByKind)
	assert.EqualValues(t, 1, s.Endpoint("GET /old/{id}").Codes["301"])
	seen, _ := rt.seenOther()
	assert.Empty(t, seen)
}

// TestRun_fileLimit: with the open-files limit at 256 and 2,000 users that
// never think, the errors have a kind that names the cause and one
// warning says the limit and what to do. It runs in a child process whose
// limit is lowered (soft and hard, so Go cannot raise it again).
func TestRun_fileLimit(t *testing.T) {
	const limit = 256
	if os.Getenv("TRAFFICSIM_FDLIMIT_CHILD") != "" {
		fileLimitChild(t, limit)
		return
	}
	if testing.Short() {
		t.Skip("runs 2,000 users in a child process")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := execSelf(ctx, "^TestRun_fileLimit$", "TRAFFICSIM_FDLIMIT_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child:\n%s", tail(out))
	warnings := strings.Count(string(out), `level=WARN msg="too many open files`)
	assert.Equal(t, 1, warnings, "one warning:\n%s", tail(out))
	assert.Contains(t, string(out), fmt.Sprintf("ulimit -n: %d", limit))
	s, err := reports.ReadSummary(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	assert.Positive(t, s.ErrorsByKind[string(kind.TooManyOpenFiles)], "by kind: %v", s.ErrorsByKind)
	assert.Zero(t, s.ErrorsByKind[string(kind.Other)], "nothing hides in other: %v", s.ErrorsByKind)
	assert.Contains(t, strings.Join(s.Notes, "\n"), "too many open files")
	assert.EqualValues(t, limit, s.Resources.FDLimit)
}

func fileLimitChild(t *testing.T, limit uint64) {
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: limit, Max: limit}))
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		time.Sleep(50 * time.Millisecond) // hold the connection a while
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL)
	cfg.ReportDir = os.Getenv("TRAFFICSIM_FDLIMIT_CHILD")
	cfg.Users, cfg.MinRequests, cfg.MaxRequests, cfg.Ramp = 2000, 3, 3, time.Millisecond
	cfg.Timeout, cfg.Duration, cfg.Breaker, cfg.AbortErrorRate = time.Second, 30*time.Second, 0, 0
	sim := New(t, cfg)
	sim.Archetype("a", 1, Between(3, 3), func(ctx context.Context, vu *VU) error {
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	res := sim.MustRun(t.Context())
	t.Logf("served %d, by kind %v", served.Load(), res.Summary.ErrorsByKind)
}

// execSelf runs this test binary again for one test, with an environment
// variable that makes the test play its child's part.
func execSelfCmd(ctx context.Context, name string, args []string, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

func execSelf(ctx context.Context, run string, env ...string) *exec.Cmd {
	return execSelfCmd(ctx, os.Args[0], []string{"-test.run", run, "-test.v", "-test.count=1"}, env...)
}

// tail is the end of a child's output, for failure messages.
func tail(out []byte) string {
	const n = 4000
	if len(out) > n {
		return "…" + string(out[len(out)-n:])
	}
	return string(out)
}
