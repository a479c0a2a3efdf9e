package config

import (
	"flag"
	"strings"
	"time"

	"github.com/trafficsim/trafficsim/harness/metrics"
)

// The values of -headers.
const (
	HeadersBrowser = "browser"
	HeadersMinimal = "minimal"
)

// options is the option table: every flag of a simulation, in the order of
// the README's flag table. Default, RegisterFlags, Validate and that table
// are made from it; a new option is a new entry here (and, when it must
// agree with another, a rule in rules.go).
var options = []Option{
	opt("target", func(c *Config) *string { return &c.Target }, "",
		"base URL of the service under test; a simulation without a service of its own fails naming this flag",
		ifSet(checkTarget)).
		shown("none (`loadtests`: its in-process user service)"),
	opt("allow-remote", func(c *Config) *bool { return &c.AllowRemote }, false,
		"allow a target that is not loopback (refused otherwise)"),
	opt("insecure", func(c *Config) *bool { return &c.Insecure }, false,
		"skip TLS verification (verified by default)"),
	opt("follow-redirects", func(c *Config) *bool { return &c.FollowRedirects }, true,
		"users follow redirects as a browser does (at most 10 hops, credentials only to the same origin); `false`: a 3xx is the answer, kind `http_3xx`"),
	opt("users", func(c *Config) *int { return &c.Users }, 200,
		"virtual users (closed model)"),
	opt("min-request-count", func(c *Config) *int { return &c.MinRequests }, 1,
		"fewest requests a user makes", atLeast(1)),
	opt("max-request-count", func(c *Config) *int { return &c.MaxRequests }, 1000,
		"most requests a user makes (intersected with each archetype's range)", atLeast(1)),
	opt("duration", func(c *Config) *time.Duration { return &c.Duration }, 2*time.Minute,
		"cap on the run (0: until every budget is spent)", notNegative[time.Duration]("")),
	parsed("user-types", func(c *Config) *[]string { return &c.UserTypes }, nil, parseList, formatList,
		"archetypes to run, e.g. `new,active`").
		shown("all"),
	opt("error-rate", func(c *Config) *float64 { return &c.ErrorRate }, 5,
		"percent of deliberately bad requests", percent),
	opt("think", func(c *Config) *string { return &c.Think }, "",
		"`const:2s`, `uniform:500ms-3s`, `exp:1s`, `lognormal:1s,0.5`, `none`",
		ifSet(func(s string) error { _, err := ParseThink(s); return err })).
		shown("per archetype (`" + DefaultThink + "`)"),
	opt("seed", func(c *Config) *int64 { return &c.Seed }, 1,
		"seed of every random choice"),
	opt("run-id", func(c *Config) *string { return &c.RunID }, "",
		"run id (required with `-shard`)", ifSet(checkRunID)).
		shown("random"),
	parsed("shard", func(c *Config) *Shard { return &c.Shard }, Shard{}, ParseShard, Shard.String,
		"`i/n`; or `JOB_COMPLETION_INDEX` with `TRAFFICSIM_SHARDS=n`", Shard.validate).
		shown("whole run").orElse(kubernetesShard),
	opt("continuous", func(c *Config) *bool { return &c.Continuous }, false,
		"replace each finished user with a new one until `-duration`"),
	opt("cleanup", func(c *Config) *bool { return &c.Cleanup }, false,
		"run the simulation's `OnCleanup` at the end (none registered: a validation error)"),
	opt("cleanup-interval", func(c *Config) *time.Duration { return &c.CleanupInterval }, time.Minute,
		"with `-continuous -cleanup`, clean up this often"),
	opt("rate", func(c *Config) *float64 { return &c.Rate }, 0,
		"open model: sessions started per second", rate),
	parsed("stages", func(c *Config) *[]Stage { return &c.Stages }, nil, ParseStages, FormatStages,
		"open model: ramping arrival rate, `30s:10,1m:50,30s:0`", validateStages).
		shown("none"),
	opt("max-vus", func(c *Config) *int { return &c.MaxVUs }, 0,
		"open model: cap on concurrent users (starts beyond it are dropped and counted)", notNegative[int]("")).
		shown("10×`-users`"),
	opt("ramp", func(c *Config) *time.Duration { return &c.Ramp }, 0,
		"closed model: spread user starts over this time", notNegative[time.Duration]("")).
		shown("0.5 ms × users, ≤ 10s"),
	opt("grace", func(c *Config) *time.Duration { return &c.Grace }, 5*time.Second,
		"on stop, how long requests in flight may finish", notNegative[time.Duration]("")),
	opt("timeout", func(c *Config) *time.Duration { return &c.Timeout }, 10*time.Second,
		"timeout of one request", positive[time.Duration]),
	opt("max-in-flight", func(c *Config) *int { return &c.MaxInFlight }, 512,
		"most requests in flight, and connections to the target; past it users wait in line, the wait counted in latency and reported as saturation (0: no bound)",
		notNegative[int]("0: no bound")),
	opt("breaker", func(c *Config) *int { return &c.Breaker }, 10,
		"consecutive failures that open an endpoint's circuit: probed, not hammered (0: off)",
		notNegative[int]("0 turns the breaker off")),
	opt("max-body", func(c *Config) *int64 { return &c.MaxBody }, 1<<20,
		"response bytes kept; the rest is read, counted, discarded", positive[int64]),
	opt("headers", func(c *Config) *string { return &c.Headers }, HeadersBrowser,
		"`browser`: a real browser's User-Agent, Accept, Accept-Language per user; `minimal`: none of them",
		oneOf(HeadersBrowser, HeadersMinimal)),
	opt("trace-sample", func(c *Config) *float64 { return &c.TraceSample }, 0.05,
		"share of requests whose W3C `traceparent` is marked sampled", share),
	opt("pushgateway", func(c *Config) *string { return &c.Pushgateway }, "",
		"Pushgateway URL", ifSet(checkPushgateway)).
		shown("off"),
	opt("push-interval", func(c *Config) *time.Duration { return &c.PushInterval }, metrics.DefaultPushInterval,
		"how often metrics are pushed"),
	opt("push-gc", func(c *Config) *time.Duration { return &c.PushGC }, 10*time.Minute,
		"at start, delete this job's groups not pushed for this long", notNegative[time.Duration]("")),
	opt("push-delete-after", func(c *Config) *time.Duration { return &c.PushDeleteAfter }, 0,
		"after the final push, wait, then delete this run's group", notNegative[time.Duration]("")).
		shown("0 (keep)"),
	opt("report-dir", func(c *Config) *string { return &c.ReportDir }, "",
		"where reports go").
		shown("`" + DefaultReportRoot + "/<run_id>`"),
	opt("budgets", func(c *Config) *string { return &c.BudgetFile }, "",
		"YAML file of budgets").
		shown("`loadtests/budgets.yaml` (compiled into the test binary)"),
	budgetOption,
	opt("abort-error-rate", func(c *Config) *float64 { return &c.AbortErrorRate }, 50,
		"abort when unexpected errors pass this percent over `-abort-window`", percent),
	opt("abort-window", func(c *Config) *time.Duration { return &c.AbortWindow }, 30*time.Second,
		"sliding window of the abort checks", positive[time.Duration]),
	opt("openapi", func(c *Config) *string { return &c.OpenAPI }, "",
		"API description, URL or file, OpenAPI 3.0/3.1 or Swagger 2.0: coverage, contract checks, `-explorer` (needs package `harness/contract` linked, see \"Your own API\")").
		shown("none (`loadtests`: the in-process service's `/openapi.json`)"),
	opt("explorer", func(c *Config) *int { return &c.Explorer }, 0,
		"weight of an explorer archetype that sends the described operations no journey answered as described", notNegative[int]("")),
	opt("validate-sample", func(c *Config) *float64 { return &c.ValidateSample }, 10,
		"percent of responses validated against the description", percent),
	opt("debug", func(c *Config) *bool { return &c.Debug }, false,
		"log every request and response, redacted"),
	opt("progress", func(c *Config) *time.Duration { return &c.Progress }, 3*time.Second,
		"interval of the progress line (0: off)", notNegative[time.Duration]("")),
	opt("name", func(c *Config) *string { return &c.Name }, "",
		"simulation name: Pushgateway job, report title").
		shown("the test's name"),
}

// budgetOption is -budget, repeatable: each use appends an expression to
// the simulation's own Config.Budgets.
var budgetOption = Option{
	Name: "budget", Doc: "one budget expression (repeatable)", Shown: "none",
	value:      func(c *Config) any { return c.Budgets },
	setDefault: func(c *Config) { c.Budgets = nil },
	define: func(fs *flag.FlagSet, c *Config, usage string) {
		fs.Var(listValue{&c.Budgets}, "budget", usage)
	},
	validate: func(*Config) error { return nil }, // the budgets are the Simulation's to check
}

// parseList reads a comma-separated list, dropping empty items.
func parseList(s string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

func formatList(l []string) string { return strings.Join(l, ",") }
