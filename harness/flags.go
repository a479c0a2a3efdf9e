package harness

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/harness/redact"
)

// EnvPrefix prefixes the environment variable of every flag:
// -min-request-count is also TRAFFICSIM_MIN_REQUEST_COUNT. A flag given on
// the command line wins over its variable.
const EnvPrefix = "TRAFFICSIM_"

// Flags holds the command-line flags of a simulation. Register them once per
// process, at package level of the test package, because `go test` parses
// flags before any test runs:
//
//	var flags = harness.RegisterFlags(flag.CommandLine)
//
//	func TestPopulate(t *testing.T) {
//		cfg, err := flags.Config()
//		...
//	}
type Flags struct {
	fs     *flag.FlagSet
	cfg    Config
	think  string
	types  string
	stages string
	shard  string
	budget multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, "; ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// RegisterFlags defines the simulation's flags on fs and returns their holder.
func RegisterFlags(fs *flag.FlagSet) *Flags { return RegisterFlagsWith(fs, DefaultConfig()) }

// RegisterFlagsWith is RegisterFlags with the simulation's own defaults —
// a smaller population, its service's description — for the flags not
// given: start from DefaultConfig and change what the simulation needs.
func RegisterFlagsWith(fs *flag.FlagSet, defaults Config) *Flags {
	f := &Flags{fs: fs, cfg: defaults}
	c := &f.cfg
	fs.StringVar(&c.Name, "name", c.Name, "simulation name: Pushgateway job and report title (default: the test name)")
	fs.StringVar(&c.Target, "target", c.Target, "base URL of the service under test (required, unless the simulation starts its own service, as loadtests does)")
	fs.BoolVar(&c.AllowRemote, "allow-remote", c.AllowRemote, "allow a -target that is not a loopback address")
	fs.BoolVar(&c.Insecure, "insecure", c.Insecure, "skip TLS certificate verification")
	fs.BoolVar(&c.FollowRedirects, "follow-redirects", c.FollowRedirects, "users follow redirects as a browser does (false: a 3xx is the answer, kind http_3xx)")
	fs.IntVar(&c.Users, "users", c.Users, "number of virtual users (closed model)")
	fs.IntVar(&c.MinRequests, "min-request-count", c.MinRequests, "fewest requests a user makes")
	fs.IntVar(&c.MaxRequests, "max-request-count", c.MaxRequests, "most requests a user makes")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "cap on the run's length (0: none)")
	fs.StringVar(&f.types, "user-types", "", "comma-separated archetypes to run (default: all)")
	fs.Float64Var(&c.ErrorRate, "error-rate", c.ErrorRate, "percentage of deliberately bad requests (0-100)")
	fs.StringVar(&f.think, "think", "", "think time for every archetype: const:2s, uniform:500ms-3s, exp:1s, lognormal:1s,0.5")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "seed of every random choice; the same seed gives the same run")
	fs.StringVar(&c.RunID, "run-id", c.RunID, "run id (default: random; required with -shard)")
	fs.StringVar(&f.shard, "shard", "", "run shard i of n (i/n); on Kubernetes JOB_COMPLETION_INDEX with TRAFFICSIM_SHARDS=n")
	fs.BoolVar(&c.Continuous, "continuous", c.Continuous, "replace each finished user with a new one until -duration ends")
	fs.BoolVar(&c.Cleanup, "cleanup", c.Cleanup, "delete the users this run created when it ends")
	fs.DurationVar(&c.CleanupInterval, "cleanup-interval", c.CleanupInterval, "with -continuous -cleanup, clean up this often")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "open model: user sessions started per second")
	fs.StringVar(&f.stages, "stages", "", "open model: ramping arrival-rate plan, e.g. 30s:10,1m:50,30s:0")
	fs.IntVar(&c.MaxVUs, "max-vus", c.MaxVUs, "open model: cap on concurrent users (default 10×-users)")
	fs.DurationVar(&c.Ramp, "ramp", c.Ramp, "closed model: spread user starts over this time")
	fs.DurationVar(&c.Grace, "grace", c.Grace, "on stop, how long requests in flight may finish")
	fs.DurationVar(&c.Timeout, "timeout", c.Timeout, "timeout of one request")
	fs.Int64Var(&c.MaxBody, "max-body", c.MaxBody, "bytes of a response body kept; the rest is read, counted and discarded")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "most requests in flight, and connections to the target; past it users wait in line, counted as saturation (0: no bound)")
	fs.IntVar(&c.Breaker, "breaker", c.Breaker, "consecutive failures (transport errors, 5xx) that open an endpoint's circuit for a cooldown (0: off)")
	fs.StringVar(&c.Headers, "headers", c.Headers, "request headers: browser (a real browser's User-Agent, Accept, Accept-Language) or minimal")
	fs.Float64Var(&c.TraceSample, "trace-sample", c.TraceSample, "share (0-1) of requests whose traceparent is marked sampled")
	fs.StringVar(&c.Pushgateway, "pushgateway", c.Pushgateway, "Pushgateway URL (default: pushing off)")
	fs.DurationVar(&c.PushInterval, "push-interval", c.PushInterval, "how often metrics are pushed")
	fs.DurationVar(&c.PushGC, "push-gc", c.PushGC, "at start, delete this job's groups not pushed for this long (0: off)")
	fs.DurationVar(&c.PushDeleteAfter, "push-delete-after", c.PushDeleteAfter, "after the final push, wait this long, then delete this run's group (0: keep)")
	fs.StringVar(&c.ReportDir, "report-dir", c.ReportDir, "where reports go (default reports/out/<run_id>)")
	fs.StringVar(&c.BudgetFile, "budgets", c.BudgetFile, "YAML file of budgets")
	fs.Var(&f.budget, "budget", "a budget expression, e.g. 'p95(GET /api/users/*) < 150ms' (repeatable)")
	fs.Float64Var(&c.AbortErrorRate, "abort-error-rate", c.AbortErrorRate, "abort when unexpected errors exceed this percentage over -abort-window (0: never)")
	fs.DurationVar(&c.AbortWindow, "abort-window", c.AbortWindow, "sliding window of the abort checks")
	fs.StringVar(&c.OpenAPI, "openapi", c.OpenAPI, "API description (URL or file; OpenAPI 3.0, 3.1 or Swagger 2.0) for coverage, contract checks and -explorer (default: none)")
	fs.IntVar(&c.Explorer, "explorer", c.Explorer, "weight of an explorer archetype that sends the -openapi operations no journey answered as described (0: none)")
	fs.Float64Var(&c.ValidateSample, "validate-sample", c.ValidateSample, "percentage of responses validated against the API description")
	fs.BoolVar(&c.Debug, "debug", c.Debug, "log every request and response (redacted)")
	fs.DurationVar(&c.Progress, "progress", c.Progress, "interval of the progress line (0: off)")
	return f
}

