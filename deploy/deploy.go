package deploy

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
)

// Paths of the embedded files, relative to the deploy directory.
const (
	PrometheusConfigPath    = "prometheus/prometheus.yml"
	DashboardPath           = "grafana/dashboards/trafficsim.json"
	DatasourceProvisionPath = "grafana/provisioning/datasources/prometheus.yml"
	DashboardsProvisionPath = "grafana/provisioning/dashboards/trafficsim.yml"
)

//go:embed prometheus/prometheus.yml grafana/dashboards/trafficsim.json grafana/provisioning
var files embed.FS

// Files returns the deployment files (Prometheus configuration, Grafana
// dashboard and provisioning) as a read-only file system, with the paths
// named by the *Path constants. Tools can copy them out, tests can read them.
func Files() fs.FS {
	return files
}

// PrometheusConfig returns deploy/prometheus/prometheus.yml.
func PrometheusConfig() ([]byte, error) {
	return fs.ReadFile(files, PrometheusConfigPath)
}

// Dashboard returns the Grafana dashboard JSON.
func Dashboard() ([]byte, error) {
	return fs.ReadFile(files, DashboardPath)
}

// Panel is the part of a Grafana panel that tests and tools read: its
// title and the PromQL expressions of its targets.
type Panel struct {
	ID      int      `json:"id"`
	Type    string   `json:"type"`
	Title   string   `json:"title"`
	Targets []Target `json:"targets"`
	// Panels holds the panels of a collapsed row.
	Panels []Panel `json:"panels"`
}

// Target is one query of a panel.
type Target struct {
	RefID string `json:"refId"`
	Expr  string `json:"expr"`
}

// Panels returns the dashboard's panels that show data (rows are flattened
// away; the panels of collapsed rows are included), in dashboard order.
func Panels() ([]Panel, error) {
	b, err := Dashboard()
	if err != nil {
		return nil, fmt.Errorf("read dashboard: %w", err)
	}
	var d struct {
		SchemaVersion int     `json:"schemaVersion"`
		Panels        []Panel `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("decode dashboard %s: %w", DashboardPath, err)
	}
	var out []Panel
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			out = append(out, p)
		}
	}
	walk(d.Panels)
	return out, nil
}

// DashboardQueries returns the expr of every panel target, in dashboard
// order, with Grafana's variables unexpanded ($job, $__rate_interval...);
// ExpandQuery makes them runnable against Prometheus directly.
func DashboardQueries() ([]string, error) {
	panels, err := Panels()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range panels {
		for _, t := range p.Targets {
			out = append(out, t.Expr)
		}
	}
	return out, nil
}
