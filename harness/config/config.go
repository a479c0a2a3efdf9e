package config

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// DefaultThink is an archetype's think time unless WithThink or -think
// says otherwise.
const DefaultThink = "uniform:5ms-25ms"

// DefaultReportRoot holds the reports of a run without -report-dir, in a
// folder named by its run id, under the module's root.
const DefaultReportRoot = "reports/out"

// Config is everything a run needs besides its archetypes. Build one with
// Default and change fields, or from flags with RegisterFlags. Each field
// set by a flag is documented in the option table (options.go) and the
// README's flag table made from it.
type Config struct {
	// Name names the simulation: the Pushgateway job and the report's title.
	// Empty means the test's name.
	Name string
	// Target is the base URL of the service under test. Empty means the
	// caller starts one (loadtests starts the reference user service).
	Target string
	// AllowRemote permits a target that is not a loopback address.
	AllowRemote bool
	// Insecure skips TLS verification (opt-in only).
	Insecure bool
	// FollowRedirects makes users follow redirects as a browser does
	// (Default: true): at most outbound.MaxRedirects hops, 301, 302
	// and 303 as a GET without body, 307 and 308 with method and body,
	// credentials only to the same origin; the request keeps its route
	// template's name and its latency covers every hop. Off, a 3xx is the
	// answer, an error of kind http_3xx unless the request expects it.
	FollowRedirects bool

	// Users is the closed model's population (-users).
	Users int
	// MinRequests and MaxRequests bound every user's request budget,
	// intersected with its archetype's range (-min-request-count,
	// -max-request-count).
	MinRequests int
	MaxRequests int
	// Duration caps the run; 0 means no cap (users stop when their budgets are spent).
	Duration time.Duration
	// UserTypes restricts the run to these archetypes; empty means all.
	UserTypes []string
	// ErrorRate is the percentage (0–100) of deliberately bad requests.
	ErrorRate float64
	// Think overrides every archetype's think time when set.
	Think string
	// Seed seeds every random choice: the same seed, the same run (-seed).
	Seed int64
	// RunID names the run in grouping keys, reports and created data.
	// Empty means a fresh random id; shards of one run must share it.
	RunID string
	// Shard is the part of the population this process runs (-shard).
	Shard Shard

	// Continuous replaces each finished user with a new one until Duration ends.
	Continuous bool
	// Cleanup runs the simulation's OnCleanup at the end, and every
	// CleanupInterval with Continuous (-cleanup, -cleanup-interval).
	Cleanup         bool
	CleanupInterval time.Duration
	// Rate (sessions started per second) and Stages select the open model.
	Rate   float64
	Stages []Stage
	// MaxVUs caps concurrent users in the open model (0: 10×Users).
	MaxVUs int
	// Ramp spreads the start of the closed model's users over this time.
	Ramp time.Duration
	// Grace is how long requests in flight may finish on stop (-grace).
	Grace time.Duration

	// Timeout bounds one request (-timeout); MaxBody is the bytes of an
	// answer kept (-max-body); TraceSample the share of requests whose
	// traceparent is marked sampled (-trace-sample).
	Timeout     time.Duration
	MaxBody     int64
	TraceSample float64
	// Headers is "browser" (a real browser's User-Agent, Accept and
	// Accept-Language, one set per user) or "minimal" (none of them; Go's
	// default User-Agent). traceparent is sent either way.
	Headers string
	// Breaker is how many consecutive failures (transport errors and 5xx)
	// of one endpoint open its circuit: further requests to it are not
	// sent but counted as errors of kind circuit_open until a probe after
	// the cooldown (BreakerCooldown, doubling to BreakerMaxCooldown)
	// succeeds. It keeps a dead endpoint from being hammered while the rest
	// of the run goes on. 0 turns the breaker off.
	Breaker int
	// MaxInFlight bounds the requests in flight and the connections to the
	// target: past it a user waits in line for a free worker, the wait
	// counting in its request's latency and in the summary's saturation,
	// so a target that cannot keep up makes the run report saturation
	// instead of the generator growing with its users. 0: no bound.
	MaxInFlight int
	// Auth says how requests carry credentials (default: vu.Token as a
	// Bearer token); an archetype may have its own (WithAuth).
	Auth Auth
	// Explorer is the weight of an explorer archetype that sends the
	// operations of the -openapi description no journey reached (0: none).
	Explorer int

	// Pushgateway is where metrics are pushed, every PushInterval; empty
	// turns pushing off. PushGC and PushDeleteAfter tidy the gateway's
	// groups (-push-gc, -push-delete-after).
	Pushgateway     string
	PushInterval    time.Duration
	PushGC          time.Duration
	PushDeleteAfter time.Duration

	// ReportDir is where reports go; empty means DefaultReportRoot/<run id>.
	ReportDir string
	// BudgetFile is a YAML file of budgets (-budgets); Budgets are budget
	// expressions, the simulation's own and then each -budget.
	BudgetFile string
	Budgets    []string
	// AbortErrorRate stops the run when unexpected errors pass this percent
	// over AbortWindow (0: never).
	AbortErrorRate float64
	AbortWindow    time.Duration

	// OpenAPI is the API description (URL or file) for coverage, contract
	// checks and the explorer; ValidateSample the percent of answers
	// checked against it. Package contract reads them.
	OpenAPI        string
	ValidateSample float64

	// Debug logs every request and response, redacted.
	Debug bool
	// Progress is the interval of the progress line (0: off).
	Progress time.Duration

	// problems are what reading the flags found (a -stages that does not
	// parse), reported by Validate with everything else.
	problems []error

	// RecordSequences keeps every user's sequence of request names in the
	// Result (for reproducibility checks; costs memory).
	RecordSequences bool
}

// Default returns the configuration a run has when no flag is given: every
// option's default from the option table.
func Default() Config {
	var c Config
	for _, o := range options {
		o.setDefault(&c)
	}
	return c
}

// OpenModel reports whether users arrive at a rate rather than all at once.
func (c *Config) OpenModel() bool { return c.Rate > 0 || len(c.Stages) > 0 }

// Validate checks the configuration on its own (archetypes are checked by
// the Simulation) and returns every problem at once, each naming its flag:
// each option's own check, then the rules between options.
func (c *Config) Validate() error {
	errs := slices.Clone(c.problems)
	for _, o := range options {
		if err := o.check(c); err != nil {
			errs = append(errs, fmt.Errorf("-%s: %w", o.Name, err))
		}
	}
	if err := c.Auth.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("Config.Auth: %w", err))
	}
	for _, r := range rules {
		errs = append(errs, r.check(c)...)
	}
	return errors.Join(errs...)
}
