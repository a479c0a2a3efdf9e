package budget

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseError is a problem with one budget expression or one item of a
// budget file. Its message says what was expected and where: the file and
// line when the budget came from a file, and the column in the expression.
type ParseError struct {
	// File is the budget file, or "" for an expression given directly.
	File string
	// Line is the 1-based line in File, or 0 when not known.
	Line int
	// Expr is the expression, or "" for a problem with the file's shape.
	Expr string
	// Column is the 1-based column in Expr, counted in characters, or 0
	// when the problem is not at one place.
	Column int
	// Msg says what was wrong and what was expected.
	Msg string
	// Err is the underlying error (from the YAML decoder), if any.
	Err error
}

// Error formats the problem as "file:line: budget "expr": column N: msg",
// leaving out the parts that do not apply.
func (e *ParseError) Error() string {
	var sb strings.Builder
	if e.File != "" {
		sb.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&sb, ":%d", e.Line)
		}
		sb.WriteString(": ")
	}
	if e.Expr != "" || e.Column > 0 {
		fmt.Fprintf(&sb, "budget %q: ", e.Expr)
	}
	if e.Column > 0 {
		fmt.Fprintf(&sb, "column %d: ", e.Column)
	}
	sb.WriteString(e.Msg)
	return sb.String()
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse parses one budget expression, such as "p95(GET /api/users/*) <
// 150ms", "error_rate < 1%" or "rps > 50 abort". Whitespace between the
// parts is free. An error is a *ParseError naming the expression and the
// column where it went wrong.
func Parse(expr string) (Budget, error) {
	p := &parser{src: expr}
	b, err := p.parse()
	if err != nil {
		return Budget{}, err
	}
	return b, nil
}

