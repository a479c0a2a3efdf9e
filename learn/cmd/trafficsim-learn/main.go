// Command trafficsim-learn fits a traffic model from access logs, or
// compares two logs.
//
//	trafficsim-learn -in access.log -out model.yaml [-openapi openapi.json] [-session-gap 30m]
//	trafficsim-learn -compare original.log replay.log
//
// The model is YAML a person can read and edit: route templates,
// archetypes with weights, Markov transitions, think-time laws, session
// lengths and the arrival rate; no raw id, email, token or query value.
// -compare prints the distances between two logs and exits 1 when one is
// past its threshold.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/trafficsim/trafficsim/harness/contract"
	"github.com/trafficsim/trafficsim/learn"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, learn.ErrPastThresholds):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "trafficsim-learn:", err)
		os.Exit(2)
	}
}

type config struct {
	in, out, api, format, fields string
	compare                      bool
	opts                         learn.Options
	th                           learn.Thresholds
	args                         []string
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("trafficsim-learn", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.in, "in", "", "access log to learn from (Combined, JSON lines or HAR)")
	fs.StringVar(&c.out, "out", "model.yaml", "model file to write")
	fs.StringVar(&c.api, "openapi", "", "API description (file or URL) whose operations name the routes")
	fs.StringVar(&c.format, "format", learn.FormatAuto, "log format: auto, combined, json or har")
	fs.StringVar(&c.fields, "fields", "", "JSON field names, e.g. time=ts,user=uid,session=sid (default: the user service's)")
	fs.StringVar(&c.opts.Key, "session-key", learn.KeyUser, "session key: user, client (address and user agent) or field (-fields session=NAME)")
	fs.DurationVar(&c.opts.Gap, "session-gap", learn.DefaultGap, "inactivity that ends a session")
	fs.IntVar(&c.opts.Prologue, "prologue", learn.DefaultPrologue, "anonymous requests of a client (before login) a session starting there takes")
	fs.DurationVar(&c.opts.Bucket, "bucket", learn.DefaultBucket, "width of an arrival-rate bucket")
	fs.IntVar(&c.opts.MaxK, "max-k", learn.DefaultMaxK, "most archetypes to look for")
	fs.Float64Var(&c.opts.MinShare, "min-share", learn.DefaultMinShare, "smallest share of sessions of an archetype (smaller ones are merged)")
	fs.Int64Var(&c.opts.Seed, "seed", 1, "seed of clustering")
	fs.BoolVar(&c.compare, "compare", false, "compare two logs: trafficsim-learn -compare A.log B.log")
	d := learn.DefaultThresholds
	fs.Float64Var(&c.th.JSD, "max-jsd", d.JSD, "-compare: largest endpoint mix Jensen–Shannon divergence")
	fs.Float64Var(&c.th.ThinkKS, "max-think-ks", d.ThinkKS, "-compare: largest think-time KS per archetype")
	fs.Float64Var(&c.th.LengthKS, "max-length-ks", d.LengthKS, "-compare: largest session-length KS per archetype")
	fs.Float64Var(&c.th.TransitionTV, "max-transition-tv", d.TransitionTV, "-compare: largest transition total variation per archetype")
	fs.Float64Var(&c.th.StatusTV, "max-status-tv", d.StatusTV, "-compare: largest status-class total variation")
	fs.Float64Var(&c.th.Arrival, "max-arrival", d.Arrival, "-compare: largest relative arrival-rate difference per bucket")
	fs.IntVar(&c.th.MinSessions, "min-sessions", d.MinSessions, "-compare: fewest sessions an archetype needs to be judged")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.args = fs.Args()
	var errs []error
	switch {
	case c.compare && len(c.args) != 2:
		errs = append(errs, fmt.Errorf("-compare: want two logs, got %d", len(c.args)))
	case !c.compare && c.in == "":
		errs = append(errs, errors.New("-in: a log to learn from is required"))
	case !c.compare && len(c.args) > 0:
		errs = append(errs, fmt.Errorf("unexpected arguments %q", c.args))
	}
	if err := c.opts.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	fields, err := learn.ParseFields(c.fields)
	if err != nil {
		return err
	}
	ro := learn.ReadOptions{Format: c.format, Fields: fields}
	if c.api != "" {
		d, err := contract.Load(ctx, c.api, nil)
		if err != nil {
			return err
		}
		c.opts.API = d.Document()
	}
	if c.compare {
		return compare(c, ro, stdout)
	}
	start := time.Now()
	l, err := learn.ReadFile(c.in, ro)
	if err != nil {
		return fmt.Errorf("-in: %w", err)
	}
	m, err := learn.Learn(l, c.opts)
	if err != nil {
		return fmt.Errorf("learn from %s: %w", c.in, err)
	}
	if err := m.WriteFile(c.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d requests (%d lines skipped), %d sessions, %d archetypes → %s in %s\n",
		m.Source.Requests, m.Source.Skipped, m.Source.Sessions, len(m.Archetypes), c.out, time.Since(start).Round(time.Millisecond))
	for _, a := range m.Archetypes {
		fmt.Fprintf(stdout, "  %s: weight %.3f, %d sessions, length mean %.1f, think %s\n", a.Name, a.Weight, a.Sessions, a.Length.Mean, a.Think.Law)
	}
	return nil
}

func compare(c config, ro learn.ReadOptions, stdout io.Writer) error {
	a, err := learn.ReadFile(c.args[0], ro)
	if err != nil {
		return err
	}
	b, err := learn.ReadFile(c.args[1], ro)
	if err != nil {
		return err
	}
	f, err := learn.Compare(a, b, c.opts, c.th)
	if err != nil {
		return err
	}
	if err := f.WriteTable(stdout, c.th); err != nil {
		return err
	}
	if !f.OK() {
		return learn.ErrPastThresholds
	}
	return nil
}
