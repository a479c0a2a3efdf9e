package budget_test

import (
	"fmt"

	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/reports"
)

func ExampleParse() {
	b, err := budget.Parse("p95( GET /api/users/* )<0.15s abort")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.String())
	fmt.Println(b.Name())

	_, err = budget.Parse("p95(GET /api/users/*) < 150")
	fmt.Println(err)
	// Output:
	// p95(GET /api/users/*) < 150ms abort
	// budget/p95/GET_/api/users/*/abort
	// budget "p95(GET /api/users/*) < 150": column 25: expected a duration unit (ns, us, ms, s, m or h) after 150
}

func ExampleParseFile() {
	bs, err := budget.ParseFile("testdata/budgets.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range bs[:3] {
		fmt.Println(b.Name())
	}
	// Output:
	// budget/p95/POST_/api/auth/login
	// budget/p99/GET_/api/users/*
	// budget/p95/archetype=admin
}

func ExampleEvaluate() {
	// A run in which GET /api/users/{id} answered 1,140 requests in 12ms
	// and 64 in 212ms.
	h := reports.NewHistogram()
	_ = h.RecordValues(12_000, 1140) // microseconds
	_ = h.RecordValues(212_000, 64)
	encoded, _ := reports.EncodeHistogram(h)
	s := &reports.Summary{
		DurationSeconds:  10,
		Requests:         1204,
		ErrorsUnexpected: 28,
		Endpoints: []reports.Endpoint{
			{Name: "GET /api/users/{id}", Requests: 1204, ErrorsUnexpected: 28, Histogram: encoded},
		},
	}
	bs, _ := budget.ParseList([]string{
		"p95(GET /api/users/*) < 150ms",
		"p90(GET /api/users/*) < 150ms",
		"error_rate < 1%",
		"p95(GET /api/userz/*) < 150ms",
	})
	for _, v := range budget.Evaluate(s, bs) {
		fmt.Println(v.Passed, v.Message)
	}
	// Output:
	// false p95 of GET /api/users/{id} was 212ms, budget 150ms (1,204 samples)
	// true p90 of GET /api/users/{id} was 12ms, budget 150ms (1,204 samples)
	// false error rate was 2.33%, budget 1% (1,204 requests)
	// false p95 of GET /api/userz/*: no data — no endpoint matched; did you mean GET /api/users/{id}? (known: GET /api/users/{id})
}
