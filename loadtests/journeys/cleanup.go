package journeys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/trafficsim/trafficsim/harness"
)

// Cleaner deletes, through the service's own API and as its admin, the
// users a run created — those whose address carries the run id — and
// nothing else. Its requests are not part of the simulated traffic.
type Cleaner struct {
	Target string
	Opts   Options
	// Client sends the requests: the run's own (CleanupScope.Client), so
	// that -insecure, -timeout and the outbound guard hold for cleanup too.
	Client *http.Client

	token    string
	relogins int
}

// maxRelogins bounds how often in a row a cleanup logs in again after a
// 401. The
// admin users of the run log in as the same admin, and a service that caps
// live sessions per account (the reference service keeps 200) revokes the
// oldest — soon the cleanup's own — so a 401 midway means "log in again",
// not "give up".
const maxRelogins = 5

// Cleanup returns the harness.CleanupFunc: a Cleaner bound to the run's
// target with the run's client.
func (j *Journeys) Cleanup() harness.CleanupFunc {
	return func(ctx context.Context, scope harness.CleanupScope) error {
		c := &Cleaner{Target: scope.Target, Opts: j.opts, Client: scope.Client}
		return c.Clean(ctx, scope)
	}
}

// Clean deletes the users of scope.RunID whose simulated user has finished.
// Its error says why it failed and what of the run is left.
func (c *Cleaner) Clean(ctx context.Context, scope harness.CleanupScope) error {
	if c.Client == nil {
		c.Client = scope.Client
	}
	if c.Target == "" {
		c.Target = scope.Target
	}
	if c.Client == nil {
		return errors.New("cleanup has no client: use the CleanupScope the harness passes")
	}
	defer c.Client.CloseIdleConnections()
	if c.Opts.AdminEmail == "" {
		return fmt.Errorf("cleanup needs an admin account (-admin-email, -admin-password); the users of run %s remain", scope.RunID)
	}
	if err := c.login(ctx); err != nil {
		return fmt.Errorf("%w; the users of run %s (addresses ts-%s-*) remain", err, scope.RunID, scope.RunID)
	}
	ids, err := c.created(ctx, scope)
	if err != nil {
		return fmt.Errorf("%w; the users of run %s (addresses ts-%s-*) remain", err, scope.RunID, scope.RunID)
	}
	var errs []error
	for _, id := range ids {
		status, err := c.authed(ctx, http.MethodDelete, "/api/users/"+strconv.FormatInt(id, 10), nil, nil)
		if err != nil {
			errs = append(errs, err)
		} else if status != http.StatusNoContent && status != http.StatusNotFound {
			errs = append(errs, fmt.Errorf("delete user %d: status %d", id, status))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of the %d users of run %s it was to delete remain: %w", len(errs), len(ids), scope.RunID, errors.Join(errs...))
	}
	return nil
}

func (c *Cleaner) login(ctx context.Context) error {
	var t tokens
	status, err := c.call(ctx, "", http.MethodPost, "/api/auth/login",
		map[string]string{"email": c.Opts.AdminEmail, "password": c.Opts.AdminPassword}, &t)
	if err != nil {
		return fmt.Errorf("cleanup login: %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("cleanup login as admin: status %d", status)
	}
	c.token = t.AccessToken
	return nil
}

// authed is call as the admin, logging in again when the session was
// revoked under it (see maxRelogins).
func (c *Cleaner) authed(ctx context.Context, method, path string, body, out any) (int, error) {
	for {
		status, err := c.call(ctx, c.token, method, path, body, out)
		if err == nil && status != http.StatusUnauthorized {
			c.relogins = 0 // bounds 401s in a row, not in all
		}
		if err != nil || status != http.StatusUnauthorized || c.relogins >= maxRelogins {
			return status, err
		}
		c.relogins++
		if err := c.login(ctx); err != nil {
			return 0, err
		}
	}
}

// created lists the ids of this run's users that may go, searching by run id
// and keeping only exact matches of the address pattern.
func (c *Cleaner) created(ctx context.Context, scope harness.CleanupScope) ([]int64, error) {
	var ids []int64
	for pg := 1; pg <= 100_000; pg++ {
		q := url.Values{"search": {"ts-" + scope.RunID + "-"}, "page": {strconv.Itoa(pg)}, "per_page": {"100"}, "sort": {"id"}}
		var p page[user]
		status, err := c.authed(ctx, http.MethodGet, "/api/users?"+q.Encode(), nil, &p)
		if err != nil {
			return nil, fmt.Errorf("cleanup list: %w", err)
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("cleanup list: status %d", status)
		}
		for _, u := range p.Items {
			if idx, ok := indexFromEmail(u.Email, scope.RunID); ok && scope.Finished(idx) {
				ids = append(ids, u.ID)
			}
		}
		if len(p.Items) == 0 || pg*100 >= p.Total {
			break
		}
	}
	return ids, nil
}

func (c *Cleaner) call(ctx context.Context, token, method, path string, body, out any) (int, error) {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, c.Target+path, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, c.Target+path, nil)
	}
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}
