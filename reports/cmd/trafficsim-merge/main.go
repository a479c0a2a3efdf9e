// Command trafficsim-merge merges the reports of the shards of one run into
// the reports of the whole run, and judges the run's budgets on the merged
// data, so a run split over pods or CI jobs is gated as one run:
//
//	go run ./reports/cmd/trafficsim-merge [-out DIR] [-allow-missing] SHARD...
//
// Each SHARD is a shard's report directory or its summary.json. The shards'
// summaries are combined with reports.Merge (HDR histograms merge without
// loss, so merged percentiles equal those of one big run), and the union of
// the budgets the shards were judged on — deduplicated by their canonical
// expression — is evaluated again on the merged summary: a budget each shard
// passes may fail for the whole run ("errors < 20" with 9 errors per shard),
// and one each shard fails may pass ("requests >= 300" with 100 per shard).
//
// It writes summary.json, junit.xml and report.html to -out (default
// reports/out/<run_id>-merged, relative to the working directory), prints
// the per-endpoint table and every budget's verdict.
//
// Exit status: 0 when every budget passes; 1 when a budget fails or the
// merged run is partial (a shard stopped early or, with -allow-missing, a
// shard is missing), so the exit status and junit.xml always agree; 2 on
// bad input (a flag, an unreadable or foreign summary, shards of different
// runs, a shard given twice, a missing shard), with a message naming it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/reports"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
)

// defaultOutRoot is where the merged reports go without -out, as
// <root>/<run_id>-merged beside the runs' own report directories.
const defaultOutRoot = "reports/out"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command: it parses args, merges, writes the reports,
// prints the table and verdicts to stdout and problems to stderr, and
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trafficsim-merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "`dir`ectory of the merged reports (default "+defaultOutRoot+"/<run_id>-merged)")
	allowMissing := fs.Bool("allow-missing", false, "merge even when some shards of the run are missing (the merged run is then partial)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: trafficsim-merge [-out DIR] [-allow-missing] SHARD...\n\n"+
			"Each SHARD is a shard's report directory or its summary.json.\n"+
			"Exit status: 0 every budget passed, 1 a budget failed or the run is partial, 2 bad input.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadInput // the flag package has printed the problem and the usage
	}
	paths := fs.Args()
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "trafficsim-merge: no shards given: want one or more report directories or summary.json files")
		fs.Usage()
		return exitBadInput
	}
	bad := func(err error) int {
		fmt.Fprintf(stderr, "trafficsim-merge: %v\n", err)
		return exitBadInput
	}

	shards, err := readShards(paths)
	if err != nil {
		return bad(err)
	}
	budgets, err := unionBudgets(shards, paths)
	if err != nil {
		return bad(err)
	}
	merged, err := reports.Merge(shards...)
	if err != nil {
		return bad(fmt.Errorf("%w\n(inputs: %s)", err, legend(shards, paths)))
	}
	if missing := missingShards(merged.Shards); len(missing) > 0 {
		list := strings.Join(missing, ", ")
		if !*allowMissing {
			return bad(fmt.Errorf("shards %s of run %s are missing (inputs: %s); give them, or -allow-missing to merge a partial run",
				list, merged.RunID, legend(shards, paths)))
		}
		merged.Partial = true
		merged.PartialReason = strings.TrimPrefix(merged.PartialReason+"; shards missing: "+list, "; ")
		merged.Notes = append(merged.Notes, "merged without shards "+list+" (-allow-missing)")
	}
	dir, err := outDir(*out, merged.RunID)
	if err != nil {
		return bad(err)
	}

	merged.Budgets = budget.Evaluate(merged, budgets)
	if err := reports.WriteAll(dir, merged); err != nil {
		return bad(fmt.Errorf("-out %s: %w", dir, err))
	}
	if err := reports.WriteTable(stdout, merged); err != nil {
		return bad(err)
	}
	failed := writeVerdicts(stdout, merged.Budgets)
	fmt.Fprintf(stdout, "\nmerged %d shards (%s) of run %s into %s\n",
		len(shards), strings.Join(merged.Shards, ", "), merged.RunID, dir)
	switch {
	case failed > 0:
		fmt.Fprintf(stdout, "FAIL: %d of %d budgets broken on the merged run\n", failed, len(merged.Budgets))
		return exitFailed
	case merged.Partial:
		fmt.Fprintf(stdout, "FAIL: the merged run is partial: %s\n", merged.PartialReason)
		return exitFailed
	}
	fmt.Fprintf(stdout, "PASS: %d budgets held on the merged run\n", len(merged.Budgets))
	return exitOK
}

