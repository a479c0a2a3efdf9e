package config

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
	fs  *flag.FlagSet
	cfg Config
}

// RegisterFlags defines the simulation's flags on fs and returns their holder.
func RegisterFlags(fs *flag.FlagSet) *Flags { return RegisterFlagsWith(fs, Default()) }

// RegisterFlagsWith is RegisterFlags with the simulation's own defaults —
// a smaller population, its service's description — for the flags not
// given: start from Default and change what the simulation needs.
func RegisterFlagsWith(fs *flag.FlagSet, defaults Config) *Flags {
	f := &Flags{fs: fs, cfg: defaults}
	f.cfg.Budgets = slices.Clip(defaults.Budgets) // -budget appends to a copy
	for _, o := range options {
		o.define(fs, &f.cfg, o.usage())
	}
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
		set[fl.Name] = true
		if err := fl.Value.Set(v); err != nil {
			shown, why := redact.URL(v), redact.Text(err.Error())
			if redact.SensitiveKey(fl.Name) {
				shown, why = redact.Redacted, redact.Secrets(why, v)
			}
			errs = append(errs, fmt.Errorf("-%s: from %s=%q: %s", fl.Name, env, shown, why))
		}
	})
	for _, o := range options {
		if o.fallback != nil && !set[o.Name] {
			if err := o.fallback(&f.cfg); err != nil {
				errs = append(errs, fmt.Errorf("-%s: %w", o.Name, err))
			}
		}
		if p, ok := f.fs.Lookup(o.Name).Value.(interface{ problem() error }); ok && p.problem() != nil {
			errs = append(errs, fmt.Errorf("-%s: %w", o.Name, p.problem()))
		}
	}
	c := f.cfg
	c.Budgets = slices.Clip(c.Budgets)
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

// kubernetesShard is -shard when neither it nor TRAFFICSIM_SHARD is given:
// JOB_COMPLETION_INDEX with TRAFFICSIM_SHARDS, as in a Kubernetes Indexed
// Job; without both, the whole run.
func kubernetesShard(c *Config) error {
	idx, hasIdx := os.LookupEnv("JOB_COMPLETION_INDEX")
	n, hasN := os.LookupEnv(EnvPrefix + "SHARDS")
	if !hasIdx || !hasN {
		return nil
	}
	i, err := strconv.Atoi(idx)
	if err != nil {
		return fmt.Errorf("JOB_COMPLETION_INDEX=%q is not a number", idx)
	}
	count, err := strconv.Atoi(n)
	if err != nil {
		return fmt.Errorf("%sSHARDS=%q is not a number", EnvPrefix, n)
	}
	s := Shard{Index: i, Count: count}
	if err := s.validate(); err != nil {
		return err
	}
	c.Shard = s
	return nil
}
