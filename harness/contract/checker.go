package contract

import (
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/trafficsim/trafficsim/harness"
)

// Limits of a Checker's memory, whatever the traffic.
const (
	// MaxExamples is how many violations an operation keeps as examples.
	MaxExamples = 5
	// MaxUnmatchedRoutes bounds the distinct undescribed routes a Checker
	// names; requests to further ones are counted together.
	MaxUnmatchedRoutes = 256
)

// otherRoutes names, in the notes, the undescribed routes past
// MaxUnmatchedRoutes.
const otherRoutes = "(other undescribed routes)"

// Checker measures a run against a Description: which operations the
// requests exercised, with which status classes, and — on a deterministic
// sample of responses — whether the answers match the described schemas.
// It is a harness.Observer and a harness.SummaryFiller: register it with
// sim.Observe. Observe is safe for concurrent use and cheap on the
// unsampled path (two map look-ups without locks and a few atomic adds).
// A Checker accumulates: use a new one for each run.
type Checker struct {
	d      *Description
	ops    []*opStats // parallel to d.ops
	rate   uint64     // share of responses validated, in parts per million
	seed   uint64
	opts   *openapi3filter.Options
	routes atomic.Pointer[map[routeKey]*route] // copy on write, under mu
	mu     sync.Mutex                          // guards the writers of routes, named and other
	named  int                                 // undescribed templates remembered by name
	other  *route                              // the shared counter past MaxUnmatchedRoutes
	ids    idRing

	unanswered atomic.Int64
	validated  atomic.Int64
	skipped    [numSkips]atomic.Int64
}

// routeKey is a route template as a request names it.
type routeKey struct{ method, route string }

// route is what a requested route template maps to: an operation, or
// nothing (then its own counter).
type route struct {
	op        *opStats
	name      string
	unmatched atomic.Int64
}

// opStats are the counts of one described operation.
type opStats struct {
	desc       *operation
	salt       uint64 // spreads the sample of each operation differently
	requests   atomic.Int64
	described  atomic.Int64    // answers with a status the description lists
	classes    [6]atomic.Int64 // index: status/100, 0 for anything else
	violations atomic.Int64
	mu         sync.Mutex
	examples   []string
}

// ppm is parts per million: the unit of the sampling rate.
const ppm = 1_000_000

// NewChecker returns a Checker for d that validates samplePct percent
// (0–100, clamped) of each operation's answered responses, choosing them
// from seed: the same traffic with the same seed validates the same
// responses. The sample is stratified — exactly one response in each run of
// 100/samplePct answers of an operation — so the rate holds for rare
// operations too and a periodic pattern of answers cannot hide from it.
func NewChecker(d *Description, samplePct float64, seed int64) *Checker {
	c := &Checker{
		d:    d,
		rate: uint64(math.Round(min(max(samplePct, 0), 100) * ppm / 100)),
		seed: uint64(seed),
		opts: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			SchemaValidationOptions: d.doc.GetSchemaValidationOptions(),
		},
	}
	c.opts.WithCustomSchemaErrorFunc(schemaErrorText)
	for i, o := range d.ops {
		c.ops = append(c.ops, &opStats{desc: o, salt: mix64(uint64(i) + 1)})
	}
	empty := map[routeKey]*route{}
	c.routes.Store(&empty)
	return c
}

// Observe counts one finished request against its operation and validates
// its response when the sample picks it. Requests that got no HTTP answer
// (refused, timed out) exercise nothing and are counted apart.
func (c *Checker) Observe(req *harness.Request, resp *harness.Response) {
	r := c.route(req.Method, req.Route)
	if r.op == nil {
		r.unmatched.Add(1)
		return
	}
	if resp.Status == 0 {
		c.unanswered.Add(1)
		return
	}
	o := r.op
	n := uint64(o.requests.Add(1) - 1)
	class := resp.Status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	o.classes[class].Add(1)
	if o.desc.lists(resp.Status) {
		o.described.Add(1)
	}
	sampled := c.sampled(n, o.salt)
	if sampled {
		c.validate(o, req, resp)
	}
	if class == 2 && (sampled || n%idStride == 0) {
		c.ids.collect(resp.Body)
	}
}

