package budget

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzExprs seed FuzzParse with valid and invalid expressions.
var fuzzExprs = []string{
	"p95(GET /api/users/*) < 150ms",
	"p95( /api/users/* )<1.5s abort",
	"p99.9(archetype=admin) <= 800us",
	"max(* *) < 1m30s",
	"mean(get /x) < 1.2345ms",
	"error_rate < 1%",
	"error_rate(GET /api/users*) < 0.01",
	"errors(archetype=a=b) == 0",
	"rps >= 12.5 req/s abort",
	"requests > 1000",
	"heap_per_vu < 8 KiB",
	"heap_peak < 1.1KB",
	"goroutine_leaks == 0",
	"coverage >= 0.95",
	"violations <= 3",
	"dropped == 0 abort",
	"dropped_rate < 0.5 %",
	"",
	"p95",
	"p100 < 1s",
	"p95(GET /x < 1s",
	"p95((GET /x)) < 1s",
	"p95(GET) < 1s",
	"rps < 5",
	"error_rate < 0%",
	"errors < 99999999999999999999",
	"coverage >= 100% abort",
	"p95 < 9999999999999999999h",
	"heap_peak < 1e9B",
	"p95(GET /\xff) < 1s",
	"p95 < 1s abort abort",
}

func FuzzParse(f *testing.F) {
	for _, e := range fuzzExprs {
		f.Add(e)
	}
	s := fixtureSummary(f)
	f.Fuzz(func(t *testing.T, expr string) {
		b, err := Parse(expr)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %v is not a *ParseError", expr, err)
			}
			if pe.Column < 1 || pe.Column > utf8.RuneCountInString(expr)+1 {
				t.Fatalf("Parse(%q): column %d outside the expression", expr, pe.Column)
			}
			if b != (Budget{}) {
				t.Fatalf("Parse(%q) failed but returned %#v", expr, b)
			}
			return
		}
		text := b.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("canonical text %q of %q does not parse: %v", text, expr, err)
		}
		if again != b {
			t.Fatalf("canonical text %q of %q parses to %#v, want %#v", text, expr, again, b)
		}
		if again.String() != text {
			t.Fatalf("canonical text is not stable: %q then %q", text, again.String())
		}
		if name := b.Name(); !strings.HasPrefix(name, "budget/"+b.metric) || strings.ContainsAny(name, " \t\n") {
			t.Fatalf("Name() = %q for %q", name, expr)
		}
		v := Evaluate(s, []Budget{b})
		if len(v) != 1 {
			t.Fatalf("Evaluate returned %d verdicts for one budget", len(v))
		}
		if strings.Contains(v[0].Message, "no data") && v[0].Passed {
			t.Fatalf("%q passed with no data: %s", text, v[0].Message)
		}
	})
}

func FuzzParseFile(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("testdata", "budgets.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, seed := range []string{
		"budgets:\n  - p95 < 1s\n",
		"budgets: [p95 < 1s, {expr: rps > 1, abort: true}]\n",
		"budgets:\n  - &a p95 < 1s\n  - *a\n",
		"budgets:\n  - expr: rps > 5\n    abort: false\n",
		"",
		"budgets:\n",
		"budgets: []\n",
		"- p95 < 1s\n",
		"budgets:\n\t- p95 < 1s\n",
		"budgets:\n  - p95 < 1s\n - error_rate < 1%\n",
		"budgets:\n  - expr: coverage >= 1\n    abort: true\n",
		"budgets:\n  - {expr: [x]}\n",
		"budgets:\n  - \"p95 < 1s\n",
		"x: &a [*a]\nbudgets: *a\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := ParseYAML("f.yaml", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.File != "f.yaml" {
				t.Fatalf("error %v does not name the file", err)
			}
			return
		}
		if len(bs) == 0 {
			t.Fatalf("no error and no budgets for %q", data)
		}
		for _, b := range bs {
			again, err := Parse(b.String())
			if err != nil || again != b {
				t.Fatalf("budget %q from the file does not round-trip: %#v, %v", b.String(), again, err)
			}
		}
	})
}
