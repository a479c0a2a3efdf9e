package loadtests

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/deploy"
	"github.com/trafficsim/trafficsim/fixtures/faults"
	"github.com/trafficsim/trafficsim/fixtures/promstack"
	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
)

// smallPopulate is a Populate run sized for integration tests.
func smallPopulate(t *testing.T, target string) harness.Config {
	cfg := harness.DefaultConfig()
	cfg.Target, cfg.Users, cfg.MaxRequests, cfg.Progress = target, 60, 60, 0
	cfg.ReportDir = t.TempDir()
	return cfg
}

// requestTotals reads trafficsim_requests_total of one run from metric
// families, by archetype, endpoint, method and code.
func requestTotals(families []*dto.MetricFamily, runID string) map[string]float64 {
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "trafficsim_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if rid, ok := l["run_id"]; ok && rid != runID {
				continue
			}
			out[fmt.Sprintf("%s|%s %s|%s", l["archetype"], l["method"], l["endpoint"], l["code"])] += m.GetCounter().GetValue()
		}
	}
	return out
}

func gaugeValues(families []*dto.MetricFamily, name, runID string) map[string]float64 {
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["run_id"] == runID {
				out[l["archetype"]] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// TestMetrics_GatewayHoldsTheHarnessTotals: after the final push, the real
// Pushgateway holds exactly the harness's own totals per archetype,
// endpoint, method and code, and the end values of the gauges.
func TestMetrics_GatewayHoldsTheHarnessTotals(t *testing.T) {
	gw := promstack.StartPushgateway(t)
	opts := adminOptions(t)
	cfg := withTarget(t, smallPopulate(t, ""), opts)
	cfg.Pushgateway, cfg.PushInterval = gw.URL(), 500*time.Millisecond
	res := populate(t, cfg, opts).MustRun(t.Context())
	s := res.Summary
	require.Positive(t, s.Requests)
	assert.Positive(t, s.Push.Pushes)
	assert.Zero(t, s.Push.Failures)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	pushed, err := gw.Metrics(ctx)
	require.NoError(t, err)
	own, err := res.Registry.Gather()
	require.NoError(t, err)

	want := requestTotals(own, s.RunID)
	got := requestTotals(pushed, s.RunID)
	require.NotEmpty(t, want)
	assert.Equal(t, want, got, "the gateway holds exactly the harness's counts")

	// And both equal the summary, endpoint by endpoint.
	perEndpoint := map[string]int64{}
	for k, v := range got {
		perEndpoint[strings.SplitN(k, "|", 3)[1]] += int64(v)
	}
	for _, e := range s.Endpoints {
		assert.Equal(t, e.Requests, perEndpoint[e.Name], "requests of %s", e.Name)
	}
	vus := gaugeValues(pushed, "trafficsim_vus_active", s.RunID)
	require.Len(t, vus, len(s.Archetypes))
	for arch, v := range vus {
		assert.Zero(t, v, "no active users of %s left behind in Grafana", arch)
	}
}

// TestMetrics_EveryDashboardQueryHasData: a real Prometheus scraping the
// Pushgateway and the user service answers every query of the shipped
// Grafana dashboard with data after a short run.
func TestMetrics_EveryDashboardQueryHasData(t *testing.T) {
	gw := promstack.StartPushgateway(t)
	// Some 503s so the errors panel has series: injected errors are
	// expected ones and do not count as errors.
	inj, err := faults.New(faults.Config{Seed: 1, Rules: []faults.Rule{{Match: "GET /api/users/*", Ratio: 0.05, Fault: faults.Status{Code: 503}}}})
	require.NoError(t, err)
	opts := adminOptions(t)
	svc := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword, Middleware: inj.Wrap})
	u, err := url.Parse(svc.URL)
	require.NoError(t, err)
	prom := promstack.StartPrometheus(t, promstack.PrometheusConfig{
		ScrapeInterval: time.Second,
		Targets:        []promstack.Target{gw.Target(), {Job: "user-service", Address: u.Host}},
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	require.NoError(t, prom.WaitForScrape(ctx, "user-service"))

	cfg := smallPopulate(t, svc.URL)
	cfg.Pushgateway, cfg.PushInterval = gw.URL(), time.Second
	cfg.Think = "uniform:20ms-60ms" // long enough for several scrapes
	cfg.Breaker = 0
	res := populate(t, cfg, opts).MustRun(t.Context())
	require.Positive(t, res.Summary.ErrorsUnexpected, "the faults produced errors")

	queries, err := deploy.DashboardQueries()
	require.NoError(t, err)
	require.NotEmpty(t, queries)
	for _, q := range queries {
		expr := deploy.ExpandQuery(q, time.Minute)
		v, err := prom.WaitForQuery(ctx, expr, nil)
		if assert.NoError(t, err, "query %s", expr) {
			assert.NotEmpty(t, v, "no data for %s", expr)
		}
	}
}
