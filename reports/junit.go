package reports

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"
)

// RunTestcase is the name of the JUnit testcase that stands for the run
// itself: it is always present and fails when the run was stopped early
// (Summary.Partial), so a truncated run never looks green in CI.
const RunTestcase = "run"

// CheckTestcasePrefix starts the name of a check's JUnit testcase:
// "check/has id".
const CheckTestcasePrefix = "check/"

// JUnit failure types, in the type attribute of a <failure> element.
const (
	FailureTypeBudget  = "budget"
	FailureTypePartial = "partial"
	// FailureTypeSimulation marks a fault of the simulation itself
	// (Summary.Problems).
	FailureTypeSimulation = "simulation"
)

// SimulationTestcase is the JUnit testcase of Summary.Problems, present
// only when the simulation has some.
const SimulationTestcase = "simulation"

// defaultSuiteName names the testsuite of a summary without a simulation name.
const defaultSuiteName = "trafficsim"

// WriteJUnit writes dir/junit.xml: one testsuite named after the simulation,
// with the run id, seed and target as properties; a testcase "run" that
// fails when the run is partial; and one testcase per budget, in the order of
// s.Budgets, with a <failure type="budget"> holding the budget's message when
// it is broken. Jenkins and GitLab read the file as they read go test's.
func WriteJUnit(dir string, s *Summary) error {
	if s == nil {
		return errors.New("write junit: nil summary")
	}
	suites := JUnit(s)
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if err := suites.WriteXML(&buf); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	return writeFileAtomic(dir, JUnitFile, buf.Bytes())
}

// JUnit returns the JUnit document WriteJUnit writes, for callers that embed
// it in a larger report or write it elsewhere.
func JUnit(s *Summary) junit.Testsuites {
	name := s.Simulation
	if name == "" {
		name = defaultSuiteName
	}
	suite := junit.Testsuite{
		Name: xmlSafe(name),
		Time: junitSeconds(s.DurationSeconds),
	}
	if !s.Started.IsZero() {
		suite.Timestamp = s.Started.UTC().Format(time.RFC3339)
	}
	suite.AddProperty("run_id", xmlSafe(s.RunID))
	suite.AddProperty("seed", strconv.FormatInt(s.Seed, 10))
	suite.AddProperty("target", xmlSafe(s.Target))
	if s.Shard != "" {
		suite.AddProperty("shard", xmlSafe(s.Shard))
	}
	if len(s.Shards) > 0 {
		suite.AddProperty("shards", xmlSafe(strings.Join(s.Shards, ",")))
	}
	if s.Version != "" {
		suite.AddProperty("version", xmlSafe(s.Version))
	}

	run := junit.Testcase{
		Name:      RunTestcase,
		Classname: xmlSafe(name),
		Time:      junitSeconds(s.DurationSeconds),
	}
	if s.Partial {
		msg := s.PartialReason
		if msg == "" {
			msg = "run stopped early"
		}
		run.Failure = &junit.Result{
			Message: xmlSafe(msg),
			Type:    FailureTypePartial,
			Data:    xmlSafe(fmt.Sprintf("run %s stopped after %.1fs: %s", s.RunID, s.DurationSeconds, msg)),
		}
	}
	suite.AddTestcase(run)
	if len(s.Problems) > 0 {
		msg := strings.Join(s.Problems, "; ")
		suite.AddTestcase(junit.Testcase{
			Name: SimulationTestcase, Classname: xmlSafe(name), Time: junitSeconds(0),
			Failure: &junit.Result{Message: xmlSafe(msg), Type: FailureTypeSimulation, Data: xmlSafe(strings.Join(s.Problems, "\n"))},
		})
	}

	seen := map[string]int{}
	for _, b := range s.Budgets {
		// Two budgets of one name (a -budget and the same in code) get the
		// names go test gives their subtests, "name" and "name#01", so no
		// CI dashboard merges a failing testcase with a passing one.
		tcName := b.Name
		if n := seen[b.Name]; n > 0 {
			tcName = fmt.Sprintf("%s#%02d", b.Name, n)
		}
		seen[b.Name]++
		tc := junit.Testcase{
			Name:      xmlSafe(tcName),
			Classname: xmlSafe(name),
			Time:      junitSeconds(0),
		}
		if !b.Passed {
			tc.Failure = &junit.Result{
				Message: xmlSafe(b.Message),
				Type:    FailureTypeBudget,
				Data:    xmlSafe(budgetDetail(b)),
			}
		}
		suite.AddTestcase(tc)
	}
	for _, c := range s.Checks {
		// A check's testcase carries its counts; it fails only through a
		// budget on checks, so junit.xml and the test's verdict agree.
		suite.AddTestcase(junit.Testcase{
			Name:      xmlSafe(CheckTestcasePrefix + c.Name),
			Classname: xmlSafe(name),
			Time:      junitSeconds(0),
			SystemOut: &junit.Output{Data: xmlSafe(fmt.Sprintf("check %q: %d passed, %d failed", c.Name, c.Passes, c.Fails))},
		})
	}
	if len(s.Notes) > 0 {
		suite.SystemOut = &junit.Output{Data: xmlSafe(strings.Join(s.Notes, "\n"))}
	}

	var suites junit.Testsuites
	suites.Name = suite.Name
	suites.Time = suite.Time
	suites.AddSuite(suite)
	return suites
}

// budgetDetail is the body of a broken budget's failure element: what was
// measured against what, so the CI page needs no other file to explain it.
func budgetDetail(b Budget) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n", b.Message)
	if b.Expr != "" {
		fmt.Fprintf(&sb, "expr: %s\n", b.Expr)
	}
	unit := ""
	if b.Unit != "" {
		unit = " " + b.Unit
	}
	fmt.Fprintf(&sb, "measured: %s%s\nlimit: %s%s\nsamples: %d",
		strconv.FormatFloat(b.Measured, 'g', -1, 64), unit,
		strconv.FormatFloat(b.Limit, 'g', -1, 64), unit, b.Samples)
	if b.Abort {
		sb.WriteString("\nabort: the run was stopped by this budget")
	}
	return sb.String()
}

// junitSeconds formats seconds the way go-junit-report does (three decimals).
func junitSeconds(sec float64) string {
	return strconv.FormatFloat(sec, 'f', 3, 64)
}

// xmlSafe replaces characters XML 1.0 cannot carry (control characters, lone
// surrogates) with U+FFFD. encoding/xml escapes markup but writes CDATA and
// some control characters as they are, which JUnit readers then reject.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0x09 || r == 0x0A || r == 0x0D,
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}
