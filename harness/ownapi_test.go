package harness

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/metrics"
	"github.com/trafficsim/trafficsim/harness/redact"
	"github.com/trafficsim/trafficsim/reports"
)

func TestAuth_Apply(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops:s3cret"))
	tests := []struct {
		name       string
		auth       Auth
		token      string
		wantHeader string // "Name: value", or "" for no credentials
	}{
		{"zero value is bearer", Auth{}, "t1", "Authorization: Bearer t1"},
		{"bearer", TokenAuth("Bearer"), "t1", "Authorization: Bearer t1"},
		{"token scheme", TokenAuth("Token"), "t1", "Authorization: Token t1"},
		{"raw token", TokenAuth(""), "t1", "Authorization: t1"},
		{"no token, nothing sent", TokenAuth("Token"), "", ""},
		{"basic ignores the token", BasicAuth("ops", "s3cret"), "t1", "Authorization: " + basic},
		{"fixed API key", APIKeyAuth("x-api-key", "k1"), "t1", "X-Api-Key: k1"},
		{"token as API key", APIKeyAuth("X-Api-Key", ""), "t1", "X-Api-Key: t1"},
		{"cookie", CookieAuth("pb_auth"), "t1", "Cookie: pb_auth=t1"},
		{"none", NoAuth(), "t1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			tt.auth.Apply(req, tt.token)
			var got []string
			for k, vs := range req.Header {
				got = append(got, k+": "+strings.Join(vs, ", "))
			}
			if tt.wantHeader == "" {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, []string{tt.wantHeader}, got)
			assert.True(t, redact.SensitiveKey(strings.SplitN(tt.wantHeader, ":", 2)[0]), "the header is redacted in logs")
			assert.NotContains(t, tt.auth.String(), "s3cret")
		})
	}
}

// tokenServer accepts only "Authorization: Token <token>" after a login,
// as Django REST and Gitea do, and counts who was let in.
type tokenServer struct {
	*httptest.Server
	mu       sync.Mutex
	accepted map[string]int // path -> authorized requests
	rejected int
	deleted  []string
}

const serverToken = "tok-9f2c"

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{accepted: map[string]int{}}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/":
			return
		case r.URL.Path == "/login" && r.Method == http.MethodPost:
			fmt.Fprintf(w, `{"token":%q}`, serverToken)
			return
		}
		ts.mu.Lock()
		defer ts.mu.Unlock()
		if r.Header.Get("Authorization") != "Token "+serverToken {
			ts.rejected++
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
			return
		}
		ts.accepted[r.Method+" "+r.URL.Path]++
		switch {
		case r.Method == http.MethodDelete:
			ts.deleted = append(ts.deleted, r.URL.Path)
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/me":
			_, _ = w.Write([]byte(`{"id":7,"name":"vu"}`))
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func login(ctx context.Context, vu *VU) error {
	var out struct{ Token string }
	resp, err := vu.DoJSON(ctx, Post("/login").JSON(map[string]string{"user": "vu"}).Anonymous(), &out)
	if err != nil {
		return err
	}
	if resp.OK {
		vu.Token = out.Token
	}
	return nil
}

// TestAuth_TokenSchemeServerAcceptsJourneysAndCleanup: with Config.Auth =
// TokenAuth("Token"), journeys (vu.Token) and the cleanup (scope.Auth,
// scope.Client) are let in by a server that refuses Bearer.
func TestAuth_TokenSchemeServerAcceptsJourneysAndCleanup(t *testing.T) {
	srv := newTokenServer(t)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 4, 6, 6
	cfg.Auth = TokenAuth("Token")
	cfg.Cleanup = true
	sim := New(t, cfg)
	sim.Archetype("reader", 1, Between(6, 6), func(ctx context.Context, vu *VU) error {
		if vu.Token == "" {
			return login(ctx, vu)
		}
		_, err := vu.Do(ctx, Get("/me").Check("has id", HasJSON("id")))
		return err
	})
	sim.OnCleanup(func(ctx context.Context, scope CleanupScope) error {
		req, err := scope.NewRequest(ctx, http.MethodDelete, "/runs/"+scope.RunID, nil, serverToken)
		if err != nil {
			return err
		}
		resp, err := scope.Client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("cleanup: status %d", resp.StatusCode)
		}
		return nil
	})
	s := sim.MustRun(t.Context()).Summary
	assert.Zero(t, s.ErrorsUnexpected, "%v", s.ErrorsByKind)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	assert.Zero(t, srv.rejected)
	assert.Equal(t, 4*5, srv.accepted["GET /me"], "every user logged in once, then 5 reads")
	assert.Equal(t, []string{"/runs/" + s.RunID}, srv.deleted, "the cleanup got in")
	assert.Equal(t, []reports.Check{{Name: "has id", Passes: 20}}, s.Checks)
}

