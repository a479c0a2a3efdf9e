// Package deploy embeds the deployment files of trafficsim so tools and
// tests can read them: the Prometheus configuration
// (prometheus/prometheus.yml: the Pushgateway with honor_labels and the user
// service, every 5 s), the Grafana dashboard
// (grafana/dashboards/trafficsim.json) and Grafana's provisioning files.
// stack.sh, beside them, starts a Pushgateway, Prometheus and the user
// service on one machine for a person to look at (`make stack`).
//
// The dashboard's queries use Grafana variables; ExpandQuery turns them into
// plain PromQL, for example to check every panel has data after a run:
//
//	queries, err := deploy.DashboardQueries()
//	if err != nil {
//		t.Fatal(err)
//	}
//	for _, q := range queries {
//		v, err := prom.Query(ctx, deploy.ExpandQuery(q, time.Minute))
//		if err != nil || len(v) == 0 {
//			t.Errorf("no data for %s: %v", q, err)
//		}
//	}
package deploy
