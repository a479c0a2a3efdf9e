// Package preflight waits, before a run's first user starts, until the
// target answers anything over HTTP, so a target that is down fails the
// run at once with a clear message instead of a minute of refused
// connections in the reports.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// retry is the pause between two tries.
const retry = 200 * time.Millisecond

// Wait sends GET url through client until any answer comes, for at most
// wait. The client should be the run's own (the outbound guard, -insecure)
// following no redirect: any answer, a 302 to another host too, says the
// target is up, and nothing is sent where it points. A destination the
// guard refuses fails at once; no answer within wait fails naming the kind
// of the last error.
func Wait(ctx context.Context, client *http.Client, url string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if errors.Is(err, outbound.ErrNotLoopback) {
			return fmt.Errorf("%s", outbound.Describe(err)) // no use retrying
		}
		last = err
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("no answer within %s (%s): %s", wait, kind.Of(last), redact.Error(last))
		case <-t.C:
		}
	}
}
