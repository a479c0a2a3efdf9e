package kind

import (
	"context"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trafficsim/trafficsim/harness/internal/capped"
)

func TestOfRequest(t *testing.T) {
	canceled := fmt.Errorf("Get: %w", context.Canceled)
	refused := fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
	deadline := fmt.Errorf("Get: %w", context.DeadlineExceeded)
	for _, tc := range []struct {
		name string
		err  error
		cut  Cut
		want Kind
	}{
		{"a transport error as it is", refused, Cut{}, Refused},
		{"a body past -max-body, even at the stop", capped.ErrTooLarge, Cut{Stopped: true}, BodyTooLarge},
		{"the journey's deadline", canceled, Cut{ByCaller: true, CallerDeadline: true}, Timeout},
		{"the journey's cancel", canceled, Cut{ByCaller: true}, Interrupted},
		{"the journey's cut wins over the request's timeout", canceled, Cut{ByCaller: true, TimedOut: true}, Interrupted},
		{"the request's own timeout, reported as a cancel", canceled, Cut{TimedOut: true}, Timeout},
		{"a deadline error is a timeout", deadline, Cut{}, Timeout},
		{"the stop's cut is an interruption, whatever the transport said", deadline, Cut{Stopped: true, TimedOut: true}, Interrupted},
		{"a refused request cut by the stop", refused, Cut{Stopped: true}, Interrupted},
		{"a plain cancel", canceled, Cut{}, Interrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, OfRequest(tc.err, tc.cut))
		})
	}
}
