package loadtests

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/contract"
	"github.com/trafficsim/trafficsim/learn"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
	"github.com/trafficsim/trafficsim/reports"
)

// modelFile is the model TestReplay runs (trafficsim-learn -out).
var modelFile = flag.String("model", "", "model to replay (trafficsim-learn -out); none: TestReplay learns one from an in-process Populate run first")

// TestReplay runs a learned model against the target: -model FILE with
// -target (or the in-process service). With no -model it runs the whole
// loop: a Populate run writes the in-process service's access log, a model
// is learned from it, replayed against a fresh service, and the two logs
// are compared.
func TestReplay(t *testing.T) {
	if *modelFile == "" {
		replayLoop(t)
		return
	}
	cfg, err := simFlags.Config()
	require.NoError(t, err, "trafficsim flags")
	m, err := learn.ReadModel(*modelFile)
	require.NoError(t, err)
	cfg = withTarget(t, cfg, adminOptions(t))
	if cfg.OpenAPI == "" {
		cfg.OpenAPI = cfg.Target + "/openapi.json"
	}
	d, err := contract.Load(t.Context(), cfg.OpenAPI, nil)
	require.NoError(t, err)
	res, rp := replay(t, cfg, m, d)
	f := rp.Fidelity(learn.DefaultThresholds)
	logFidelity(t, f, learn.DefaultThresholds)
	res.Check(t)
}

// replay runs model m against cfg.Target, arrivals following the learned
// rate unless cfg asks for a closed model of -users, and adds the
// replay's fidelity to its model to the reports.
func replay(t *testing.T, cfg harness.Config, m *learn.Model, d *contract.Description) (*harness.Result, *learn.Replayer) {
	t.Helper()
	rp, err := learn.NewReplayer(m, d.Document(), learn.Hooks{})
	require.NoError(t, err)
	if !cfg.OpenModel() && !userSet() {
		rate, stages := rp.Arrivals()
		cfg.Rate, cfg.Stages = rate, stages
		cfg.Duration = 0
		for _, s := range stages {
			cfg.Duration += s.Duration
		}
		if cfg.MaxVUs == 0 {
			cfg.MaxVUs = 20000
		}
	}
	sim := harness.New(t, cfg)
	rp.Add(sim)
	res := sim.MustRun(t.Context())
	f := rp.Fidelity(learn.DefaultThresholds)
	res.Summary.Notes = append(res.Summary.Notes, f.Notes()...)
	require.NoError(t, reports.WriteAll(res.Dir, res.Summary), "rewrite the reports with the fidelity notes")
	return res, rp
}

// userSet reports whether -users was given: then the replay is a closed
// model of that many users instead of the learned arrivals.
func userSet() bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "users" })
	return set || os.Getenv("TRAFFICSIM_USERS") != ""
}

func logFidelity(t *testing.T, f *learn.Fidelity, th learn.Thresholds) {
	t.Helper()
	var b strings.Builder
	require.NoError(t, f.WriteTable(&b, th))
	t.Log("\n" + b.String())
}

// The loop's run: Populate's four archetypes, users replaced as they
// finish, human-like (log-normal) think times, no deliberately bad
// requests, sessions of 10 to 40 requests (the run's range intersected
// with each archetype's), so that 40 seconds hold a couple of thousand —
// enough to tell the archetypes apart and to judge per-archetype KS
// statistics. The think time's median of 250 ms keeps the run near a
// thousand requests a second, half of what two cores can do with the
// service in-process: the KS of think times compares pauses measured
// between answers and requests, so a run that saturates the machine (as a
// loaded CI machine running other packages' tests beside it would) adds
// its queueing to the replay's pauses and fails a figure that has nothing
// to do with the model.
const (
	loopUsers    = 300
	loopDuration = 40 * time.Second
	loopMinReqs  = 10
	loopMaxReqs  = 40
	loopThink    = "lognormal:250ms,0.5"
	loopGap      = 2 * time.Second
	loopBucket   = 5 * time.Second
)

