// Package alertmanager simulates the users of Prometheus Alertmanager's
// API v2: services sending alerts, operators silencing them, dashboards
// reading. Alertmanager is built from its module and run on loopback; its
// published Swagger 2.0 description gates coverage and the contract.
package alertmanager

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/harness"
	_ "github.com/trafficsim/trafficsim/harness/contract" // -openapi
)

var flags = harness.RegisterFlagsWith(flag.CommandLine, defaults())

func defaults() harness.Config {
	c := harness.DefaultConfig()
	c.Users, c.MaxRequests, c.Duration, c.ValidateSample, c.Cleanup = 30, 40, time.Minute, 100, true
	c.Budgets = []string{"coverage >= 100%", "violations == 0", "checks >= 99%", "error_rate < 1%",
		"p95(GET /silence/{id}) < 1s"}
	return c
}

const user, password = "ops", "trafficsim-example"

func TestAlertmanager(t *testing.T) {
	cfg, err := flags.Config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target == "" {
		am := startAlertmanager(t, user, password)
		cfg.Target, cfg.OpenAPI = am.URL, am.Description
	}
	cfg.Auth = harness.BasicAuth(user, password)
	sim := harness.New(t, cfg)
	sim.Archetype("sender", 3, harness.Between(5, 20), sender)
	sim.Archetype("operator", 2, harness.Between(8, 30), operator)
	sim.Archetype("dashboard", 1, harness.Between(5, 20), dashboard)
	sim.OnCleanup(expireSilences)
	sim.MustRun(t.Context()) // judges the budgets, each a subtest
}

// alert is one alert a service sends, labelled with the run and user.
func alert(vu *harness.VU) []map[string]any {
	return []map[string]any{{"labels": map[string]string{
		"alertname": "HighLatency", "run": vu.RunID, "instance": "vu-" + string(rune('a'+vu.Index%26)),
	}}}
}

func sender(ctx context.Context, vu *harness.VU) error {
	if _, err := vu.Do(ctx, harness.Post("/alerts").JSON(alert(vu))); err != nil {
		return err
	}
	_, err := vu.Do(ctx, harness.Get("/alerts").Param("filter", `run="`+vu.RunID+`"`).
		Check("alerts are a list", harness.HasJSON(".")))
	return err
}

func operator(ctx context.Context, vu *harness.VU) error {
	silence := map[string]any{
		"matchers": []map[string]any{{"name": "run", "value": vu.RunID, "isRegex": false}},
		"startsAt": time.Now().UTC(), "endsAt": time.Now().Add(time.Hour).UTC(),
		"createdBy": "trafficsim-" + vu.RunID, "comment": "maintenance window",
		"annotations": map[string]string{"ticket": "OPS-1"}, // read back as the description requires
	}
	var created struct{ SilenceID string }
	resp, err := vu.DoJSON(ctx, harness.Post("/silences").JSON(silence).Check("has id", harness.HasJSON("silenceID")), &created)
	if err != nil || !resp.OK {
		return err
	}
	get := harness.Get("/silence/{id}", created.SilenceID).Check("active", harness.JSONEquals("status.state", "active"))
	if _, err := vu.Do(ctx, get); err != nil {
		return err
	}
	if _, err := vu.Do(ctx, harness.Get("/silence/{id}", "00000000-0000-4000-8000-000000000000").Injected(404)); err != nil {
		return err
	}
	if _, err := vu.Do(ctx, harness.Get("/silences").Param("filter", "not a matcher").Injected(400)); err != nil {
		return err
	}
	_, err = vu.Do(ctx, harness.Delete("/silence/{id}", created.SilenceID))
	return err
}

func dashboard(ctx context.Context, vu *harness.VU) error {
	reads := []*harness.Request{
		harness.Get("/status").Check("cluster known", harness.HasJSON("cluster.status")),
		harness.Get("/receivers").Check("blackhole", harness.JSONEquals("0.name", "blackhole")),
		harness.Get("/alerts/groups"),
		harness.Get("/silences").Param("filter", `run="`+vu.RunID+`"`),
	}
	for _, r := range reads {
		if _, err := vu.Do(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// expireSilences expires what the run's operators left active.
func expireSilences(ctx context.Context, scope harness.CleanupScope) error {
	var silences []struct {
		ID, CreatedBy string
		Status        struct{ State string }
	}
	if err := scope.DoJSON(ctx, "GET", "/silences", nil, "", &silences); err != nil {
		return err
	}
	for _, s := range silences {
		if s.CreatedBy == "trafficsim-"+scope.RunID && s.Status.State != "expired" {
			if err := scope.DoJSON(ctx, "DELETE", "/silence/"+s.ID, nil, "", nil); err != nil {
				return err
			}
		}
	}
	return nil
}
