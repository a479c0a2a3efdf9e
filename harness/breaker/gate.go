package breaker

import (
	"log/slog"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// Gate is a run's breakers with its threshold (-breaker) and its logger:
// it admits each request and takes its outcome, and tells the user every
// time a circuit opens, opens again or closes. With a threshold of 0 or
// less it admits every request and keeps no breaker.
type Gate struct {
	set       Set
	threshold int
	log       *slog.Logger
}

// NewGate returns the gate of a run whose circuits open after threshold
// consecutive failures of an endpoint.
func NewGate(threshold int, log *slog.Logger) *Gate {
	return &Gate{threshold: threshold, log: log}
}

// Admit asks the endpoint's breaker whether a request may go. It returns
// the breaker (nil when the gate keeps none) and its answer, for Done or,
// when the request is never sent, Release. A nil gate admits everything.
func (g *Gate) Admit(method, route string) (*Breaker, Admission) {
	if g == nil || g.threshold <= 0 {
		return nil, Pass
	}
	b := g.set.For(method, route)
	return b, b.Admit()
}

// Done tells b how a request to method and route it admitted with a
// ended: its kind (kind.None when OK). An interrupted request says nothing
// about the endpoint. The endpoint's name is made only for a log line: Done
// is on every request's path.
func (g *Gate) Done(b *Breaker, a Admission, k kind.Kind, method, route string) {
	if b == nil {
		return
	}
	if k == kind.Interrupted {
		b.Release(a)
		return
	}
	tr, d := b.Record(a, Failure(k), g.threshold)
	if tr == None {
		return
	}
	endpoint := method + " " + route
	switch tr {
	case Tripped:
		g.log.Warn("circuit open: requests to the endpoint are not sent during the cooldown; they count as errors of kind circuit_open",
			"endpoint", endpoint, "consecutive_failures", g.threshold, "last_kind", k, "cooldown", d)
	case Reopened:
		g.log.Info("circuit open again: the probe failed", "endpoint", endpoint, "kind", k, "cooldown", d)
	case Recovered:
		g.log.Info("circuit closed: the probe succeeded", "endpoint", endpoint)
	}
}