func replayLoop(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("TRAFFICSIM_LOOP_DIR"); d != "" {
		dir = d // keep the logs and the model, to look at them
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.RemoveAll(filepath.Join(dir, "original.log")))
		require.NoError(t, os.RemoveAll(filepath.Join(dir, "replay.log")))
	}
	logA, logB := filepath.Join(dir, "original.log"), filepath.Join(dir, "replay.log")

	// 1. A Populate run writes the service's access log.
	cfg := harness.DefaultConfig()
	cfg.Users, cfg.Continuous, cfg.Duration = loopUsers, true, loopDuration
	cfg.MinRequests, cfg.MaxRequests = loopMinReqs, loopMaxReqs
	cfg.Think, cfg.ErrorRate, cfg.Progress = loopThink, 0, 0
	cfg.ReportDir = filepath.Join(dir, "populate")
	cfg.Name = "ReplayLoop_populate"
	srvA, alA := loggedService(t, logA)
	cfg.Target = srvA.URL
	truth := &archetypeOf{m: map[int]string{}}
	sim := harness.New(t, cfg)
	j := journeys.New(journeys.Options{})
	sim.Archetype("new", 20, harness.Between(10, 30), truth.wrap(j.NewUser))
	sim.Archetype("active", 50, harness.Between(30, 100), truth.wrap(j.Active))
	sim.Archetype("admin", 20, harness.Between(50, 200), truth.wrap(j.Admin))
	sim.Archetype("power", 10, harness.Between(100, 1000), truth.wrap(j.Power))
	resA := sim.MustRun(t.Context())
	require.GreaterOrEqual(t, resA.Summary.Requests, int64(10000), "the loop's run makes at least 10,000 requests")
	emails := userEmails(t, srvA)
	srvA.Close()
	require.NoError(t, alA.Close())

	// 2. Learn a model from the log, with the API description.
	d, err := contract.Parse(t.Context(), "openapi.json", userservice.OpenAPI())
	require.NoError(t, err)
	opts := learn.Options{Gap: loopGap, Bucket: loopBucket, API: d.Document()}
	a, err := learn.ReadFile(logA, learn.ReadOptions{})
	require.NoError(t, err)
	m, labelled, err := learn.LearnLabelled(a, opts)
	require.NoError(t, err)
	modelPath := filepath.Join(dir, "model.yaml")
	require.NoError(t, m.WriteFile(modelPath))
	m, err = learn.ReadModel(modelPath)
	require.NoError(t, err, "the written model reads back")
	checkArchetypes(t, m, labelled, emails, truth, resA.Summary.RunID)

	// 3. Replay it against a fresh service.
	srvB, alB := loggedService(t, logB)
	rcfg := harness.DefaultConfig()
	rcfg.Target, rcfg.ErrorRate, rcfg.Progress = srvB.URL, 0, 0
	rcfg.ReportDir = filepath.Join(dir, "replay")
	rcfg.Name = "ReplayLoop_replay"
	resB, rp := replay(t, rcfg, m, d)
	srvB.Close()
	require.NoError(t, alB.Close())
	unexpected := float64(resB.Summary.ErrorsUnexpected) / float64(max(resB.Summary.Requests, 1))
	assert.LessOrEqual(t, unexpected, 0.01, "replay's unexpected errors: %d of %d", resB.Summary.ErrorsUnexpected, resB.Summary.Requests)
	own := rp.Fidelity(learn.DefaultThresholds)
	logFidelity(t, own, learn.DefaultThresholds)
	summary, err := reports.ReadSummary(filepath.Join(resB.Dir, "summary.json"))
	require.NoError(t, err)
	assert.Contains(t, strings.Join(summary.Notes, "\n"), fmt.Sprintf("endpoint mix JSD %.4f", own.EndpointJSD), "summary.json carries the replay's fidelity to its model")

	// 4. Compare the two logs, sessions split the same way.
	b, err := learn.ReadFile(logB, learn.ReadOptions{})
	require.NoError(t, err)
	f, err := learn.Compare(a, b, opts, learn.DefaultThresholds)
	require.NoError(t, err)
	logFidelity(t, f, learn.DefaultThresholds)
	assert.LessOrEqual(t, f.EndpointJSD, 0.01, "endpoint mix JSD")
	assert.LessOrEqual(t, f.TransitionTV, 0.1, "transitions TV")
	assert.LessOrEqual(t, f.Arrival, 0.1, "arrival rate per bucket")
	for _, af := range f.Archetypes {
		assert.True(t, af.Judged, "archetype %s has enough sessions to judge (%d, %d)", af.Name, af.SessionsA, af.SessionsB)
		assert.LessOrEqual(t, af.ThinkKS, 0.05, "%s think KS", af.Name)
		assert.LessOrEqual(t, af.LengthKS, 0.05, "%s session length KS", af.Name)
	}
	assert.Empty(t, f.Problems)
}

