package budget

import (
	"strconv"
	"strings"
	"time"
)

// Budget is one parsed budget expression, such as
// "p95(GET /api/users/*) < 150ms" or "error_rate < 1%". Build one with
// Parse, ParseList or ParseFile; the zero value is not a valid budget and
// Evaluate fails it. Budget values are comparable with ==, and
// Parse(b.String()) returns a Budget equal to b.
type Budget struct {
	metric   string        // canonical metric name: "p95", "max", "error_rate", ...
	quantile float64       // 0–100 for a pNN metric
	sel      selector      // which endpoints or archetype, if any
	op       op            // the comparison the measured value must satisfy
	limit    float64       // in the unit Evaluate reports: ms, %, B, req/s or a count
	dur      time.Duration // the limit of a latency budget, exactly as written
	text     string        // the limit as written canonically: "150ms", "1%", "8KiB"

	// Abort asks the harness to stop the run early when this budget is
	// broken; it is set by a trailing "abort" in the expression or by
	// "abort: true" in a budget file.
	Abort bool
}

// Name returns the subtest name of the budget, "budget/<metric>/<target>",
// for example "budget/p95/GET_/api/users/*", "budget/p95/archetype=admin"
// or "budget/error_rate" for a figure of the whole run. Spaces are written
// as "_" (go test would rewrite them anyway) and "any method" as "*", so
// the name printed by go test is the name returned here.
func (b Budget) Name() string {
	name := "budget/" + b.metric
	if b.metric == "" {
		name = "budget/invalid"
	}
	switch b.sel.kind {
	case selGlob:
		method := b.sel.method
		if method == "" {
			method = "*"
		}
		name += "/" + method + "_" + b.sel.path
	case selArchetype:
		name += "/archetype=" + b.sel.archetype
	case selCheck:
		name += "/" + strings.ReplaceAll(b.sel.check, " ", "_")
	}
	if b.Abort {
		// An abort budget often repeats a plain one with a looser limit
		// (error_rate < 1% and error_rate < 50% abort); a name of its own
		// keeps the two apart in test output and junit.xml.
		name += "/abort"
	}
	return name
}

// String returns the canonical text of the expression: single spaces
// around the operator, upper-case methods, "any method" omitted, limits in
// their canonical unit (durations as "150ms", ratios as "1%", sizes as
// "8KiB") and a trailing " abort" when Abort is set.
func (b Budget) String() string {
	if b.metric == "" {
		return ""
	}
	var sb strings.Builder
	sb.WriteString(b.metric)
	if b.sel.kind != selNone {
		sb.WriteString("(" + b.sel.String() + ")")
	}
	sb.WriteString(" " + b.op.String() + " " + b.text)
	if b.Abort {
		sb.WriteString(" abort")
	}
	return sb.String()
}

// Windowed reports whether the harness should judge b, while the run is
// still going, on a Summary of a recent window (latency, rates, heap per
// VU) rather than on the cumulative Summary of the run so far (counts and
// the heap peak, which only grow, so once broken they stay broken). Only
// budgets with Abort set are judged during a run; see the package
// documentation.
func (b Budget) Windowed() bool {
	m, ok := lookupMetric(b.metric)
	return ok && m.phase == phaseWindow
}

// Metric returns the budget's canonical metric name: "p95", "max",
// "error_rate", "rps", "heap_per_vu", "dropped", ...
func (b Budget) Metric() string { return b.metric }

// selKind says what a budget's parenthesised selector names.
type selKind uint8

const (
	selNone      selKind = iota // the whole run
	selGlob                     // endpoints whose names match a glob
	selArchetype                // one archetype of virtual users
	selCheck                    // one named check
)

// selector picks the endpoints or the archetype a budget is about.
type selector struct {
	kind      selKind
	method    string // upper case; "" matches any method
	path      string // route glob: "*" matches any run of characters
	archetype string
	check     string // a check's name
}

// String returns the selector as written between the parentheses.
func (s selector) String() string {
	switch s.kind {
	case selGlob:
		if s.method == "" {
			return s.path
		}
		return s.method + " " + s.path
	case selArchetype:
		return "archetype=" + s.archetype
	case selCheck:
		return s.check
	}
	return ""
}

// op is a comparison between the measured value and the limit.
type op uint8

const (
	opLT op = iota + 1
	opLE
	opGT
	opGE
	opEQ
)

// String returns the operator as written in an expression.
func (o op) String() string {
	switch o {
	case opLT:
		return "<"
	case opLE:
		return "<="
	case opGT:
		return ">"
	case opGE:
		return ">="
	case opEQ:
		return "=="
	}
	return "?"
}

// holds reports whether measured satisfies the comparison against limit.
func (o op) holds(measured, limit float64) bool {
	switch o {
	case opLT:
		return measured < limit
	case opLE:
		return measured <= limit
	case opGT:
		return measured > limit
	case opGE:
		return measured >= limit
	case opEQ:
		return measured == limit
	}
	return false
}

// bound phrases the allowed range for a message: "150ms", "at most 150ms",
// "at least 200 req/s".
func (o op) bound(limit string) string {
	switch o {
	case opLE:
		return "at most " + limit
	case opGT:
		return "above " + limit
	case opGE:
		return "at least " + limit
	case opEQ:
		if limit != "0" {
			return "exactly " + limit
		}
	}
	return limit
}

// quantileName returns the canonical metric name of a percentile: "p99.9".
func quantileName(q float64) string {
	return "p" + strconv.FormatFloat(q, 'f', -1, 64)
}
