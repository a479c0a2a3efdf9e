package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// group is one grouping key held by the Pushgateway and when it was last
// pushed successfully.
type group struct {
	labels   map[string]string
	lastPush time.Time // zero when never pushed successfully
}

// collectGarbage deletes this job's groups whose last push is older than
// GC: groups of runs that died before deleting their own.
func (p *Pusher) collectGarbage(ctx context.Context) error {
	groups, err := p.listGroups(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	var errs []error
	deleted := 0
	for _, g := range groups {
		if g.labels["job"] != p.cfg.Job || now.Sub(g.lastPush) <= p.cfg.GC {
			continue
		}
		grouping := make(map[string]string, len(g.labels))
		for name, value := range g.labels {
			if name != "job" {
				grouping[name] = value
			}
		}
		if err := p.deleteGroup(ctx, grouping); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted++
	}
	if deleted > 0 {
		p.log.Info("deleted stale pushed groups", "count", deleted, "older_than", p.cfg.GC)
	}
	return errors.Join(errs...)
}

// groupsResponse is the Pushgateway's GET /api/v1/metrics answer: one
// object per group, holding its "labels" and one entry per metric family,
// among them push_time_seconds.
type groupsResponse struct {
	Status string                       `json:"status"`
	Data   []map[string]json.RawMessage `json:"data"`
}

// pushTimeFamily is the part of push_time_seconds that GC reads.
type pushTimeFamily struct {
	Metrics []struct {
		Value string `json:"value"`
	} `json:"metrics"`
}

// listGroups returns every group the gateway holds.
func (p *Pusher) listGroups(ctx context.Context) ([]group, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	gw := p.gateway
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, gw.base+"/api/v1/metrics", nil)
	if err != nil {
		return nil, fmt.Errorf("list pushed groups: %w", err)
	}
	if gw.auth {
		req.SetBasicAuth(gw.user, gw.pass)
	}
	resp, err := gw.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list pushed groups: %w", gw.redactErr(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512)) // for the message only
		return nil, fmt.Errorf("list pushed groups: status %d: %s", resp.StatusCode, body)
	}
	var gr groupsResponse
	if err := json.NewDecoder(resp.Body).Decode(&gr); err != nil {
		return nil, fmt.Errorf("list pushed groups: decode: %w", err)
	}
	if gr.Status != "success" {
		return nil, fmt.Errorf("list pushed groups: status %q", gr.Status)
	}
	groups := make([]group, 0, len(gr.Data))
	for i, raw := range gr.Data {
		var g group
		if err := json.Unmarshal(raw["labels"], &g.labels); err != nil {
			return nil, fmt.Errorf("list pushed groups: group %d labels: %w", i, err)
		}
		if pt, ok := raw["push_time_seconds"]; ok {
			var fam pushTimeFamily
			if err := json.Unmarshal(pt, &fam); err != nil {
				return nil, fmt.Errorf("list pushed groups: group %d push_time_seconds: %w", i, err)
			}
			if len(fam.Metrics) > 0 {
				secs, err := strconv.ParseFloat(fam.Metrics[0].Value, 64)
				if err != nil {
					return nil, fmt.Errorf("list pushed groups: group %d push_time_seconds: %w", i, err)
				}
				if secs > 0 {
					g.lastPush = time.Unix(0, int64(secs*1e9))
				}
			}
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// deleteGroup deletes one group of this job, bounded by Timeout and ctx.
func (p *Pusher) deleteGroup(ctx context.Context, grouping map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	doer := &recordingDoer{client: p.gateway.client, ctx: ctx}
	if err := p.gateway.pusher(grouping, doer).Delete(); err != nil {
		return fmt.Errorf("delete pushed group %v: %w", grouping, p.gateway.redactErr(err))
	}
	return nil
}
