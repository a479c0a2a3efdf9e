// Package kind names what became of a request and of a login: a request's
// error Kind (timeout, refused, http_5xx, check, ...), classified from its
// transport error (Of) or its status (OfStatus), and a Login outcome.
//
// The kinds are the harness's vocabulary for failures: the kind label of
// trafficsim_errors_total, the keys of summary.json's errors_by_kind, the
// Response.Kind a journey reads, and what the circuit breaker counts
// against an endpoint. Push failures to the Pushgateway are another thing
// and have their own type, metrics.PushFailure.
//
// The kinds that exhaust the generator's machine (Kind.Exhausts: open
// files, local addresses, ports) come with a note saying what to change
// (Kind.ExhaustionNote); an Exhaustion warns once per such kind in a run
// and keeps the notes for the summary.
//
//	resp, err := vu.Do(ctx, harness.Get("/health"))
//	if err != nil && resp.Kind == kind.Refused {
//		// the target is down
//	}
package kind
