package harness

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// countingServer is a trivial target that counts what it is asked.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	cs := &countingServer{}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }
	}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" { // the preflight asks for /
			cs.hits.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(cs.Close)
	return cs
}

func testConfig(target string) Config {
	cfg := DefaultConfig()
	cfg.Target = target
	cfg.Think = "none"
	cfg.ReportDir = ""
	cfg.Progress = 0
	cfg.Duration = time.Minute
	return cfg
}

func withReportDir(t *testing.T, cfg Config) Config {
	cfg.ReportDir = t.TempDir()
	return cfg
}

// userLog keeps what each user was and did, by index.
type userLog struct {
	mu    sync.Mutex
	users map[int]userRecord
}

type userRecord struct {
	archetype string
	budget    int
	made      int
}

func (l *userLog) journey(route string) Journey {
	return func(ctx context.Context, vu *VU) error {
		for {
			if _, err := vu.Do(ctx, Get(route)); err != nil {
				l.mu.Lock()
				if l.users == nil {
					l.users = map[int]userRecord{}
				}
				l.users[vu.Index] = userRecord{vu.Archetype, vu.Budget(), vu.Budget() - vu.Remaining()}
				l.mu.Unlock()
				return err
			}
		}
	}
}

func TestSimulation_mixAndRanges(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 2000
	cfg.MinRequests, cfg.MaxRequests = 10, 50
	cfg.Duration = 0 // every user makes its whole budget, however slow the machine (-race)
	var log userLog
	sim := New(t, cfg)
	sim.Archetype("new", 20, Between(10, 30), log.journey("/new"))
	sim.Archetype("active", 50, Between(30, 100), log.journey("/active"))
	sim.Archetype("admin", 20, Between(50, 200), log.journey("/admin"))
	sim.Archetype("power", 10, Between(100, 1000), log.journey("/power"))
	res := sim.MustRun(context.Background())

	s := res.Summary
	require.Len(t, log.users, 2000)
	want := map[string]Range{"new": {10, 30}, "active": {30, 50}, "admin": {50, 50}, "power": {10, 50}}
	share := map[string]float64{"new": 20, "active": 50, "admin": 20, "power": 10}
	count := map[string]int{}
	for idx, u := range log.users {
		count[u.archetype]++
		r := want[u.archetype]
		require.True(t, u.budget >= r.Min && u.budget <= r.Max, "user %d (%s) budget %d outside %s", idx, u.archetype, u.budget, r)
		require.Equal(t, u.budget, u.made, "user %d made its whole budget", idx)
	}
	for name, pct := range share {
		got := float64(count[name]) / 20
		assert.InDelta(t, pct, got, 3, "share of %s", name)
	}
	assert.Contains(t, s.Notes, "archetype power: its range 100–1000 lies outside the run's 10–50 (-min-request-count/-max-request-count); using 10–50")
	var total int64
	for _, u := range log.users {
		total += int64(u.made)
	}
	assert.Equal(t, total, s.Requests)
	assert.Equal(t, total, srv.hits.Load(), "the target saw every request")
	assert.Equal(t, 2000, s.Users)
	assert.False(t, s.Partial)
}

func TestSimulation_sameSeedSameSequences(t *testing.T) {
	srv := newCountingServer(t, nil)
	run := func(seed int64) map[int][]string {
		cfg := withReportDir(t, testConfig(srv.URL))
		cfg.Users, cfg.Seed, cfg.RecordSequences = 60, seed, true
		cfg.MaxRequests = 40
		sim := New(t, cfg)
		routes := []string{"/a", "/b/{id}", "/c", "/d"}
		walker := func(ctx context.Context, vu *VU) error {
			for {
				r := routes[vu.Rand.IntN(len(routes))]
				if _, err := vu.Do(ctx, Get(r, vu.Rand.IntN(100))); err != nil {
					return err
				}
			}
		}
		sim.Archetype("one", 1, Between(5, 40), walker)
		sim.Archetype("two", 3, Between(1, 20), walker)
		return sim.MustRun(context.Background()).Sequences
	}
	a, b, c := run(7), run(7), run(8)
	require.Len(t, a, 60)
	assert.Equal(t, a, b, "same seed, same sequences")
	assert.NotEqual(t, a, c, "another seed, other sequences")
}

