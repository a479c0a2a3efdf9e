package contract

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/reports"
)

// classNames name the status classes in Operation.ByClass, by status/100.
var classNames = [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// FillSummary writes the run's contract findings into s: Operations (every
// described operation, exercised or not, sorted by name), Coverage
// (operations exercised / operations described) and notes on requests to
// undescribed routes, on what the sample validated, and on what it had to
// skip. It replaces Operations and Coverage; it appends to Notes.
func (c *Checker) FillSummary(s *reports.Summary) {
	ops := make([]reports.Operation, 0, len(c.ops))
	exercised := 0
	for _, o := range c.ops {
		op := reports.Operation{Name: o.desc.name, Requests: o.requests.Load(), AsDescribed: o.described.Load(), Violations: o.violations.Load()}
		for i := range o.classes {
			if n := o.classes[i].Load(); n > 0 {
				if op.ByClass == nil {
					op.ByClass = map[string]int64{}
				}
				op.ByClass[classNames[i]] = n
			}
		}
		o.mu.Lock()
		op.Examples = slices.Clone(o.examples)
		o.mu.Unlock()
		if op.Covered() {
			exercised++
		}
		ops = append(ops, op)
	}
	s.Operations = ops
	if len(ops) > 0 {
		cov := float64(exercised) / float64(len(ops))
		s.Coverage = &cov
	}
	s.Notes = append(slices.Clip(s.Notes), c.notes()...) // never into a slice the run shares
}

// notes are the one-line remarks of FillSummary.
func (c *Checker) notes() []string {
	var out []string
	for _, r := range c.unmatched() {
		out = append(out, fmt.Sprintf("contract: %s matches no operation of %s (%s)",
			r.name, c.d.source, plural(r.unmatched.Load(), "request")))
	}
	st := c.Stats()
	var reached []string
	for _, o := range c.ops {
		if o.requests.Load() > 0 && o.described.Load() == 0 {
			reached = append(reached, o.desc.name+" ("+o.desc.statusList()+" described)")
		}
	}
	if len(reached) > 0 {
		out = append(out, "contract: reached, never answered as described: "+strings.Join(reached, ", "))
	}
	line := fmt.Sprintf("contract: %d of %d operations of %s answered as described; %s of %s validated (%s sample)",
		st.Exercised, st.Described, c.d.source, humanCount(st.Validated), plural(st.Requests, "answer"),
		strconv.FormatFloat(float64(c.rate)/ppm*100, 'g', 4, 64)+"%")
	if st.Violations > 0 {
		line += ", " + plural(st.Violations, "violation")
	}
	if len(st.Skipped) > 0 {
		reasons := make([]string, 0, len(st.Skipped))
		for _, r := range skipReasons {
			if n := st.Skipped[r]; n > 0 {
				reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
			}
		}
		line += "; skipped " + strings.Join(reasons, ", ")
	}
	if st.Unanswered > 0 {
		line += "; " + plural(st.Unanswered, "request") + " got no answer"
	}
	return append(out, line)
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return humanCount(n) + " " + word + "s"
}

// humanCount writes n with thousands separators: 12,345.
func humanCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
