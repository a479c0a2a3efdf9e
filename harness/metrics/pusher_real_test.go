package metrics

import (
	"context"
	"fmt"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/trafficsim/trafficsim/harness/kind"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/promstack"
)

// gatewayFamilies returns the real gateway's metric families by name.
func gatewayFamilies(t *testing.T, g *promstack.Pushgateway) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Metrics(t.Context())
	require.NoError(t, err)
	return familiesByName(mfs)
}

// seriesValue returns the value of the one series of mf whose labels are
// exactly want, failing when there is none.
func seriesValue(t *testing.T, mf *dto.MetricFamily, want map[string]string) float64 {
	t.Helper()
	require.NotNil(t, mf, "family missing")
	for _, m := range mf.GetMetric() {
		if assert.ObjectsAreEqual(want, labelMap(m)) {
			return m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue()
		}
	}
	var have []map[string]string
	for _, m := range mf.GetMetric() {
		have = append(have, labelMap(m))
	}
	require.Failf(t, "series missing", "%s%v not among %v", mf.GetName(), want, have)
	return 0
}

// waitFirstPush waits until p has pushed once.
func waitFirstPush(t *testing.T, p *Pusher) {
	t.Helper()
	require.Eventually(t, func() bool { return p.Stats().Pushes > 0 }, 10*time.Second, time.Millisecond)
}

