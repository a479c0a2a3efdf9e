package learn

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/trafficsim/trafficsim/harness"
)

// Hooks let a user supply what a model cannot: a request body, the value
// of a path parameter or of a query key, for a route. Either may be nil; returning
// false falls back to the built-in source.
type Hooks struct {
	// Body returns the JSON body of a request to route ("PUT /api/users/{id}").
	Body func(vu *harness.VU, st *State, route string) (any, bool)
	// ID returns the value of path parameter param of route.
	ID func(vu *harness.VU, st *State, route, param string) (string, bool)
	// Query returns the value of query key of route; without it, values
	// come from the API description, and free-text keys are left out.
	Query func(vu *harness.VU, st *State, route, key string) (string, bool)
}

// State is what one replaying user remembers: its credentials and the ids
// earlier answers gave it, by resource ("users", "notifications").
type State struct {
	Email, Password, Name string
	// UserID is the user's own id, from the answer that named its email.
	UserID string
	// Refresh is the refresh token of the last login.
	Refresh string
	// IDs are ids seen in answers, by the last literal path segment of
	// the route that answered.
	IDs map[string][]string

	pendingPassword string
	login           string  // the route whose answer gave the access token
	current         string  // the route being absorbed
	trace           []visit // this session's requests, for fidelity
}

func (st *State) idNumber() any {
	if n, err := strconv.ParseInt(st.UserID, 10, 64); err == nil {
		return n
	}
	return st.UserID
}

// maxIDs bounds the ids a user remembers per resource.
const maxIDs = 32

func (st *State) forget(resource, id string) {
	ids := st.IDs[resource]
	for i, x := range ids {
		if x == id {
			ids[i] = ids[len(ids)-1]
			st.IDs[resource] = ids[:len(ids)-1]
			return
		}
	}
}

func (st *State) remember(resource, id string) {
	if id == "" || id == st.UserID {
		return
	}
	ids := st.IDs[resource]
	if len(ids) < maxIDs {
		st.IDs[resource] = append(ids, id)
		return
	}
	ids[len(id)%maxIDs] = id
}

// Replayer runs a model with the harness: an archetype per model
// archetype, each user drawing its session length and walking its Markov
// chain, pausing as the model's think time says. It is safe for the
// concurrent users of one run.
type Replayer struct {
	model *Model
	api   *openapi3.T
	hooks Hooks
	chain []chain
	drawn []atomic.Uint64 // per archetype: session lengths drawn so far
	late  lateness
	// lists maps a resource ("notifications") to the model's route that
	// lists it ("GET /api/notifications").
	lists map[string]string

	mu       sync.Mutex
	sessions []replayed
}

// visit is one replayed request.
type visit struct {
	route    string
	at, done time.Time
	status   int
	// transport is the client latency less the server's usual time: the
	// part of the exchange the target counts in the next pause.
	transport time.Duration
}

type replayed struct {
	arch   int
	visits []visit
	// cut: the run stopped the session before its drawn length.
	cut bool
}

// chain is an archetype's transitions as cumulative tables.
type chain struct {
	next  map[string][]string
	cum   map[string][]float64
	think harness.Think // when the law is not empirical
	emp   bool
}

// NewReplayer prepares a model; api (may be nil) gives request bodies,
// query values and which operations need no credentials.
func NewReplayer(m *Model, api *openapi3.T, hooks Hooks) (*Replayer, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("-model: %w", err)
	}
	r := &Replayer{model: m, api: api, hooks: hooks}
	for _, a := range m.Archetypes {
		c := chain{next: map[string][]string{}, cum: map[string][]float64{}}
		for from, row := range a.Transitions {
			keys := make([]string, 0, len(row))
			for to := range row {
				if to != "END" {
					keys = append(keys, to)
				}
			}
			sort.Strings(keys)
			acc, cum := 0.0, make([]float64, len(keys))
			for i, k := range keys {
				acc += row[k]
				cum[i] = acc
			}
			c.next[from], c.cum[from] = keys, cum
		}
		switch a.Think.Law {
		case "empirical":
			c.emp = true
		case "", "none":
			c.think = harness.NoThink
		default:
			t, err := harness.ParseThink(a.Think.Law)
			if err != nil {
				return nil, fmt.Errorf("-model: archetype %s: think law: %w", a.Name, err)
			}
			c.think = t
		}
		r.chain = append(r.chain, c)
	}
	r.drawn = make([]atomic.Uint64, len(m.Archetypes))
	r.lists = map[string]string{}
	for route := range m.Routes {
		method, path, _ := strings.Cut(route, " ")
		segs := splitPath(path)
		if method == http.MethodGet && len(segs) > 0 && !strings.Contains(path, "{") {
			r.lists[segs[len(segs)-1]] = route
		}
	}
	return r, nil
}

