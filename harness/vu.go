package harness

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/deadline"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// ErrBudgetSpent is returned by VU.Do once the user has made all its
// requests. A journey returns it (or any error from Do) to end; the harness
// treats it as a normal end.
var ErrBudgetSpent = errors.New("request budget spent")

// ErrDone ends a user early as a normal end: a journey returns it when the
// user has nothing left to do (the explorer, once every operation is
// tried). A journey that returns nil without making a request is a bug
// instead, reported as such (see noRequest).
var ErrDone = errors.New("user done")

// errStopped is returned by Do when the run is stopping.
var errStopped = errors.New("run stopping")

// Journey is what a virtual user does. The harness calls it again and again
// while the user has budget left and the run goes on; it returns the error
// from VU.Do to end early. State a journey keeps between calls lives in
// vu.State.
//
// Between two calls the user thinks with no goroutine at all (the harness
// parks it and starts a fresh one when the pause is over), while a pause
// inside a call keeps the journey's goroutine and its stack. A journey that
// takes one step per call (a page, an action) and returns is the cheapest
// to hold by the hundred thousand; one that loops inside a single call
// works the same, at the cost of its stack while it thinks.
type Journey func(ctx context.Context, vu *VU) error

// VU is one virtual user. Each has its own random source (seeded from the
// run's seed and its index, so a run is reproducible), cookie jar, token and
// request budget. A VU is used by one goroutine only.
type VU struct {
	// Index is the user's index in the whole population, the same in every
	// shard: identities built from it never collide across shards.
	Index     int
	Archetype string
	RunID     string
	Rand      *rand.Rand

	// Token is sent with every request once set, as the simulation's or
	// the archetype's Auth says (Config.Auth, WithAuth): by default as
	// "Authorization: Bearer <token>".
	Token string
	// State is the journey's own data (credentials, ids seen, ...).
	State any

	env      *userEnv
	arch     int
	budget   int
	used     int
	think    *Think // the archetype's
	ua       uint8
	inline   bool          // never thinks: makes its exchanges on its own goroutine
	rested   bool          // paused before this journey call: its first request does not
	parked   atomic.Bool   // between journey calls with no goroutine (run.park)
	rest     time.Duration // the next pause between calls, when Rest set it
	jar      http.CookieJar
	intended *time.Time         // open model: the session's intended start
	names    *[]string          // when recording sequences (tests)
	pending  *Request           // the request a pool worker is making for the user
	decoding *decodeJob         // or the answer it is decoding
	asked    time.Time          // when the user handed its job over: latency starts here
	done     chan *Response     // the worker's response, or nil to end a pause
	own      *deadline.Deadline // the request timeout of an inline user's exchanges
	callCtx  context.Context    // Do's ctx when it is not the run's: it may cut the request
}

// Budget is the number of requests the user was given.
func (vu *VU) Budget() int { return vu.budget }

// Remaining is the number of requests the user may still make.
func (vu *VU) Remaining() int { return vu.budget - vu.used }

// Email returns an address unique to this user and run, carrying the run id
// so that cleanup can find exactly what this run created.
func (vu *VU) Email(tag string) string {
	return "ts-" + vu.RunID + "-" + strconv.Itoa(vu.Index) + tag + "@trafficsim.test"
}

// Chance reports true with probability p (0–1), from the user's own source.
func (vu *VU) Chance(p float64) bool { return vu.Rand.Float64() < p }

// Bad reports whether the next request should be a deliberately bad one,
// with probability -error-rate.
func (vu *VU) Bad() bool { return vu.Chance(vu.env.cfg.ErrorRate / 100) }

// Logger returns the run's logger with this user's attributes.
func (vu *VU) Logger() *slog.Logger {
	return vu.env.log.With("vu", vu.Index, "archetype", vu.Archetype)
}

// RecordLogin counts a login outcome (kind.LoginSuccess,
// kind.LoginWrongPassword, kind.LoginLocked, kind.LoginError) in the
// summary's login_attempts and trafficsim_login_attempts_total.
func (vu *VU) RecordLogin(outcome kind.Login) { vu.env.rec.Login(outcome) }

// Do makes one request, after the user's think time (none before its first
// request). It returns an error only when the user must stop: its budget is
// spent (ErrBudgetSpent), the run is stopping, or ctx is done. Everything
// that can go wrong with the request itself is in the Response.
//
// Do honours ctx for the pause and for the request: when ctx ends during
// the pause, Do returns at once with ctx's error; when it ends during the
// request, the request is cut off and Do returns its Response at once,
// of kind timeout (ctx's deadline passed) or interrupted (ctx cancelled).
// The journey's own ctx, as the harness passes it, ends when the run stops.
//
// Do and pause are on the stack of every thinking user, so their frames are
// kept small (see package pool and runUser).
func (vu *VU) Do(ctx context.Context, req *Request) (*Response, error) {
	if vu.used >= vu.budget {
		return nil, ErrBudgetSpent
	}
	if vu.env.Stopping() || ctx.Err() != nil {
		return nil, vu.stopErr(ctx)
	}
	vu.setCallCtx(ctx)
	if vu.rested {
		vu.rested = false // the harness paused before this journey call (park)
	} else if vu.used > 0 && !vu.inline {
		if !vu.pause() || ctx.Err() != nil {
			return nil, vu.stopErr(ctx)
		}
	}
	vu.used++
	if vu.names != nil {
		vu.recordName(req)
	}
	if resp := vu.do(req); resp != notSent {
		return resp, nil
	}
	return nil, errStopped
}

