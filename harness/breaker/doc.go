// Package breaker is the harness's per-endpoint circuit breaker
// (-breaker): after a threshold of consecutive failures (transport errors
// and 5xx, see Failure) an endpoint's circuit opens and its requests are
// not sent until a cooldown passes; then one probe decides whether it
// closes or opens again for twice as long, up to MaxCooldown.
//
// It knows nothing of recording: the engine asks Admit before a request,
// counts a Reject as blocked, and tells Record how an admitted request
// ended.
//
//	var set breaker.Set
//	b := set.For("GET", "/api/users/{id}")
//	a := b.Admit()
//	if a == breaker.Reject {
//		return breaker.ErrOpen // not sent
//	}
//	kind := send()
//	if tr, cooldown := b.Record(a, breaker.Failure(kind), threshold); tr == breaker.Tripped {
//		log.Warn("circuit open", "cooldown", cooldown)
//	}
//
// A run uses a Gate, which holds the Set, the threshold and the logger and
// does the above in two calls: Admit before the request, Done after it.
package breaker
