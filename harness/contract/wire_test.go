package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	_ "github.com/trafficsim/trafficsim/harness/contract" // -openapi, -explorer
)

// tokenDoc describes a service that wants "Authorization: Token <t>".
const tokenDoc = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
"/login":{"post":{"requestBody":{"content":{"application/json":{"schema":{"type":"object"},"example":{"user":"vu"}}}},
  "responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","required":["token"],"properties":{"token":{"type":"string"}}}}}}}}},
"/me":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}}}},"401":{"description":"no"}}}},
"/items":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"array","items":{"type":"object"}}}}}}}}}}`

// TestOpenAPI_TokenSchemeServerAcceptsTheExplorer: a user's own simulation
// gets coverage, validation and the explorer from -openapi and -explorer
// alone; with Config.Auth = TokenAuth("Token") the explorer, prepared by a
// login, is let in by a server that refuses Bearer, and every operation is
// answered as described.
func TestOpenAPI_TokenSchemeServerAcceptsTheExplorer(t *testing.T) {
	var mu sync.Mutex
	accepted, rejected := map[string]int{}, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/":
			return
		case "/openapi.json":
			_, _ = w.Write([]byte(tokenDoc))
			return
		case "/login":
			_, _ = w.Write([]byte(`{"token":"tk1"}`))
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Token tk1" {
			rejected++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		accepted[r.Method+" "+r.URL.Path]++
		if r.URL.Path == "/me" {
			_, _ = w.Write([]byte(`{"id":1}`))
			return
		}
		_, _ = w.Write([]byte(`[{"id":1}]`))
	}))
	t.Cleanup(srv.Close)

	login := func(ctx context.Context, vu *harness.VU) error {
		var out struct{ Token string }
		resp, err := vu.DoJSON(ctx, harness.Post("/login").JSON(map[string]string{"user": "vu"}), &out)
		if err == nil && resp.OK {
			vu.Token = out.Token
		}
		return err
	}
	cfg := harness.DefaultConfig()
	cfg.Target, cfg.ReportDir, cfg.Progress, cfg.Think, cfg.Duration = srv.URL, t.TempDir(), 0, "none", time.Minute
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 4, 1, 10
	cfg.OpenAPI, cfg.Explorer, cfg.ValidateSample = srv.URL+"/openapi.json", 1, 100
	cfg.Auth = harness.TokenAuth("Token")
	sim := harness.New(t, cfg)
	sim.Explore(harness.Explore{Prepare: login})
	sim.Archetype("reader", 1, harness.Between(3, 3), func(ctx context.Context, vu *harness.VU) error {
		if vu.Token == "" {
			return login(ctx, vu)
		}
		_, err := vu.Do(ctx, harness.Get("/me"))
		return err
	})
	res := sim.MustRun(t.Context())
	s := res.Summary
	assert.Zero(t, s.ErrorsUnexpected, "%v", s.ErrorsByKind)
	require.NotNil(t, s.Coverage, "the harness wired -openapi by itself")
	assert.Equal(t, 1.0, *s.Coverage, "%+v", s.Operations)
	mu.Lock()
	defer mu.Unlock()
	assert.Zero(t, rejected)
	assert.Positive(t, accepted["GET /items"], "only the explorer sends GET /items: %v", accepted)
	var archetypes []string
	for _, a := range s.Archetypes {
		archetypes = append(archetypes, fmt.Sprintf("%s:%d", a.Name, a.Users))
	}
	assert.Contains(t, archetypes, "explorer:2", "-explorer=1 beside reader=1 of 4 users")
	res.Check(t, "coverage >= 100%", "violations == 0")
}

// TestOpenAPI_violationsAbortTheRun: an abort budget on violations sees
// the contract's findings while the run goes on, so a service that answers
// against its own description stops the run early instead of at -duration.
func TestOpenAPI_violationsAbortTheRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/openapi.json":
			_, _ = w.Write([]byte(tokenDoc))
		case "/me":
			_, _ = w.Write([]byte(`{"name":"no id"}`)) // id is required
		}
	}))
	t.Cleanup(srv.Close)
	cfg := harness.DefaultConfig()
	cfg.Target, cfg.ReportDir, cfg.Progress, cfg.Think, cfg.Duration = srv.URL, t.TempDir(), 0, "const:20ms", 30*time.Second
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 2, 100000, 100000
	cfg.OpenAPI, cfg.ValidateSample = srv.URL+"/openapi.json", 100
	cfg.Budgets = []string{"violations == 0 abort"}
	ftb := tbtest.New(t)
	sim := harness.New(ftb, cfg)
	sim.Archetype("reader", 1, harness.Between(1, 100000), func(ctx context.Context, vu *harness.VU) error {
		_, err := vu.Do(ctx, harness.Get("/me"))
		return err
	})
	res := sim.MustRun(t.Context())
	res.AcceptPartial()
	s := res.Summary
	assert.True(t, s.Partial, "the abort budget stopped the run")
	assert.Contains(t, s.PartialReason, "violations")
	assert.Less(t, s.DurationSeconds, 15.0, "stopped long before -duration")
	assert.NotEmpty(t, ftb.Failures(), "the broken budget fails the test")
}