// readShards reads every summary and reports every unreadable one at once,
// each naming its file. A JSON file without a run id is not a trafficsim
// summary and is refused rather than merged as an empty shard.
func readShards(paths []string) ([]*reports.Summary, error) {
	shards := make([]*reports.Summary, 0, len(paths))
	var errs []error
	for _, p := range paths {
		s, err := reports.ReadSummary(p)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("shard %s: %w", p, err))
		case s.RunID == "":
			errs = append(errs, fmt.Errorf("shard %s: not a trafficsim summary: no run_id", p))
		default:
			shards = append(shards, s)
		}
	}
	return shards, errors.Join(errs...)
}

// unionBudgets parses the budgets every shard was judged on and returns
// their union, deduplicated by canonical expression (Budget.String, which
// keeps " abort"), in order of first appearance. Every expression that does
// not parse is reported at once, naming its file.
func unionBudgets(shards []*reports.Summary, paths []string) ([]budget.Budget, error) {
	var out []budget.Budget
	seen := map[string]bool{}
	var errs []error
	for i, s := range shards {
		exprs := make([]string, 0, len(s.Budgets))
		for _, v := range s.Budgets {
			if v.Expr == "" {
				errs = append(errs, fmt.Errorf("shard %s: budget %q has no expression to evaluate again", paths[i], v.Name))
				continue
			}
			exprs = append(exprs, v.Expr)
		}
		bs, err := budget.ParseList(exprs)
		if err != nil {
			errs = append(errs, fmt.Errorf("shard %s: budgets: %w", paths[i], err))
			continue
		}
		for _, b := range bs {
			if key := b.String(); !seen[key] {
				seen[key] = true
				out = append(out, b)
			}
		}
	}
	return out, errors.Join(errs...)
}

// missingShards returns the shards "i/n" of a split run that are not in
// names, in index order. A whole run (no names) misses nothing; Merge has
// already refused names that split the run differently.
func missingShards(names []string) []string {
	n := 0
	have := map[int]bool{}
	for _, name := range names {
		a, b, ok := strings.Cut(name, "/")
		i, err1 := strconv.Atoi(a)
		count, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		n = count
		have[i] = true
	}
	var missing []string
	for i := range n {
		if !have[i] {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	return missing
}

// outDir returns -out, or defaultOutRoot/<run_id>-merged when it is empty.
// A run id that is not a plain file name cannot name a directory safely.
func outDir(flagValue, runID string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if runID == "." || runID == ".." || strings.ContainsAny(runID, `/\`) || runID != filepath.Base(runID) {
		return "", fmt.Errorf("-out: run id %q cannot name a directory; give -out", runID)
	}
	return filepath.Join(defaultOutRoot, runID+"-merged"), nil
}

// writeVerdicts prints one line per budget and returns how many failed.
func writeVerdicts(w io.Writer, verdicts []reports.Budget) int {
	if len(verdicts) == 0 {
		fmt.Fprintln(w, "\nno budgets: the shards were judged on none")
		return 0
	}
	fmt.Fprintln(w, "\nbudgets, judged on the merged run:")
	failed := 0
	for _, v := range verdicts {
		mark := "PASS"
		if !v.Passed {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "  %s  %s  %s: %s\n", mark, v.Name, v.Expr, v.Message)
	}
	return failed
}

// legend names each input by its shard, "0/4=path", so an error from Merge,
// which names shards, leads to the files.
func legend(shards []*reports.Summary, paths []string) string {
	parts := make([]string, 0, len(shards))
	for i, s := range shards {
		label := s.Shard
		if label == "" {
			label = strings.Join(s.Shards, ",")
		}
		if label == "" {
			label = "(whole run)"
		}
		parts = append(parts, label+"="+paths[i])
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
