package deploy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{name: "bare", expr: "up", want: []string{"up"}},
		{name: "matchers skipped", expr: `foo_total{job=~"$job",path="/a{b}"}`, want: []string{"foo_total"}},
		{name: "function and range", expr: `rate(foo_total[5m])`, want: []string{"foo_total"}},
		{name: "aggregation with by", expr: `sum by (le, endpoint) (rate(h_bucket{a="b"}[$__rate_interval]))`, want: []string{"h_bucket"}},
		{name: "aggregation with trailing by", expr: `sum(rate(x[1m])) by (code)`, want: []string{"x"}},
		{name: "quantile and numbers", expr: `histogram_quantile(0.95, sum by (le) (rate(h_bucket[1m]))) * 1e3`, want: []string{"h_bucket"}},
		{name: "binary with on and group_left", expr: `a / on (instance) group_left (version) b_info`, want: []string{"a", "b_info"}},
		{name: "keywords", expr: `a > bool 0 and b offset 5m unless c`, want: []string{"a", "b", "c"}},
		{name: "string containing a name", expr: `label_replace(up, "dst", "fake_metric", "src", "(.*)")`, want: []string{"up"}},
		{name: "recording rule name with colons", expr: `job:requests:rate5m`, want: []string{"job:requests:rate5m"}},
		{name: "scalar only", expr: `1 + 1`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MetricNames(tt.expr))
		})
	}
}

func TestExpandQuery(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		window time.Duration
		want   string
	}{
		{name: "rate interval", expr: `rate(x[$__rate_interval])`, window: time.Minute, want: `rate(x[60s])`},
		{name: "braced interval", expr: `rate(x[${__interval}])`, window: 30 * time.Second, want: `rate(x[30s])`},
		{name: "sub-second window rounds up to 1s", expr: `rate(x[$__range])`, window: time.Millisecond, want: `rate(x[1s])`},
		{name: "variables become all", expr: `x{job=~"$job",run_id=~"${run_id:regex}"}`, want: `x{job=~".*",run_id=~".*"}`},
		{name: "lone dollar kept", expr: `x{a="$"}`, want: `x{a="$"}`},
		{name: "nothing to expand", expr: `sum(up)`, want: `sum(up)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ExpandQuery(tt.expr, tt.window))
		})
	}
}