// Add adds the model's archetypes to sim, with weights in thousandths.
func (r *Replayer) Add(sim *harness.Simulation) {
	for i, a := range r.model.Archetypes {
		longest := 1
		if q := a.Length.Quantiles; len(q) > 0 {
			longest = max(1, int(math.Ceil(q[len(q)-1])))
		}
		w := max(1, int(math.Round(a.Weight*1000)))
		sim.Archetype(a.Name, w, harness.Between(longest, longest), r.journey(i), harness.WithThink(harness.NoThink))
	}
}

// Arrivals returns the open-model plan of the learned arrival rate: the
// starting rate and a step per bucket.
func (r *Replayer) Arrivals() (float64, []harness.Stage) {
	a := r.model.Arrivals
	if len(a.PerSecond) == 0 {
		return 0, nil
	}
	const step = time.Millisecond
	var stages []harness.Stage
	left := time.Duration(a.Duration)
	for i, rate := range a.PerSecond {
		d := time.Duration(a.Bucket)
		if i == len(a.PerSecond)-1 {
			d = max(left, time.Second)
		}
		left -= d
		if i > 0 {
			stages = append(stages, harness.Stage{Duration: step, Target: rate})
			d -= step
		}
		stages = append(stages, harness.Stage{Duration: d, Target: rate})
	}
	return a.PerSecond[0], stages
}

func (r *Replayer) journey(ai int) harness.Journey {
	a := &r.model.Archetypes[ai]
	c := &r.chain[ai]
	return func(ctx context.Context, vu *harness.VU) error {
		if _, ok := vu.State.(*State); ok {
			return harness.ErrBudgetSpent // the session was walked
		}
		st := &State{Email: vu.Email(""), Password: password(vu.Rand), Name: "User " + strconv.Itoa(vu.Index), IDs: map[string][]string{}}
		vu.State = st
		length := int(math.Round(a.Length.At(lowDiscrepancy(r.drawn[ai].Add(1)))))
		length = min(max(length, 1), vu.Remaining())
		cur, err := "START", error(nil)
		done := 0
		var lastDone, waited time.Time
		var intended, transport time.Duration
		for ; done < length; done++ {
			next := c.pick(cur, vu.Rand)
			if next == "" {
				break // a state the log never left but by END
			}
			if done > 0 {
				var ok bool
				if intended, ok = r.pause(ctx, a, c, vu.Rand, transport); !ok {
					err = harness.ErrBudgetSpent
					break
				}
				waited = time.Now()
			}
			next = r.substitute(vu, st, next)
			req := r.request(vu, st, next)
			at := time.Now()
			if done > 0 && intended > 0 {
				r.late.observe(at.Sub(waited) + waited.Sub(lastDone) - intended)
			}
			resp, derr := vu.Do(ctx, req)
			if derr != nil {
				err = derr
				break
			}
			lastDone = time.Now()
			transport = max(0, resp.Latency-time.Duration(r.model.Routes[next].ServerMs*float64(time.Millisecond)))
			st.trace = append(st.trace, visit{route: next, at: at, done: lastDone, status: resp.Status, transport: transport})
			r.absorb(vu, st, next, req, resp)
			cur = next
		}
		r.finish(ai, st, done < length)
		if err != nil {
			return err
		}
		return harness.ErrBudgetSpent
	}
}

// lowDiscrepancy is the k-th point of the golden-ratio sequence in [0, 1).
// Session lengths are drawn at these points rather than at random: the
// replay's lengths then follow the learned distribution closely even for
// a few hundred sessions, where independent draws would wander by
// 1/sqrt(n). Which user gets which point still depends on arrival order.
func lowDiscrepancy(k uint64) float64 {
	const phi = 0.6180339887498949
	_, f := math.Modf(0.5 + float64(k)*phi)
	return f
}

