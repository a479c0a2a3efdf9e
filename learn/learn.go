package learn

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Options configure learning.
type Options struct {
	// Key is the session key: KeyUser (default), KeyClient or KeyField.
	Key string
	// Gap is the inactivity that ends a session (default DefaultGap).
	Gap time.Duration
	// Bucket is the width of an arrival-rate bucket (default DefaultBucket).
	Bucket time.Duration
	// MaxK is the most archetypes to look for (default DefaultMaxK).
	MaxK int
	// MinShare is the smallest share of sessions of an archetype (default
	// DefaultMinShare).
	MinShare float64
	// Seed seeds clustering (default 1): the same log learns the same model.
	Seed int64
	// Prologue is how many anonymous requests of a client a session
	// starting there may take (default DefaultPrologue); see KeyUser.
	Prologue int
	// API, when set, maps paths to its operations' templates.
	API *openapi3.T
}

// Defaults of learning.
const (
	// DefaultBucket is the width of an arrival-rate bucket.
	DefaultBucket = time.Minute
	// DefaultPrologue is how many anonymous requests a new session takes.
	DefaultPrologue = 1
)

func (o Options) withDefaults() Options {
	if o.Key == "" {
		o.Key = KeyUser
	}
	if o.Gap == 0 {
		o.Gap = DefaultGap
	}
	if o.Bucket == 0 {
		o.Bucket = DefaultBucket
	}
	if o.MaxK == 0 {
		o.MaxK = DefaultMaxK
	}
	if o.MinShare == 0 {
		o.MinShare = DefaultMinShare
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Prologue == 0 {
		o.Prologue = DefaultPrologue
	}
	return o
}

// Validate reports every bad option at once, naming the flag.
func (o Options) Validate() error {
	var errs []error
	if o.Gap < 0 {
		errs = append(errs, fmt.Errorf("-session-gap: must be positive, got %s", o.Gap))
	}
	if o.Bucket < 0 {
		errs = append(errs, fmt.Errorf("-bucket: must be positive, got %s", o.Bucket))
	}
	if o.MaxK < 0 || o.MaxK > 20 {
		errs = append(errs, fmt.Errorf("-max-k: must be from 1 to 20, got %d", o.MaxK))
	}
	if o.Prologue < 0 {
		errs = append(errs, fmt.Errorf("-prologue: must not be negative, got %d", o.Prologue))
	}
	if o.MinShare < 0 || o.MinShare >= 0.5 {
		errs = append(errs, fmt.Errorf("-min-share: must be from 0 to 0.5, got %g", o.MinShare))
	}
	switch o.Key {
	case "", KeyUser, KeyClient, KeyField:
	default:
		errs = append(errs, fmt.Errorf("-session-key: %q: want user, client or field", o.Key))
	}
	return errors.Join(errs...)
}

// analysis is a log split into sessions, each with its archetype.
type analysis struct {
	log       *Log
	opts      Options
	templates []string // by raw id
	endpoints []string // sorted templates: the feature dimensions
	epIndex   map[string]int
	sessions  []session
	scale     Scale
	centres   [][]float64
	cut       int64 // cutoff(), once computed
}

// Learn fits a model from a log.
func Learn(l *Log, opts Options) (*Model, error) {
	a, err := analyse(l, opts, nil)
	if err != nil {
		return nil, err
	}
	return a.model(), nil
}

// analyse splits and clusters a log. With ref, the sessions are classified
// against ref's archetypes (for comparing) instead of clustered anew.
func analyse(l *Log, opts Options, ref *analysis) (*analysis, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	a := &analysis{log: l, opts: opts}
	rs := newRouteSet(opts.API)
	if ref != nil {
		rs = ref.routeSet()
	}
	a.templates = rs.templates(l.raws.strs)
	ss, err := l.sessions(opts.Key, opts.Gap, opts.Prologue)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, errors.New("the log holds no session")
	}
	a.sessions = ss
	if ref != nil {
		a.endpoints, a.epIndex, a.scale, a.centres = ref.endpoints, ref.epIndex, ref.scale, ref.centres
	} else {
		seen := map[string]bool{}
		for _, t := range a.templates[1:] {
			seen[t] = true
		}
		for t := range seen {
			a.endpoints = append(a.endpoints, t)
		}
		sort.Strings(a.endpoints)
		a.epIndex = map[string]int{}
		for i, t := range a.endpoints {
			a.epIndex[t] = i
		}
		maxLen, maxThink := 1.0, 1.0
		for i := range ss {
			maxLen = math.Max(maxLen, float64(len(ss[i].recs)))
			maxThink = math.Max(maxThink, a.meanThink(&ss[i]))
		}
		a.scale = Scale{Length: round6(math.Log1p(maxLen)), Think: round6(math.Log1p(maxThink))}
	}
	xs := make([][]float64, len(ss))
	for i := range ss {
		xs[i] = a.features(&ss[i])
	}
	var assign []int
	if ref != nil {
		assign = make([]int, len(xs))
		for i, x := range xs {
			assign[i] = nearest(x, a.centres)
		}
	} else {
		// Clustered on the complete sessions only: one the end of the log
		// cut short is a partial look, and a cluster of such stubs would
		// be an artefact of where the log ends. The cut ones join the
		// nearest archetype by their mix alone.
		var whole [][]float64
		var idx []int
		for i := range ss {
			if !ss[i].censored {
				whole, idx = append(whole, xs[i]), append(idx, i)
			}
		}
		if len(whole) < 2 {
			whole, idx = xs, nil
		}
		sub, centres := cluster(whole, opts.MaxK, opts.MinShare, opts.Seed)
		a.centres = centres
		assign = make([]int, len(xs))
		if idx == nil {
			copy(assign, sub)
		} else {
			for i := range assign {
				assign[i] = -1
			}
			for k, i := range idx {
				assign[i] = sub[k]
			}
			for i := range assign {
				if assign[i] < 0 {
					assign[i] = nearestMix(xs[i], a.centres, len(a.endpoints))
				}
			}
		}
		assign = a.orderByWeight(assign)
	}
	for i := range ss {
		ss[i].arch = assign[i]
	}
	return a, nil
}

