package budget

import (
	"fmt"
	"strconv"

	"github.com/trafficsim/trafficsim/reports"
)

// selection is what a budget's selector picked from a summary.
type selection struct {
	// label names the selection in messages: "GET /api/users/{id}",
	// "GET /api/users/* (3 endpoints)", "archetype admin", or "" for the
	// whole run.
	label     string
	endpoints []*reports.Endpoint
	archetype *reports.Archetype
	// missing, when not empty, says why nothing was picked.
	missing  string
	requests int64
	errors   int64 // unexpected errors
}

// pick resolves a selector against the summary. With no selector, a
// latency budget (endpoints true) takes every endpoint and any other
// budget takes the run's totals.
func (ev *evaluator) pick(sel selector, endpoints bool) selection {
	s := ev.s
	switch sel.kind {
	case selArchetype:
		names := make([]string, 0, len(s.Archetypes))
		for i := range s.Archetypes {
			a := &s.Archetypes[i]
			if a.Name == sel.archetype {
				return selection{label: "archetype " + a.Name, archetype: a, requests: a.Requests, errors: a.ErrorsUnexpected}
			}
			names = append(names, a.Name)
		}
		return selection{missing: "no archetype " + sel.archetype + known(names, "archetypes")}
	case selNone:
		if !endpoints {
			return selection{requests: s.Requests, errors: s.ErrorsUnexpected}
		}
	}
	var t selection
	names := make([]string, 0, len(s.Endpoints))
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		names = append(names, e.Name)
		if sel.kind == selNone || sel.matches(e) {
			t.endpoints = append(t.endpoints, e)
			t.requests += e.Requests
			t.errors += e.ErrorsUnexpected
		}
	}
	switch {
	case len(t.endpoints) == 0 && sel.kind == selNone:
		t.missing = "the summary has no endpoints"
	case len(t.endpoints) == 0:
		t.missing = "no endpoint matched"
		if near := closest(sel.String(), names); near != "" {
			t.missing += "; did you mean " + near + "?"
		}
		t.missing += known(names, "endpoints")
	case len(t.endpoints) == 1:
		t.label = t.endpoints[0].Name
	case sel.kind == selNone:
		t.label = "all " + strconv.Itoa(len(t.endpoints)) + " endpoints"
	default:
		t.label = sel.String() + " (" + strconv.Itoa(len(t.endpoints)) + " endpoints)"
	}
	return t
}

// known writes " (known: a, b, c)" for a no-data message.
func known(names []string, what string) string {
	if len(names) == 0 {
		return " (the summary has no " + what + ")"
	}
	return " (known: " + listNames(names) + ")"
}

// phrase joins a selection's label to what was measured: " to GET /x",
// " by archetype admin", nothing for the whole run.
func (t selection) phrase(endpointWord, archetypeWord string) string {
	switch {
	case t.label == "":
		return ""
	case t.archetype != nil:
		return " " + archetypeWord + " " + t.label
	}
	return " " + endpointWord + " " + t.label
}

// traffic judges error_rate, errors, rps and requests.
func (ev *evaluator) traffic(b Budget) reports.Budget {
	t := ev.pick(b.sel, false)
	if t.missing != "" {
		return b.noData(b.subject(), t.missing)
	}
	if b.metric == "requests" {
		msg := fmt.Sprintf("%s%s, budget %s", plural(t.requests, "request"), t.phrase("to", "by"), b.bound())
		return b.verdict(float64(t.requests), t.requests, msg)
	}
	if t.requests == 0 {
		return b.noData(b.subject(), "no requests")
	}
	requests := plural(t.requests, "request")
	switch b.metric {
	case "error_rate":
		rate := float64(t.errors) / float64(t.requests) * 100
		return b.verdict(rate, t.requests, b.was("error rate"+t.phrase("of", "of"), rate, requests))
	case "errors":
		msg := fmt.Sprintf("%s%s, budget %s (%s)", plural(t.errors, "unexpected error"), t.phrase("in", "by"), b.bound(), requests)
		return b.verdict(float64(t.errors), t.requests, msg)
	}
	// rps: the run's own figure for the whole run, else requests over the
	// duration the summary covers.
	d := ev.s.DurationSeconds
	rps := ev.s.RPS
	if t.label != "" || rps <= 0 {
		if d <= 0 {
			return b.noData(b.subject(), "the summary's duration_seconds is not set")
		}
		rps = float64(t.requests) / d
	}
	if d > 0 {
		requests += " in " + seconds(d)
	}
	return b.verdict(rps, t.requests, b.was("throughput"+t.phrase("of", "of"), rps, requests))
}
