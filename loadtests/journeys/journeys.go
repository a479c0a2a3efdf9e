package journeys

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// Options configure the journeys.
type Options struct {
	// AdminEmail and AdminPassword are an existing admin account. Admin
	// users log in with it to promote their own accounts; cleanup uses it
	// to delete what a run created.
	AdminEmail    string
	AdminPassword string
	// Skip names operations ("DELETE /api/users/{id}/avatar") the journeys
	// must not send: each such request becomes GET /health, so the user's
	// budget still moves and nothing spins. A testing aid, to leave a gap
	// in coverage on purpose.
	Skip []string
}

// Journeys are the journeys of the four archetypes, sharing Options.
type Journeys struct {
	opts Options
	skip map[string]bool // Options.Skip, shared read-only by every user
}

// New returns the journeys.
func New(opts Options) *Journeys {
	j := &Journeys{opts: opts}
	if len(opts.Skip) > 0 {
		j.skip = make(map[string]bool, len(opts.Skip))
		for _, name := range opts.Skip {
			j.skip[name] = true
		}
	}
	return j
}

// maxSeen bounds the ids a user remembers.
const maxSeen = 32

// missingID is an id no user service hands out in a test run.
const missingID = 999_999_999

// state is what one user remembers between requests.
type state struct {
	email, password string
	id              int64
	registered      bool
	checked         bool // the service's health, before registering
	promoted        bool // an admin's promotion was tried
	refresh         string
	isAdmin         bool
	seen            []int64 // user ids seen in lists
	notifications   []int64
	created         []int64 // users this admin created in bulk
	deactivated     []int64
	bulkSeq         int // addresses handed out in bulk so far
	hasAvatar       bool
	skip            map[string]bool // Options.Skip, shared read-only
}

func (j *Journeys) stateOf(vu *harness.VU) *state {
	if st, ok := vu.State.(*state); ok {
		return st
	}
	st := &state{email: vu.Email(""), password: password(vu.Rand), skip: j.skip}
	vu.State = st
	return st
}