func (c *chain) pick(from string, rng *rand.Rand) string {
	keys, cum := c.next[from], c.cum[from]
	if len(keys) == 0 || cum[len(cum)-1] <= 0 {
		return ""
	}
	u := rng.Float64() * cum[len(cum)-1]
	i := sort.SearchFloat64s(cum, u)
	return keys[min(i, len(keys)-1)]
}

// pause waits one think time of the model, as the target will see it:
// less the transport share of the previous exchange (its latency at the
// client less the server's own time for that route, which the target
// counts in the pause) and less how late the replay's waits have been
// running. It returns the wait it asked for, and false when ctx ends first.
func (r *Replayer) pause(ctx context.Context, a *Archetype, c *chain, rng *rand.Rand, transport time.Duration) (time.Duration, bool) {
	var d time.Duration
	if c.emp {
		d = time.Duration(a.Think.Draw(rng) * float64(time.Millisecond))
	} else {
		d = c.think.Draw(rng)
	}
	wait := d - r.late.mean() - max(transport, 0)
	if wait <= 0 {
		return 0, ctx.Err() == nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return wait, true
	case <-ctx.Done():
		return wait, false
	}
}

// lateness is a moving average of how much longer the pauses came out
// than asked, shared by a run's users.
type lateness struct {
	mu  sync.Mutex
	avg time.Duration
}

func (l *lateness) observe(d time.Duration) {
	l.mu.Lock()
	l.avg += (d - l.avg) / 64
	l.mu.Unlock()
}

func (l *lateness) mean() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.avg, 0)
}

// substitute replaces a step the user cannot take yet with the one that
// gets it what it lacks, as a person would: a signed-out user that must
// be signed in logs in again; a user that must name an id it has never
// seen (a notification to read) first lists that resource.
func (r *Replayer) substitute(vu *harness.VU, st *State, route string) string {
	op := operation(r.api, route)
	if vu.Token == "" && st.login != "" && op != nil && !anonymous(op) {
		return st.login
	}
	_, path, _ := strings.Cut(route, " ")
	segs := splitPath(path)
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") || i == 0 {
			continue
		}
		res := segs[i-1]
		if len(st.IDs[res]) > 0 || r.model.Routes[route].Self[strings.Trim(s, "{}")] > 0 {
			continue
		}
		if list, ok := r.lists[res]; ok {
			return list
		}
	}
	return route
}

// request builds the request of a route for this user.
func (r *Replayer) request(vu *harness.VU, st *State, route string) *harness.Request {
	method, path, _ := strings.Cut(route, " ")
	op := operation(r.api, route)
	rt := r.model.Routes[route]
	segs := splitPath(path)
	var params []any
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		name := strings.Trim(s, "{}")
		if r.hooks.ID != nil {
			if v, ok := r.hooks.ID(vu, st, route, name); ok {
				params = append(params, v)
				continue
			}
		}
		resource := ""
		if i > 0 {
			resource = segs[i-1]
		}
		params = append(params, st.pickID(vu.Rand, resource, rt.Self[name]))
	}
	req := harness.NewRequest(method, path, params...)
	if keys := pickShare(rt.QueryKeys, vu.Rand); keys != "" {
		for k := range strings.SplitSeq(keys, ",") {
			if r.hooks.Query != nil {
				if v, ok := r.hooks.Query(vu, st, route, k); ok {
					req.Param(k, v)
					continue
				}
			}
			if v, ok := queryValue(op, k); ok {
				req.Param(k, v)
			}
		}
	}
	if r.hooks.Body != nil {
		if b, ok := r.hooks.Body(vu, st, route); ok {
			req.JSON(b)
		}
	}
	if req.Body == nil && method != http.MethodGet && method != http.MethodDelete {
		if s := bodySchema(op); s != nil {
			req.JSON(sample(s, "", st, 0))
		}
	}
	if anonymous(op) {
		req.Anonymous()
	}
	// The statuses the log shows for this route, at least 1 % of the
	// time, are the expected answers; so are the 2xx.
	var codes []int
	for code, share := range rt.Statuses {
		if share >= 0.01 || code/100 == 2 {
			codes = append(codes, code)
		}
	}
	if len(codes) > 0 {
		for c := 200; c < 300; c++ {
			if _, ok := rt.Statuses[c]; !ok {
				codes = append(codes, c)
			}
		}
		sort.Ints(codes)
		req.Expect(codes...)
	}
	return req
}