// route returns what a requested route template maps to, remembering the
// answer: the map is replaced on a miss, which happens once per template.
func (c *Checker) route(method, tmpl string) *route {
	k := routeKey{method, tmpl}
	if r, ok := (*c.routes.Load())[k]; ok {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := *c.routes.Load()
	if r, ok := cur[k]; ok {
		return r
	}
	r := &route{name: method + " " + tmpl}
	if i, ok := c.d.find(method, tmpl); ok {
		r.op = c.ops[i]
	} else if c.named >= MaxUnmatchedRoutes {
		// Past the limit, every new undescribed template shares one
		// counter and is not remembered: the map stays bounded.
		if c.other == nil {
			c.other = &route{name: otherRoutes}
			c.store(cur, routeKey{route: otherRoutes}, c.other)
		}
		return c.other
	} else {
		c.named++
	}
	c.store(cur, k, r)
	return r
}

// store publishes a copy of cur with k added. The caller holds c.mu.
func (c *Checker) store(cur map[routeKey]*route, k routeKey, r *route) {
	next := maps.Clone(cur)
	next[k] = r
	c.routes.Store(&next)
}

// sampled reports whether the n-th answer (from 0) of an operation is
// validated: the answers are cut into strata of 1/rate, and one answer
// of each stratum, placed by a hash of the seed, is picked.
func (c *Checker) sampled(n, salt uint64) bool {
	q := c.rate
	switch {
	case q >= ppm:
		return true
	case q == 0:
		return false
	}
	k := n * q / ppm
	start := (k*ppm + q - 1) / q
	end := ((k+1)*ppm + q - 1) / q
	return n == start+mix64(k^salt^c.seed)%(end-start)
}

// mix64 is the SplitMix64 finalizer: a cheap, well-spread hash.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Unexercised returns the described operations not yet answered with a
// status their description lists (never reached, or reached but answered
// otherwise: 301, 401, ...), sorted by name.
func (c *Checker) Unexercised() []string {
	var out []string
	for _, o := range c.ops {
		if o.described.Load() == 0 {
			out = append(out, o.desc.name)
		}
	}
	return out
}

// Stats are a Checker's counts so far.
type Stats struct {
	// Requests counts answered requests that matched a described operation.
	Requests int64
	// Unanswered counts requests to described operations that got no HTTP
	// answer (refused, timed out): they exercise nothing.
	Unanswered int64
	// Unmatched counts requests whose route matches no described operation.
	Unmatched int64
	// Validated counts responses checked against the description.
	Validated int64
	// Violations counts validated responses that broke the description.
	Violations int64
	// Skipped counts sampled responses that could not be validated, by
	// reason: SkippedTruncated, SkippedNotJSON, SkippedNoRoute.
	Skipped map[string]int64
	// Exercised is the number of described operations answered at least
	// once with a status their description lists; Reached the number with
	// any answer; Described the number of described operations.
	Exercised, Reached, Described int
}

// Stats returns the counts so far.
func (c *Checker) Stats() Stats {
	s := Stats{
		Unanswered: c.unanswered.Load(),
		Validated:  c.validated.Load(),
		Described:  len(c.ops),
		Skipped:    map[string]int64{},
	}
	for _, o := range c.ops {
		n := o.requests.Load()
		s.Requests += n
		s.Violations += o.violations.Load()
		if n > 0 {
			s.Reached++
		}
		if o.described.Load() > 0 {
			s.Exercised++
		}
	}
	for _, r := range *c.routes.Load() {
		s.Unmatched += r.unmatched.Load()
	}
	for i := range c.skipped {
		if n := c.skipped[i].Load(); n > 0 {
			s.Skipped[skipReasons[i]] = n
		}
	}
	return s
}

// unmatched returns the undescribed routes that were requested, with their
// counts, sorted by name.
func (c *Checker) unmatched() []*route {
	var out []*route
	for _, r := range *c.routes.Load() {
		if r.op == nil && r.unmatched.Load() > 0 {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *route) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	return out
}
