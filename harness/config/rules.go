package config

import (
	"fmt"
	"math"

	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// A rule is a check between options, which no option's own check can make.
// Each problem it finds names the flag to change.
type rule struct {
	name  string
	check func(c *Config) []error
}

// rules are every check between options, in the order Validate reports
// them (after each option's own).
var rules = []rule{
	{"a closed model needs users", func(c *Config) []error {
		return when(c.Users <= 0 && !c.OpenModel(), "users", "must be at least 1, got %d", c.Users)
	}},
	{"min-request-count is at most max-request-count", func(c *Config) []error {
		return when(c.MinRequests > c.MaxRequests, "min-request-count", "%d is greater than -max-request-count %d", c.MinRequests, c.MaxRequests)
	}},
	{"continuous needs a duration", func(c *Config) []error {
		return when(c.Continuous && c.Duration == 0, "continuous", "needs a -duration to end")
	}},
	{"a steady rate needs an end", func(c *Config) []error {
		return when(c.Rate > 0 && len(c.Stages) == 0 && c.Duration == 0, "rate", "needs a -duration (or -stages) to end")
	}},
	{"the stages fit the duration", func(c *Config) []error {
		total := StagesDuration(c.Stages)
		return when(len(c.Stages) > 0 && c.Duration > 0 && c.Duration < total, "duration", "%s is shorter than the -stages plan (%s)", c.Duration, total)
	}},
	{"shards share a run id", func(c *Config) []error {
		return when(c.Shard.Count > 1 && c.RunID == "", "run-id", "is required with -shard, so the shards of one run share it")
	}},
	{"continuous cleanup needs an interval", func(c *Config) []error {
		return when(c.Cleanup && c.Continuous && c.CleanupInterval <= 0, "cleanup-interval", "must be positive with -continuous -cleanup, got %s", c.CleanupInterval)
	}},
	{"pushing needs an interval", func(c *Config) []error {
		return when(c.Pushgateway != "" && c.PushInterval <= 0, "push-interval", "must be positive, got %s", c.PushInterval)
	}},
	{"remote hosts need allow-remote", remoteNeedsAllowRemote},
	{"numbers are numbers", notNaN},
}

// when is the problem of flag when bad holds.
func when(bad bool, flag, format string, args ...any) []error {
	if !bad {
		return nil
	}
	return []error{fmt.Errorf("-%s: %s", flag, fmt.Sprintf(format, args...))}
}

// remoteNeedsAllowRemote refuses a host past this machine unless
// -allow-remote asks for it: a load test aimed at the wrong host by a typo
// is an incident. (A URL that is not one is its option's own problem.)
func remoteNeedsAllowRemote(c *Config) []error {
	if c.AllowRemote {
		return nil
	}
	remote := func(raw string) bool {
		host, ok := httpHost(raw)
		return ok && !outbound.IsLoopbackHost(host)
	}
	var errs []error
	if checkTarget(c.Target) == nil && remote(c.Target) {
		errs = append(errs, when(true, "target", "%q is not a loopback address; pass -allow-remote (or TRAFFICSIM_ALLOW_REMOTE=1) to send traffic to another host", redact.URL(c.Target))...)
	}
	if remote(c.Pushgateway) {
		errs = append(errs, when(true, "pushgateway", "%q is not a loopback address; pass -allow-remote to push to another host", redact.URL(c.Pushgateway))...)
	}
	if remote(c.OpenAPI) {
		errs = append(errs, when(true, "openapi", "%q is not a loopback address; pass -allow-remote to fetch it from another host", redact.URL(c.OpenAPI))...)
	}
	return errs
}

// notNaN refuses NaN in every number option: each range check is false for
// NaN, which would pass them all (found by FuzzFlags: -error-rate=NaN).
func notNaN(c *Config) []error {
	var errs []error
	for _, o := range options {
		if v, ok := o.value(c).(float64); ok && math.IsNaN(v) {
			errs = append(errs, when(true, o.Name, "must be a number, got NaN")...)
		}
	}
	return errs
}