// pickID returns the user's own id with probability self, else an id an
// earlier answer gave for the resource, else its own.
func (st *State) pickID(rng *rand.Rand, resource string, self float64) string {
	u := rng.Float64()
	ids := st.IDs[resource]
	if u < self || len(ids) == 0 {
		if st.UserID != "" {
			return st.UserID
		}
		if len(ids) == 0 {
			return "1"
		}
	}
	return ids[rng.IntN(len(ids))]
}

func pickShare(shares map[string]float64, rng *rand.Rand) string {
	if len(shares) == 0 {
		return ""
	}
	keys := make([]string, 0, len(shares))
	for k := range shares {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	u := rng.Float64()
	for _, k := range keys {
		if u -= shares[k]; u < 0 {
			return k
		}
	}
	return "" // the rest: no query
}

// absorb takes tokens and ids from an answer.
func (r *Replayer) absorb(vu *harness.VU, st *State, route string, req *harness.Request, resp *harness.Response) {
	method, path, _ := strings.Cut(route, " ")
	op := operation(r.api, route)
	if resp.Status == http.StatusUnauthorized && op != nil && !anonymous(op) {
		vu.Token = "" // signed out (a revoked session): the next step logs in
		return
	}
	if resp.Status/100 != 2 {
		return
	}
	segs := splitPath(path)
	if method == http.MethodPost || method == http.MethodDelete {
		// An id acted on (deleted, marked read) is not acted on again.
		rsegs := splitPath(req.Path())
		for i, s := range segs {
			if strings.HasPrefix(s, "{") && i > 0 && i < len(rsegs) {
				st.forget(segs[i-1], rsegs[i])
			}
		}
	}
	if strings.HasSuffix(route, "/logout") {
		vu.Token = ""
	}
	if st.pendingPassword != "" && strings.Contains(route, "password") {
		st.Password, st.pendingPassword = st.pendingPassword, ""
	}
	if len(resp.Body) == 0 || (resp.Body[0] != '{' && resp.Body[0] != '[') {
		return
	}
	var v any
	if json.Unmarshal(resp.Body, &v) != nil {
		return
	}
	resource := ""
	for _, s := range segs {
		if !strings.HasPrefix(s, "{") {
			resource = s
		}
	}
	if method == http.MethodGet && !strings.Contains(path, "{") {
		delete(st.IDs, resource) // a list: its latest answer is what exists now
	}
	st.current = route
	r.walk(vu, st, resource, v, 0)
}

// walk visits a decoded answer: tokens, the user's own id (the object
// holding its email), and every other "id".
func (r *Replayer) walk(vu *harness.VU, st *State, resource string, v any, depth int) {
	if depth > 4 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if t, ok := v["access_token"].(string); ok && t != "" {
			vu.Token = t
			if strings.HasSuffix(st.current, "/login") || st.login == "" {
				st.login = st.current
			}
		}
		if t, ok := v["refresh_token"].(string); ok && t != "" {
			st.Refresh = t
		}
		if cur, _ := v["current"].(bool); cur {
			return // the session in use: not one to act on
		}
		if id := textOf(v["id"]); id != "" {
			if e, ok := v["email"].(string); ok && strings.EqualFold(e, st.Email) {
				st.UserID = id
			} else {
				st.remember(resource, id)
			}
		}
		for k, x := range v {
			switch x.(type) {
			case map[string]any, []any:
				r.walk(vu, st, nestedResource(resource, k), x, depth+1)
			}
		}
	case []any:
		for _, x := range v {
			r.walk(vu, st, resource, x, depth+1)
		}
	}
}

// nestedResource names the ids under key k of an answer about resource:
// a page's container ("items", "data") keeps the resource, any other key
// names its own, plural ("user" → "users", "orders").
func nestedResource(resource, k string) string {
	switch strings.ToLower(k) {
	case "items", "data", "results", "content", "records", "entries", "list":
		return resource
	}
	if strings.HasSuffix(k, "s") {
		return k
	}
	return k + "s"
}

func textOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func password(r *rand.Rand) string {
	const letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 14)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return "Pw-" + string(b)
}

func (r *Replayer) finish(ai int, st *State, cut bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sessions = append(r.sessions, replayed{arch: ai, visits: st.trace, cut: cut})
	st.trace = nil
}
