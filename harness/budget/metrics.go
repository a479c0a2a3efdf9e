package budget

import (
	"strconv"
	"strings"
)

// knownMetrics lists the metric names an expression may use, for error
// messages; any pNN with 0 < NN < 100 is a latency percentile too.
const knownMetrics = "p50, p90, p95, p99, p99.9 (any pNN), max, mean, error_rate, errors, " +
	"rps, requests, heap_per_vu, heap_peak, goroutine_leaks, coverage, violations, " +
	"dropped, dropped_rate, checks"

// valueKind is the kind of limit a metric takes, which decides how the
// limit is written and which unit the verdict reports.
type valueKind uint8

const (
	kindDuration valueKind = iota + 1 // 150ms; reported in ms
	kindRatio                         // 1% or 0.01; reported in %
	kindCount                         // a whole number
	kindRate                          // requests per second
	kindBytes                         // 8KiB; reported in B
)

// unit returns the Unit of a verdict on a metric of this kind.
func (k valueKind) unit() string {
	switch k {
	case kindDuration:
		return "ms"
	case kindRatio:
		return "%"
	case kindRate:
		return "req/s"
	case kindBytes:
		return "B"
	}
	return ""
}

// phase says when during a run a metric can be judged.
type phase uint8

const (
	phaseWindow     phase = iota + 1 // meaningful over a recent window
	phaseCumulative                  // only grows: judged on the run so far
	phaseFinal                       // only known at the end: cannot abort
)

// selMask says which selectors a metric accepts besides none.
type selMask uint8

const (
	allowGlob selMask = 1 << iota
	allowArchetype
	allowCheckName // checks(NAME): a check's name, as written
)

// metric describes one metric an expression may name.
type metric struct {
	name  string
	kind  valueKind
	upper bool // true: the measured value must stay below the limit
	equal bool // true: "== N" is accepted besides the ordering operators
	sels  selMask
	phase phase
}

// lookupMetric returns the metric of a canonical name; "pNN" names a
// latency percentile.
func lookupMetric(name string) (metric, bool) {
	latency := metric{name: name, kind: kindDuration, upper: true, sels: allowGlob | allowArchetype, phase: phaseWindow}
	traffic := allowGlob | allowArchetype
	switch name {
	case "max", "mean":
		return latency, true
	case "error_rate":
		return metric{name: name, kind: kindRatio, upper: true, sels: traffic, phase: phaseWindow}, true
	case "errors":
		return metric{name: name, kind: kindCount, upper: true, equal: true, sels: traffic, phase: phaseCumulative}, true
	case "rps":
		return metric{name: name, kind: kindRate, sels: traffic, phase: phaseWindow}, true
	case "requests":
		return metric{name: name, kind: kindCount, sels: traffic, phase: phaseFinal}, true
	case "heap_per_vu":
		return metric{name: name, kind: kindBytes, upper: true, phase: phaseWindow}, true
	case "heap_peak":
		return metric{name: name, kind: kindBytes, upper: true, phase: phaseCumulative}, true
	case "goroutine_leaks":
		return metric{name: name, kind: kindCount, upper: true, equal: true, phase: phaseFinal}, true
	case "coverage":
		return metric{name: name, kind: kindRatio, phase: phaseFinal}, true
	case "violations", "dropped":
		return metric{name: name, kind: kindCount, upper: true, equal: true, phase: phaseCumulative}, true
	case "dropped_rate":
		return metric{name: name, kind: kindRatio, upper: true, phase: phaseWindow}, true
	case "checks":
		return metric{name: name, kind: kindRatio, sels: allowCheckName, phase: phaseCumulative}, true
	}
	if q, ok := parseQuantile(name); ok && quantileName(q) == name {
		return latency, true
	}
	return metric{}, false
}

// parseQuantile reads the NN of a "pNN" metric name; ok is false when the
// name is not of that form or NN is not strictly between 0 and 100.
func parseQuantile(name string) (float64, bool) {
	num, found := strings.CutPrefix(name, "p")
	if !found || !isDecimal(num) {
		return 0, false
	}
	q, err := strconv.ParseFloat(num, 64)
	if err != nil || q <= 0 || q >= 100 {
		return 0, false
	}
	return q, true
}

// operators returns the operators a metric accepts, for error messages.
func (m metric) operators() string {
	switch {
	case m.upper && m.equal:
		return "<, <= or =="
	case m.upper:
		return "< or <="
	}
	return "> or >="
}

// accepts reports whether the metric may be compared with o.
func (m metric) accepts(o op) bool {
	switch o {
	case opLT, opLE:
		return m.upper
	case opGT, opGE:
		return !m.upper
	case opEQ:
		return m.equal
	}
	return false
}

// suggest returns the known metric name closest to an unknown one, or ""
// when none is close enough to be a likely typo.
func suggest(name string) string {
	best, bestDist := "", 3
	for _, known := range strings.Split(knownMetrics, ", ") {
		known, _, _ = strings.Cut(known, " ")
		if d := editDistance(name, known); d < bestDist {
			best, bestDist = known, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes; the
// names compared are short, so the quadratic cost does not matter.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
