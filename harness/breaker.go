package harness

import (
	"github.com/trafficsim/trafficsim/harness/breaker"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// Cooldowns of an open circuit (see package breaker): the first open lasts
// BreakerCooldown, each further open without a success in between twice as
// long as the one before, up to BreakerMaxCooldown.
const (
	BreakerCooldown    = breaker.Cooldown
	BreakerMaxCooldown = breaker.MaxCooldown
)

// admitRequest asks the endpoint's breaker whether a request may go. It
// returns the breaker (nil with -breaker=0, when every request goes) and its
// answer, to hand to recordBreaker.
func (r *userEnv) admitRequest(req *Request) (*breaker.Breaker, breaker.Admission) {
	if r.cfg.Breaker <= 0 {
		return nil, breaker.Pass
	}
	b := r.breakers.For(req.Method, req.Route)
	return b, b.Admit()
}

// recordBreaker tells the endpoint's breaker b how an admitted request
// ended (its kind, kind.None when OK) and logs the transitions. An
// interrupted request says nothing about the endpoint.
func (r *userEnv) recordBreaker(req *Request, b *breaker.Breaker, a breaker.Admission, k kind.Kind) {
	if b == nil {
		return
	}
	if k == kind.Interrupted {
		b.Release(a)
		return
	}
	switch tr, d := b.Record(a, breaker.Failure(k), r.cfg.Breaker); tr {
	case breaker.Tripped:
		r.log.Warn("circuit open: requests to the endpoint are not sent during the cooldown; they count as errors of kind circuit_open",
			"endpoint", req.Name(), "consecutive_failures", r.cfg.Breaker, "last_kind", k, "cooldown", d)
	case breaker.Reopened:
		r.log.Info("circuit open again: the probe failed", "endpoint", req.Name(), "kind", k, "cooldown", d)
	case breaker.Recovered:
		r.log.Info("circuit closed: the probe succeeded", "endpoint", req.Name())
	}
}
