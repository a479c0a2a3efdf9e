package loadtests

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/redact"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
)

// secretSet collects every secret a run used, by where it was found. It
// is safe for concurrent use.
type secretSet struct {
	mu     sync.Mutex
	byKind map[string]map[string]bool
}

func (s *secretSet) add(kind string, secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byKind == nil {
		s.byKind = map[string]map[string]bool{}
	}
	if s.byKind[kind] == nil {
		s.byKind[kind] = map[string]bool{}
	}
	for _, x := range secrets {
		if x != "" {
			s.byKind[kind][x] = true
		}
	}
}

// all returns every secret once, and how many were found of each kind.
func (s *secretSet) all() ([]string, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	union, kinds := map[string]bool{}, map[string]int{}
	for kind, set := range s.byKind {
		kinds[kind] = len(set)
		for x := range set {
			union[x] = true
		}
	}
	out := make([]string, 0, len(union))
	for x := range union {
		out = append(out, x)
	}
	return out, kinds
}

// collect wraps a journey to add the user's secrets after each call.
func (s *secretSet) collect(j harness.Journey) harness.Journey {
	return func(ctx context.Context, vu *harness.VU) error {
		defer func() { s.add("user", journeys.Secrets(vu)...) }()
		return j(ctx, vu)
	}
}

// Observe adds the secrets on the wire: every password and token a request
// sent or a response carried, also those a journey replaced before its
// call ended (a changed password, a refreshed token, the admin's token).
func (s *secretSet) Observe(req *harness.Request, resp *harness.Response) {
	if raw, err := json.Marshal(req.Body); err == nil {
		s.fromJSON(raw)
	}
	if resp != nil {
		s.fromJSON(resp.Body)
	}
}

// fromJSON adds the string values of secret-looking keys, at any depth.
func (s *secretSet) fromJSON(raw []byte) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				lk := strings.ToLower(k)
				if str, ok := x.(string); ok {
					switch {
					case strings.Contains(lk, "password"):
						s.add("password", str)
					case lk == "token" || strings.HasSuffix(lk, "_token"): // not token_type
						s.add("token", str)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
}

// capturingTB is a test's TB whose Output is also copied into a buffer.
type capturingTB struct {
	testing.TB
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *capturingTB) Output() io.Writer { return io.MultiWriter(c.TB.Output(), writerFunc(c.write)) }

func (c *capturingTB) write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *capturingTB) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// populateCollecting is populate with every journey wrapped to collect its
// user's secrets, and an observer collecting those on the wire.
func populateCollecting(tb testing.TB, cfg harness.Config, opts journeys.Options, secrets *secretSet) *harness.Simulation {
	sim := harness.New(tb, cfg)
	j := journeys.New(opts)
	sim.Archetype("new", 20, harness.Between(10, 30), secrets.collect(j.NewUser))
	sim.Archetype("active", 50, harness.Between(30, 100), secrets.collect(j.Active))
	sim.Archetype("admin", 20, harness.Between(50, 200), secrets.collect(j.Admin))
	sim.Archetype("power", 10, harness.Between(100, 1000), secrets.collect(j.Power))
	sim.OnCleanup(j.Cleanup())
	sim.Observe(secrets)
	return sim
}

// TestSecrets_neverInLogsOrReports runs a small Populate with -debug, which
// logs every request and response, and -cleanup, which logs in as the
// admin, then searches the whole log and every report file for every
// password and token the run used.
func TestSecrets_neverInLogsOrReports(t *testing.T) {
	opts := adminOptions(t)
	cfg := harness.DefaultConfig()
	cfg.Users, cfg.MaxRequests = 30, 40
	cfg.Debug, cfg.Cleanup = true, true
	cfg.Think, cfg.Duration, cfg.Progress = "uniform:0ms-2ms", time.Minute, 0
	cfg.ReportDir = t.TempDir()
	cfg = withTarget(t, cfg, opts)

	secrets := &secretSet{}
	secrets.add("admin password", opts.AdminPassword)
	ctb := &capturingTB{TB: t}
	res := populateCollecting(ctb, cfg, opts, secrets).MustRun(t.Context())
	log := ctb.String()

	all, kinds := secrets.all()
	require.GreaterOrEqual(t, kinds["user"], cfg.Users, "each user's secrets were collected")
	require.Greater(t, kinds["token"], cfg.Users, "tokens seen on the wire too")
	require.Greater(t, kinds["password"], cfg.Users, "and passwords, some replaced during a journey")
	require.Positive(t, res.Summary.Requests)

	requests := strings.Count(log, "msg=request ")
	assert.GreaterOrEqual(t, int64(requests), res.Summary.Requests, "-debug logged every request")
	assert.Contains(t, log, redact.Redacted, "and redacted what it had to")
	assert.Contains(t, log, `request_body="{\"email\":`, "bodies were logged, so the search below means something")

	files := map[string]string{"log": log}
	require.NoError(t, filepath.WalkDir(res.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return err
	}))
	for _, name := range []string{"summary.json", "junit.xml", "report.html"} {
		assert.Contains(t, files, filepath.Join(res.Dir, name))
	}
	t.Logf("searched %d bytes of log and %d report files for %d secrets %v", len(log), len(files)-1, len(all), kinds)
	for where, text := range files {
		for _, x := range all {
			if strings.Contains(text, x) {
				t.Errorf("a secret (%d chars, starting %.3q) appears in %s", len(x), x, where)
			}
		}
	}
}
