package record

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/metrics"
	"github.com/trafficsim/trafficsim/reports"
)

// slowestKept is how many of an endpoint's slowest requests the summary
// keeps with their trace ids.
const slowestKept = 5

// maxLatencyMicros clamps latencies into the histograms' range.
var maxLatencyMicros = reports.HistogramMaxMicros

// Recorder counts every request of a run: per endpoint and per archetype HDR
// histograms (exact, mergeable), status codes, error kinds, and the current
// interval of the timeline. It is safe for concurrent use and allocates
// nothing per request once an endpoint has been seen.
type Recorder struct {
	metrics *metrics.Collectors

	mu        sync.RWMutex
	endpoints map[endpointKey]*Endpoint
	archs     []*archStats

	requests      atomic.Int64
	errExpected   atomic.Int64
	errUnexpected atomic.Int64
	interrupted   atomic.Int64
	dropped       atomic.Int64
	blocked       atomic.Int64
	bytes         atomic.Int64

	kindMu sync.Mutex
	kinds  map[kind.Kind]int64
	logins [kind.LoginLocked + 1]atomic.Int64 // by outcome

	checks checkCounts

	iv interval

	windowed   bool // keep per-tick figures for abort budgets (see window.go)
	windowHist bool // with latency histograms
}

type endpointKey struct{ method, route string }

// Endpoint is the recording of one route (method and template), from
// Recorder.Endpoint. The engine resolves it once per request and passes it
// to Observe and the other counts, so recording does no lookup by name.
type Endpoint struct {
	name, method, route, group string

	mu            sync.Mutex
	hist          *hdrhistogram.Histogram
	requests      int64
	errExpected   int64
	errUnexpected int64
	blocked       int64
	codes         map[int]int64
	slowest       []reports.SlowRequest
	win           windowStats
}

type archStats struct {
	name  string
	users atomic.Int64

	mu            sync.Mutex
	hist          *hdrhistogram.Histogram
	requests      int64
	errUnexpected int64
	win           windowStats
}

// interval accumulates what ends in the current tick of the timeline.
type interval struct {
	mu       sync.Mutex
	requests int64
	blocked  int64
	errors   map[kind.Kind]int64
	groups   map[string]*hdrhistogram.Histogram
}

// Outcome is one finished request, as the recorder sees it.
type Outcome struct {
	Arch     int // the archetype's index in the names given to New
	Status   int // 0 when no answer came
	Latency  time.Duration
	Kind     kind.Kind // kind.None when the request went as expected
	Expected bool      // an injected request answered as the journey expected
	Bytes    int64     // of the answer's body, read or discarded
	TraceID  string    // "" when the request carried none
	Sampled  bool      // the trace was sampled
}

// New returns a recorder for the given archetypes (Outcome.Arch indexes
// them), reporting to m (which may be nil).
func New(archetypes []string, m *metrics.Collectors) *Recorder {
	r := &Recorder{
		metrics:   m,
		endpoints: map[endpointKey]*Endpoint{},
		kinds:     map[kind.Kind]int64{},
		iv:        interval{errors: map[kind.Kind]int64{}, groups: map[string]*hdrhistogram.Histogram{}},
	}
	for _, a := range archetypes {
		r.archs = append(r.archs, &archStats{name: a, hist: reports.NewHistogram()})
	}
	return r
}

