package metrics

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// Metric names pushed by the harness. They are a contract with dashboards
// (deploy/grafana) and alerting rules: never rename one.
const (
	RequestsTotalName   = "trafficsim_requests_total"
	RequestDurationName = "trafficsim_request_duration_seconds"
	ErrorsTotalName     = "trafficsim_errors_total"
	VUsActiveName       = "trafficsim_vus_active"
	LoginAttemptsName   = "trafficsim_login_attempts_total"
	ChecksTotalName     = "trafficsim_checks_total"
	RunInfoName         = "trafficsim_run_info"
)

// DurationBuckets returns the upper bounds, in seconds, of the request
// duration histogram: 1-2.5-5 steps from 0.5 ms to 10 s, which covers a fast
// in-process target as well as a struggling remote one while keeping the
// series count per endpoint small. Each call returns a new slice.
func DurationBuckets() []float64 {
	return []float64{
		0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
		0.1, 0.25, 0.5, 1, 2.5, 5, 10,
	}
}

// RunInfo labels trafficsim_run_info, so a dashboard can tell runs apart and
// show which seed and version produced a graph.
type RunInfo struct {
	RunID, Seed, Version string
}

// Collectors holds the Prometheus metrics of one run. Every method is safe for
// concurrent use; Request and Error are meant for the hot path (one call per
// simulated request) and do not allocate once a label combination has been
// seen. Create one per run with New and register it on a registry of that run,
// never on the global default registry.
type Collectors struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	vus      *prometheus.GaugeVec
	logins   *prometheus.CounterVec
	checks   *prometheus.CounterVec
	runInfo  prometheus.Gauge

	requestChildren *childCache[requestKey, requestChild]
	errorChildren   *childCache[errorKey, prometheus.Counter]
	vuChildren      *childCache[string, prometheus.Gauge]
	loginCounters   [kind.LoginLocked + 1]prometheus.Counter // by outcome
	checkChildren   *childCache[checkKey, prometheus.Counter]
}

// checkKey is the label set of one check series.
type checkKey struct {
	name   string
	passed bool
}

// Check results, the values of the result label of trafficsim_checks_total.
const (
	CheckPass = "pass"
	CheckFail = "fail"
)

// requestKey is the full label set of one request series.
type requestKey struct {
	archetype, endpoint, method string
	code                        int
}

// requestChild holds the resolved series a request updates.
type requestChild struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// errorKey is the label set of one error series.
type errorKey struct {
	endpoint, method string
	kind             kind.Kind
}

// New returns the collectors of one run, with trafficsim_run_info set to 1
// for info and every login outcome present at zero.
func New(info RunInfo) *Collectors {
	c := &Collectors{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: RequestsTotalName,
			Help: "Requests sent by virtual users, by archetype, route template, method and status code (0 = no response).",
		}, []string{"archetype", "endpoint", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    RequestDurationName,
			Help:    "Time from sending a request to reading its whole response, by route template and method.",
			Buckets: DurationBuckets(),
		}, []string{"endpoint", "method"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: ErrorsTotalName,
			Help: "Failed requests by route template, method and kind (timeout, refused, reset, http_4xx, http_5xx, check, ...).",
		}, []string{"endpoint", "method", "kind"}),
		vus: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: VUsActiveName,
			Help: "Virtual users currently running a journey, by archetype.",
		}, []string{"archetype"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: LoginAttemptsName,
			Help: "Login attempts by outcome (success, wrong_password, locked, error).",
		}, []string{"outcome"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: ChecksTotalName,
			Help: "Named checks on responses (Request.Check, WithCheck) by check and result (pass, fail).",
		}, []string{"check", "result"}),
		runInfo: prometheus.NewGauge(prometheus.GaugeOpts{
			Name:        RunInfoName,
			Help:        "Always 1; its labels identify the run (id, seed, harness version).",
			ConstLabels: prometheus.Labels{"run_id": info.RunID, "seed": info.Seed, "version": info.Version},
		}),
	}
	c.runInfo.Set(1)
	c.requestChildren = newChildCache(func(k requestKey) requestChild {
		endpoint, method := labelValue(k.endpoint), labelValue(k.method)
		return requestChild{
			requests: c.requests.WithLabelValues(labelValue(k.archetype), endpoint, method, strconv.Itoa(max(k.code, 0))),
			duration: c.duration.WithLabelValues(endpoint, method),
		}
	})
	c.errorChildren = newChildCache(func(k errorKey) prometheus.Counter {
		return c.errors.WithLabelValues(labelValue(k.endpoint), labelValue(k.method), labelValue(string(k.kind)))
	})
	c.checkChildren = newChildCache(func(k checkKey) prometheus.Counter {
		result := CheckFail
		if k.passed {
			result = CheckPass
		}
		return c.checks.WithLabelValues(labelValue(k.name), result)
	})
	c.vuChildren = newChildCache(func(archetype string) prometheus.Gauge {
		return c.vus.WithLabelValues(labelValue(archetype))
	})
	// Every outcome is there from the start, at zero, so a dashboard
	// shows "0 locked" rather than no series at all.
	for o := range c.loginCounters {
		c.loginCounters[o] = c.logins.WithLabelValues(kind.Login(o).String())
	}
	return c
}

// Register registers every trafficsim_* metric on r. It does not register
// the Go and process collectors; the caller adds those once per registry.
func (c *Collectors) Register(r prometheus.Registerer) error {
	for _, col := range []prometheus.Collector{c.requests, c.duration, c.errors, c.vus, c.logins, c.checks, c.runInfo} {
		if err := r.Register(col); err != nil {
			return fmt.Errorf("register trafficsim metrics: %w", err)
		}
	}
	return nil
}

// Request counts one request and observes its duration. endpoint is the route
// template ("/api/users/{id}"), never a raw URL; code is the HTTP status, 0
// when no response arrived (the duration is still observed: it is how long
// the failure took).
func (c *Collectors) Request(archetype, endpoint, method string, code int, d time.Duration) {
	ch := c.requestChildren.get(requestKey{archetype: archetype, endpoint: endpoint, method: method, code: code})
	ch.requests.Inc()
	ch.duration.Observe(d.Seconds())
}

// Error counts one failed request of the given kind (timeout, refused, reset,
// http_4xx, http_5xx, check, ...) on a route template and method.
func (c *Collectors) Error(endpoint, method string, k kind.Kind) {
	c.errorChildren.get(errorKey{endpoint: endpoint, method: method, kind: k}).Inc()
}

// Check counts one result of a named check on a response.
func (c *Collectors) Check(name string, passed bool) {
	c.checkChildren.get(checkKey{name: name, passed: passed}).Inc()
}

// AddVUs adds delta (negative when users finish) to the active virtual users
// of an archetype.
func (c *Collectors) AddVUs(archetype string, delta int) {
	c.vuChildren.get(archetype).Add(float64(delta))
}

// SetVUs sets the active virtual users of an archetype, e.g. to 0 at the end
// of a run so the final push shows an idle population.
func (c *Collectors) SetVUs(archetype string, n int) {
	c.vuChildren.get(archetype).Set(float64(n))
}

// Login counts one login attempt by outcome (success, wrong_password,
// locked, error); an outcome out of range counts as error.
func (c *Collectors) Login(outcome kind.Login) {
	if int(outcome) >= len(c.loginCounters) {
		outcome = kind.LoginError
	}
	c.loginCounters[outcome].Inc()
}

// labelValue makes s a valid label value: client_golang panics on invalid
// UTF-8, and a malformed route must not crash a virtual user.
func labelValue(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}
