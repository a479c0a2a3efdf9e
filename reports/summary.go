package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SummaryFile, JUnitFile and HTMLFile are the names of the files a run writes
// into its report directory.
const (
	SummaryFile = "summary.json"
	JUnitFile   = "junit.xml"
	HTMLFile    = "report.html"
)

// Summary is the whole result of one run (or of several merged shards), as
// written to summary.json. Field names are a contract: tools and dashboards
// read them, so they keep their names and meaning; new fields may be added.
type Summary struct {
	RunID      string `json:"run_id"`
	Simulation string `json:"simulation"`
	Version    string `json:"version,omitempty"`
	Seed       int64  `json:"seed"`
	Target     string `json:"target"`
	// Shard is "i/n" for one shard of a split run, empty for a whole run.
	Shard string `json:"shard,omitempty"`
	// Shards lists the shards a merged summary was made from.
	Shards []string `json:"shards,omitempty"`
	// Model is "closed" (users with think time) or "open" (arrival rate).
	Model           string    `json:"model"`
	Started         time.Time `json:"started"`
	DurationSeconds float64   `json:"duration_seconds"`
	// Partial is true when the run was stopped early (signal, cancelled
	// context, abort budget); PartialReason says why.
	Partial       bool   `json:"partial"`
	PartialReason string `json:"partial_reason,omitempty"`

	Users    int     `json:"users"`
	PeakVUs  int     `json:"peak_vus"`
	Requests int64   `json:"requests"`
	RPS      float64 `json:"rps"`
	// ErrorsExpected counts errors injected on purpose (-error-rate) that the
	// target answered as the journey expected.
	ErrorsExpected   int64 `json:"errors_expected"`
	ErrorsUnexpected int64 `json:"errors_unexpected"`
	// Interrupted counts requests cut off by a stop; they are neither errors
	// nor latency samples.
	Interrupted int64 `json:"interrupted"`
	// Dropped counts open-model sessions that could not start on time
	// (-max-vus users were active).
	Dropped int64 `json:"dropped"`
	// Scheduled counts the open model's planned sessions: rate × duration
	// (or the stages' integral), exactly; every one of them is started
	// (Users), Dropped or NotReached. 0 in the closed model.
	Scheduled int64 `json:"scheduled,omitempty"`
	// NotReached counts scheduled sessions whose time had not come when the
	// run stopped (a signal, an abort, the timer of the last arrival firing
	// after -duration).
	NotReached int64 `json:"not_reached,omitempty"`
	// Blocked counts requests an open circuit breaker kept from being sent:
	// they are not requests (nothing went on the wire), not in RPS nor in
	// error_rate nor errors_by_kind; the pushed
	// trafficsim_errors_total{kind="circuit_open"} counts them live.
	Blocked      int64            `json:"blocked,omitempty"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind"`
	// LoginAttempts counts login outcomes: success, wrong_password, locked, error.
	LoginAttempts map[string]int64 `json:"login_attempts,omitempty"`
	// BytesRead counts response body bytes read, including discarded ones.
	BytesRead int64 `json:"bytes_read"`

	Endpoints  []Endpoint  `json:"endpoints"`
	Archetypes []Archetype `json:"archetypes"`
	// Checks holds each named check's pass and fail counts, by name.
	Checks []Check `json:"checks,omitempty"`

	// Coverage is operations exercised / operations described, when an API
	// description is known; nil otherwise.
	Coverage   *float64    `json:"coverage,omitempty"`
	Operations []Operation `json:"operations,omitempty"`

	Resources Resources `json:"resources"`
	// Saturation tells whether the generator held requests back because
	// -max-in-flight were in flight: the target did not keep up.
	Saturation Saturation `json:"saturation"`
	Push       PushStats  `json:"push"`
	// Timeline holds one tick per interval (IntervalSeconds) of the run, for charts.
	IntervalSeconds float64 `json:"interval_seconds"`
	Timeline        []Tick  `json:"timeline"`

	Budgets []Budget `json:"budgets"`
	// Problems are faults of the simulation itself that fail the run (a
	// journey that returns without making a request); junit.xml shows them
	// as a failed testcase "simulation".
	Problems []string `json:"problems,omitempty"`
	// Notes are one-line remarks the run made about its own configuration
	// (ranges adjusted, pushing off, ...).
	Notes []string `json:"notes,omitempty"`
}