func TestPusher_RealGatewayValues(t *testing.T) {
	t.Parallel()
	g := promstack.StartPushgateway(t)
	reg, c := testRegistry(t, "run-values")
	p, err := NewPusher(PusherConfig{URL: g.URL(), Job: "values", Instance: "3", RunID: "run-values", Interval: time.Hour}, reg)
	require.NoError(t, err)
	p.Start(t.Context())
	waitFirstPush(t, p)

	group := map[string]string{"job": "values", "instance": "3", "run_id": "run-values"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range group {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	active200 := with(map[string]string{"archetype": "active", "endpoint": "/api/users/{id}", "method": "GET", "code": "200"})
	vusActive := with(map[string]string{"archetype": "active"})

	fams := gatewayFamilies(t, g)
	assert.Equal(t, 2.0, seriesValue(t, fams[RequestsTotalName], active200))
	assert.Equal(t, 3.0, seriesValue(t, fams[VUsActiveName], vusActive))

	// The end of the run: more requests, the population gone.
	c.Request("active", "/api/users/{id}", "GET", 200, time.Millisecond)
	c.SetVUs("active", 0)
	c.Login(kind.LoginLocked)
	require.NoError(t, stopNow(t, p))

	fams = gatewayFamilies(t, g)
	tests := []struct {
		name   string
		family string
		labels map[string]string
		want   float64
	}{
		{name: "counter end value", family: RequestsTotalName, labels: active200, want: 3},
		{name: "no response counted as code 0", family: RequestsTotalName,
			labels: with(map[string]string{"archetype": "admin", "endpoint": "/api/users", "method": "POST", "code": "0"}), want: 1},
		{name: "gauge set to 0 reads 0", family: VUsActiveName, labels: vusActive, want: 0},
		{name: "login outcome", family: LoginAttemptsName, labels: with(map[string]string{"outcome": "locked"}), want: 1},
		{name: "run info carries run_id from the grouping key", family: RunInfoName,
			labels: with(map[string]string{"seed": "7", "version": "test"}), want: 1},
		{name: "histogram count via the gateway", family: "push_time_seconds", labels: group, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := seriesValue(t, fams[tt.family], tt.labels)
			if tt.want < 0 {
				assert.Positive(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
	dur := fams[RequestDurationName]
	require.NotNil(t, dur)
	var count uint64
	for _, m := range dur.GetMetric() {
		count += m.GetHistogram().GetSampleCount()
	}
	assert.Equal(t, uint64(4), count, "every request observed once")
	st := p.Stats()
	assert.Equal(t, int64(2), st.Pushes)
	assert.Zero(t, st.Failures)
}

func TestPusher_RealGatewayTwoRuns(t *testing.T) {
	t.Parallel()
	g := promstack.StartPushgateway(t)
	var pushers []*Pusher
	for i, runID := range []string{"run-a", "run-b"} {
		reg, c := testRegistry(t, runID)
		for range i * 10 { // run-b has 10 more requests than run-a
			c.Request("active", "/api/users/{id}", "GET", 200, 0)
		}
		p, err := NewPusher(PusherConfig{URL: g.URL(), Job: "two", RunID: runID, Interval: 10 * time.Millisecond}, reg)
		require.NoError(t, err)
		p.Start(t.Context())
		pushers = append(pushers, p)
	}
	for _, p := range pushers {
		waitFirstPush(t, p)
	}
	for _, p := range pushers {
		require.NoError(t, stopNow(t, p))
	}

	fams := gatewayFamilies(t, g)
	for i, runID := range []string{"run-a", "run-b"} {
		labels := map[string]string{"job": "two", "instance": DefaultInstance, "run_id": runID,
			"archetype": "active", "endpoint": "/api/users/{id}", "method": "GET", "code": "200"}
		assert.Equal(t, float64(2+i*10), seriesValue(t, fams[RequestsTotalName], labels), runID)
	}
	groups, err := g.Groups(t.Context())
	require.NoError(t, err)
	assert.Len(t, groups, 2)
}

func TestPusher_RealGatewayManyRunsStayBounded(t *testing.T) {
	t.Parallel()
	const runs = 100
	tests := []struct {
		name      string
		cfg       PusherConfig
		waitFirst bool // GC runs in the loop before the first push
		maxGroups int
	}{
		{name: "GC", cfg: PusherConfig{GC: time.Millisecond}, waitFirst: true, maxGroups: 2},
		{name: "DeleteAfter", cfg: PusherConfig{DeleteAfter: time.Millisecond}, maxGroups: 2},
	}
	g := promstack.StartPushgateway(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := "many-" + tt.name
			for i := range runs {
				runID := fmt.Sprintf("run-%03d", i)
				reg, _ := testRegistry(t, runID)
				cfg := tt.cfg
				cfg.URL, cfg.Job, cfg.RunID, cfg.Interval = g.URL(), job, runID, time.Hour
				p, err := NewPusher(cfg, reg)
				require.NoError(t, err)
				p.Start(t.Context())
				if tt.waitFirst {
					waitFirstPush(t, p)
				}
				require.NoError(t, stopNow(t, p))
			}
			groups, err := g.Groups(t.Context())
			require.NoError(t, err)
			mine := 0
			for _, gr := range groups {
				if gr["job"] == job {
					mine++
				}
			}
			assert.LessOrEqual(t, mine, tt.maxGroups, "groups of %s left at the gateway", job)
		})
	}
}

func TestPusher_RealPrometheus(t *testing.T) {
	t.Parallel()
	g := promstack.StartPushgateway(t)
	prom := promstack.StartPrometheus(t, promstack.PrometheusConfig{Targets: []promstack.Target{g.Target()}})

	// Two shards of one run: Prometheus sums them.
	for shard := range 2 {
		reg, c := testRegistry(t, "run-prom")
		for range shard * 5 {
			c.Request("power", "/api/users", "GET", 200, 2*time.Millisecond)
		}
		p, err := NewPusher(PusherConfig{URL: g.URL(), Job: "prom", Instance: fmt.Sprint(shard), RunID: "run-prom"}, reg)
		require.NoError(t, err)
		require.NoError(t, stopNow(t, p)) // one push; the group stays
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	require.NoError(t, prom.WaitForScrape(ctx, "pushgateway"))
	tests := []struct {
		name  string
		query string
		want  float64
	}{
		{name: "requests summed across shards", query: `sum(trafficsim_requests_total{job="prom"})`, want: 2*3 + 5},
		{name: "run info by run id", query: `sum(trafficsim_run_info{run_id="run-prom",seed="7"})`, want: 2},
		{name: "histogram buckets", query: `sum(trafficsim_request_duration_seconds_bucket{job="prom",le="0.0025"})`, want: 2*3 + 5},
		{name: "per-shard instance kept", query: `sum(trafficsim_vus_active{job="prom",instance="1"})`, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := prom.WaitForQuery(ctx, tt.query, func(v model.Vector) bool { return len(v) == 1 })
			require.NoError(t, err)
			assert.Equal(t, model.SampleValue(tt.want), v[0].Value)
		})
	}
}
