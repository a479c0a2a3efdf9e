package budget

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		expr      string
		wantText  string
		wantName  string
		wantAbort bool
	}{
		{"percentile with glob", "p95(GET /api/users/*) < 150ms", "p95(GET /api/users/*) < 150ms", "budget/p95/GET_/api/users/*", false},
		{"any method, spaces, abort", "p95( /api/users/* )<1.5s abort", "p95(/api/users/*) < 1.5s abort", "budget/p95/*_/api/users/*/abort", true},
		{"star method is any method", "p99(* /api/*) <= 300ms", "p99(/api/*) <= 300ms", "budget/p99/*_/api/*", false},
		{"fractional percentile, archetype, case", "P99.9(archetype = admin) <= 800us", "p99.9(archetype=admin) <= 800us", "budget/p99.9/archetype=admin", false},
		{"leading zero percentile", "p095 < 1s", "p95 < 1s", "budget/p95", false},
		{"any percentile", "p75(GET /x) < 20ms", "p75(GET /x) < 20ms", "budget/p75/GET_/x", false},
		{"lower-case method", "max(get *) < 2s", "max(GET *) < 2s", "budget/max/GET_*", false},
		{"compound duration", "mean(*) < 1m30s", "mean(*) < 90s", "budget/mean/*_*", false},
		{"micro sign", "p50 < 800µs", "p50 < 800us", "budget/p50", false},
		{"unit apart from number", "p95 < 150 ms", "p95 < 150ms", "budget/p95", false},
		{"sub-millisecond fraction", "p95 < 1.2345ms", "p95 < 1.2345ms", "budget/p95", false},
		{"error rate", "error_rate < 1%", "error_rate < 1%", "budget/error_rate", false},
		{"error rate as ratio per glob", "error_rate(GET /api/users*) < 0.01", "error_rate(GET /api/users*) < 1%", "budget/error_rate/GET_/api/users*", false},
		{"percent apart", "dropped_rate < 1 %", "dropped_rate < 1%", "budget/dropped_rate", false},
		{"errors", "errors < 10", "errors < 10", "budget/errors", false},
		{"errors equal", "errors(archetype=admin) == 0", "errors(archetype=admin) == 0", "budget/errors/archetype=admin", false},
		{"rps", "rps > 200", "rps > 200", "budget/rps", false},
		{"rps with unit, abort", "rps >= 12.5 req/s ABORT", "rps >= 12.5 abort", "budget/rps/abort", true},
		{"requests", "requests >= 1000", "requests >= 1000", "budget/requests", false},
		{"heap per VU", "heap_per_vu < 8KiB", "heap_per_vu < 8KiB", "budget/heap_per_vu", false},
		{"heap peak", "heap_peak < 512MiB", "heap_peak < 512MiB", "budget/heap_peak", false},
		{"decimal size exactly", "heap_peak < 1.1KB", "heap_peak < 1100B", "budget/heap_peak", false},
		{"bytes to decimal unit", "heap_peak < 8000B", "heap_peak < 8KB", "budget/heap_peak", false},
		{"fractional binary size", "heap_peak <= 1.5gib", "heap_peak <= 1.5GiB", "budget/heap_peak", false},
		{"goroutine leaks", "goroutine_leaks == 0", "goroutine_leaks == 0", "budget/goroutine_leaks", false},
		{"coverage percent", "coverage >= 100%", "coverage >= 100%", "budget/coverage", false},
		{"coverage ratio", "coverage >= 0.95", "coverage >= 95%", "budget/coverage", false},
		{"small ratio", "error_rate <= 0.005", "error_rate <= 0.5%", "budget/error_rate", false},
		{"violations", "violations == 0", "violations == 0", "budget/violations", false},
		{"dropped", "\tdropped == 0 abort\n", "dropped == 0 abort", "budget/dropped/abort", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse(tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.wantText, b.String())
			assert.Equal(t, tt.wantName, b.Name())
			assert.Equal(t, tt.wantAbort, b.Abort)

			again, err := Parse(b.String())
			require.NoError(t, err, "canonical text must parse")
			assert.Equal(t, b, again, "canonical text must round-trip")
		})
	}
}

