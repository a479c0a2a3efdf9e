package cleanup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/trafficsim/trafficsim/harness/config"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// Func deletes what the run of scope.RunID created on the target for
// users that have finished (scope.Finished), and nothing else. It runs on a
// fresh context with its own deadline, also after an interrupted run.
type Func func(ctx context.Context, scope Scope) error

// Scope tells a Func what it may delete: what run RunID created for users
// of this shard that have finished.
type Scope struct {
	RunID string
	// Final is true for the cleanup at the end of the run.
	Final bool
	// Shard is the part of the population this process ran; the users of
	// other shards belong to their own processes, still running or not.
	Shard config.Shard
	// Target is the base URL of the service under test, as -target.
	Target string
	// Client is bound to the target as the run's users are: the outbound
	// guard (loopback only unless -allow-remote, each redirect checked,
	// credentials never sent to another origin), -insecure and -timeout.
	// Use it rather than a client of your own, which would ignore them.
	Client *http.Client
	// Auth is the run's Config.Auth: NewRequest applies it.
	Auth     config.Auth
	finished func(int) bool
}

// NewRequest returns a request to path under the target, with the run's
// Auth applied with token (an admin's token the cleanup logged in for; ""
// for fixed credentials or none). Send it with Client.
func (c Scope) NewRequest(ctx context.Context, method, path string, body io.Reader, token string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Target, "/")+path, body)
	if err != nil {
		return nil, fmt.Errorf("cleanup: build %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.Auth.Apply(req, token)
	return req, nil
}

// Finished reports whether the user with the given index is this shard's
// and has ended, so its data may go; every user of the shard has ended at
// the final cleanup.
func (c Scope) Finished(index int) bool {
	if !c.Shard.Owns(index) {
		return false
	}
	if c.Final || c.finished == nil {
		return true
	}
	return c.finished(index)
}

// WithFinished returns a copy of the scope that asks fn whether the user
// with a given index has finished: a Func's own tests use it to play a
// periodic cleanup in the middle of a run.
func (c Scope) WithFinished(fn func(index int) bool) Scope {
	c.finished = fn
	return c
}

// DoJSON sends one cleanup request: body (nil: none) as JSON to path under
// the target, the run's Auth applied with token, through Client; an answer
// other than 2xx is an error naming the request, and a 2xx body is decoded
// into out (nil: discarded).
func (c Scope) DoJSON(ctx context.Context, method, path string, body any, token string, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("cleanup: encode body of %s %s: %w", method, path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := c.NewRequest(ctx, method, path, r, token)
	if err != nil {
		return err
	}
	client := c.Client
	if client == nil {
		return fmt.Errorf("cleanup: %s %s: the scope has no client", method, path)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("cleanup: %s %s: %s", method, path, redact.Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("cleanup: %s %s: status %d", method, path, resp.StatusCode)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(out); err != nil {
		return fmt.Errorf("cleanup: decode %s %s: %w", method, path, err)
	}
	return nil
}

// maxBody bounds the bytes of a cleanup answer decoded.
const maxBody = 1 << 20