// Secrets returns the secrets the user holds now: its password and, when it
// has them, its access and refresh tokens. Secret-hygiene tests collect
// them to prove that none reaches a log line or a report. It does not give
// the user a state when it has none.
func Secrets(vu *harness.VU) []string {
	var out []string
	if vu.Token != "" {
		out = append(out, vu.Token)
	}
	if st, ok := vu.State.(*state); ok {
		for _, s := range []string{st.password, st.refresh} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// password is a fresh random password for one user. It never leaves the
// user's state and the requests' bodies (the harness redacts both).
func password(r *rand.Rand) string {
	const letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 14)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return "Pw-" + string(b)
}

func (st *state) remember(ids ...int64) {
	for _, id := range ids {
		if id == st.id {
			continue
		}
		if len(st.seen) < maxSeen {
			st.seen = append(st.seen, id)
		} else {
			st.seen[int(id)%maxSeen] = id
		}
	}
}

func (st *state) someUser(vu *harness.VU) int64 {
	// Draw first, whatever the list holds: what other users did must not
	// change this user's random sequence.
	k := vu.Rand.IntN(maxSeen)
	if len(st.seen) == 0 {
		return st.id
	}
	return st.seen[k%len(st.seen)]
}

// do makes a request and decodes a 2xx answer into out (when not nil).
//
// It is on the stack of every user waiting for an answer or thinking, so it
// keeps a small frame: the Options.Skip case is a function of its own.
func do(ctx context.Context, vu *harness.VU, req *harness.Request, out any) (*harness.Response, bool, error) {
	if skipped(vu, req) {
		return doSkipped(ctx, vu)
	}
	resp, err := vu.Do(ctx, req)
	if err != nil {
		return nil, false, err
	}
	if !resp.OK || req.IsInjected() || out == nil || resp.Status == http.StatusNoContent {
		return resp, resp.OK, nil
	}
	return resp, vu.Decode(req, resp, out), nil
}

// skipped reports whether Options.Skip names the request.
func skipped(vu *harness.VU, req *harness.Request) bool {
	st, ok := vu.State.(*state)
	return ok && st.skip != nil && st.skip[req.Name()]
}

// doSkipped is what a skipped request becomes: a health check, reported as
// not done.
//
//go:noinline
func doSkipped(ctx context.Context, vu *harness.VU) (*harness.Response, bool, error) {
	resp, err := vu.Do(ctx, harness.Get("/health").Anonymous())
	return resp, false, err
}

// health is what a client does first: is the service up?
func health(ctx context.Context, vu *harness.VU) error {
	_, _, err := do(ctx, vu, harness.Get("/health").Anonymous(), nil)
	return err
}

// register creates the user's account, sometimes after a deliberately bad
// attempt (an invalid payload) at -error-rate.
func register(ctx context.Context, vu *harness.VU, st *state) error {
	if vu.Bad() {
		bad := map[string]string{"email": "not-an-email", "password": "short", "name": ""}
		if _, _, err := do(ctx, vu, harness.Post("/api/auth/register").JSON(bad).Anonymous().Injected(http.StatusUnprocessableEntity), nil); err != nil {
			return err
		}
	}
	var u user
	body := map[string]string{"email": st.email, "password": st.password, "name": "User " + strconv.Itoa(vu.Index)}
	resp, ok, err := do(ctx, vu, harness.Post("/api/auth/register").JSON(body).Anonymous().Expect(http.StatusCreated), &u)
	if err != nil {
		return err
	}
	if ok {
		st.id, st.registered = u.ID, true
	} else if resp.Status == http.StatusConflict {
		st.registered = true // a continuous run's earlier identity; log in to learn the id
	}
	if st.registered && vu.Bad() {
		// A second registration with the same email: the service must say 409.
		_, _, err = do(ctx, vu, harness.Post("/api/auth/register").JSON(body).Anonymous().Injected(http.StatusConflict), nil)
	}
	return err
}

// login logs the user in. Each attempt is a wrong password with probability
// -error-rate, so wrong attempts are that share of all login attempts.
func login(ctx context.Context, vu *harness.VU, st *state) error {
	for range 8 {
		if vu.Bad() {
			wrong := map[string]string{"email": st.email, "password": st.password + "-wrong"}
			resp, _, err := do(ctx, vu, harness.Post("/api/auth/login").JSON(wrong).Anonymous().Injected(http.StatusUnauthorized), nil)
			if err != nil {
				return err
			}
			vu.RecordLogin(loginOutcome(resp, kind.LoginWrongPassword))
			continue
		}
		var t tokens
		creds := map[string]string{"email": st.email, "password": st.password}
		resp, ok, err := do(ctx, vu, harness.Post("/api/auth/login").JSON(creds).Anonymous(), &t)
		if err != nil {
			return err
		}
		vu.RecordLogin(loginOutcome(resp, kind.LoginSuccess))
		if ok {
			vu.Token, st.refresh, st.id = t.AccessToken, t.RefreshToken, t.User.ID
		}
		return nil
	}
	return nil
}

func loginOutcome(resp *harness.Response, want kind.Login) kind.Login {
	switch {
	case resp.Status == http.StatusTooManyRequests:
		return kind.LoginLocked
	case want == kind.LoginSuccess && resp.OK:
		return kind.LoginSuccess
	case want == kind.LoginWrongPassword && resp.Status == http.StatusUnauthorized:
		return kind.LoginWrongPassword
	default:
		return kind.LoginError
	}
}

// onboard takes the user's next step of signing up and logging in, if one
// is due: a health check, the registration, the login, one journey call
// each. It reports whether a step was due. One step a call lets the user
// think between calls with no goroutine (the harness parks it), instead of
// holding one, grown by a deep journey, for every pause.
func onboard(ctx context.Context, vu *harness.VU, st *state) (bool, error) {
	switch {
	case !st.registered && !st.checked:
		st.checked = true
		return true, health(ctx, vu)
	case !st.registered:
		return true, register(ctx, vu, st)
	case vu.Token == "":
		return true, login(ctx, vu, st)
	}
	return false, nil
}

// action is one thing a user may do, with its weight in the archetype's mix.
type action struct {
	weight int
	run    func(ctx context.Context, vu *harness.VU, st *state) error
}

// walk performs weighted random actions until the budget is spent or the
// run stops (Do's error ends it), logging in again first whenever the user
// has logged out.
func walk(ctx context.Context, vu *harness.VU, st *state, actions []action) error {
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	for {
		if vu.Token == "" {
			if err := login(ctx, vu, st); err != nil {
				return err
			}
			continue
		}
		n := vu.Rand.IntN(total)
		for _, a := range actions {
			if n < a.weight {
				if err := a.run(ctx, vu, st); err != nil {
					return err
				}
				break
			}
			n -= a.weight
		}
	}
}
