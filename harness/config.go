package harness

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"time"

	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// Defaults of a run. Each is the value of the flag of the same meaning when
// neither the flag nor its TRAFFICSIM_ variable is given.
const (
	DefaultUsers           = 200
	DefaultMinRequests     = 1
	DefaultMaxRequests     = 1000
	DefaultDuration        = 2 * time.Minute
	DefaultErrorRate       = 5.0 // percent
	DefaultThink           = "uniform:5ms-25ms"
	DefaultSeed            = 1
	DefaultPushInterval    = 5 * time.Second
	DefaultPushGC          = 10 * time.Minute
	DefaultCleanupInterval = time.Minute
	DefaultGrace           = 5 * time.Second
	DefaultTimeout         = 10 * time.Second
	DefaultMaxBody         = 1 << 20
	DefaultTraceSample     = 0.05
	DefaultProgress        = 3 * time.Second
	DefaultAbortErrorRate  = 50.0 // percent of unexpected errors over AbortWindow
	DefaultAbortWindow     = 30 * time.Second
	DefaultReportRoot      = "reports/out"
	DefaultValidateSample  = 10.0 // percent
	DefaultBreaker         = 10   // consecutive failures that open an endpoint's circuit
	DefaultMaxInFlight     = 512  // requests in flight, and connections, at most
)

// The values of -headers.
const (
	HeadersBrowser = "browser"
	HeadersMinimal = "minimal"
)

// Config is everything a run needs besides its archetypes. Build one with
// DefaultConfig and change fields, or from flags with RegisterFlags.
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
	// (DefaultConfig: true): at most outbound.MaxRedirects hops, 301, 302
	// and 303 as a GET without body, 307 and 308 with method and body,
	// credentials only to the same origin; the request keeps its route
	// template's name and its latency covers every hop. Off, a 3xx is the
	// answer, an error of kind http_3xx unless the request expects it.
	FollowRedirects bool

	Users       int
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
	Seed  int64
	// RunID names the run in grouping keys, reports and created data.
	// Empty means a fresh random id; shards of one run must share it.
	RunID string
	Shard Shard

	// Continuous replaces each finished user with a new one until Duration ends.
	Continuous      bool
	Cleanup         bool
	CleanupInterval time.Duration
	// Rate (sessions started per second) and Stages select the open model.
	Rate   float64
	Stages []Stage
	// MaxVUs caps concurrent users in the open model (0: 10×Users).
	MaxVUs int
	// Ramp spreads the start of the closed model's users over this time.
	Ramp  time.Duration
	Grace time.Duration

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

	Pushgateway     string
	PushInterval    time.Duration
	PushGC          time.Duration
	PushDeleteAfter time.Duration

	ReportDir      string
	BudgetFile     string
	Budgets        []string
	AbortErrorRate float64
	AbortWindow    time.Duration

	OpenAPI        string
	ValidateSample float64

	Debug    bool
	Progress time.Duration

	// problems are what reading the flags found (a -stages that does not
	// parse), reported by Validate with everything else.
	problems []error

	// RecordSequences keeps every user's sequence of request names in the
	// Result (for reproducibility checks; costs memory).
	RecordSequences bool
}

// DefaultConfig returns the configuration a run has when no flag is given.
func DefaultConfig() Config {
	return Config{
		Users:           DefaultUsers,
		MinRequests:     DefaultMinRequests,
		MaxRequests:     DefaultMaxRequests,
		Duration:        DefaultDuration,
		ErrorRate:       DefaultErrorRate,
		Seed:            DefaultSeed,
		CleanupInterval: DefaultCleanupInterval,
		Grace:           DefaultGrace,
		Timeout:         DefaultTimeout,
		MaxBody:         DefaultMaxBody,
		TraceSample:     DefaultTraceSample,
		Headers:         HeadersBrowser,
		FollowRedirects: true,
		Breaker:         DefaultBreaker,
		MaxInFlight:     DefaultMaxInFlight,
		PushInterval:    DefaultPushInterval,
		PushGC:          DefaultPushGC,
		AbortErrorRate:  DefaultAbortErrorRate,
		AbortWindow:     DefaultAbortWindow,
		ValidateSample:  DefaultValidateSample,
		Progress:        DefaultProgress,
	}
}