// loggedService starts a fresh user service writing a JSON access log.
func loggedService(t *testing.T, path string) (*userservice.Server, *userservice.AccessLog) {
	t.Helper()
	al, err := userservice.OpenAccessLog(path, userservice.AccessLogJSON)
	require.NoError(t, err)
	t.Cleanup(func() { _ = al.Close() })
	return userservice.NewServer(t, userservice.Options{AccessLog: al}), al
}

// archetypeOf records which archetype each user index had.
type archetypeOf struct {
	mu sync.Mutex
	m  map[int]string
}

func (a *archetypeOf) wrap(j harness.Journey) harness.Journey {
	return func(ctx context.Context, vu *harness.VU) error {
		a.mu.Lock()
		a.m[vu.Index] = vu.Archetype
		a.mu.Unlock()
		return j(ctx, vu)
	}
}

// userEmails lists every account of the service, id → email, through the
// API as one more user.
func userEmails(t *testing.T, srv *userservice.Server) map[string]string {
	t.Helper()
	c := srv.Client()
	creds := `{"email":"lister@example.test","password":"Lister-password-1","name":"Lister"}`
	post := func(path string) *http.Response {
		resp, err := c.Post(srv.URL+path, "application/json", strings.NewReader(creds))
		require.NoError(t, err)
		return resp
	}
	post("/api/auth/register").Body.Close()
	resp := post("/api/auth/login")
	var tok userservice.TokenResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	out := map[string]string{}
	for page := 1; ; page++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/users?page=%d&per_page=100", srv.URL, page), nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := c.Do(req)
		require.NoError(t, err)
		var p userservice.Page[userservice.User]
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
		resp.Body.Close()
		for _, u := range p.Items {
			out[fmt.Sprint(u.ID)] = u.Email
		}
		if len(p.Items) == 0 || page*100 >= p.Total {
			return out
		}
	}
}

// checkArchetypes holds the learned archetypes to the four that made the
// log: each learned one is mostly sessions of one true archetype, a
// different one each, and its weight is within 3 points of the true
// archetype's share of the population.
func checkArchetypes(t *testing.T, m *learn.Model, labelled []learn.Labelled, emails map[string]string, truth *archetypeOf, runID string) {
	t.Helper()
	generating := map[string]float64{"new": 0.2, "active": 0.5, "admin": 0.2, "power": 0.1}
	require.Len(t, m.Archetypes, 4, "four archetypes found")
	votes := map[string]map[string]int{}
	for _, l := range labelled {
		if !l.Complete {
			continue // cut short by the end of the run: too little to tell
		}
		var idx int
		if _, err := fmt.Sscanf(emails[l.User], "ts-"+runID+"-%d@", &idx); err != nil {
			continue // an anonymous session
		}
		if votes[l.Archetype] == nil {
			votes[l.Archetype] = map[string]int{}
		}
		votes[l.Archetype][truth.m[idx]]++
	}
	matched := map[string]string{}
	for _, a := range m.Archetypes {
		best, n, total := "", 0, 0
		for name, k := range votes[a.Name] {
			total += k
			if k > n {
				best, n = name, k
			}
		}
		purity := float64(n) / float64(max(total, 1))
		t.Logf("learned %s: weight %.3f, %d sessions, %.1f %% of them %s (generating weight %.2f)", a.Name, a.Weight, a.Sessions, 100*purity, best, generating[best])
		assert.GreaterOrEqual(t, purity, 0.9, "learned %s is mostly one archetype", a.Name)
		assert.NotContains(t, matched, best, "learned %s and %s are both %s", a.Name, matched[best], best)
		matched[best] = a.Name
		assert.InDelta(t, generating[best], a.Weight, 0.03, "learned %s (%s): weight within 3 points", a.Name, best)
	}
}
