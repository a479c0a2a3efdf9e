package deploy_test

import (
	"fmt"
	"time"

	"github.com/trafficsim/trafficsim/deploy"
)

func ExampleExpandQuery() {
	q := `sum by (endpoint) (rate(trafficsim_requests_total{job=~"$job"}[$__rate_interval]))`
	fmt.Println(deploy.ExpandQuery(q, 2*time.Minute))
	// Output: sum by (endpoint) (rate(trafficsim_requests_total{job=~".*"}[120s]))
}

func ExampleMetricNames() {
	q := `histogram_quantile(0.95, sum by (le, route) (rate(user_service_http_request_duration_seconds_bucket[1m])))`
	fmt.Println(deploy.MetricNames(q))
	// Output: [user_service_http_request_duration_seconds_bucket]
}
