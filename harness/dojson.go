package harness

import (
	"context"

	"github.com/trafficsim/trafficsim/harness/kind"
)

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
	if derr := resp.JSON(out); derr != nil {
		vu.env.rec.DecodeError(vu.env.rec.Endpoint(req.Method, req.Route), vu.arch)
		resp.OK, resp.Kind, resp.Err = false, kind.Decode, derr
	}
	return resp, nil
}