// Check is the outcome of one named check on responses (k6's check): how
// often it held and how often it failed.
type Check struct {
	Name   string `json:"name"`
	Passes int64  `json:"passes"`
	Fails  int64  `json:"fails"`
}

// Endpoint is the result for one route template, named with its method:
// "GET /api/users/{id}".
type Endpoint struct {
	Name             string `json:"name"`
	Method           string `json:"method"`
	Route            string `json:"route"`
	Requests         int64  `json:"requests"`
	ErrorsExpected   int64  `json:"errors_expected"`
	ErrorsUnexpected int64  `json:"errors_unexpected"`
	// Blocked counts the endpoint's requests its open circuit kept from
	// being sent; they are not in Requests.
	Blocked int64 `json:"blocked,omitempty"`
	// Codes counts requests by the status line received, "0" when none
	// arrived; a request that failed after its status line (a reset or a
	// timeout while reading the body) keeps its status here and is an
	// unexpected error of its kind besides.
	Codes  map[string]int64 `json:"codes"`
	P50Ms  float64          `json:"p50_ms"`
	P95Ms  float64          `json:"p95_ms"`
	P99Ms  float64          `json:"p99_ms"`
	MaxMs  float64          `json:"max_ms"`
	MeanMs float64          `json:"mean_ms"`
	// Histogram is the HDR histogram of latencies in microseconds, encoded
	// with EncodeHistogram, so shards merge without loss.
	Histogram string `json:"histogram"`
	// Slowest holds the slowest requests' trace ids, slowest first.
	Slowest []SlowRequest `json:"slowest,omitempty"`
}

// SlowRequest links a slow request to its trace.
type SlowRequest struct {
	TraceID   string  `json:"trace_id"`
	LatencyMs float64 `json:"latency_ms"`
	Status    int     `json:"status"`
	// Sampled tells whether the request's traceparent asked the target to
	// record the trace.
	Sampled bool `json:"sampled"`
}

// Archetype is the result for one kind of virtual user.
type Archetype struct {
	Name             string  `json:"name"`
	Users            int     `json:"users"`
	Requests         int64   `json:"requests"`
	ErrorsUnexpected int64   `json:"errors_unexpected"`
	P50Ms            float64 `json:"p50_ms"`
	P95Ms            float64 `json:"p95_ms"`
	P99Ms            float64 `json:"p99_ms"`
	Histogram        string  `json:"histogram"`
}

// Operation is one operation of the API description and whether the run
// exercised it.
type Operation struct {
	Name     string `json:"name"`
	Requests int64  `json:"requests"`
	// AsDescribed counts the answers whose status the description lists
	// for the operation (an exact code, a range such as 4XX, or default).
	// An operation counts as covered only with one such answer: one
	// reached but only ever answered 301 or 401 is not.
	AsDescribed int64            `json:"as_described"`
	ByClass     map[string]int64 `json:"by_class,omitempty"` // "2xx", "4xx", ...
	Violations  int64            `json:"violations,omitempty"`
	// Examples holds the first few contract violations, redacted.
	Examples []string `json:"examples,omitempty"`
}

// Saturation is how often, and for how long, users waited in line for one
// of the MaxInFlight workers (and connections) before their request was
// sent. The wait is part of each such request's latency. A run whose
// target keeps up has QueuedRequests 0.
type Saturation struct {
	MaxInFlight      int     `json:"max_in_flight"` // 0: no bound
	QueuedRequests   int64   `json:"queued_requests"`
	PeakQueued       int64   `json:"peak_queued"`
	QueueWaitSeconds float64 `json:"queue_wait_seconds"` // summed over the queued requests
	QueueWaitMeanMs  float64 `json:"queue_wait_mean_ms"`
	QueueWaitMaxMs   float64 `json:"queue_wait_max_ms"`
}