// Config returns the configuration from the parsed flags, with each flag
// that was not given taken from its TRAFFICSIM_ variable when set. It
// returns every problem at once, each naming its flag.
func (f *Flags) Config() (Config, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var errs []error
	f.fs.VisitAll(func(fl *flag.Flag) {
		if set[fl.Name] || !f.owns(fl.Name) {
			return
		}
		env := EnvName(fl.Name)
		v, ok := os.LookupEnv(env)
		if !ok {
			return
		}
		if err := fl.Value.Set(v); err != nil {
			shown, why := redact.URL(v), redact.Text(err.Error())
			if redact.SensitiveKey(fl.Name) {
				shown, why = redact.Redacted, redact.Secrets(why, v)
			}
			errs = append(errs, fmt.Errorf("-%s: from %s=%q: %s", fl.Name, env, shown, why))
		}
	})
	c := f.cfg
	c.Budgets = append(slices.Clip(f.cfg.Budgets), f.budget...) // the simulation's own, then -budget
	if f.think != "" {
		c.Think = f.think
	}
	if f.types != "" {
		for _, t := range strings.Split(f.types, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.UserTypes = append(c.UserTypes, t)
			}
		}
	}
	if f.stages != "" {
		st, err := ParseStages(f.stages)
		if err != nil {
			errs = append(errs, fmt.Errorf("-stages: %w", err))
		}
		c.Stages = st
	}
	sh, err := shardFromEnv(f.shard)
	if err != nil {
		errs = append(errs, fmt.Errorf("-shard: %w", err))
	}
	c.Shard = sh
	// Every problem at once: what reading the flags found and what
	// Validate finds, in one message. Config keeps the first kind, so a
	// caller that leaves reporting to Simulation.Run (which adds the
	// archetypes' and budgets' problems) loses none.
	c.problems = errs
	return c, c.Validate()
}

func (f *Flags) owns(name string) bool {
	// Only the flags RegisterFlags defined read TRAFFICSIM_ variables; the
	// testing package's own flags share the FlagSet.
	return !strings.HasPrefix(name, "test.")
}

// EnvName is the environment variable of a flag: TRAFFICSIM_ and the flag's
// name in upper case with '-' as '_'.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// shardFromEnv reads -shard, falling back to JOB_COMPLETION_INDEX with
// TRAFFICSIM_SHARDS (a Kubernetes Indexed Job) when the flag is empty.
func shardFromEnv(flagValue string) (Shard, error) {
	if flagValue != "" {
		return ParseShard(flagValue)
	}
	idx, hasIdx := os.LookupEnv("JOB_COMPLETION_INDEX")
	n, hasN := os.LookupEnv(EnvPrefix + "SHARDS")
	if !hasIdx || !hasN {
		return Shard{}, nil
	}
	i, err := strconv.Atoi(idx)
	if err != nil {
		return Shard{}, fmt.Errorf("JOB_COMPLETION_INDEX=%q is not a number", idx)
	}
	count, err := strconv.Atoi(n)
	if err != nil {
		return Shard{}, fmt.Errorf("%sSHARDS=%q is not a number", EnvPrefix, n)
	}
	s := Shard{Index: i, Count: count}
	return s, s.validate()
}