// orderByWeight renumbers the clusters heaviest first.
func (a *analysis) orderByWeight(assign []int) []int {
	counts := make([]int, len(a.centres))
	for _, c := range assign {
		counts[c]++
	}
	order := make([]int, len(a.centres))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	rank := make([]int, len(order))
	centres := make([][]float64, len(order))
	for r, c := range order {
		rank[c] = r
		centres[r] = a.centres[c]
	}
	a.centres = centres
	out := make([]int, len(assign))
	for i, c := range assign {
		out[i] = rank[c]
	}
	return out
}

// routeSet matches other logs' paths against this analysis's templates.
func (a *analysis) routeSet() *routeSet {
	rs := &routeSet{}
	for _, t := range a.endpoints {
		method, path, _ := strings.Cut(t, " ")
		m := opMatch{method: method, template: t}
		for _, s := range splitPath(path) {
			if strings.HasPrefix(s, "{") {
				m.segs = append(m.segs, "")
			} else {
				m.segs = append(m.segs, s)
				m.literals++
			}
		}
		rs.ops = append(rs.ops, m)
	}
	sort.SliceStable(rs.ops, func(i, j int) bool { return rs.ops[i].literals > rs.ops[j].literals })
	return rs
}

func (a *analysis) endpoint(r *record) string { return a.templates[r.raw] }

// gaps returns the pauses of a session in milliseconds: from the end of an
// answer (start + duration, when the log has durations) to the next request.
func (a *analysis) gaps(s *session, out []float64) []float64 {
	recs := a.log.recs
	for i := 1; i < len(s.recs); i++ {
		p, r := &recs[s.recs[i-1]], &recs[s.recs[i]]
		g := r.at - (p.at + p.dur)
		if g < 0 {
			g = max(r.at-p.at, 0)
		}
		out = append(out, float64(g)/1e6)
	}
	return out
}

func (a *analysis) meanThink(s *session) float64 {
	g := a.gaps(s, nil)
	if len(g) == 0 {
		return 0
	}
	t := 0.0
	for _, x := range g {
		t += x
	}
	return t / float64(len(g))
}

// features is a session's point: its share of each endpoint, its scaled
// length and scaled mean think time.
func (a *analysis) features(s *session) []float64 {
	x := make([]float64, len(a.endpoints)+2)
	for _, i := range s.recs {
		if j, ok := a.epIndex[a.endpoint(&a.log.recs[i])]; ok {
			x[j]++
		}
	}
	// Square roots of the shares (the Hellinger embedding of a mix): a
	// route a session uses a little weighs more than its share, so two
	// mixes that differ in their rare routes are told apart.
	n := float64(len(s.recs))
	for j := range a.endpoints {
		x[j] = math.Sqrt(x[j] / n)
	}
	x[len(a.endpoints)] = math.Log1p(n) / a.scale.Length
	x[len(a.endpoints)+1] = math.Log1p(a.meanThink(s)) / a.scale.Think
	return x
}

