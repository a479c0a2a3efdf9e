// Package record counts what a run does: every request per endpoint and per
// archetype in HDR histograms (exact, mergeable), status codes, error
// kinds, logins, checks and users (Recorder); the run's timeline, one tick
// a second, with the generator's own heap and goroutines, and the abort
// checks judged on its last window (Monitor). Fill and Timeline hand the
// figures to the summary.
//
// The engine calls the Recorder on its hot path: Endpoint once per request
// to resolve the route, then Observe with the Outcome. Observe allocates
// nothing once an endpoint has been seen (BenchmarkRecord holds it).
//
//	rec := record.New([]string{"browser", "admin"}, collectors)
//	e := rec.Endpoint("GET", "/api/users/{id}")
//	rec.Observe(e, &record.Outcome{Arch: 0, Status: 200, Latency: 12 * time.Millisecond})
//	mon := rec.StartMonitor(run, record.MonitorConfig{Started: time.Now(), AbortWindow: 30 * time.Second, Log: log})
//	...
//	mon.Stop()
//	var s reports.Summary
//	err := rec.Fill(&s)
//
// It knows nothing of how requests are sent, paced or broken off: a
// request the circuit breaker kept back is counted with Blocked, one the
// journey could not read with DecodeError.
package record
