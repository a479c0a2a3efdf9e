package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/trafficsim/trafficsim/harness/metrics"
)

func ExampleCollectors() {
	reg := prometheus.NewRegistry()
	c := metrics.New(metrics.RunInfo{RunID: "run-1", Seed: "42", Version: "dev"})
	if err := c.Register(reg); err != nil {
		fmt.Println(err)
		return
	}
	c.Request("active", "/api/users/{id}", "GET", 200, 12*time.Millisecond)
	c.Request("active", "/api/users/{id}", "GET", 200, 8*time.Millisecond)
	c.Request("active", "/api/users/{id}", "GET", 0, 2*time.Second) // no response
	c.Error("/api/users/{id}", "GET", "timeout")

	n, err := testutil.GatherAndCount(reg, metrics.RequestsTotalName)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, "series of", metrics.RequestsTotalName)
	// Output: 2 series of trafficsim_requests_total
}

func ExampleNewPusher() {
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK) // a Pushgateway accepting every push
	}))
	defer gateway.Close()

	reg := prometheus.NewRegistry()
	c := metrics.New(metrics.RunInfo{RunID: "run-1"})
	if err := c.Register(reg); err != nil {
		fmt.Println(err)
		return
	}
	p, err := metrics.NewPusher(metrics.PusherConfig{URL: gateway.URL, Job: "example", RunID: "run-1"}, reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.SetVUs("active", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Stop(ctx); err != nil { // without Start: one final push
		fmt.Println(err)
		return
	}
	st := p.Stats()
	fmt.Println("pushes:", st.Pushes, "failures:", st.Failures)

	_, err = metrics.NewPusher(metrics.PusherConfig{URL: "ftp://gateway", Job: "example", RunID: "run-1"}, reg)
	fmt.Println(err)
	// Output:
	// pushes: 1 failures: 0
	// -pushgateway: URL "ftp://gateway": scheme must be http or https
}