// setCallCtx keeps ctx for the pause and the request when it is a context
// of the journey's own (not the run's, which the stop handles already).
// Not inlined, like stopErr: Do's frame is on every thinking user's stack.
//
//go:noinline
func (vu *VU) setCallCtx(ctx context.Context) {
	vu.callCtx = nil
	if done := ctx.Done(); done != nil && done != vu.env.runDone {
		vu.callCtx = ctx
	}
}

// stopErr is Do's error when the user must stop: ctx's own error when it
// is done, else errStopped (the run is stopping).
//
//go:noinline
func (vu *VU) stopErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errStopped
}

// recordName keeps the request's name for RecordSequences. It is not
// inlined: the string concatenation and append would widen Do's frame.
//
//go:noinline
func (vu *VU) recordName(req *Request) { *vu.names = append(*vu.names, req.Name()) }

// pause waits the think time; it returns false when the run stops or ctx
// ends first. It parks on the user's own channel, woken by the run's
// sleeper or by the stop (wakeAll), rather than in a select, and draws the
// pause in a frame of its own: select's frame, or Think.Draw's 56-byte
// receiver spilled into pause's frame, would push a thinking user's
// goroutine past the 2 KiB minimum stack. A ctx of the journey's own (not
// the run's) wakes the user too, through pauseCtx.
func (vu *VU) pause() bool {
	d := vu.thinkTime()
	if d <= 0 {
		return true
	}
	return vu.sleepFor(d)
}

// sleepFor parks the user on its own channel until the sleeper wakes it d
// from now, or the run stops, or the journey's own context (callCtx) ends;
// it returns false in the last two cases.
func (vu *VU) sleepFor(d time.Duration) bool {
	select { // a wake left over from an earlier pause
	case <-vu.done:
	default:
	}
	if vu.env.Stopping() {
		return false
	}
	if vu.callCtx != nil {
		return vu.pauseCtx(d)
	}
	vu.env.sleeper.Sleep(vu, d)
	<-vu.done
	return !vu.env.Stopping()
}

// pauseCtx is pause for a context of the journey's own: its end wakes the
// user as a stop would.
//
//go:noinline
func (vu *VU) pauseCtx(d time.Duration) bool {
	ctx := vu.callCtx
	stop := context.AfterFunc(ctx, vu.wake)
	defer stop()
	vu.env.sleeper.Sleep(vu, d)
	<-vu.done
	return !vu.env.Stopping() && ctx.Err() == nil
}

// thinkTime draws the next pause. It is not inlined so that Think's value
// receiver is spilled in its frame, which is gone while the user waits.
//
//go:noinline
func (vu *VU) thinkTime() time.Duration { return vu.think.Draw(vu.Rand) }

// Rest makes the pause before the user's next journey call d, instead of a
// think time drawn from its archetype's: a pause between visits, say, when
// a user comes back an hour later. Between calls a user holds no goroutine
// (the harness parks it), where Sleep, a pause inside a call, keeps the
// journey's goroutine and its stack. The journey returns after calling it;
// a d that is not positive leaves the think time as it is.
func (vu *VU) Rest(d time.Duration) {
	if d > 0 {
		vu.rest = d
	}
}

// Sleep pauses the user for d, as its think time does between requests
// (k6's sleep): a journey's own pause, such as reading a page. Like a think
// time it holds no connection and no deep stack. It returns an error when
// the run stops first or ctx is done.
func (vu *VU) Sleep(ctx context.Context, d time.Duration) error {
	if vu.env.Stopping() || ctx.Err() != nil {
		return errStopped
	}
	if d <= 0 {
		return nil
	}
	vu.env.sleeper.Start()
	vu.setCallCtx(ctx)
	if !vu.sleepFor(d) || ctx.Err() != nil {
		return errStopped
	}
	return nil
}

// wake ends the user's pause, if it is in one. A wake that finds the user
// waiting for a response is skipped by do.
func (vu *VU) wake() {
	if vu.parked.Load() && vu.parked.CompareAndSwap(true, false) {
		vu.env.resume(vu) // its pause between journey calls is over
		return
	}
	select {
	case vu.done <- nil:
	default:
	}
}

// cookieJar is the user's jar, or nil while there is none; with create,
// the jar made on first use: most APIs set no cookie, and a jar per idle
// user would be memory for nothing. outbound.Follow asks for it so.
func (vu *VU) cookieJar(create bool) http.CookieJar {
	if create && vu.jar == nil {
		vu.jar, _ = cookiejar.New(nil)
	}
	return vu.jar
}
