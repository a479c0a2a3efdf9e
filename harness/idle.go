package harness

import (
	"errors"
	"fmt"
	"strings"
)

// ErrDone ends a user early as a normal end: a journey returns it when the
// user has nothing left to do (the explorer, once every operation is
// tried). A journey that returns nil without making a request is a bug
// instead, reported as such (see noRequest).
var ErrDone = errors.New("user done")

// noRequest records that a journey call of vu's archetype returned without
// an error and without a request: the user ends (calling it again would
// spin), the first time per archetype is logged, and Run fails the test
// naming the archetype.
func (r *run) noRequest(vu *VU) {
	if r.idle.Add(vu.Archetype) {
		r.log.Warn("journey returned without making a request; the user ends", "archetype", vu.Archetype, "vu", vu.Index,
			"fix", "make a request with vu.Do in every call, or return harness.ErrDone to end the user on purpose")
	}
}

// idleError names every archetype whose journey returned without a
// request, or is nil.
func (r *run) idleError() error {
	idle := r.idle.Sorted()
	if len(idle) == 0 {
		return nil
	}
	return fmt.Errorf("archetype %s: a journey call returned without making a request, which ends its user early; make a request with vu.Do in every call, or return harness.ErrDone to end the user on purpose",
		strings.Join(idle, ", archetype "))
}
