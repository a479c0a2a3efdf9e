package loadtests

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/contract"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
	"github.com/trafficsim/trafficsim/reports"
)

// Budgets the contract tests judge.
const (
	coverageBudget   = "coverage >= 100%"
	violationsBudget = "violations == 0"
)

// contractConfig is a small Populate run: 60 users of at most 200
// requests, thinking little, every answer validated.
func contractConfig(t *testing.T) harness.Config {
	cfg := harness.DefaultConfig()
	cfg.Users = 60
	cfg.MaxRequests = 200
	cfg.Think = "uniform:0ms-2ms"
	cfg.Duration = time.Minute
	cfg.Progress = 0
	cfg.ReportDir = t.TempDir()
	cfg.ValidateSample = 100
	cfg.Seed = 7
	return cfg
}

// checkContract loads the target's description and registers a Checker of
// cfg.ValidateSample percent on sim.
func checkContract(t *testing.T, sim *harness.Simulation) (*contract.Description, *contract.Checker) {
	t.Helper()
	cfg := sim.Config()
	d, err := contract.Load(t.Context(), cfg.Target+"/openapi.json", nil)
	require.NoError(t, err)
	c := contract.NewChecker(d, cfg.ValidateSample, cfg.Seed)
	sim.Observe(c)
	return d, c
}

// budgetVerdict evaluates one budget expression on a summary, without failing
// the test: for budgets that are meant to fail.
func budgetVerdict(t *testing.T, s *reports.Summary, expr string) reports.Budget {
	t.Helper()
	bs, err := budget.ParseList([]string{expr})
	require.NoError(t, err)
	return budget.Evaluate(s, bs)[0]
}

