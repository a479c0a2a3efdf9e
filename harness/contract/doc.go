// Package contract checks a simulation's traffic against the target's
// OpenAPI description: which described operations the run exercised
// (coverage), with which status classes, and whether a deterministic sample
// of the answers matches the described schemas (violations). An explorer
// archetype fills the gaps the other archetypes leave.
//
// Wire it into a simulation:
//
//	d, err := contract.Load(ctx, cfg.OpenAPI, nil) // -openapi: a URL or a file
//	if err != nil {
//		t.Fatal(err)
//	}
//	checker := contract.NewChecker(d, cfg.ValidateSample, cfg.Seed)
//	sim.Observe(checker)
//	sim.Archetype("explorer", 2, harness.Between(50, 100),
//		contract.Explorer(d, checker, contract.ExplorerOptions{Prepare: login}))
//	res := sim.MustRun(ctx)
//	res.Check(t, "coverage >= 100%", "violations == 0")
//
// The Checker fills the summary's operations, coverage and notes; the
// budgets "coverage >= 100%" and "violations == 0" judge them. Requests are
// matched to operations by method and route template, parameter names
// compared by position ({id} matches {userId}); the description's servers
// are ignored, so -target must be the base URL its paths hang from.
//
// Violation examples are redacted: the values of keys naming secrets
// (password, token, ...) and bearer credentials never reach a report.
package contract