func TestSimulation_errorAccounting(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		case "/broken":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			w.Write([]byte("{}"))
		}
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 10
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(3, 3), func(ctx context.Context, vu *VU) error {
		for _, req := range []*Request{Get("/ok"), Get("/missing").Injected(http.StatusNotFound), Get("/broken")} {
			if _, err := vu.Do(ctx, req); err != nil {
				return err
			}
		}
		return nil
	})
	s := sim.MustRun(context.Background()).Summary
	assert.EqualValues(t, 30, s.Requests)
	assert.EqualValues(t, 10, s.ErrorsExpected, "injected 404s answered 404 are expected")
	assert.EqualValues(t, 10, s.ErrorsUnexpected, "the 500s are not")
	assert.EqualValues(t, 10, s.ErrorsByKind[string(kind.HTTP5xx)])
	broken := s.Endpoint("GET /broken")
	require.NotNil(t, broken)
	assert.EqualValues(t, 10, broken.Codes["500"])
	assert.EqualValues(t, 10, s.Endpoint("GET /missing").ErrorsExpected)
	if runtime.GOOS == "linux" {
		assert.Positive(t, s.Resources.FDLimit, "the open-files limit is reported")
	}
	assert.FileExists(t, res(t, s.RunID, cfg))
}

func res(t *testing.T, _ string, cfg Config) string {
	t.Helper()
	return cfg.ReportDir + "/summary.json"
}

func runFatal(t *testing.T, cfg Config, setup func(*Simulation)) string {
	t.Helper()
	ftb := tbtest.New(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim := New(ftb, cfg)
		setup(sim)
		res, err := sim.Run(context.Background())
		assert.Nil(t, res, "no result when the run cannot start")
		assert.Error(t, err)
	}()
	<-done
	return ftb.Messages()
}

func TestSimulation_badConfigurationFailsBeforeAnyRequest(t *testing.T) {
	srv := newCountingServer(t, nil)
	journey := func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err }
	tests := []struct {
		name   string
		mutate func(*Config)
		setup  func(*Simulation)
		want   []string
	}{
		{"min above max", func(c *Config) { c.MinRequests, c.MaxRequests = 9, 3 }, nil, []string{"-min-request-count"}},
		{"no users", func(c *Config) { c.Users = 0 }, nil, []string{"-users"}},
		{"unknown user type", func(c *Config) { c.UserTypes = []string{"ghost"} }, nil, []string{"-user-types: unknown user type \"ghost\" (known: a, b)"}},
		{"error rate", func(c *Config) { c.ErrorRate = 150 }, nil, []string{"-error-rate"}},
		{"weights sum to zero", nil, func(s *Simulation) {
			s.archetypes = nil
			s.Archetype("a", 0, Between(1, 2), journey)
		}, []string{"weights of the selected user types sum to 0"}},
		{"several at once", func(c *Config) { c.Users, c.ErrorRate = -1, -3 }, nil, []string{"-users", "-error-rate"}},
		{"bad budget", func(c *Config) { c.Budgets = []string{"p95(GET /x) <"} }, nil, []string{"-budget"}},
		{"missing budget file", func(c *Config) { c.BudgetFile = "/nonexistent/budgets.yaml" }, nil, []string{"-budgets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withReportDir(t, testConfig(srv.URL))
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			msg := runFatal(t, cfg, func(s *Simulation) {
				s.Archetype("a", 1, Between(1, 2), journey)
				s.Archetype("b", 1, Between(1, 2), journey)
				if tt.setup != nil {
					tt.setup(s)
				}
			})
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			assert.Zero(t, srv.hits.Load(), "no request before the configuration is valid")
		})
	}
}