// Saturated reports whether any request waited for a free slot.
func (s Saturation) Saturated() bool { return s.QueuedRequests > 0 }

// Covered reports whether the operation was answered at least once with a
// status its description lists.
func (o Operation) Covered() bool { return o.AsDescribed > 0 }

// Resources are the load generator's own costs.
type Resources struct {
	HeapPeakBytes uint64 `json:"heap_peak_bytes"`
	// RSSPeakBytes is the process's peak resident memory over its whole
	// life (Linux VmHWM; 0 elsewhere): in a test binary, of every test so far.
	RSSPeakBytes    uint64  `json:"rss_peak_bytes,omitempty"`
	HeapPerVUBytes  float64 `json:"heap_per_vu_bytes"`
	GoroutinesPeak  int     `json:"goroutines_peak"`
	GoroutineLeaks  int     `json:"goroutine_leaks"`
	FDLimit         uint64  `json:"fd_limit,omitempty"`
	LeakDescription string  `json:"leak_description,omitempty"`
}

// PushStats tells how pushing to the Pushgateway went.
type PushStats struct {
	Enabled   bool             `json:"enabled"`
	Gateway   string           `json:"gateway,omitempty"` // credentials redacted
	Pushes    int64            `json:"pushes"`
	Failures  int64            `json:"failures"`
	ByKind    map[string]int64 `json:"failures_by_kind,omitempty"`
	LastError string           `json:"last_error,omitempty"`
}

// Tick is one interval of the run's timeline.
type Tick struct {
	// T is seconds since the start of the run at the end of the interval.
	T         float64          `json:"t"`
	Requests  int64            `json:"requests"`
	ActiveVUs int              `json:"active_vus"`
	Errors    map[string]int64 `json:"errors,omitempty"`
	// Blocked counts requests an open circuit kept from being sent in
	// this interval (not in Requests).
	Blocked int64 `json:"blocked,omitempty"`
	// Latency maps an endpoint group ("auth", "users", ...) to the
	// percentiles of the requests that ended in this interval.
	Latency    map[string]Percentiles `json:"latency,omitempty"`
	HeapBytes  uint64                 `json:"heap_bytes,omitempty"`
	Goroutines int                    `json:"goroutines,omitempty"`
}

// Percentiles are latency percentiles in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// Budget is the verdict of one budget.
type Budget struct {
	// Name is the subtest name: budget/<kind>/<target>.
	Name     string  `json:"name"`
	Expr     string  `json:"expr"`
	Passed   bool    `json:"passed"`
	Measured float64 `json:"measured"`
	Limit    float64 `json:"limit"`
	Unit     string  `json:"unit,omitempty"`
	Samples  int64   `json:"samples"`
	Message  string  `json:"message"`
	Abort    bool    `json:"abort,omitempty"`
}

// Failed reports whether any budget failed.
func (s *Summary) Failed() bool {
	for _, b := range s.Budgets {
		if !b.Passed {
			return true
		}
	}
	return false
}

// Endpoint returns the endpoint with the given name, or nil.
func (s *Summary) Endpoint(name string) *Endpoint {
	for i := range s.Endpoints {
		if s.Endpoints[i].Name == name {
			return &s.Endpoints[i]
		}
	}
	return nil
}

// WriteJSON writes the summary, indented, to dir/summary.json, atomically:
// a reader never sees half a file, even when the run is killed.
func (s *Summary) WriteJSON(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	return writeFileAtomic(dir, SummaryFile, append(b, '\n'))
}

// ReadSummary reads a summary.json file, or dir/summary.json when path is a
// directory.
func ReadSummary(path string) (*Summary, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, SummaryFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read summary: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode summary %s: %w", path, err)
	}
	return &s, nil
}
