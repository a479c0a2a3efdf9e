// Package harness runs a population of virtual users against an HTTP API as
// an ordinary Go test, and checks budgets on what it measured.
//
// A simulation has archetypes — kinds of users with a share of the
// population, a range of requests and a journey — and a configuration,
// usually from flags:
//
//	var flags = harness.RegisterFlags(flag.CommandLine) // -users, -duration, -target, ...
//
//	func TestShop(t *testing.T) {
//		cfg, err := flags.Config() // every problem at once, each naming its flag
//		if err != nil {
//			t.Fatal(err)
//		}
//		sim := harness.New(t, cfg)
//		sim.Archetype("browser", 80, harness.Between(10, 40), browse)
//		sim.Archetype("buyer", 20, harness.Between(20, 60), buy)
//		res := sim.MustRun(t.Context())
//		res.Check(t, "p95(POST /api/orders) < 300ms", "error_rate < 1%")
//	}
//
// A Journey is func(ctx, vu) error. It makes requests with vu.Do, which
// applies the user's think time and counts against its request budget, and
// returns Do's error to end. Each request is named by its route template
// (harness.Get("/api/users/{id}", id)), so metrics stay bounded; its outcome
// is data in the Response (status, kind of error, latency), never an error.
// vu.DoJSON sends and decodes in one call; Request.Check (and WithCheck for
// an archetype) adds named assertions on the answer, counted per check and
// judged by "checks >= 99%". Config.Auth (WithAuth per archetype) says how
// credentials travel — TokenAuth("Token"), BasicAuth, APIKeyAuth,
// CookieAuth — for journeys, the explorer and cleanup alike.
//
// -openapi wires coverage, contract validation and -explorer into any
// simulation whose test binary links package contract (a blank import is
// enough: it registers itself with RegisterContract).
//
// Run drives the users in a closed model (a population with think times,
// -continuous to replace those that finish) or an open one (-rate, -stages:
// sessions started per second, latency counted from the intended start,
// late starts dropped and counted). It records latency in HDR histograms per
// endpoint and archetype (package record), names each failure's kind
// (package kind), probes dead endpoints through a circuit breaker (package
// breaker), pushes Prometheus metrics (-pushgateway), stops on
// -duration, a signal, a cancelled context or a broken abort budget,
// deletes what the run created with -cleanup (package cleanup), counts the
// goroutines the run left behind (package leaks), and writes
// summary.json, junit.xml and report.html (package reports). Every request
// and every redirect it follows goes through one guard (package outbound).
// Check evaluates budgets (package budget) as subtests.
//
// MustRun is for a test's own goroutine. Run returns (*Result, error) and
// never calls FailNow, so a benchmark's or a helper's goroutine can run a
// simulation; its error is reported on the test as well, so a dropped
// error still fails it. Result.ReportMetrics puts a run's req/s, latency
// percentiles, error share and heap per user on a benchmark, for benchstat.
//
// The configuration — Config, its flags, think times, stages, shards and
// auth — is package config's, one option table from which the flags, the
// defaults, validation and the README's flag table come; harness names
// them as its own (harness.Config is config.Config).
//
// Users are dealt archetypes, budgets and random sources as functions of the
// seed and their index, so a run is reproducible and -shard=i/n splits it
// across processes whose merged results equal one big run's.
package harness
