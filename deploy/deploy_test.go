package deploy

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/trafficsim/trafficsim/fixtures/promstack"
	"github.com/trafficsim/trafficsim/harness/metrics"
)

// contractMetrics are the metric names of DESIGN.md's metrics contract, with
// the series names a histogram adds.
func contractMetrics() map[string]bool {
	names := []string{
		metrics.RequestsTotalName, metrics.ErrorsTotalName, metrics.VUsActiveName,
		metrics.LoginAttemptsName, metrics.RunInfoName,
		"user_service_user_total_count", "user_service_user_active_count",
		"user_service_user_operations_total", "user_service_auth_login_attempts_total",
		"user_service_auth_active_tokens_count", "user_service_http_requests_total",
		"user_service_database_connections_active",
	}
	histograms := []string{
		metrics.RequestDurationName,
		"user_service_auth_token_duration_seconds", "user_service_http_request_duration_seconds",
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	for _, h := range histograms {
		for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
			out[h+suffix] = true
		}
	}
	return out
}

// baseName strips a histogram's series suffix.
func baseName(name string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if n, ok := strings.CutSuffix(name, suffix); ok && strings.HasSuffix(n, "_seconds") {
			return n
		}
	}
	return name
}

func TestDashboard(t *testing.T) {
	b, err := Dashboard()
	require.NoError(t, err)
	var d struct {
		UID           string `json:"uid"`
		SchemaVersion int    `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			ID         int `json:"id"`
			Type       string
			Title      string
			Datasource struct {
				Type string `json:"type"`
				UID  string `json:"uid"`
			} `json:"datasource"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(b, &d), "dashboard JSON parses")
	assert.NotEmpty(t, d.UID)
	assert.GreaterOrEqual(t, d.SchemaVersion, 36)

	var hasDatasourceVar bool
	for _, v := range d.Templating.List {
		hasDatasourceVar = hasDatasourceVar || (v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus")
	}
	assert.True(t, hasDatasourceVar, "a datasource variable of type prometheus")
	ids := map[int]bool{}
	for _, p := range d.Panels {
		assert.False(t, ids[p.ID], "panel id %d twice", p.ID)
		ids[p.ID] = true
		if p.Type != "row" {
			assert.Equal(t, "${datasource}", p.Datasource.UID, "panel %q picks its datasource by the variable", p.Title)
		}
	}

	panels, err := Panels()
	require.NoError(t, err)
	require.NotEmpty(t, panels)
	contract := contractMetrics()
	used := map[string]bool{}
	for _, p := range panels {
		require.NotEmpty(t, p.Targets, "panel %q has targets", p.Title)
		for _, tg := range p.Targets {
			assert.NotEmpty(t, strings.TrimSpace(tg.Expr), "panel %q target %s has an expr", p.Title, tg.RefID)
			names := MetricNames(tg.Expr)
			assert.NotEmpty(t, names, "panel %q target %s selects a metric: %s", p.Title, tg.RefID, tg.Expr)
			for _, n := range names {
				assert.True(t, contract[n], "panel %q: %q is not a contract metric", p.Title, n)
				used[baseName(n)] = true
			}
			if strings.Contains(tg.Expr, "trafficsim_") && !strings.Contains(tg.Expr, "trafficsim_run_info") {
				assert.Regexp(t, `^(histogram_quantile\([0-9.]+, )?sum`, tg.Expr, "panel %q sums across instance (shards)", p.Title)
			}
		}
	}
	for n := range contract {
		assert.True(t, used[baseName(n)], "no panel shows %s", baseName(n))
	}
}

func TestDashboardQueries(t *testing.T) {
	queries, err := DashboardQueries()
	require.NoError(t, err)
	panels, err := Panels()
	require.NoError(t, err)
	var targets int
	for _, p := range panels {
		targets += len(p.Targets)
	}
	assert.Len(t, queries, targets, "one query per target")
	for _, q := range queries {
		expanded := ExpandQuery(q, time.Minute)
		assert.NotContains(t, expanded, "$", "expanded: %s", expanded)
		assert.Equal(t, MetricNames(q), MetricNames(expanded), "expansion keeps the metrics")
	}
}

// TestDashboardQueries_ValidPromQL lets a real Prometheus parse every
// expanded dashboard query; no data is needed for that.
func TestDashboardQueries_ValidPromQL(t *testing.T) {
	t.Parallel()
	prom := promstack.StartPrometheus(t, promstack.PrometheusConfig{})
	queries, err := DashboardQueries()
	require.NoError(t, err)
	for _, q := range queries {
		_, err := prom.Query(t.Context(), ExpandQuery(q, time.Minute))
		assert.NoError(t, err, "query %s", q)
	}
}

func TestPrometheusConfig(t *testing.T) {
	b, err := PrometheusConfig()
	require.NoError(t, err)
	var cfg struct {
		Global struct {
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"global"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			HonorLabels   bool   `yaml:"honor_labels"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &cfg), "prometheus.yml parses as YAML")
	assert.Equal(t, "5s", cfg.Global.ScrapeInterval)

	jobs := map[string]int{}
	for i, sc := range cfg.ScrapeConfigs {
		jobs[sc.JobName] = i
	}
	tests := []struct {
		name        string
		job         string
		honorLabels bool
		target      string
	}{
		{name: "pushgateway keeps pushed labels", job: "pushgateway", honorLabels: true, target: "127.0.0.1:9091"},
		{name: "user service", job: "user-service", target: "127.0.0.1:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := jobs[tt.job]
			require.True(t, ok, "job %s", tt.job)
			sc := cfg.ScrapeConfigs[i]
			assert.Equal(t, tt.honorLabels, sc.HonorLabels)
			assert.Equal(t, "/metrics", sc.MetricsPath)
			require.Len(t, sc.StaticConfigs, 1)
			assert.Equal(t, []string{tt.target}, sc.StaticConfigs[0].Targets, "stack.sh rewrites exactly this address")
		})
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed; prometheus.yml checked as YAML only")
		return
	}
	out, err := exec.CommandContext(t.Context(), promtool, "check", "config", filepath.Join("prometheus", "prometheus.yml")).CombinedOutput()
	assert.NoError(t, err, "promtool check config:\n%s", out)
}

func TestProvisioning(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		check func(t *testing.T, doc map[string]any)
	}{
		{
			name: "datasource",
			path: DatasourceProvisionPath,
			check: func(t *testing.T, doc map[string]any) {
				ds := doc["datasources"].([]any)[0].(map[string]any)
				assert.Equal(t, "prometheus", ds["type"])
				assert.NotEmpty(t, ds["uid"])
				assert.NotEmpty(t, ds["url"])
			},
		},
		{
			name: "dashboards",
			path: DashboardsProvisionPath,
			check: func(t *testing.T, doc map[string]any) {
				p := doc["providers"].([]any)[0].(map[string]any)
				assert.Equal(t, "file", p["type"])
				assert.Equal(t, "trafficsim", p["folder"])
				assert.NotEmpty(t, p["options"].(map[string]any)["path"])
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := readFile(tt.path)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, yaml.Unmarshal(b, &doc))
			assert.Equal(t, 1, doc["apiVersion"])
			tt.check(t, doc)
		})
	}
}

func TestStackScript(t *testing.T) {
	bash := promstack.LookTool(t, "bash", "check stack.sh with")
	out, err := exec.CommandContext(t.Context(), bash, "-n", "stack.sh").CombinedOutput()
	require.NoError(t, err, "bash -n stack.sh:\n%s", out)
	b, err := readOSFile("stack.sh")
	require.NoError(t, err)
	script := string(b)
	for _, want := range []string{
		"./fixtures/userservice/cmd/userservice", "prometheus-pushgateway", "--storage.tsdb.path",
		"trap cleanup EXIT", `kill -TERM "${pids[$i]}"`, "make setup",
	} {
		assert.Contains(t, script, want)
	}
	for _, banned := range []string{"pkill", "killall", "kill 0", "kill -- -"} {
		assert.NotContains(t, script, banned, "stack.sh stops only its own children, by PID")
	}
}

func TestFiles(t *testing.T) {
	for _, path := range []string{PrometheusConfigPath, DashboardPath, DatasourceProvisionPath, DashboardsProvisionPath} {
		b, err := readFile(path)
		require.NoError(t, err, path)
		ondisk, err := readOSFile(path)
		require.NoError(t, err, path)
		assert.True(t, slices.Equal(b, ondisk), "%s embedded as on disk", path)
	}
}