// ParseList parses every expression and reports every problem at once: the
// error joins one *ParseError per bad expression (see errors.Join), so a
// configuration with three typos is fixed in one round. It returns no
// budgets when any expression is bad.
func ParseList(exprs []string) ([]Budget, error) {
	bs := make([]Budget, 0, len(exprs))
	var errs []error
	for _, e := range exprs {
		b, err := Parse(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		bs = append(bs, b)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return bs, nil
}

// parser reads one expression from src; pos is a byte offset into it.
type parser struct {
	src string
	pos int
}

// fail returns a *ParseError at byte offset at.
func (p *parser) fail(at int, format string, args ...any) error {
	return &ParseError{
		Expr:   p.src,
		Column: utf8.RuneCountInString(p.src[:at]) + 1,
		Msg:    fmt.Sprintf(format, args...),
	}
}

// parse reads: metric [ "(" selector ")" ] operator limit [ "abort" ].
func (p *parser) parse() (Budget, error) {
	if !utf8.ValidString(p.src) {
		at := 0
		for at < len(p.src) {
			r, size := utf8.DecodeRuneInString(p.src[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return Budget{}, p.fail(at, "invalid UTF-8")
	}
	p.skipSpace()
	if p.eof() {
		return Budget{}, p.fail(p.pos, "empty budget; expected an expression like p95(GET /api/users/*) < 150ms or error_rate < 1%%")
	}
	nameAt := p.pos
	name := strings.ToLower(p.word())
	var b Budget
	if q, isQuantile := parseQuantile(name); isQuantile {
		name, b.quantile = quantileName(q), q // p095 is p95
	}
	m, ok := lookupMetric(name)
	if !ok {
		return Budget{}, p.unknownMetric(nameAt, name)
	}
	b.metric = name

	p.skipSpace()
	// A bad selector does not hide a problem after it (a missing limit):
	// both are reported, when the selector's ")" lets parsing go on.
	var selErr error
	if p.peek() == '(' {
		open := p.pos
		sel, err := p.selector(m)
		if err != nil && p.pos <= open {
			return Budget{}, err
		}
		b.sel, selErr = sel, err
		p.skipSpace()
	}
	fail := func(err error) (Budget, error) { return Budget{}, errors.Join(selErr, err) }

	opAt := p.pos
	o, err := p.operator(m)
	if err != nil {
		return fail(err)
	}
	if !m.accepts(o) {
		return fail(p.fail(opAt, "%s takes %s, got %s", name, m.operators(), o))
	}
	b.op = o

	p.skipSpace()
	limitAt := p.pos
	tok := p.limitToken(m.kind)
	if tok == "" {
		return fail(p.fail(p.pos, "expected %s after %s", kindExample(m.kind), o))
	}
	lim, err := parseLimit(m.kind, tok)
	if err != nil {
		return fail(p.fail(limitAt, "%s", err.Error()))
	}
	if err := p.checkSatisfiable(m, o, lim, limitAt); err != nil {
		return fail(err)
	}
	if selErr != nil {
		return Budget{}, selErr
	}
	b.limit, b.dur, b.text = lim.value, lim.dur, lim.text

	p.skipSpace()
	if !p.eof() {
		abortAt := p.pos
		if w := p.word(); !strings.EqualFold(w, "abort") {
			return Budget{}, p.fail(abortAt, "expected the end of the budget or \"abort\", got %q", p.src[abortAt:])
		}
		if m.phase == phaseFinal {
			return Budget{}, p.fail(abortAt, "%s is only known when the run ends, so it cannot abort a run; remove \"abort\"", name)
		}
		b.Abort = true
		p.skipSpace()
		if !p.eof() {
			return Budget{}, p.fail(p.pos, "expected the end of the budget after \"abort\", got %q", p.src[p.pos:])
		}
	}
	return b, nil
}

// unknownMetric explains a metric name that is not known.
func (p *parser) unknownMetric(at int, name string) error {
	if name == "" {
		return p.fail(at, "expected a metric name (%s), got %q", knownMetrics, p.src[at:])
	}
	if num, ok := strings.CutPrefix(name, "p"); ok && isDecimal(num) {
		return p.fail(at, "percentile %s out of range; expected p followed by a number between 0 and 100 such as p95 or p99.9 (use max for p100)", name)
	}
	msg := fmt.Sprintf("unknown metric %q; known: %s", name, knownMetrics)
	if len(name) < 32 {
		if s := suggest(name); s != "" {
			msg = fmt.Sprintf("unknown metric %q (did you mean %s?); known: %s", name, s, knownMetrics)
		}
	}
	return p.fail(at, "%s", msg)
}

// operator reads a comparison operator.
func (p *parser) operator(m metric) (op, error) {
	for _, c := range []struct {
		text string
		op   op
	}{{"<=", opLE}, {">=", opGE}, {"==", opEQ}, {"<", opLT}, {">", opGT}} {
		if strings.HasPrefix(p.src[p.pos:], c.text) {
			p.pos += len(c.text)
			return c.op, nil
		}
	}
	switch {
	case p.eof():
		return 0, p.fail(p.pos, "expected %s after %s", m.operators(), strings.TrimSpace(p.src[:p.pos]))
	case p.peek() == '=':
		return 0, p.fail(p.pos, "expected %s, got = (equality is ==)", m.operators())
	}
	return 0, p.fail(p.pos, "expected %s, got %q", m.operators(), p.src[p.pos:])
}

// limitToken reads the limit: a run of characters up to a space or an
// operator. A bare number followed by a space and a unit of the metric's
// kind ("150 ms", "1 %") is read as one token.
func (p *parser) limitToken(k valueKind) string {
	tok := p.token()
	if !isDecimal(tok) {
		return tok
	}
	save := p.pos
	p.skipSpace()
	if unit := p.token(); isUnit(k, unit) {
		return tok + unit
	}
	p.pos = save
	return tok
}

// token reads characters up to a space, a parenthesis or an operator.
func (p *parser) token() string {
	start := p.pos
	for !p.eof() && !isSpace(p.peek()) && !strings.ContainsRune("()<>=!", rune(p.peek())) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// word reads a run of letters, digits, '_' and '.'.
func (p *parser) word() string {
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if !(c == '_' || c == '.' || isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			break
		}
		p.pos++
	}
	return p.src[start:p.pos]
}

// checkSatisfiable rejects limits no measurement can meet, which are
// always typos: "errors < 0", "coverage > 100%".
func (p *parser) checkSatisfiable(m metric, o op, lim limit, at int) error {
	switch {
	case o == opLT && lim.value <= 0:
		return p.fail(at, "%s < %s can never pass; did you mean <= %s?", m.name, lim.text, lim.text)
	case m.kind == kindRatio && o == opGT && lim.value >= 100:
		return p.fail(at, "%s > %s can never pass; did you mean >= %s?", m.name, lim.text, lim.text)
	}
	return nil
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

// peek returns the byte at the current position, or 0 at the end.
func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) skipSpace() {
	for !p.eof() && isSpace(p.peek()) {
		p.pos++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// isUnit reports whether unit, written apart from its number, is a unit of
// limits of kind k.
func isUnit(k valueKind, unit string) bool {
	switch k {
	case kindDuration:
		return unit != "" && isDuration("1"+unit)
	case kindRatio:
		return unit == "%"
	case kindRate:
		return unit == "/s" || unit == "req/s"
	case kindBytes:
		_, ok := sizeUnit(unit)
		return ok
	}
	return false
}

// kindExample describes the limit a metric kind expects, for messages.
func kindExample(k valueKind) string {
	switch k {
	case kindDuration:
		return "a duration like 150ms"
	case kindRatio:
		return "a percentage like 1%"
	case kindRate:
		return "requests per second like 200"
	case kindBytes:
		return "a size like 8KiB"
	}
	return "a whole number"
}