// Endpoint returns the recording of a route, creating it on first sight.
func (r *Recorder) Endpoint(method, route string) *Endpoint {
	k := endpointKey{method, route}
	r.mu.RLock()
	e := r.endpoints[k]
	r.mu.RUnlock()
	if e != nil {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e = r.endpoints[k]; e == nil {
		e = &Endpoint{
			name: method + " " + route, method: method, route: route, group: routeGroup(route),
			hist: reports.NewHistogram(), codes: map[int]int64{},
		}
		r.endpoints[k] = e
	}
	return e
}

// routeGroup is the group of a route in the timeline's latency chart: the
// first path segment after /api ("/api/users/{id}" → "users").
func routeGroup(route string) string {
	p := strings.TrimPrefix(route, "/")
	p = strings.TrimPrefix(p, "api/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "root"
	}
	return p
}

// Observe records one finished request. It allocates nothing once the
// endpoint has been seen, and takes no lock but the endpoint's, the
// archetype's and the timeline interval's, each briefly.
func (r *Recorder) Observe(e *Endpoint, o *Outcome) {
	r.bytes.Add(o.Bytes)
	if o.Kind == kind.Interrupted {
		// Cut off by a stop: neither an error nor a latency sample.
		r.interrupted.Add(1)
		return
	}
	unexpected := o.Kind != kind.None
	micros := min(max(o.Latency.Microseconds(), 1), maxLatencyMicros)
	r.requests.Add(1)
	switch {
	case unexpected:
		r.errUnexpected.Add(1)
	case o.Expected:
		r.errExpected.Add(1)
	}

	e.mu.Lock()
	_ = e.hist.RecordValue(micros)
	e.requests++
	e.codes[o.Status]++
	if unexpected {
		e.errUnexpected++
	} else if o.Expected {
		e.errExpected++
	}
	if o.TraceID != "" {
		e.keepSlow(o)
	}
	if r.windowed {
		e.win.record(micros, unexpected, r.windowHist)
	}
	e.mu.Unlock()

	a := r.archs[o.Arch]
	a.mu.Lock()
	_ = a.hist.RecordValue(micros)
	a.requests++
	if unexpected {
		a.errUnexpected++
	}
	if r.windowed {
		a.win.record(micros, unexpected, r.windowHist)
	}
	a.mu.Unlock()

	r.iv.mu.Lock()
	r.iv.requests++
	h := r.iv.groups[e.group]
	if h == nil {
		h = reports.NewHistogram()
		r.iv.groups[e.group] = h
	}
	_ = h.RecordValue(micros)
	if unexpected {
		r.iv.errors[o.Kind]++
	}
	r.iv.mu.Unlock()

	if unexpected {
		r.kindMu.Lock()
		r.kinds[o.Kind]++
		r.kindMu.Unlock()
	}
	if r.metrics != nil {
		r.metrics.Request(a.name, e.route, e.method, o.Status, o.Latency)
		if unexpected {
			r.metrics.Error(e.route, e.method, o.Kind)
		}
	}
}

// keepSlow keeps the request among the endpoint's slowest. Caller holds e.mu.
func (e *Endpoint) keepSlow(o *Outcome) {
	ms := float64(o.Latency.Microseconds()) / 1000
	if len(e.slowest) == slowestKept && ms <= e.slowest[len(e.slowest)-1].LatencyMs {
		return
	}
	s := reports.SlowRequest{TraceID: o.TraceID, LatencyMs: ms, Status: o.Status, Sampled: o.Sampled}
	i, _ := slices.BinarySearchFunc(e.slowest, ms, func(x reports.SlowRequest, t float64) int { return cmp.Compare(t, x.LatencyMs) })
	e.slowest = slices.Insert(e.slowest, i, s)
	if len(e.slowest) > slowestKept {
		e.slowest = e.slowest[:slowestKept]
	}
}

// DecodeError counts a response the journey could not read as an
// unexpected error of kind decode (the request itself was already counted).
func (r *Recorder) DecodeError(e *Endpoint, arch int) {
	r.unmeasuredError(e, arch, kind.Decode)
}

// Blocked counts a request its endpoint's open circuit kept from being
// sent. Nothing went on the wire, so it is no request (not in requests,
// RPS nor error_rate) and has no latency sample nor status code: it is
// counted apart as blocked (summary and endpoint), and live in
// trafficsim_errors_total{kind="circuit_open"}, so the outage shows.
func (r *Recorder) Blocked(e *Endpoint) {
	r.blocked.Add(1)
	e.mu.Lock()
	e.blocked++
	e.mu.Unlock()
	r.iv.mu.Lock()
	r.iv.blocked++
	r.iv.mu.Unlock()
	if r.metrics != nil {
		r.metrics.Error(e.route, e.method, kind.CircuitOpen)
	}
}

// unmeasuredError counts an unexpected error of kind on the endpoint, the
// archetype, the timeline and the metrics, with no latency sample, for a
// request counted already (a body that does not decode).
func (r *Recorder) unmeasuredError(e *Endpoint, arch int, k kind.Kind) {
	r.errUnexpected.Add(1)
	e.mu.Lock()
	e.errUnexpected++
	e.win.errors++
	e.mu.Unlock()
	a := r.archs[arch]
	a.mu.Lock()
	a.errUnexpected++
	a.win.errors++
	a.mu.Unlock()
	r.iv.mu.Lock()
	r.iv.errors[k]++
	r.iv.mu.Unlock()
	r.kindMu.Lock()
	r.kinds[k]++
	r.kindMu.Unlock()
	if r.metrics != nil {
		r.metrics.Error(e.route, e.method, k)
	}
}

// Login counts a login outcome; one out of range counts as kind.LoginError.
func (r *Recorder) Login(outcome kind.Login) {
	if int(outcome) >= len(r.logins) {
		outcome = kind.LoginError
	}
	r.logins[outcome].Add(1)
	if r.metrics != nil {
		r.metrics.Login(outcome)
	}
}

// Dropped counts a session the open model could not start in time.
func (r *Recorder) Dropped() { r.dropped.Add(1) }

// Check counts one result of a named check, for the summary and
// trafficsim_checks_total.
func (r *Recorder) Check(name string, passed bool) {
	r.checks.count(name, passed)
	if r.metrics != nil {
		r.metrics.Check(name, passed)
	}
}

// Checks returns the checks' pass and fail counts sorted by name, for the
// summary.
func (r *Recorder) Checks() []reports.Check { return r.checks.summary() }

// UserStarted and UserEnded keep the active-user gauges.
func (r *Recorder) UserStarted(arch int) {
	r.archs[arch].users.Add(1)
	if r.metrics != nil {
		r.metrics.AddVUs(r.archs[arch].name, 1)
	}
}

// UserEnded: see UserStarted.
func (r *Recorder) UserEnded(arch int) {
	if r.metrics != nil {
		r.metrics.AddVUs(r.archs[arch].name, -1)
	}
}

// tick closes the current interval into a timeline entry.
func (r *Recorder) tick(t float64, active int) reports.Tick {
	r.iv.mu.Lock()
	defer r.iv.mu.Unlock()
	tk := reports.Tick{T: t, Requests: r.iv.requests, Blocked: r.iv.blocked, ActiveVUs: active}
	if len(r.iv.errors) > 0 {
		tk.Errors = make(map[string]int64, len(r.iv.errors))
		for k, n := range r.iv.errors {
			tk.Errors[string(k)] = n
		}
		clear(r.iv.errors)
	}
	for g, h := range r.iv.groups {
		if h.TotalCount() == 0 {
			continue
		}
		if tk.Latency == nil {
			tk.Latency = map[string]reports.Percentiles{}
		}
		tk.Latency[g] = reports.Percentiles{P50: reports.MillisAt(h, 50), P95: reports.MillisAt(h, 95), P99: reports.MillisAt(h, 99)}
		h.Reset()
	}
	r.iv.requests, r.iv.blocked = 0, 0
	return tk
}

// Fill writes the recorder's figures into s: the counts, errors by kind,
// logins, and the endpoints and archetypes with their histograms. It does
// not write the checks (see Checks).
func (r *Recorder) Fill(s *reports.Summary) error {
	s.Requests = r.requests.Load()
	s.ErrorsExpected = r.errExpected.Load()
	s.ErrorsUnexpected = r.errUnexpected.Load()
	s.Interrupted = r.interrupted.Load()
	s.Dropped = r.dropped.Load()
	s.Blocked = r.blocked.Load()
	s.BytesRead = r.bytes.Load()
	r.kindMu.Lock()
	s.ErrorsByKind = make(map[string]int64, len(r.kinds))
	for k, n := range r.kinds {
		s.ErrorsByKind[string(k)] = n
	}
	r.kindMu.Unlock()
	for o := range r.logins {
		if n := r.logins[o].Load(); n > 0 {
			if s.LoginAttempts == nil {
				s.LoginAttempts = map[string]int64{}
			}
			s.LoginAttempts[kind.Login(o).String()] = n
		}
	}

	r.mu.RLock()
	eps := slices.Collect(maps.Values(r.endpoints))
	r.mu.RUnlock()
	slices.SortFunc(eps, func(a, b *Endpoint) int { return strings.Compare(a.name, b.name) })
	s.Endpoints = s.Endpoints[:0]
	for _, e := range eps {
		e.mu.Lock()
		enc, err := reports.EncodeHistogram(e.hist)
		ep := reports.Endpoint{
			Name: e.name, Method: e.method, Route: e.route,
			Requests: e.requests, ErrorsExpected: e.errExpected, ErrorsUnexpected: e.errUnexpected, Blocked: e.blocked,
			Codes: map[string]int64{}, Histogram: enc, Slowest: slices.Clone(e.slowest),
			P50Ms: reports.MillisAt(e.hist, 50), P95Ms: reports.MillisAt(e.hist, 95),
			P99Ms: reports.MillisAt(e.hist, 99), MaxMs: float64(e.hist.Max()) / 1000, MeanMs: e.hist.Mean() / 1000,
		}
		for c, n := range e.codes {
			ep.Codes[strconv.Itoa(c)] = n
		}
		e.mu.Unlock()
		if err != nil {
			return err
		}
		s.Endpoints = append(s.Endpoints, ep)
	}
	s.Archetypes = s.Archetypes[:0]
	for _, a := range r.archs {
		a.mu.Lock()
		enc, err := reports.EncodeHistogram(a.hist)
		s.Archetypes = append(s.Archetypes, reports.Archetype{
			Name: a.name, Users: int(a.users.Load()), Requests: a.requests, ErrorsUnexpected: a.errUnexpected,
			P50Ms: reports.MillisAt(a.hist, 50), P95Ms: reports.MillisAt(a.hist, 95), P99Ms: reports.MillisAt(a.hist, 99),
			Histogram: enc,
		})
		a.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
