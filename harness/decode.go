package harness

import (
	"context"
	"time"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// Decode decodes a response's JSON body into v; a body that does not decode
// is counted as an unexpected error of kind decode on the request's endpoint.
func (vu *VU) Decode(req *Request, resp *Response, v any) bool {
	if err := vu.decode(resp, v); err != nil {
		vu.decodeFailed(req, err)
		return false
	}
	return true
}

// decodeFailed counts and logs a failed decoding. It is a function of its
// own so that Decode's frame, on every decoding user's stack, stays small.
//
//go:noinline
func (vu *VU) decodeFailed(req *Request, err error) {
	vu.env.rec.DecodeError(vu.env.rec.Endpoint(req.Method, req.Route), vu.arch)
	if vu.env.cfg.Debug {
		vu.Logger().Debug("decode failed", "endpoint", req.Name(), "err", err)
	}
}

// decodeJob is the decoding of an answer's JSON body into a journey's value,
// done on a pool worker for a user that thinks: encoding/json's reflection
// runs deep, and a user's goroutine that once grew its stack past the 2 KiB
// minimum keeps 4 KiB for good (the runtime shrinks a stack only while less
// than a quarter of it is in use, and a parked goroutine's frames with the
// runtime's reserve are more than a quarter of 4 KiB). So the deep work
// happens where the deep stacks already are.
type decodeJob struct {
	resp *Response
	v    any
	err  error
}

func (j *decodeJob) decode() error { return j.resp.JSON(j.v) }

// decoded is what a worker sends a user when its decodeJob is done: a
// Response that is not nil, so the user tells it from a pause's wake.
var decoded = &Response{}

// decode decodes resp's body into v: on the user's goroutine when it never
// thinks (its stack is deep anyway), else on a pool worker while it waits.
func (vu *VU) decode(resp *Response, v any) error {
	if vu.inline {
		return resp.JSON(v)
	}
	return vu.decodeOnWorker(resp, v)
}

// decodeOnWorker hands the decoding to a worker and waits for it.
//
//go:noinline
func (vu *VU) decodeOnWorker(resp *Response, v any) error {
	job := &decodeJob{resp: resp, v: v}
	vu.decoding = job
	vu.asked = time.Now() // latency starts here
	vu.env.pool.HandOver(vu)
	for {
		if r := <-vu.done; r != nil {
			return job.err
		}
	}
}

// DoJSON makes the request (see Do) and, when the answer is the one the
// request expected, decodes its JSON body into out. A body that does not
// decode makes the answer an unexpected error of kind decode: the Response
// comes back with OK false, Kind "decode" and Err saying why. The error is
// Do's: non-nil only when the user must stop. So a journey step is one call:
//
//	var user struct{ ID int `json:"id"` }
//	resp, err := vu.DoJSON(ctx, harness.Post("/api/users").JSON(body), &user)
//	if err != nil {
//		return err
//	}
//	if resp.OK { ... user.ID ... }
func (vu *VU) DoJSON(ctx context.Context, req *Request, out any) (*Response, error) {
	resp, err := vu.Do(ctx, req)
	if err != nil || !resp.OK || out == nil {
		return resp, err
	}
	if derr := vu.decode(resp, out); derr != nil { // on a worker for a thinking user, as Decode
		vu.decodeFailed(req, derr)
		resp.OK, resp.Kind, resp.Err = false, kind.Decode, derr
	}
	return resp, nil
}
