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
	"time"

	"github.com/trafficsim/trafficsim/harness"
)

// Cleaner deletes, through the service's own API and as its admin, the
// users a run created — those whose address carries the run id — and
// nothing else. Its requests are not part of the simulated traffic.
type Cleaner struct {
	Target string
	Opts   Options
	Client *http.Client
}

// Cleanup returns the harness.CleanupFunc for the target.
func (j *Journeys) Cleanup(target string) harness.CleanupFunc {
	c := &Cleaner{Target: target, Opts: j.opts, Client: &http.Client{Timeout: 10 * time.Second}}
	return c.Clean
}

// Clean deletes the users of scope.RunID whose simulated user has finished.
func (c *Cleaner) Clean(ctx context.Context, scope harness.CleanupScope) error {
	defer c.Client.CloseIdleConnections()
	if c.Opts.AdminEmail == "" {
		return errors.New("cleanup needs an admin account (-admin-email, -admin-password)")
	}
	token, err := c.login(ctx)
	if err != nil {
		return err
	}
	ids, err := c.created(ctx, token, scope)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		status, err := c.call(ctx, token, http.MethodDelete, "/api/users/"+strconv.FormatInt(id, 10), nil, nil)
		if err != nil {
			errs = append(errs, err)
		} else if status != http.StatusNoContent && status != http.StatusNotFound {
			errs = append(errs, fmt.Errorf("delete user %d: status %d", id, status))
		}
	}
	return errors.Join(errs...)
}

func (c *Cleaner) login(ctx context.Context) (string, error) {
	var t tokens
	status, err := c.call(ctx, "", http.MethodPost, "/api/auth/login",
		map[string]string{"email": c.Opts.AdminEmail, "password": c.Opts.AdminPassword}, &t)
	if err != nil {
		return "", fmt.Errorf("cleanup login: %w", err)
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("cleanup login as admin: status %d", status)
	}
	return t.AccessToken, nil
}

// created lists the ids of this run's users that may go, searching by run id
// and keeping only exact matches of the address pattern.
func (c *Cleaner) created(ctx context.Context, token string, scope harness.CleanupScope) ([]int64, error) {
	var ids []int64
	for pg := 1; pg <= 100_000; pg++ {
		q := url.Values{"search": {"ts-" + scope.RunID + "-"}, "page": {strconv.Itoa(pg)}, "per_page": {"100"}, "sort": {"id"}}
		var p page[user]
		status, err := c.call(ctx, token, http.MethodGet, "/api/users?"+q.Encode(), nil, &p)
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