// summaryOperation returns a summary's entry of one operation.
func summaryOperation(t *testing.T, s *reports.Summary, name string) reports.Operation {
	t.Helper()
	for _, o := range s.Operations {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("operation %s is not in the summary", name)
	return reports.Operation{}
}

// TestContract_DefaultRunCoversEverything: the four archetypes exercise
// every described operation, and every answer matches the description.
func TestContract_DefaultRunCoversEverything(t *testing.T) {
	opts := adminOptions(t)
	cfg := withTarget(t, contractConfig(t), opts)
	sim := populate(t, cfg, opts)
	d, checker := checkContract(t, sim)
	require.Equal(t, userservice.Operations(), d.Operations(), "the served description is the service's own")

	res := sim.MustRun(t.Context())
	s := res.Summary
	require.NotNil(t, s.Coverage)
	assert.Equal(t, 1.0, *s.Coverage, "never called: %v", checker.Unexercised())
	st := checker.Stats()
	assert.Equal(t, st.Requests, st.Validated, "a 100%% sample validates every answer")
	assert.Greater(t, st.Validated, int64(1000))
	assert.Empty(t, st.Skipped)
	assert.Zero(t, st.Unmatched, "the journeys send only described operations")
	for _, o := range s.Operations {
		assert.Zero(t, o.Violations, "%s: %q", o.Name, o.Examples)
	}
	res.Check(t, coverageBudget, violationsBudget)
}

// TestContract_WrongTypeIsAViolation: a service whose GET /api/users/{id}
// answers "id" as a string breaks the contract there, and only there.
func TestContract_WrongTypeIsAViolation(t *testing.T) {
	opts := adminOptions(t)
	srv := userservice.NewServer(t, userservice.Options{
		AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword, Middleware: idAsString,
	})
	cfg := contractConfig(t)
	cfg.Target = srv.URL
	sim := populate(t, cfg, opts)
	checkContract(t, sim)

	s := sim.MustRun(t.Context()).Summary
	const broken = "GET /api/users/{id}"
	for _, o := range s.Operations {
		if o.Name != broken {
			assert.Zero(t, o.Violations, "%s: %q", o.Name, o.Examples)
		}
	}
	op := summaryOperation(t, s, broken)
	require.Positive(t, op.Violations)
	require.NotEmpty(t, op.Examples)
	assert.LessOrEqual(t, len(op.Examples), contract.MaxExamples)
	assert.Contains(t, op.Examples[0], "at /id")
	assert.Contains(t, op.Examples[0], "must be an integer")

	v := budgetVerdict(t, s, violationsBudget)
	assert.False(t, v.Passed)
	assert.Contains(t, v.Message, broken+" ("+strconv.FormatInt(op.Violations, 10)+")")
	assert.True(t, budgetVerdict(t, s, coverageBudget).Passed, "coverage is another matter")
}

// userByIDPath matches the path of GET /api/users/{id}.
var userByIDPath = regexp.MustCompile(`^/api/users/\d+$`)

// idAsString is a middleware that turns the "id" of every 200 answer of
// GET /api/users/{id} into a string: a contract violation.
func idAsString(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !userByIDPath.MatchString(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var m map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &m) == nil {
			if id, ok := m["id"].(float64); ok {
				m["id"] = strconv.FormatFloat(id, 'f', -1, 64)
				body, _ = json.Marshal(m)
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestContract_ExplorerRestoresCoverage: journeys that never delete an
// avatar leave that operation uncovered, and the coverage budget names
// it; an explorer archetype of 2 % fills the gap.
func TestContract_ExplorerRestoresCoverage(t *testing.T) {
	const skipped = "DELETE /api/users/{id}/avatar"
	for _, withExplorer := range []bool{false, true} {
		name := map[bool]string{false: "journeys alone", true: "with an explorer"}[withExplorer]
		t.Run(name, func(t *testing.T) {
			opts := adminOptions(t)
			cfg := withTarget(t, contractConfig(t), opts)
			opts.Skip = []string{skipped}
			sim := populate(t, cfg, opts)
			d, checker := checkContract(t, sim)
			if withExplorer {
				sim.Archetype("explorer", 2, harness.Between(50, 100), contract.Explorer(d, checker, contract.ExplorerOptions{
					Prepare: promotedExplorer(opts),
					After:   1000, // let the journeys go first: the explorer fills gaps only
				}))
			}
			s := sim.MustRun(t.Context()).Summary
			require.NotNil(t, s.Coverage)
			cov := budgetVerdict(t, s, coverageBudget)
			if !withExplorer {
				assert.Zero(t, summaryOperation(t, s, skipped).Requests)
				assert.Less(t, *s.Coverage, 1.0)
				assert.False(t, cov.Passed)
				assert.Contains(t, cov.Message, "never called: "+skipped)
				return
			}
			assert.Equal(t, 1.0, *s.Coverage, "never called: %v", checker.Unexercised())
			assert.True(t, cov.Passed, cov.Message)
			assert.True(t, budgetVerdict(t, s, violationsBudget).Passed)
			var explorers reports.Archetype
			for _, a := range s.Archetypes {
				if a.Name == "explorer" {
					explorers = a
				}
			}
			require.Positive(t, explorers.Users)
			assert.Less(t, explorers.Requests, int64(50*explorers.Users), "the explorer sends the gaps only, its budget unspent")
		})
	}
}

// promotedExplorer returns the explorer's Prepare: register (or, on a
// second Prepare, find the account already there), have the known admin
// promote it, and log in with the new role. The journeys export no such
// step; this is the admin journey's promotion in plain requests.
func promotedExplorer(opts journeys.Options) func(ctx context.Context, vu *harness.VU) error {
	return func(ctx context.Context, vu *harness.VU) error {
		email := vu.Email("-explorer")
		pw := "Explorer-" + vu.RunID + "-" + strconv.Itoa(vu.Index) + "-pw"
		creds := map[string]string{"email": email, "password": pw}
		reg := harness.Post("/api/auth/register").Anonymous().Expect(http.StatusCreated, http.StatusConflict).
			JSON(map[string]string{"email": email, "password": pw, "name": "Explorer " + strconv.Itoa(vu.Index)})
		if _, err := vu.Do(ctx, reg); err != nil {
			return err
		}
		self, err := explorerLogin(ctx, vu, creds)
		if err != nil || self.AccessToken == "" {
			return err
		}
		admin, err := explorerLogin(ctx, vu, map[string]string{"email": opts.AdminEmail, "password": opts.AdminPassword})
		if err != nil || admin.AccessToken == "" {
			vu.Token = self.AccessToken // explore without admin rights
			return err
		}
		vu.Token = admin.AccessToken
		promote := harness.Put("/api/admin/users/{id}/role", self.User.ID).JSON(map[string]string{"role": "admin"})
		if _, err := vu.Do(ctx, promote); err != nil {
			return err
		}
		self, err = explorerLogin(ctx, vu, creds)
		vu.Token = self.AccessToken
		return err
	}
}

// loginTokens is the answer of POST /api/auth/login.
type loginTokens struct {
	AccessToken string `json:"access_token"`
	User        struct {
		ID int64 `json:"id"`
	} `json:"user"`
}

// explorerLogin logs in with creds; a refused login is an empty token, not an
// error (the harness counts it).
func explorerLogin(ctx context.Context, vu *harness.VU, creds map[string]string) (loginTokens, error) {
	var t loginTokens
	req := harness.Post("/api/auth/login").Anonymous().JSON(creds)
	resp, err := vu.Do(ctx, req)
	if err != nil || !resp.OK || !vu.Decode(req, resp, &t) {
		return loginTokens{}, err
	}
	return t, nil
}