// TestChecks_FailedCheckFailsTheBudgetAndNamesIt: a 200 without the field a
// check wants is an unexpected error of kind check; "checks >= 99%" fails
// naming the check, junit.xml has the check's testcase and the budget's
// failure, and trafficsim_checks_total agrees with summary.json.
func TestChecks_FailedCheckFailsTheBudgetAndNamesIt(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			_, _ = w.Write([]byte(`{"name":"x"}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":1,"name":"x"}`))
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 5, 10, 10
	cfg.Budgets = []string{"checks >= 99%", "checks(has id) >= 99%", "checks(name is x) >= 99%"}
	rec := tbtest.New(t) // the broken budgets fail it, not this test
	sim := New(rec, cfg)
	sim.Archetype("reader", 1, Between(10, 10), func(ctx context.Context, vu *VU) error {
		route := "/ok"
		if vu.Remaining() == 1 {
			route = "/broken" // one in ten answers lacks the id
		}
		_, err := vu.Do(ctx, Get(route).Check("has id", HasJSON("id")))
		return err
	}, WithCheck("name is x", JSONEquals("name", "x")))
	res := sim.MustRun(t.Context())
	s := res.Summary

	assert.Equal(t, []reports.Check{{Name: "has id", Passes: 45, Fails: 5}, {Name: "name is x", Passes: 50}}, s.Checks)
	assert.Equal(t, int64(5), s.ErrorsByKind[string(kind.Check)])
	assert.Equal(t, int64(5), s.ErrorsUnexpected)
	require.Len(t, s.Budgets, 3)
	all, one, other := s.Budgets[0], s.Budgets[1], s.Budgets[2]
	assert.False(t, all.Passed)
	assert.InDelta(t, 95.0, all.Measured, 1e-9, "95 of 100 results passed")
	assert.Contains(t, all.Message, `"has id" failed 5 of 50`)
	assert.False(t, one.Passed)
	assert.Equal(t, "budget/checks/has_id", one.Name)
	assert.True(t, other.Passed, other.Message)
	assert.Len(t, rec.Failures(), 2, "the test fails with the two broken budgets: %q", rec.Failures())
	assert.True(t, slicesContainSub(rec.Failures(), `budget/checks/has_id: check "has id" passed was 90%`), "%q", rec.Failures())

	junit, err := os.ReadFile(filepath.Join(res.Dir, reports.JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `name="check/has id"`)
	assert.Contains(t, string(junit), `check "has id": 45 passed, 5 failed`)
	assert.Contains(t, string(junit), `budget/checks/has_id`)
	assert.Contains(t, string(junit), `&#34;has id&#34; failed 5 of 50`)
	html, err := os.ReadFile(filepath.Join(res.Dir, reports.HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(html), `id="checks"`)

	for _, c := range s.Checks {
		assert.Equal(t, float64(c.Passes), checkSeries(t, res, c.Name, metrics.CheckPass), c.Name)
		assert.Equal(t, float64(c.Fails), checkSeries(t, res, c.Name, metrics.CheckFail), c.Name)
	}
}

// checkSeries reads trafficsim_checks_total{check,result} from the run's
// registry (0 when the series does not exist).
func checkSeries(t *testing.T, res *Result, check, result string) float64 {
	t.Helper()
	mfs, err := res.Registry.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != metrics.ChecksTotalName {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["check"] == check && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestDoJSON_UndecodableBodyIsADecodeError: one call sends and decodes; a
// body that is not the JSON wanted makes the answer a decode error.
func TestDoJSON_UndecodableBodyIsADecodeError(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`not json`))
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 1, 1, 1
	sim := New(t, cfg)
	var got *Response
	sim.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		var out map[string]any
		resp, err := vu.DoJSON(ctx, Get("/x"), &out)
		got = resp
		return err
	})
	s := sim.MustRun(t.Context()).Summary
	require.NotNil(t, got)
	assert.False(t, got.OK)
	assert.Equal(t, kind.Decode, got.Kind)
	assert.Equal(t, map[string]int64{string(kind.Decode): 1}, s.ErrorsByKind)
}

