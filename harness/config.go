package harness

import (
	"flag"
	"time"

	"github.com/trafficsim/trafficsim/harness/breaker"
	"github.com/trafficsim/trafficsim/harness/config"
)

// The configuration of a run lives in package config: Config and its option
// table, the flags made from it, think times, stages, shards and auth. These
// are its names as the harness's users write them.

// Config is everything a run needs besides its archetypes; see config.Config.
type Config = config.Config

// Flags holds the command-line flags of a simulation; see config.Flags.
type Flags = config.Flags

// Think is a think-time distribution; see config.Think.
type Think = config.Think

// Stage is one step of an open-model plan; see config.Stage.
type Stage = config.Stage

// Shard selects the part of a population one process runs; see config.Shard.
type Shard = config.Shard

// Auth says how a request proves who sends it; see config.Auth.
type Auth = config.Auth

// EnvPrefix prefixes the environment variable of every flag.
const EnvPrefix = config.EnvPrefix

// DefaultThink is an archetype's think time unless WithThink or -think
// says otherwise.
const DefaultThink = config.DefaultThink

// DefaultReportRoot holds the reports of a run without -report-dir.
const DefaultReportRoot = config.DefaultReportRoot

// The values of -headers.
const (
	HeadersBrowser = config.HeadersBrowser
	HeadersMinimal = config.HeadersMinimal
)

// NoThink is a think time of zero: requests back to back.
var NoThink = config.NoThink

// DefaultConfig returns the configuration a run has when no flag is given.
func DefaultConfig() Config { return config.Default() }

// RegisterFlags defines the simulation's flags on fs and returns their
// holder; see config.RegisterFlags.
func RegisterFlags(fs *flag.FlagSet) *Flags { return config.RegisterFlags(fs) }

// RegisterFlagsWith is RegisterFlags with the simulation's own defaults.
func RegisterFlagsWith(fs *flag.FlagSet, defaults Config) *Flags {
	return config.RegisterFlagsWith(fs, defaults)
}

// EnvName is the environment variable of a flag: TRAFFICSIM_MIN_REQUEST_COUNT
// for min-request-count.
func EnvName(flagName string) string { return config.EnvName(flagName) }

// Const pauses exactly d.
func Const(d time.Duration) Think { return config.Const(d) }

// Uniform pauses a uniformly random time in [lo, hi].
func Uniform(lo, hi time.Duration) Think { return config.Uniform(lo, hi) }

// Exp pauses an exponentially distributed time with the given mean.
func Exp(mean time.Duration) Think { return config.Exp(mean) }

// LogNormal pauses a log-normally distributed time with the given median
// and shape sigma.
func LogNormal(median time.Duration, sigma float64) Think { return config.LogNormal(median, sigma) }

// ParseThink reads a think-time distribution such as "uniform:500ms-3s".
func ParseThink(s string) (Think, error) { return config.ParseThink(s) }

// ParseStages reads a plan such as "30s:10,1m:50,30s:0".
func ParseStages(s string) ([]Stage, error) { return config.ParseStages(s) }

// FormatStages writes a plan in the form ParseStages reads.
func FormatStages(st []Stage) string { return config.FormatStages(st) }

// ParseShard parses "i/n".
func ParseShard(s string) (Shard, error) { return config.ParseShard(s) }

// TokenAuth sends vu.Token as "Authorization: <scheme> <token>".
func TokenAuth(scheme string) Auth { return config.TokenAuth(scheme) }

// BasicAuth sends the same user and password with every request.
func BasicAuth(user, password string) Auth { return config.BasicAuth(user, password) }

// APIKeyAuth sends key in the given header; an empty key sends vu.Token.
func APIKeyAuth(header, key string) Auth { return config.APIKeyAuth(header, key) }

// CookieAuth sends vu.Token as the cookie name.
func CookieAuth(name string) Auth { return config.CookieAuth(name) }

// NoAuth sends no credentials at all.
func NoAuth() Auth { return config.NoAuth() }

// Cooldowns of an open circuit (see package breaker): the first open lasts
// BreakerCooldown, each further open without a success in between twice as
// long as the one before, up to BreakerMaxCooldown.
const (
	BreakerCooldown    = breaker.Cooldown
	BreakerMaxCooldown = breaker.MaxCooldown
)
