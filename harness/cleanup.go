package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/cleanuplog"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// CleanupScope tells a CleanupFunc what it may delete: what run RunID
// created for users of this shard that have finished.
type CleanupScope struct {
	RunID string
	// Final is true for the cleanup at the end of the run.
	Final bool
	// Shard is the part of the population this process ran; the users of
	// other shards belong to their own processes, still running or not.
	Shard Shard
	// Target is the base URL of the service under test, as -target.
	Target string
	// Client is bound to the target as the run's users are: the outbound
	// guard (loopback only unless -allow-remote, each redirect checked,
	// credentials never sent to another origin), -insecure and -timeout.
	// Use it rather than a client of your own, which would ignore them.
	Client *http.Client
	// Auth is the run's Config.Auth: NewRequest applies it.
	Auth     Auth
	finished func(int) bool
}

// NewRequest returns a request to path under the target, with the run's
// Auth applied with token (an admin's token the cleanup logged in for; ""
// for fixed credentials or none). Send it with Client.
func (c CleanupScope) NewRequest(ctx context.Context, method, path string, body io.Reader, token string) (*http.Request, error) {
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
func (c CleanupScope) Finished(index int) bool {
	if !c.Shard.Owns(index) {
		return false
	}
	if c.Final || c.finished == nil {
		return true
	}
	return c.finished(index)
}

// WithFinished returns a copy of the scope that asks fn whether the user
// with a given index has finished: a CleanupFunc's own tests use it to play
// a periodic cleanup in the middle of a run.
func (c CleanupScope) WithFinished(fn func(index int) bool) CleanupScope {
	c.finished = fn
	return c
}

// cleanup runs the cleanup functions on a fresh context with its own
// deadline. A failure is warned at once, kept for the summary's notes and
// fails the test at the end of Run (cleanupErr): data left behind is never
// silent, whether the periodic or the final cleanup left it.
func (r *run) cleanup(parent context.Context, final bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), cleanupDeadline)
	defer cancel()
	scope := CleanupScope{RunID: r.runID, Final: final, Shard: r.cfg.Shard, finished: r.finished,
		Target: r.target.String(), Client: r.cleanupClient, Auth: r.cfg.Auth}
	for _, fn := range r.sim.cleanups {
		err := fn(ctx, scope)
		r.cleanups.Record(final, err)
		if err != nil {
			when := "periodic"
			if final {
				when = "final"
			}
			r.log.Warn("cleanup failed", "cleanup", when, "err", redact.Error(err))
		}
	}
	r.cleanupClient.CloseIdleConnections()
}

// cleanupLog is what the run's cleanups did (see package cleanuplog).
type cleanupLog = cleanuplog.Log

// startCleaner runs the cleanup every -cleanup-interval in -continuous mode
// (for the users that have finished), until the run stops; the returned
// channel closes when it has ended.
func (r *run) startCleaner(parent context.Context) <-chan struct{} {
	done := make(chan struct{})
	if !r.cfg.Cleanup || !r.cfg.Continuous || len(r.sim.cleanups) == 0 {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		t := time.NewTicker(r.cfg.CleanupInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.cleanup(parent, false)
			case <-r.done():
				return
			}
		}
	}()
	return done
}

// finished reports whether user index i has ended (or never started).
func (r *run) finished(i int) bool {
	return !r.roster.Has(i)
}

// DoJSON sends one cleanup request: body (nil: none) as JSON to path under
// the target, the run's Auth applied with token, through Client; an answer
// other than 2xx is an error naming the request, and a 2xx body is decoded
// into out (nil: discarded).
func (c CleanupScope) DoJSON(ctx context.Context, method, path string, body any, token string, out any) error {
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
	if err := json.NewDecoder(io.LimitReader(resp.Body, cleanupMaxBody)).Decode(out); err != nil {
		return fmt.Errorf("cleanup: decode %s %s: %w", method, path, err)
	}
	return nil
}

// cleanupMaxBody bounds the bytes of a cleanup answer decoded.
const cleanupMaxBody = 1 << 20