func TestSimulation_targetDownFailsFast(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cfg := withReportDir(t, testConfig(url))
	start := time.Now()
	msg := runFatal(t, cfg, func(s *Simulation) {
		s.Archetype("a", 1, Between(1, 1), func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/")); return err })
	})
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Contains(t, msg, "cannot reach target")
	assert.Contains(t, msg, "refused")
}

func TestSimulation_leakingJourneyFailsTheLeakBudget(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 3
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	sim := New(t, cfg)
	sim.Archetype("leaky", 1, Between(1, 1), func(ctx context.Context, vu *VU) error {
		go func() { <-release }() // never ends during the run
		_, err := vu.Do(ctx, Get("/x"))
		return err
	})
	s := sim.MustRun(context.Background()).Summary
	assert.Equal(t, 3, s.Resources.GoroutineLeaks)
	assert.Contains(t, s.Resources.LeakDescription, "leakingJourneyFailsTheLeakBudget")
	b, err := budget.Parse(NoLeaks())
	require.NoError(t, err)
	v := budget.Evaluate(s, []budget.Budget{b})[0]
	assert.False(t, v.Passed, "the leak budget fails")
	assert.Contains(t, v.Message, "3 goroutines leaked")
}

func TestSimulation_noLeaksFromTheHarness(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 20
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(5, 10), (&userLog{}).journey("/x"))
	s := sim.MustRun(context.Background()).Summary
	assert.Zero(t, s.Resources.GoroutineLeaks, s.Resources.LeakDescription)
}

func TestSimulation_cancelStopsPromptlyAndMarksPartial(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users = 50
	cfg.Think = "const:50ms"
	cfg.Duration = 0
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(1000, 1000), (&userLog{}).journey("/x"))
	start := time.Now()
	res := sim.MustRun(ctx)
	res.AcceptPartial() // this test judges the stop itself
	s := res.Summary
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.True(t, s.Partial)
	assert.Equal(t, "context cancelled", s.PartialReason)
	assert.Greater(t, s.Requests, int64(0))
}

func TestSimulation_slowRequestsCutByStopAreInterrupted(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			return // the preflight
		}
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Grace = 5, 200*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(1, 1), (&userLog{}).journey("/slow"))
	res := sim.MustRun(ctx)
	res.AcceptPartial()
	s := res.Summary
	assert.True(t, s.Partial)
	assert.EqualValues(t, 5, s.Interrupted)
	assert.Zero(t, s.ErrorsUnexpected, "interrupted requests are not errors")
	assert.Zero(t, s.Requests, "nor latency samples")
}

func TestSimulation_cleanupSeesOnlyFinishedUsers(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.Cleanup = 4, true
	var scopes []CleanupScope
	sim := New(t, cfg)
	sim.Archetype("u", 1, Between(2, 2), (&userLog{}).journey("/x"))
	sim.OnCleanup(func(ctx context.Context, scope CleanupScope) error {
		scopes = append(scopes, scope)
		return errors.Join(ctx.Err())
	})
	res := sim.MustRun(context.Background())
	require.Len(t, scopes, 1)
	assert.True(t, scopes[0].Final)
	assert.Equal(t, res.Summary.RunID, scopes[0].RunID)
	assert.True(t, scopes[0].Finished(0))
	other := CleanupScope{RunID: "r", Final: true, Shard: Shard{Index: 1, Count: 4}}
	assert.True(t, other.Finished(5), "a user of this shard")
	assert.False(t, other.Finished(6), "another shard's user is never this shard's to delete")
}

// TestSimulation_archetypeWithNoUserIsSaid: a weight that rounds to no user
// of a small population is said in the notes, not silently dropped.
func TestSimulation_archetypeWithNoUserIsSaid(t *testing.T) {
	srv := newCountingServer(t, nil)
	cfg := withReportDir(t, testConfig(srv.URL))
	cfg.Users, cfg.MinRequests, cfg.MaxRequests = 5, 1, 1
	sim := New(t, cfg)
	journey := func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err }
	sim.Archetype("browser", 80, Between(1, 1), journey)
	sim.Archetype("buyer", 19, Between(1, 1), journey)
	sim.Archetype("explorer", 1, Between(1, 1), journey)
	s := sim.MustRun(context.Background()).Summary
	var said []string
	for _, n := range s.Notes {
		if strings.Contains(n, "gets none of the 5 users") {
			said = append(said, n)
		}
	}
	require.NotEmpty(t, said, "notes: %q", s.Notes)
	for _, a := range s.Archetypes {
		if a.Users == 0 {
			assert.Condition(t, func() bool {
				for _, n := range said {
					if strings.HasPrefix(n, "archetype "+a.Name+":") {
						return true
					}
				}
				return false
			}, "archetype %s has no user and no note", a.Name)
		}
	}
}

// acceptPartial accepts a run that the test stops itself (benchmarks and
// tests that run a simulation on a goroutine of their own).
func acceptPartial(res *Result, _ error) {
	if res != nil {
		res.AcceptPartial()
	}
}
