// Package metrics holds the Prometheus side of a trafficsim run: the
// trafficsim_* collectors that virtual users update on every request, and a
// Pusher that sends them to a Pushgateway while the run goes, so Grafana
// shows live traffic.
//
// Metric names are a contract (see DESIGN.md and deploy/grafana):
// trafficsim_requests_total{archetype,endpoint,method,code},
// trafficsim_request_duration_seconds{endpoint,method} (histogram),
// trafficsim_errors_total{endpoint,method,kind}, trafficsim_checks_total{check,result}, trafficsim_vus_active{archetype},
// trafficsim_login_attempts_total{outcome} and
// trafficsim_run_info{run_id,seed,version}. Labels are bounded: endpoint is
// a route template, never a raw URL.
//
// A run uses its own registry, never the global default:
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
//	c := metrics.New(metrics.RunInfo{RunID: runID, Seed: "42", Version: version})
//	if err := c.Register(reg); err != nil {
//		return err
//	}
//	p, err := metrics.NewPusher(metrics.PusherConfig{
//		URL: "http://127.0.0.1:9091", Job: "populate", Instance: "0", RunID: runID,
//		GC: time.Hour, DeleteAfter: 15 * time.Second, Logger: logger,
//	}, reg)
//	if err != nil {
//		return err // names the flag: -pushgateway, -push-interval, ...
//	}
//	p.Start(ctx)
//	// ... virtual users call c.Request, c.Error, c.AddVUs, c.Login ...
//	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
//	defer cancel()
//	err = p.Stop(stopCtx)    // final push; a dead gateway costs at most stopCtx
//	summary.Push = p.Stats() // pushes, failures by kind, redacted last error
//
// Each push replaces the group job/instance/run_id at the gateway (PUT), so
// shards and runs never overwrite each other, and Prometheus (scraping the
// gateway with honor_labels) sums shards by dropping instance.
package metrics
