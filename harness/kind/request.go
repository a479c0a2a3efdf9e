package kind

import (
	"errors"

	"github.com/trafficsim/trafficsim/harness/internal/capped"
)

// Cut is what, besides its error, may have ended a request early. The
// engine knows it and the error alone does not: a transport reports every
// cancel of a request's context as context.Canceled, whoever cancelled it.
type Cut struct {
	// ByCaller is true when the context the journey passed to VU.Do ended
	// the request; CallerDeadline when it ended by its deadline rather
	// than a cancel.
	ByCaller, CallerDeadline bool
	// TimedOut is true when the request's own timeout (-timeout) fired.
	TimedOut bool
	// Stopped is true when the run has cut its requests (the stop's grace
	// period is over).
	Stopped bool
}

// OfRequest names the kind of a request that ended with err (not nil).
// Past Of, it tells the causes of a cancel apart: the journey's context
// (a timeout of the journey's choosing when it was its deadline, else an
// interruption), the request's own timeout (a timeout), the run's stop (an
// interruption, whatever the transport said).
func OfRequest(err error, c Cut) Kind {
	switch {
	case errors.Is(err, capped.ErrTooLarge):
		return BodyTooLarge
	case c.ByCaller && c.CallerDeadline:
		return Timeout
	case c.ByCaller:
		return Interrupted
	case c.Stopped:
		return Interrupted
	}
	k := Of(err)
	if k == Interrupted && c.TimedOut {
		return Timeout
	}
	return k
}