// TestJourney_WithoutARequestFailsNamingTheArchetype: a journey that
// returns nil without a request no longer ends its user silently: the run
// fails naming the archetype, once, and the summary's notes say so; a
// journey that returns ErrDone ends its user as a normal end.
func TestJourney_WithoutARequestFailsNamingTheArchetype(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 6, 5, 5
	rec := tbtest.New(t)
	sim := New(rec, cfg)
	sim.Archetype("forgetful", 1, Between(5, 5), func(ctx context.Context, vu *VU) error {
		if vu.Remaining() < 3 {
			return nil // forgot the request
		}
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	sim.Archetype("finisher", 1, Between(5, 5), func(ctx context.Context, vu *VU) error {
		if vu.Remaining() < 3 {
			return ErrDone
		}
		_, err := vu.Do(ctx, Get("/y"))
		return err
	})
	res := sim.MustRun(t.Context())
	s := res.Summary
	require.Len(t, rec.Failures(), 1)
	assert.Contains(t, rec.Failures()[0], `archetype forgetful: a journey call returned without making a request`)
	assert.NotContains(t, rec.Failures()[0], "finisher")
	assert.Equal(t, int64(6*3), s.Requests, "each user made 3 requests, then ended")
	assert.True(t, slicesContainSub(s.Problems, "archetype forgetful"), "%q", s.Problems)
	junit, err := os.ReadFile(filepath.Join(res.Dir, reports.JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `<testcase name="simulation"`, "junit.xml fails as the test does")
	assert.Contains(t, string(junit), `type="simulation"`)
}

func slicesContainSub(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestSimulation_CleanupWithoutACleanupFailsValidation: -cleanup with no
// OnCleanup would delete nothing; validation says so, naming the flag.
func TestSimulation_CleanupWithoutACleanupFailsValidation(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1")
	cfg.Cleanup = true
	sim := New(t, cfg)
	sim.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { return nil })
	err := sim.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-cleanup: this simulation registers no cleanup (Simulation.OnCleanup)")

	sim.OnCleanup(func(context.Context, CleanupScope) error { return nil })
	assert.NoError(t, sim.Validate())
}

// TestSimulation_OpenAPIWithoutContractPackageSaysSo: -openapi in a binary
// that does not link package contract fails before any request, saying
// what to import (this package's own tests cannot import it).
func TestSimulation_OpenAPIWithoutContractPackageSaysSo(t *testing.T) {
	if wiring.Load() != nil {
		t.Skip("package contract is linked into this binary")
	}
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.OpenAPI = srv.URL + "/openapi.json"
	msg := runFatal(t, cfg, func(s *Simulation) {
		s.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/")); return err })
	})
	assert.Contains(t, msg, `-openapi: this test binary does not include package harness/contract; add import _ "github.com/trafficsim/trafficsim/harness/contract"`)
	assert.Zero(t, srv.hits.Load())
}

// TestSimulation_EmptyTargetNamesTheFlag: a simulation without a built-in
// target says so, naming -target.
func TestSimulation_EmptyTargetNamesTheFlag(t *testing.T) {
	cfg := withReportDir(t, testConfig(""))
	msg := runFatal(t, cfg, func(s *Simulation) {
		s.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { return nil })
	})
	assert.Contains(t, msg, "-target: this simulation has no built-in target; pass -target=URL")
}

// TestExchange_InjectedAnswered2xxIsUnexpectedSuccess: a deliberately bad
// request the target accepts is an error of a kind of its own, not other.
func TestExchange_InjectedAnswered2xxIsUnexpectedSuccess(t *testing.T) {
	srv := newCountingServer(t, nil) // answers 200 to everything
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 1, 2, 2
	sim := New(t, cfg)
	sim.Archetype("a", 1, Between(2, 2), func(ctx context.Context, vu *VU) error {
		if _, err := vu.Do(ctx, Post("/login").Injected(401)); err != nil {
			return err
		}
		_, err := vu.Do(ctx, Get("/gone").Expect(404))
		return err
	})
	s := sim.MustRun(t.Context()).Summary
	assert.Equal(t, map[string]int64{string(kind.UnexpectedSuccess): 2}, s.ErrorsByKind)
}

// TestAuth_APIKeyNeverLogged: -debug logs request headers redacted, the
// API key's header too, whatever its name.
func TestAuth_APIKeyNeverLogged(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests, cfg.Debug = 1, 1, 1, true
	cfg.Auth = APIKeyAuth("X-Auth", "k-5e6e7")
	var out strings.Builder
	sim := New(&outputTB{TB: t, w: &out}, cfg)
	sim.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	sim.MustRun(t.Context())
	assert.Contains(t, out.String(), "X-Auth:"+redact.Redacted)
	assert.NotContains(t, out.String(), "k-5e6e7")
}

// outputTB sends the run's log and table to w.
type outputTB struct {
	testing.TB
	mu sync.Mutex
	w  *strings.Builder
}

func (o *outputTB) Output() io.Writer { return lockedWriter{o} }

type lockedWriter struct{ o *outputTB }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.o.mu.Lock()
	defer l.o.mu.Unlock()
	return l.o.w.Write(p)
}

// TestSimulation_ExplorerWithoutDescriptionFailsValidation names the flag
// that is missing.
func TestSimulation_ExplorerWithoutDescriptionFailsValidation(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1")
	cfg.Explorer = 1
	sim := New(t, cfg)
	sim.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { return nil })
	err := sim.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-explorer: needs an API description to explore: pass -openapi=URL|FILE")
}

// TestExchange_UnencodableBodyIsKindRequest: a body that cannot be encoded
// is not sent and is an error of its own kind, not other.
func TestExchange_UnencodableBodyIsKindRequest(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 1, 1, 1
	sim := New(t, cfg)
	var got kind.Kind
	sim.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		resp, err := vu.Do(ctx, Post("/x").JSON(map[string]any{"f": func() {}}))
		if resp != nil {
			got = resp.Kind
		}
		return err
	})
	s := sim.MustRun(t.Context()).Summary
	assert.Equal(t, kind.Request, got)
	assert.Equal(t, map[string]int64{string(kind.Request): 1}, s.ErrorsByKind)
	assert.Zero(t, srv.hits.Load(), "nothing was sent")
}
