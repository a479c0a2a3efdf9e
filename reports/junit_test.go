package reports

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"
)

// readJUnit parses dir/junit.xml into go-junit-report's reader types.
func readJUnit(tb testing.TB, dir string) (junit.Testsuites, []byte) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		tb.Fatalf("read junit.xml: %v", err)
	}
	var suites junit.Testsuites
	if err := xml.Unmarshal(raw, &suites); err != nil {
		tb.Fatalf("junit.xml does not parse as JUnit: %v\n%s", err, raw)
	}
	return suites, raw
}

// xmlAttrs collects, per element name, the attributes of every element of
// the document, so a test can check that what CI servers read is there.
func xmlAttrs(tb testing.TB, raw []byte) map[string][]map[string]string {
	tb.Helper()
	out := map[string][]map[string]string{}
	dec := xml.NewDecoder(strings.NewReader(string(raw)))
	for range 100000 {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatalf("tokenize junit.xml: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			out[se.Name.Local] = append(out[se.Name.Local], attrs)
		}
	}
	tb.Fatal("junit.xml has too many tokens")
	return nil
}

func TestWriteJUnit(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Summary)
		wantTests int
		// wantFailures maps a testcase name to its failure message; an empty
		// message stands for the message of the summary's first budget.
		wantFailures map[string]string
	}{
		{
			name:         "one broken budget",
			edit:         func(*Summary) {},
			wantTests:    4,
			wantFailures: map[string]string{"budget/p95/POST /api/auth/login": ""},
		},
		{
			name: "all budgets pass",
			edit: func(s *Summary) {
				for i := range s.Budgets {
					s.Budgets[i].Passed = true
				}
			},
			wantTests:    4,
			wantFailures: map[string]string{},
		},
		{
			name: "partial run fails the run testcase",
			edit: func(s *Summary) {
				s.Budgets = s.Budgets[1:]
				s.Partial = true
				s.PartialReason = "interrupted by SIGINT after 37s"
			},
			wantTests:    3,
			wantFailures: map[string]string{RunTestcase: "interrupted by SIGINT after 37s"},
		},
		{
			name:         "no budgets keeps a passing run testcase",
			edit:         func(s *Summary) { s.Budgets = nil },
			wantTests:    1,
			wantFailures: map[string]string{},
		},
		{
			name: "markup and control characters survive",
			edit: func(s *Summary) {
				s.Simulation = `Test<Populate>&"x"`
				s.Budgets = []Budget{{Name: "budget/p99/GET /a?b=<c>", Message: "p99 \x01 is <over> & \"bad\""}}
			},
			wantTests:    2,
			wantFailures: map[string]string{"budget/p99/GET /a?b=<c>": "p99 \uFFFD is <over> & \"bad\""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSummary(t)
			tt.edit(s)
			dir := t.TempDir()
			if err := WriteJUnit(dir, s); err != nil {
				t.Fatalf("WriteJUnit: %v", err)
			}
			suites, raw := readJUnit(t, dir)

			if len(suites.Suites) != 1 {
				t.Fatalf("got %d testsuites, want 1", len(suites.Suites))
			}
			suite := suites.Suites[0]
			if suite.Name != s.Simulation {
				t.Errorf("testsuite name = %q, want %q", suite.Name, s.Simulation)
			}
			if suite.Tests != tt.wantTests || len(suite.Testcases) != tt.wantTests {
				t.Errorf("tests = %d with %d testcases, want %d", suite.Tests, len(suite.Testcases), tt.wantTests)
			}
			if suite.Failures != len(tt.wantFailures) || suite.Errors != 0 {
				t.Errorf("failures, errors = %d, %d; want %d, 0", suite.Failures, suite.Errors, len(tt.wantFailures))
			}
			if suite.Time != "120.000" {
				t.Errorf("testsuite time = %q, want 120.000", suite.Time)
			}

			props := map[string]string{}
			if suite.Properties == nil {
				t.Fatal("testsuite has no properties")
			}
			for _, p := range *suite.Properties {
				props[p.Name] = p.Value
			}
			for key, want := range map[string]string{"run_id": s.RunID, "seed": "42", "target": s.Target} {
				if props[key] != want {
					t.Errorf("property %s = %q, want %q", key, props[key], want)
				}
			}

			names := make([]string, 0, len(suite.Testcases))
			for _, tc := range suite.Testcases {
				names = append(names, tc.Name)
				if tc.Classname != s.Simulation {
					t.Errorf("classname of %s = %q, want %q", tc.Name, tc.Classname, s.Simulation)
				}
				want, broken := tt.wantFailures[tc.Name]
				switch {
				case !broken && tc.Failure != nil:
					t.Errorf("testcase %s failed with %q, want pass", tc.Name, tc.Failure.Message)
				case !broken:
				case tc.Failure == nil:
					t.Errorf("testcase %s passed, want failure", tc.Name)
				default:
					if want == "" {
						want = s.Budgets[0].Message
					}
					if tc.Failure.Message != want {
						t.Errorf("failure message of %s = %q, want %q", tc.Name, tc.Failure.Message, want)
					}
					wantType := FailureTypeBudget
					if tc.Name == RunTestcase {
						wantType = FailureTypePartial
					} else if !strings.Contains(tc.Failure.Data, "measured:") {
						t.Errorf("failure body of %s lacks the measured value: %q", tc.Name, tc.Failure.Data)
					}
					if tc.Failure.Type != wantType {
						t.Errorf("failure type of %s = %q, want %q", tc.Name, tc.Failure.Type, wantType)
					}
				}
			}
			if names[0] != RunTestcase {
				t.Errorf("first testcase = %q, want %q", names[0], RunTestcase)
			}
			for _, b := range s.Budgets {
				if !slices.Contains(names, b.Name) {
					t.Errorf("no testcase for budget %q in %q", b.Name, names)
				}
			}

			// The attributes Jenkins and GitLab read must be present, even
			// when zero, on the testsuite and on every testcase.
			attrs := xmlAttrs(t, raw)
			if len(attrs["testsuite"]) != 1 || len(attrs["testcase"]) != tt.wantTests {
				t.Fatalf("got %d testsuite and %d testcase elements", len(attrs["testsuite"]), len(attrs["testcase"]))
			}
			for _, key := range []string{"name", "tests", "failures", "errors", "time"} {
				if _, ok := attrs["testsuite"][0][key]; !ok {
					t.Errorf("testsuite lacks attribute %s", key)
				}
			}
			for _, tc := range attrs["testcase"] {
				for _, key := range []string{"name", "classname", "time"} {
					if _, ok := tc[key]; !ok {
						t.Errorf("testcase %q lacks attribute %s", tc["name"], key)
					}
				}
			}
			if len(attrs["failure"]) != len(tt.wantFailures) {
				t.Errorf("got %d failure elements, want %d", len(attrs["failure"]), len(tt.wantFailures))
			}
		})
	}
}