func TestParse_errors(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"empty", "", `budget "": column 1: empty budget; expected an expression like p95(GET /api/users/*) < 150ms or error_rate < 1%`},
		{"no operator", "p95", `budget "p95": column 4: expected < or <= after p95`},
		{"no operator after glob", "p95(GET /x)", `budget "p95(GET /x)": column 12: expected < or <= after p95(GET /x)`},
		{"no limit", "p95(GET /x) <", `budget "p95(GET /x) <": column 14: expected a duration like 150ms after <`},
		{"wrong direction", "p95(GET /x) > 150ms", `budget "p95(GET /x) > 150ms": column 13: p95 takes < or <=, got >`},
		{"floor with upper operator", "rps < 200", `budget "rps < 200": column 5: rps takes > or >=, got <`},
		{"no duration unit", "p95(GET /x) < 150", `budget "p95(GET /x) < 150": column 15: expected a duration unit (ns, us, ms, s, m or h) after 150`},
		{"not a duration", "p95(GET /x) < abc", `budget "p95(GET /x) < abc": column 15: expected a duration like 150ms, 1.5s or 800us, got "abc"`},
		{"negative duration", "p95 < -1s", `budget "p95 < -1s": column 7: expected a duration like 150ms, 1.5s or 800us, got "-1s"`},
		{"zero duration", "p95(GET /x) < 0ms", `budget "p95(GET /x) < 0ms": column 15: a latency limit must be above 0, got 0ms`},
		{"unclosed selector", "p95(GET /x < 150ms", `budget "p95(GET /x < 150ms": column 4: missing ) to close the ( after p95`},
		{"empty selector", "p95() < 1s", `budget "p95() < 1s": column 5: expected an endpoint glob like GET /api/users/* or archetype=NAME between ( and )`},
		{"method without path", "p95(GET) < 1s", `budget "p95(GET) < 1s": column 5: expected a path after the method GET, like GET /api/users/*`},
		{"path without slash", "p95(GET x) < 1s", `budget "p95(GET x) < 1s": column 9: expected a path starting with / or *, like /api/users/*, got "x"`},
		{"bad method", "p95(G-T /x) < 1s", `budget "p95(G-T /x) < 1s": column 5: expected an HTTP method or * before the path, got "G-T"`},
		{"space in path", "p95(GET /x y) < 1s", `budget "p95(GET /x y) < 1s": column 12: unexpected "y": an endpoint glob is METHOD /path, with no spaces in the path`},
		{"nested parenthesis", "p95(GET /(x) < 1s", `budget "p95(GET /(x) < 1s": column 10: unexpected ( inside the ( ) of p95`},
		{"unknown selector", "p95(foo=bar) < 1s", `budget "p95(foo=bar) < 1s": column 5: unknown selector "foo"; expected archetype=NAME or an endpoint glob like GET /api/users/*`},
		{"empty archetype", "p95(archetype=) < 1s", `budget "p95(archetype=) < 1s": column 5: expected an archetype name after archetype=`},
		{"selector on run figure", "heap_peak(GET /x) < 1MiB", `budget "heap_peak(GET /x) < 1MiB": column 10: heap_peak is a figure of the whole run and takes no ( )`},
		{"p100", "p100 < 1s", `budget "p100 < 1s": column 1: percentile p100 out of range; expected p followed by a number between 0 and 100 such as p95 or p99.9 (use max for p100)`},
		{"p0", "p0 < 1s", `budget "p0 < 1s": column 1: percentile p0 out of range; expected p followed by a number between 0 and 100 such as p95 or p99.9 (use max for p100)`},
		{"unknown metric", "latency < 1s", `budget "latency < 1s": column 1: unknown metric "latency"; known: ` + knownMetrics},
		{"typo gets a suggestion", "eror_rate < 1%", `budget "eror_rate < 1%": column 1: unknown metric "eror_rate" (did you mean error_rate?); known: ` + knownMetrics},
		{"no metric", "< 1s", `budget "< 1s": column 1: expected a metric name (` + knownMetrics + `), got "< 1s"`},
		{"ratio above one", "error_rate < 5", `budget "error_rate < 5": column 14: a ratio must be between 0 and 1 (write percentages with %), got 5`},
		{"percent above 100", "error_rate < 101%", `budget "error_rate < 101%": column 14: a percentage must be between 0% and 100%, got 101%`},
		{"never passes below zero", "error_rate < 0%", `budget "error_rate < 0%": column 14: error_rate < 0% can never pass; did you mean <= 0%?`},
		{"never passes above 100", "coverage > 100%", `budget "coverage > 100%": column 12: coverage > 100% can never pass; did you mean >= 100%?`},
		{"count below zero", "errors < 0", `budget "errors < 0": column 10: errors < 0 can never pass; did you mean <= 0?`},
		{"final metric cannot abort", "coverage >= 100% abort", `budget "coverage >= 100% abort": column 18: coverage is only known when the run ends, so it cannot abort a run; remove "abort"`},
		{"single equals", "errors = 0", `budget "errors = 0": column 8: expected <, <= or ==, got = (equality is ==)`},
		{"equality on a rate", "error_rate == 0%", `budget "error_rate == 0%": column 12: error_rate takes < or <=, got ==`},
		{"fractional count", "errors < 1.5", `budget "errors < 1.5": column 10: expected a whole number, got "1.5"`},
		{"huge count", "errors < 99999999999999999999", `budget "errors < 99999999999999999999": column 10: number "99999999999999999999" is too large`},
		{"trailing word", "rps > 50 abrt", `budget "rps > 50 abrt": column 10: expected the end of the budget or "abort", got "abrt"`},
		{"text after abort", "rps > 50 abort now", `budget "rps > 50 abort now": column 16: expected the end of the budget after "abort", got "now"`},
		{"size without unit", "heap_per_vu < 8", `budget "heap_per_vu < 8": column 15: expected a size unit (B, KiB, MiB, GiB, KB, MB, GB) after 8`},
		{"unknown size unit", "heap_per_vu < 8XB", `budget "heap_per_vu < 8XB": column 15: unknown size unit "XB"; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB`},
		{"rate not a number", "rps > fast", `budget "rps > fast": column 7: expected requests per second like 200 or 12.5, got "fast"`},
		{"column counts characters", "p95(GET /ü) < ü", `budget "p95(GET /ü) < ü": column 15: expected a duration like 150ms, 1.5s or 800us, got "ü"`},
		{"method without path", "p95(get) < 1s", `budget "p95(get) < 1s": column 5: expected a path after the method get, like GET /api/users/*`},
		// A word that is no method is not called one, and the missing limit
		// after it is reported with it, not in a second pass.
		{"not an endpoint, no limit", "p95(x) <", "budget \"p95(x) <\": column 5: expected an endpoint glob like GET /api/users/* or /api/users/*, or archetype=NAME, got \"x\"\n" +
			`budget "p95(x) <": column 9: expected a duration like 150ms after <`},
		{"invalid UTF-8", "p95(GET /\xff) < 1s", `budget "p95(GET /\xff) < 1s": column 10: invalid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse(tt.expr)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Zero(t, b, "a failed parse returns the zero Budget")

			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.expr, pe.Expr)
			assert.Positive(t, pe.Column)
		})
	}
}

func TestParseList(t *testing.T) {
	t.Run("all valid", func(t *testing.T) {
		bs, err := ParseList([]string{"p95 < 150ms", "error_rate < 1%", "rps > 50 abort"})
		require.NoError(t, err)
		require.Len(t, bs, 3)
		assert.Equal(t, "rps > 50 abort", bs[2].String())
		assert.True(t, bs[2].Abort)
	})
	t.Run("every problem at once", func(t *testing.T) {
		bs, err := ParseList([]string{"p95 < 150", "error_rate < 1%", "latncy < 1s"})
		require.Error(t, err)
		assert.Nil(t, bs)
		assert.Equal(t, `budget "p95 < 150": column 7: expected a duration unit (ns, us, ms, s, m or h) after 150`+"\n"+
			`budget "latncy < 1s": column 1: unknown metric "latncy"; known: `+knownMetrics, err.Error())
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "p95 < 150", pe.Expr)
	})
	t.Run("empty list", func(t *testing.T) {
		bs, err := ParseList(nil)
		require.NoError(t, err)
		assert.Empty(t, bs)
	})
}

func TestBudget_Windowed(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"p95(GET /x) < 1s", true},
		{"max < 1s", true},
		{"error_rate < 1%", true},
		{"rps > 10", true},
		{"dropped_rate < 1%", true},
		{"heap_per_vu < 8KiB", true},
		{"errors < 10", false},
		{"heap_peak < 1GiB", false},
		{"violations == 0", false},
		{"dropped == 0", false},
		{"requests >= 10", false},
		{"coverage >= 90%", false},
		{"goroutine_leaks == 0", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			assert.Equal(t, tt.want, mustParse(t, tt.expr).Windowed())
		})
	}
}

func TestBudget_zeroValue(t *testing.T) {
	var b Budget
	assert.Equal(t, "", b.String())
	assert.Equal(t, "budget/invalid", b.Name())
	assert.False(t, b.Windowed())

	v := Evaluate(fixtureSummary(t), []Budget{b})
	require.Len(t, v, 1)
	assert.False(t, v[0].Passed)
	assert.Equal(t, "invalid budget: build budgets with Parse, ParseList or ParseFile", v[0].Message)
}

func TestParseError_Error(t *testing.T) {
	tests := []struct {
		name string
		err  *ParseError
		want string
	}{
		{"expression", &ParseError{Expr: "p95", Column: 4, Msg: "m"}, `budget "p95": column 4: m`},
		{"file and line", &ParseError{File: "b.yaml", Line: 3, Expr: "p95", Column: 4, Msg: "m"}, `b.yaml:3: budget "p95": column 4: m`},
		{"file only", &ParseError{File: "b.yaml", Msg: "m"}, `b.yaml: m`},
		{"file shape", &ParseError{File: "b.yaml", Line: 2, Msg: "m"}, `b.yaml:2: m`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
	inner := errors.New("inner")
	assert.ErrorIs(t, &ParseError{Msg: "m", Err: inner}, inner)
}