// model fits every archetype and route.
func (a *analysis) model() *Model {
	recs := a.log.recs
	m := &Model{
		Version: ModelVersion,
		Session: SessionSpec{Key: a.opts.Key, Gap: Duration(a.opts.Gap)},
		Routes:  map[string]Route{},
		Scale:   a.scale,
	}
	m.Source = Source{Requests: len(recs), Sessions: len(a.sessions), Skipped: a.log.Skipped,
		Duration: Duration(time.Duration(recs[len(recs)-1].at - recs[0].at))}
	m.Arrivals = a.arrivals()
	for c := range a.centres {
		m.Archetypes = append(m.Archetypes, a.fitArchetype(c))
	}
	a.fitRoutes(m)
	return m
}

func (a *analysis) arrivals() Arrivals {
	recs := a.log.recs
	start, end := recs[0].at, recs[len(recs)-1].at
	b := a.opts.Bucket.Nanoseconds()
	n := int((end-start)/b) + 1
	counts := make([]float64, n)
	for i := range a.sessions {
		counts[(recs[a.sessions[i].recs[0]].at-start)/b]++
	}
	out := Arrivals{Bucket: Duration(a.opts.Bucket), Duration: Duration(time.Duration(end - start)), PerSecond: make([]float64, n)}
	for i, c := range counts {
		width := float64(b)
		if i == n-1 {
			width = math.Max(float64(end-start-int64(n-1)*b), 1e9)
		}
		out.PerSecond[i] = round6(c / (width / 1e9))
	}
	return out
}

// sessionLength is the number of requests of a session.
func sessionLength(s *session) float64 { return float64(len(s.recs)) }

func (a *analysis) fitArchetype(c int) Archetype {
	recs := a.log.recs
	arch := Archetype{Name: "a" + strconv.Itoa(c+1), Mix: map[string]float64{}, Transitions: map[string]map[string]float64{}}
	counts := map[string]map[string]float64{}
	bump := func(from, to string) {
		if counts[from] == nil {
			counts[from] = map[string]float64{}
		}
		counts[from][to]++
	}
	var lengths, pauses []float64
	for i := range a.sessions {
		s := &a.sessions[i]
		if s.arch != c {
			continue
		}
		arch.Sessions++
		prev := "START"
		for _, ri := range s.recs {
			ep := a.endpoint(&recs[ri])
			bump(prev, ep)
			prev = ep
		}
		if !s.censored {
			bump(prev, "END")
		}
		if a.lengthCounts(s) {
			lengths = append(lengths, sessionLength(s))
		}
		pauses = a.gaps(s, pauses)
	}
	arch.Weight = a.weight(c)
	for from, row := range counts {
		total := sum(row)
		p := map[string]float64{}
		for to, n := range row {
			p[to] = round6(n / total)
		}
		arch.Transitions[from] = p
	}
	ctr := a.centres[c]
	reqs := 0.0
	mix := map[string]float64{}
	for _, row := range counts {
		for to, n := range row {
			if to != "END" {
				mix[to] += n
				reqs += n
			}
		}
	}
	for t, n := range mix {
		arch.Mix[t] = round6(n / reqs)
	}
	arch.Centre = Centre{Length: round6(ctr[len(a.endpoints)]), Think: round6(ctr[len(a.endpoints)+1])}
	if len(lengths) == 0 { // every session censored: use them anyway
		for i := range a.sessions {
			if a.sessions[i].arch == c {
				lengths = append(lengths, sessionLength(&a.sessions[i]))
			}
		}
	}
	arch.Length = newDist(lengths)
	arch.Think = fitThink(pauses)
	return arch
}