func TestWriteJUnit_Errors(t *testing.T) {
	tests := []struct {
		name    string
		dir     func(tb testing.TB) string
		summary *Summary
		wantErr string
	}{
		{
			name:    "nil summary",
			dir:     func(tb testing.TB) string { return tb.TempDir() },
			wantErr: "nil summary",
		},
		{
			name: "report dir is a file",
			dir: func(tb testing.TB) string {
				tb.Helper()
				path := filepath.Join(tb.TempDir(), "file")
				if err := os.WriteFile(path, nil, 0o644); err != nil {
					tb.Fatal(err)
				}
				return path
			},
			summary: &Summary{Simulation: "TestX"},
			wantErr: "create report dir",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteJUnit(tt.dir(t), tt.summary)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("WriteJUnit error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestJUnit_duplicateBudgetNames: two budgets of one name get the names
// their subtests have, so a failing one never hides behind a passing one of
// the same name.
func TestJUnit_duplicateBudgetNames(t *testing.T) {
	s := &Summary{Simulation: "dup", Budgets: []Budget{
		{Name: "budget/p95/GET_/x", Passed: false, Message: "p95 of GET /x was 2ms, budget 1us"},
		{Name: "budget/p95/GET_/x", Passed: true, Message: "p95 of GET /x was 2ms, budget 1s"},
	}}
	var names []string
	for _, tc := range JUnit(s).Suites[0].Testcases {
		if strings.HasPrefix(tc.Name, "budget/") {
			names = append(names, tc.Name)
		}
	}
	if len(names) != 2 || names[0] != "budget/p95/GET_/x" || names[1] != "budget/p95/GET_/x#01" {
		t.Errorf("budget testcases = %q, want the first plain and the second with #01", names)
	}
}
