// Package learn fits a model of real traffic from access logs, and replays
// it with the harness.
//
// A log (Combined Log Format, JSON lines with configurable field names, or
// a HAR file) is read into compact records (Read); paths become route
// templates, from an API description when one is given, else by inferring
// parameters (numbers, UUIDs, hashes, tokens, high-cardinality segments);
// requests are split into sessions by a key (the user field, a field such
// as a cookie or a token hash, or client and user agent) and an inactivity
// gap; sessions are clustered into archetypes (k-means on endpoint mix,
// length and mean think time, k chosen by silhouette); and each archetype
// is fitted: its weight, the Markov transitions between endpoints (with
// START and END), its think-time law (const, uniform, exp, lognormal — the
// harness's laws — or empirical, whichever fits best by Kolmogorov–Smirnov),
// its session lengths, and the arrival rate over time. The Model is YAML a
// person can read and edit; it holds route templates, query keys and
// figures, never a raw id, email, token or query value.
//
//	log, _ := learn.ReadFile("access.log", learn.ReadOptions{})
//	model, _ := learn.Learn(log, learn.Options{Gap: 30 * time.Minute})
//	_ = model.WriteFile("model.yaml")
//
// Compare measures how far two logs are apart (endpoint mix Jensen–Shannon
// divergence, per-archetype KS of think times and session lengths,
// transition total variation, status classes, arrivals per bucket); Replay
// turns a model into harness archetypes whose users walk its chains
// against a fresh service.
package learn
