package config

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// An Option is one setting of a run, written once, as an entry of the
// option table (options.go): the name of its flag (its environment
// variable is EnvName of it), its default, the Config field it sets and how
// its text parses, the checks of its value on its own, and its doc. The
// flags (RegisterFlags), the defaults (Default), validation (Validate) and
// the README's flag table all come from the table, so an option is added
// by adding its entry; checks between options are rules (rules.go).
type Option struct {
	// Name is the flag's name without its '-'.
	Name string
	// Doc says what the option does, in Markdown: it is the README's
	// "meaning" column and, without its backquotes, the flag's usage.
	Doc string
	// Shown is the README's "default" column when the default's own text
	// does not say it (an empty string, a default computed at run time).
	Shown string

	value      func(*Config) any                               // the field's value
	setDefault func(*Config)                                   // sets the field to its default
	define     func(fs *flag.FlagSet, c *Config, usage string) // the flag, bound to c's field
	validate   func(*Config) error                             // the field's own checks
	fallback   func(*Config) error                             // when neither flag nor variable is given
}

// scalar are the types the flag package parses itself.
type scalar interface {
	bool | int | int64 | float64 | string | time.Duration
}

// opt is the entry of an option whose field the flag package parses.
func opt[T scalar](name string, field func(*Config) *T, def T, doc string, checks ...func(T) error) Option {
	o := typed(name, field, def, doc, checks)
	o.define = func(fs *flag.FlagSet, c *Config, usage string) { defineScalar(fs, field(c), name, usage) }
	return o
}

// parsed is the entry of an option whose text parse turns into a value of
// its own (a plan, a shard, a list). Text that does not parse does not stop
// the flags' parsing: Flags.Config reports it with every other problem.
// Empty text is the zero value.
func parsed[T any](name string, field func(*Config) *T, def T, parse func(string) (T, error), format func(T) string, doc string, checks ...func(T) error) Option {
	o := typed(name, field, def, doc, checks)
	o.define = func(fs *flag.FlagSet, c *Config, usage string) {
		fs.Var(&parsedValue[T]{p: field(c), parse: parse, format: format}, name, usage)
	}
	return o
}

func typed[T any](name string, field func(*Config) *T, def T, doc string, checks []func(T) error) Option {
	return Option{
		Name: name, Doc: doc,
		value:      func(c *Config) any { return *field(c) },
		setDefault: func(c *Config) { *field(c) = def },
		validate: func(c *Config) error {
			for _, check := range checks {
				if err := check(*field(c)); err != nil {
					return err // the first: one message per option
				}
			}
			return nil
		},
	}
}

// shown sets the README's default column.
func (o Option) shown(text string) Option { o.Shown = text; return o }

// orElse sets what reading the flags does when neither the flag nor its
// variable is given.
func (o Option) orElse(fallback func(*Config) error) Option { o.fallback = fallback; return o }

// check runs the option's own checks on c.
func (o Option) check(c *Config) error { return o.validate(c) }

// usage is the flag's usage: the doc without Markdown's backquotes, which
// the flag package would take for the name of the flag's value.
func (o Option) usage() string { return strings.ReplaceAll(o.Doc, "`", "") }

// defaultText is the README's default column.
func (o Option) defaultText() string {
	if o.Shown != "" {
		return o.Shown
	}
	var c Config
	o.setDefault(&c)
	switch v := o.value(&c).(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Duration:
		return shortDuration(v)
	case string:
		if v == "" {
			return "none"
		}
		return v
	default:
		return fmt.Sprint(v)
	}
}

// shortDuration writes 2m rather than 2m0s, and 0 rather than 0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if d == 0 {
		return "0"
	}
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func defineScalar[T scalar](fs *flag.FlagSet, p *T, name, usage string) {
	switch p := any(p).(type) {
	case *bool:
		fs.BoolVar(p, name, *p, usage)
	case *int:
		fs.IntVar(p, name, *p, usage)
	case *int64:
		fs.Int64Var(p, name, *p, usage)
	case *float64:
		fs.Float64Var(p, name, *p, usage)
	case *string:
		fs.StringVar(p, name, *p, usage)
	case *time.Duration:
		fs.DurationVar(p, name, *p, usage)
	}
}

// parsedValue is the flag.Value of a parsed option: it keeps what the last
// Set could not parse for Flags.Config to report.
type parsedValue[T any] struct {
	p      *T
	parse  func(string) (T, error)
	format func(T) string
	err    error
}

func (v *parsedValue[T]) Set(s string) error {
	v.err = nil
	if strings.TrimSpace(s) == "" {
		var zero T
		*v.p = zero
		return nil
	}
	x, err := v.parse(s)
	if err != nil {
		v.err = err
		return nil
	}
	*v.p = x
	return nil
}

func (v *parsedValue[T]) String() string {
	if v == nil || v.p == nil || v.format == nil {
		return ""
	}
	return v.format(*v.p)
}

// problem is what the last Set could not parse.
func (v *parsedValue[T]) problem() error { return v.err }

// listValue is the flag.Value of a repeatable flag: each use appends.
type listValue struct{ p *[]string }

func (v listValue) Set(s string) error { *v.p = append(*v.p, s); return nil }

func (v listValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, "; ")
}

// The checks of one value, each saying what is wrong in the words of the
// messages Validate has always given.

func atLeast[T int | int64](n T) func(T) error {
	return func(v T) error {
		if v < n {
			return fmt.Errorf("must be at least %d, got %d", n, v)
		}
		return nil
	}
}

// notNegative is "must not be negative"; note, when given, says what 0 means.
func notNegative[T int | int64 | time.Duration](note string) func(T) error {
	if note != "" {
		note = " (" + note + ")"
	}
	return func(v T) error {
		if v < 0 {
			return fmt.Errorf("must not be negative%s, got %v", note, v)
		}
		return nil
	}
}

func positive[T int | int64 | time.Duration](v T) error {
	if v <= 0 {
		return fmt.Errorf("must be positive, got %v", v)
	}
	return nil
}

// percent is a share from 0 to 100; NaN is the rule notNaN's.
func percent(v float64) error {
	if v < 0 || v > 100 {
		return fmt.Errorf("must be a percentage from 0 to 100, got %g", v)
	}
	return nil
}

func share(v float64) error {
	if v < 0 || v > 1 {
		return fmt.Errorf("must be a share from 0 to 1, got %g", v)
	}
	return nil
}

func rate(v float64) error {
	if v < 0 || v > MaxRate {
		return fmt.Errorf("must be a number from 0 to %g, got %g", float64(MaxRate), v)
	}
	return nil
}

func oneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, w := range values {
			if v == w {
				return nil
			}
		}
		return fmt.Errorf("%q: want %s", v, strings.Join(values, " or "))
	}
}

// ifSet runs check on a value other than the zero value only.
func ifSet[T comparable](check func(T) error) func(T) error {
	return func(v T) error {
		var zero T
		if v == zero {
			return nil
		}
		return check(v)
	}
}