// fitRoutes records statuses, query keys and how path ids relate to the
// session's user — never the values themselves.
func (a *analysis) fitRoutes(m *Model) {
	recs := a.log.recs
	type acc struct {
		n        int
		statuses map[int]int
		queries  map[string]int
		self     map[string]int
		params   map[string]int
		durs     []float64
	}
	accs := map[string]*acc{}
	for i := range a.sessions {
		s := &a.sessions[i]
		user := a.log.users.str(s.user)
		for _, ri := range s.recs {
			r := &recs[ri]
			t := a.endpoint(r)
			ac := accs[t]
			if ac == nil {
				ac = &acc{statuses: map[int]int{}, queries: map[string]int{}, self: map[string]int{}, params: map[string]int{}}
				accs[t] = ac
			}
			ac.n++
			ac.statuses[int(r.status)]++
			if r.dur > 0 && len(ac.durs) < 100000 {
				ac.durs = append(ac.durs, float64(r.dur)/1e6)
			}
			if q := a.log.queries.str(r.query); q != "" {
				ac.queries[q]++
			}
			pos := paramSegments(t)
			if len(pos) == 0 {
				continue
			}
			_, tpath, _ := strings.Cut(t, " ")
			tsegs := splitPath(tpath)
			_, rpath, _ := strings.Cut(a.log.raws.str(r.raw), " ")
			rsegs := splitPath(rpath)
			for _, p := range pos {
				if p >= len(rsegs) {
					continue
				}
				name := strings.Trim(tsegs[p], "{}")
				ac.params[name]++
				if user != "" && rsegs[p] == user {
					ac.self[name]++
				}
			}
		}
	}
	for t, ac := range accs {
		rt := Route{Requests: ac.n, Statuses: map[int]float64{}}
		if len(ac.durs) > 0 {
			sort.Float64s(ac.durs)
			rt.ServerMs = round6(quantileSorted(ac.durs, 0.5))
		}
		for code, n := range ac.statuses {
			rt.Statuses[code] = round6(float64(n) / float64(ac.n))
		}
		if len(ac.queries) > 0 {
			rt.QueryKeys = map[string]float64{}
			for q, n := range ac.queries {
				rt.QueryKeys[q] = round6(float64(n) / float64(ac.n))
			}
		}
		if len(ac.params) > 0 {
			rt.Self = map[string]float64{}
			for p, n := range ac.params {
				rt.Self[p] = round6(float64(ac.self[p]) / float64(n))
			}
		}
		m.Routes[t] = rt
	}
}

// Labelled is one session and the archetype it was put in. User is the
// raw user field: for the caller's own checks, never written to a model.
type Labelled struct {
	User      string
	Archetype string
	Requests  int
	// Complete is false for a session the end of the log cut short.
	Complete bool
}

// LearnLabelled is Learn that also returns every session's archetype.
func LearnLabelled(l *Log, opts Options) (*Model, []Labelled, error) {
	a, err := analyse(l, opts, nil)
	if err != nil {
		return nil, nil, err
	}
	m := a.model()
	out := make([]Labelled, len(a.sessions))
	for i, s := range a.sessions {
		out[i] = Labelled{User: l.users.str(s.user), Archetype: m.Archetypes[s.arch].Name, Requests: len(s.recs), Complete: !s.censored}
	}
	return m, out, nil
}

// nearestMix is the nearest centre by the first dims coordinates (the mix).
func nearestMix(x []float64, centres [][]float64, dims int) int {
	best, bd := 0, math.Inf(1)
	for c, ctr := range centres {
		if d := dist2(x[:dims], ctr[:dims]); d < bd {
			best, bd = c, d
		}
	}
	return best
}

// weight is an archetype's share of the sessions that started early enough
// to have been seen whole whatever their archetype: before the end of the
// log less the 99th percentile of complete sessions' durations. Counting
// every session would favour short archetypes (the end of the log cuts
// long ones), and counting complete ones only would too.
func (a *analysis) weight(c int) float64 {
	cutoff := a.cutoff()
	recs := a.log.recs
	n, all := 0, 0
	for i := range a.sessions {
		s := &a.sessions[i]
		if recs[s.recs[0]].at > cutoff {
			continue
		}
		all++
		if s.arch == c {
			n++
		}
	}
	if all == 0 { // a log shorter than its sessions: every session counts
		for i := range a.sessions {
			all++
			if a.sessions[i].arch == c {
				n++
			}
		}
	}
	return round6(float64(n) / float64(all))
}

// cutoff is the latest start of a session that the log would have seen
// whole whatever its archetype: the end of the log less the gap and the
// 99th percentile of complete sessions' durations. Weights and lengths
// count only sessions started by then — the end of a log cuts long
// sessions more often than short ones, so counting every session, or
// every complete one, would favour the short.
func (a *analysis) cutoff() int64 {
	if a.cut != 0 {
		return a.cut
	}
	recs := a.log.recs
	var durs []float64
	for i := range a.sessions {
		s := &a.sessions[i]
		if !s.censored {
			durs = append(durs, float64(recs[s.recs[len(s.recs)-1]].at-recs[s.recs[0]].at))
		}
	}
	a.cut = recs[len(recs)-1].at
	if len(durs) > 0 {
		sort.Float64s(durs)
		a.cut -= int64(quantileSorted(durs, 0.99)) + a.opts.Gap.Nanoseconds()
	}
	if a.cut <= recs[0].at { // too short a log: take what there is
		a.cut = recs[len(recs)-1].at
	}
	return a.cut
}

// lengthCounts reports whether a session's length is a sample of the
// archetype's: seen whole, and started early enough (cutoff).
func (a *analysis) lengthCounts(s *session) bool {
	return !s.censored && a.log.recs[s.recs[0]].at <= a.cutoff()
}
