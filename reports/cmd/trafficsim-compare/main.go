// Command trafficsim-compare compares two trafficsim runs endpoint by
// endpoint and fails when the new one is slower than the old one by more
// than a threshold, so a CI pipeline can gate a release on it:
//
//	go run ./reports/cmd/trafficsim-compare [-threshold 10%] [-metric p95] OLD NEW
//
// OLD and NEW are each a summary.json or a report directory holding one.
//
// An endpoint is a regression only when it is both material and
// significant: slower by more than -threshold and by at least -floor ms,
// with at least -min-samples requests on each side, and the one-sided
// exceedance z test on the two HDR histograms (the share of requests above
// the old run's p95, old against new) rejects "no slower" at -alpha. Each
// flagged row says why; a row slower than the threshold that is not
// flagged says why not.
// It prints a per-endpoint table (old and new p50/p95/p99 in milliseconds,
// the change of the judged metric, requests and error rates) with
// REGRESSION marks, the totals (requests, rps and error rate change), and
// the endpoints found in one run only.
//
// Exit status: 0 without regression, 1 when any endpoint regressed, 2 on bad
// input (a flag, or a file that is missing or not a summary), with a message
// naming it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/reports"
)

// Exit statuses.
const (
	exitOK         = 0
	exitRegression = 1
	exitBadInput   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command: it parses args, compares, writes the table to
// stdout and problems to stderr, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trafficsim-compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threshold := fs.String("threshold", "10%", "relative slowdown above which an endpoint is a `regression`, e.g. 10% or 12.5")
	metric := fs.String("metric", string(reports.DefaultMetric), "latency `metric` to judge: p50, p95, p99 or max")
	minSamples := fs.Int64("min-samples", reports.DefaultMinSamples, "fewest requests an endpoint needs on each side to be judged")
	floor := fs.Float64("floor", reports.DefaultFloorMs, "smallest absolute slowdown in `ms` that counts")
	alpha := fs.Float64("alpha", reports.DefaultAlpha, "significance `level` of the test on the two histograms")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: trafficsim-compare [-threshold 10%%] [-metric p95] [-min-samples 100] [-floor 1] [-alpha 0.01] OLD NEW\n\n"+
			"OLD and NEW are summary.json files or report directories.\n"+
			"Exit status: 0 no regression, 1 regression, 2 bad input.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadInput // the flag package has printed the problem and the usage
	}
	th, err := parseThreshold(*threshold)
	if err != nil {
		fmt.Fprintf(stderr, "trafficsim-compare: invalid -threshold %q: %v\n", *threshold, err)
		return exitBadInput
	}
	m, err := reports.ParseMetric(*metric)
	if err != nil {
		fmt.Fprintf(stderr, "trafficsim-compare: invalid -metric: %v\n", err)
		return exitBadInput
	}
	if *minSamples < 1 || *floor < 0 || !(*alpha > 0 && *alpha < 1) {
		fmt.Fprintf(stderr, "trafficsim-compare: invalid criteria: -min-samples %d must be at least 1, -floor %g at least 0, -alpha %g between 0 and 1\n", *minSamples, *floor, *alpha)
		return exitBadInput
	}
	if fs.NArg() != 2 {
		fmt.Fprintf(stderr, "trafficsim-compare: want two runs, OLD and NEW, got %d arguments %q\n", fs.NArg(), fs.Args())
		fs.Usage()
		return exitBadInput
	}
	var sides [2]*reports.Summary
	for i, path := range fs.Args() {
		s, err := reports.ReadSummary(path)
		if err != nil {
			fmt.Fprintf(stderr, "trafficsim-compare: %s run %s: %v\n", []string{"OLD", "NEW"}[i], path, err)
			return exitBadInput
		}
		sides[i] = s
	}

	c := reports.Compare(sides[0], sides[1])
	crit := reports.Criteria{Metric: m, Threshold: th, MinSamples: *minSamples, FloorMs: *floor, Alpha: *alpha}
	if err := c.WriteTextWith(stdout, crit); err != nil {
		fmt.Fprintf(stderr, "trafficsim-compare: %v\n", err)
		return exitBadInput
	}
	if len(c.RegressionsWith(crit)) > 0 {
		return exitRegression
	}
	return exitOK
}

// parseThreshold parses a percentage, with or without its % sign ("10%",
// "12.5"), into a fraction (0.10, 0.125). A bare number is a percentage too,
// so "0.1" means 0.1%, never 10%.
func parseThreshold(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil {
		return 0, errors.New("want a percentage such as 10%")
	}
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("want a percentage of 0 or more")
	}
	return v / 100, nil
}
