package deploy

import (
	"fmt"
	"strings"
	"time"
)

// ExpandQuery replaces the Grafana variables of a dashboard query so that
// Prometheus can run it: $__rate_interval, $__interval and $__range become
// window (in whole seconds, at least 1s), and every dashboard variable
// ($job, $run_id, ...; all are used as regex matchers) becomes ".*", the
// dashboard's "All" value.
func ExpandQuery(expr string, window time.Duration) string {
	win := fmt.Sprintf("%ds", max(int64(window/time.Second), 1))
	var b strings.Builder
	for i := 0; i < len(expr); {
		if expr[i] != '$' {
			b.WriteByte(expr[i])
			i++
			continue
		}
		name, n := variableAt(expr[i:])
		if n == 0 {
			b.WriteByte('$')
			i++
			continue
		}
		if strings.HasPrefix(name, "__") {
			b.WriteString(win)
		} else {
			b.WriteString(".*")
		}
		i += n
	}
	return b.String()
}

// variableAt parses a Grafana variable ($name or ${name} or ${name:fmt}) at
// the start of s and returns its name and length, or 0 when there is none.
func variableAt(s string) (string, int) {
	if strings.HasPrefix(s, "${") {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", 0
		}
		name, _, _ := strings.Cut(s[2:end], ":")
		return name, end + 1
	}
	n := 1
	for n < len(s) && isIdentByte(s[n], n > 1) {
		n++
	}
	if n == 1 {
		return "", 0
	}
	return s[1:n], n
}

// isAggregation reports whether word is a PromQL aggregation operator,
// which may be followed by "by (...)" before its parenthesis.
func isAggregation(word string) bool {
	switch word {
	case "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
		"bottomk", "topk", "quantile", "limitk", "limit_ratio":
		return true
	}
	return false
}

// isLabelListKeyword reports whether word is followed by a parenthesised
// list of label names.
func isLabelListKeyword(word string) bool {
	switch word {
	case "by", "without", "on", "ignoring", "group_left", "group_right":
		return true
	}
	return false
}

// isKeyword reports whether word is one of the remaining PromQL words that
// are not metric names.
func isKeyword(word string) bool {
	switch strings.ToLower(word) {
	case "and", "or", "unless", "bool", "offset", "inf", "nan", "start", "end", "atan2":
		return true
	}
	return false
}

// MetricNames returns the metric names a PromQL expression selects, in
// order of appearance, by a small lexer: it skips strings, label matchers
// ({...}), ranges ([...]), numbers, variables, functions and aggregations
// (words followed by "("), keywords and the label lists of by/without/on/
// ignoring/group_left/group_right. It does not validate the expression.
func MetricNames(expr string) []string {
	var names []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(expr, i)
		case c == '{':
			i = skipTo(expr, i, '}')
		case c == '[':
			i = skipTo(expr, i, ']')
		case c == '$':
			_, n := variableAt(expr[i:])
			i += max(n, 1)
		case c >= '0' && c <= '9' || c == '.':
			for i < len(expr) && (isIdentByte(expr[i], true) || expr[i] == '.') {
				i++
			}
		case isIdentByte(c, false):
			start := i
			for i < len(expr) && isIdentByte(expr[i], true) {
				i++
			}
			word := expr[start:i]
			next := skipSpace(expr, i)
			switch {
			case isLabelListKeyword(word):
				if next < len(expr) && expr[next] == '(' {
					i = skipTo(expr, next, ')')
				}
			case isAggregation(word), isKeyword(word):
			case next < len(expr) && expr[next] == '(': // a function call
			default:
				names = append(names, word)
			}
		default:
			i++
		}
	}
	return names
}

// isIdentByte reports whether c may appear in a metric name (at a later
// position when later is true).
func isIdentByte(c byte, later bool) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || later && c >= '0' && c <= '9'
}

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string literal starting at i.
func skipString(s string, i int) int {
	quote := s[i]
	for i++; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quote != '`':
			i++
		case s[i] == quote:
			return i + 1
		}
	}
	return len(s)
}

// skipTo returns the index after the byte close matching the opener at i,
// skipping string literals (label values may contain the closer).
func skipTo(s string, i int, close byte) int {
	for i++; i < len(s); {
		switch s[i] {
		case '"', '\'', '`':
			i = skipString(s, i)
		case close:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}