// OpenModel reports whether users arrive at a rate rather than all at once.
func (c *Config) OpenModel() bool { return c.Rate > 0 || len(c.Stages) > 0 }

// Validate checks the configuration on its own (archetypes are checked by
// the Simulation) and returns every problem at once, each naming its flag.
func (c *Config) Validate() error {
	errs := append([]error(nil), c.problems...)
	bad := func(flag, format string, args ...any) {
		errs = append(errs, fmt.Errorf("-%s: %s", flag, fmt.Sprintf(format, args...)))
	}
	if c.Users <= 0 && !c.OpenModel() {
		bad("users", "must be at least 1, got %d", c.Users)
	}
	if c.MinRequests < 1 {
		bad("min-request-count", "must be at least 1, got %d", c.MinRequests)
	}
	if c.MaxRequests < 1 {
		bad("max-request-count", "must be at least 1, got %d", c.MaxRequests)
	}
	if c.MinRequests > c.MaxRequests {
		bad("min-request-count", "%d is greater than -max-request-count %d", c.MinRequests, c.MaxRequests)
	}
	if c.Duration < 0 {
		bad("duration", "must not be negative, got %s", c.Duration)
	}
	if c.Continuous && c.Duration == 0 {
		bad("continuous", "needs a -duration to end")
	}
	if c.ErrorRate < 0 || c.ErrorRate > 100 {
		bad("error-rate", "must be a percentage from 0 to 100, got %g", c.ErrorRate)
	}
	if c.Target != "" {
		if err := checkTarget(c.Target, c.AllowRemote); err != nil {
			errs = append(errs, fmt.Errorf("-target: %w", err))
		}
	}
	if c.Think != "" {
		if _, err := ParseThink(c.Think); err != nil {
			errs = append(errs, fmt.Errorf("-think: %w", err))
		}
	}
	if err := c.Shard.validate(); err != nil {
		errs = append(errs, fmt.Errorf("-shard: %w", err))
	}
	if c.Shard.Count > 1 && c.RunID == "" {
		bad("run-id", "is required with -shard, so the shards of one run share it")
	}
	if c.RunID != "" && !validRunID(c.RunID) {
		bad("run-id", "%q may hold only letters, digits, '-' and '_' (at most 48)", c.RunID)
	}
	if c.Rate < 0 || c.Rate > maxStageRate {
		bad("rate", "must be a number from 0 to %g, got %g", float64(maxStageRate), c.Rate)
	}
	// Every range check above and below is false for NaN, which would pass
	// them all (found by FuzzFlags: -error-rate=NaN, -rate=+Inf).
	for _, f := range []struct {
		flag string
		v    float64
	}{
		{"error-rate", c.ErrorRate}, {"rate", c.Rate}, {"trace-sample", c.TraceSample},
		{"abort-error-rate", c.AbortErrorRate}, {"validate-sample", c.ValidateSample},
	} {
		if math.IsNaN(f.v) {
			bad(f.flag, "must be a number, got NaN")
		}
	}
	if c.Rate > 0 && len(c.Stages) == 0 && c.Duration == 0 {
		bad("rate", "needs a -duration (or -stages) to end")
	}
	if len(c.Stages) > 0 && c.Duration > 0 && c.Duration < stagesTotal(c.Stages) {
		bad("duration", "%s is shorter than the -stages plan (%s)", c.Duration, stagesTotal(c.Stages))
	}
	if c.MaxVUs < 0 {
		bad("max-vus", "must not be negative, got %d", c.MaxVUs)
	}
	if c.Ramp < 0 {
		bad("ramp", "must not be negative, got %s", c.Ramp)
	}
	if c.Grace < 0 {
		bad("grace", "must not be negative, got %s", c.Grace)
	}
	if c.Timeout <= 0 {
		bad("timeout", "must be positive, got %s", c.Timeout)
	}
	if c.MaxBody <= 0 {
		bad("max-body", "must be positive, got %d", c.MaxBody)
	}
	if c.MaxInFlight < 0 {
		bad("max-in-flight", "must not be negative (0: no bound), got %d", c.MaxInFlight)
	}
	if c.Breaker < 0 {
		bad("breaker", "must not be negative (0 turns the breaker off), got %d", c.Breaker)
	}
	if c.Headers != HeadersBrowser && c.Headers != HeadersMinimal {
		bad("headers", "%q: want %s or %s", c.Headers, HeadersBrowser, HeadersMinimal)
	}
	if msg := c.Auth.validate(); msg != "" {
		errs = append(errs, fmt.Errorf("Config.Auth: %s", msg))
	}
	if c.Explorer < 0 {
		bad("explorer", "must not be negative, got %d", c.Explorer)
	}
	if c.TraceSample < 0 || c.TraceSample > 1 {
		bad("trace-sample", "must be a share from 0 to 1, got %g", c.TraceSample)
	}
	if c.Cleanup && c.Continuous && c.CleanupInterval <= 0 {
		bad("cleanup-interval", "must be positive with -continuous -cleanup, got %s", c.CleanupInterval)
	}
	if c.Pushgateway != "" {
		if u, err := url.Parse(c.Pushgateway); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("pushgateway", "%q is not an http(s) URL with a host", redactURL(c.Pushgateway))
		} else if !c.AllowRemote && !isLoopback(u.Hostname()) {
			bad("pushgateway", "%q is not a loopback address; pass -allow-remote to push to another host", redactURL(c.Pushgateway))
		}
		if c.PushInterval <= 0 {
			bad("push-interval", "must be positive, got %s", c.PushInterval)
		}
	}
	if c.PushGC < 0 {
		bad("push-gc", "must not be negative, got %s", c.PushGC)
	}
	if c.PushDeleteAfter < 0 {
		bad("push-delete-after", "must not be negative, got %s", c.PushDeleteAfter)
	}
	if c.AbortErrorRate < 0 || c.AbortErrorRate > 100 {
		bad("abort-error-rate", "must be a percentage from 0 to 100, got %g", c.AbortErrorRate)
	}
	if c.AbortWindow <= 0 {
		bad("abort-window", "must be positive, got %s", c.AbortWindow)
	}
	if u, err := url.Parse(c.OpenAPI); err == nil && (u.Scheme == "http" || u.Scheme == "https") &&
		!c.AllowRemote && !isLoopback(u.Hostname()) {
		bad("openapi", "%q is not a loopback address; pass -allow-remote to fetch it from another host", redactURL(c.OpenAPI))
	}
	if c.ValidateSample < 0 || c.ValidateSample > 100 {
		bad("validate-sample", "must be a percentage from 0 to 100, got %g", c.ValidateSample)
	}
	if c.Progress < 0 {
		bad("progress", "must not be negative, got %s", c.Progress)
	}
	return errors.Join(errs...)
}

// checkTarget accepts an absolute http(s) URL, and a non-loopback host only
// when allowRemote is set: a load test aimed at the wrong host by a typo is
// an incident, so reaching past this machine must be asked for.
func checkTarget(target string, allowRemote bool) error {
	shown := redact.URL(target) // the URL may carry a password
	u, err := url.Parse(target)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the raw URL
		}
		return fmt.Errorf("%q is not a URL: %w", shown, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must start with http:// or https://", shown)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q has no host", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be a base URL without query or fragment", shown)
	}
	if !allowRemote && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q is not a loopback address; pass -allow-remote (or TRAFFICSIM_ALLOW_REMOTE=1) to send traffic to another host", shown)
	}
	return nil
}

func isLoopback(host string) bool { return outbound.IsLoopbackHost(host) }

func validRunID(id string) bool {
	if len(id) == 0 || len(id) > 48 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
