package harness

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
	vu.markAsked()
	vu.env.pool.HandOver(vu)
	for {
		if r := <-vu.done; r != nil {
			return job.err
		}
	}
}
