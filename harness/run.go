package harness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trafficsim/trafficsim/harness/breaker"
	"github.com/trafficsim/trafficsim/harness/budget"
	"github.com/trafficsim/trafficsim/harness/cleanup"
	"github.com/trafficsim/trafficsim/harness/config"
	"github.com/trafficsim/trafficsim/harness/internal/mix"
	"github.com/trafficsim/trafficsim/harness/internal/notes"
	"github.com/trafficsim/trafficsim/harness/internal/pool"
	"github.com/trafficsim/trafficsim/harness/internal/preflight"
	"github.com/trafficsim/trafficsim/harness/internal/proc"
	"github.com/trafficsim/trafficsim/harness/internal/roster"
	"github.com/trafficsim/trafficsim/harness/internal/sleep"
	"github.com/trafficsim/trafficsim/harness/internal/stop"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/leaks"
	"github.com/trafficsim/trafficsim/harness/metrics"
	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// Bounds of the stop sequence, so a stop ends in bounded time whatever the
// target does: grace for requests in flight, then these.
const (
	stopStraggle    = 2 * time.Second  // after grace, for journeys to return
	cleanupDeadline = 15 * time.Second // for -cleanup at the end
	finalPushWait   = 5 * time.Second  // for the final push
	preflightWait   = 4 * time.Second  // for the target to answer at start
	preflightTry    = 2 * time.Second  // for one try of it
)

// userEnv is what a user's requests need of their run: the configuration
// and plan, where to send, how to record, the workers, the sleeper that
// ends its users' pauses, and whether the run is stopping. A VU reaches its
// run only through it.
type userEnv struct {
	cfg       Config
	plan      *plan
	observers []Observer // the simulation's and -openapi's
	log       *slog.Logger
	target    *url.URL
	transport *http.Transport
	rec       *record.Recorder
	breakers  *breaker.Gate      // one circuit breaker per endpoint (-breaker)
	pool      *pool.Pool[*VU]    // the workers of thinking users' exchanges
	sleeper   *sleep.Sleeper[VU] // ends thinking users' pauses
	runDone   <-chan struct{}    // the journeys' context's Done
	reqCtx    context.Context    // requests' context: cut after the grace period
	resume    func(*VU)          // continues a user parked between journey calls
	exhausted kind.Exhaustion
	stop.Stopper
}

// run is one execution of a Simulation.
type run struct {
	userEnv
	sim   *Simulation
	runID string

	reg     *prometheus.Registry
	coll    *metrics.Collectors
	pusher  *metrics.Pusher
	mix     mix.Mix
	started time.Time

	reqCancel context.CancelFunc
	userCtx   context.Context // the journeys' context, for users resumed after a park

	users  sync.WaitGroup     // every user's goroutine, and the driver
	roster roster.Roster[*VU] // the active users, and their counts
	// open model: sessions scheduled for this shard, and those the driver
	// had not reached when the run stopped
	scheduled, notReached atomic.Int64
	nextIndex             atomic.Int64 // continuous mode: sessions started after the first population

	seqMu     sync.Mutex
	sequences map[int][]string

	journeyErrs atomic.Int64
	idle        notes.Names // archetypes whose journey made no request (noRequest)
	notes       notes.Notes

	cleaner    *cleanup.Runner
	cleanups   cleanup.Log
	pushClient *http.Client
}

// stop ends the run: new requests stop at once; requests in flight get the
// grace period. Only the first call's reason counts.
func (r *run) stop(reason string, partial bool) {
	if r.Mark(reason, partial) {
		r.wakeAll()
		r.log.Info("stopping", "reason", reason)
	}
}

// Run runs the simulation to its end — every user's budget spent, -duration
// over, a signal, ctx cancelled or an abort budget broken — and returns its
// result, with reports written, and its budgets judged on the test.
//
// The error says what went wrong outside the budgets. Before the first
// request (bad configuration, with every problem of the flags, archetypes,
// budgets and report folder at once; an unreachable target) the result is
// nil. After the run (a journey that sent no request, reports that could not
// be written, a failed cleanup) the result is there too. Every error is also
// reported on the test with Errorf, so a test that drops it still fails and
// the verdict agrees with the reports. Run never calls FailNow, so it may
// run on any goroutine (a benchmark's, a test's helper's); MustRun is the
// form for a test's own goroutine.
func (s *Simulation) Run(ctx context.Context) (*Result, error) {
	s.tb.Helper()
	res, err := s.runOnce(ctx)
	if err != nil {
		s.tb.Errorf("trafficsim: %v", err)
	}
	if res != nil {
		res.judge(s.tb)
	}
	return res, err
}

// MustRun is Run for a test's own goroutine: when the run could not start,
// it ends the test (FailNow) after Run has reported why.
func (s *Simulation) MustRun(ctx context.Context) *Result {
	s.tb.Helper()
	res, _ := s.Run(ctx)
	if res == nil {
		s.tb.FailNow()
	}
	return res
}

// runOnce is Run without the reporting on the test: one run, its result and
// what went wrong outside the budgets.
func (s *Simulation) runOnce(ctx context.Context) (*Result, error) {
	runID := s.cfg.RunID
	if runID == "" {
		runID = config.NewRunID()
	}
	reportDir := s.cfg.ReportDirOf(runID)
	p, budgets, err := s.check(reportDir, true)
	if err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	observers, err := s.wireContract(ctx, p)
	if err != nil {
		return nil, err
	}
	r, err := s.newRun(p, runID, reportDir)
	if err != nil {
		return nil, err
	}
	r.observers = observers
	if err := r.preflight(ctx); err != nil {
		return nil, fmt.Errorf("cannot reach target %s: %w", redact.URL(s.cfg.Target), err)
	}
	res := r.execute(ctx, budgets)
	var errs []error
	if err := r.idleError(); err != nil {
		errs = append(errs, err)
	}
	if res.writeErr != nil {
		errs = append(errs, fmt.Errorf("writing reports: %w", res.writeErr))
	}
	if err := r.cleanups.Err(r.runID); err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

func (s *Simulation) newRun(p *plan, runID, reportDir string) (*run, error) {
	cfg := s.cfg
	target, err := url.Parse(strings.TrimSuffix(cfg.Target, "/"))
	if err != nil {
		return nil, fmt.Errorf("-target: %s", redact.Error(err))
	}
	cfg.ReportDir = reportDir
	log := cfg.Logger(s.tb.Output(), runID)
	weights := make([]int, len(p.archetypes))
	names := make([]string, len(p.archetypes))
	for i, a := range p.archetypes {
		weights[i], names[i] = a.weight, a.name
	}
	r := &run{
		userEnv: userEnv{
			cfg: cfg, plan: p, log: log, target: target,
			pool:     newExchangePool(cfg.Timeout, cfg.MaxInFlight),
			sleeper:  sleep.New((*VU).wake),
			breakers: breaker.NewGate(cfg.Breaker, log),
			Stopper:  stop.New(),
		},
		sim: s, runID: runID,
		mix: mix.New(cfg.Seed, weights),
	}
	r.userEnv.resume = r.resume
	r.notes.Add(p.notes...)
	r.notes.Add(unmanned(r.mix, p.archetypes, weights, cfg)...)
	r.transport = outbound.NewSharedTransport(outboundOptions(cfg), cfg.MaxInFlight)
	r.cleaner = r.newCleaner()
	var push metrics.PusherConfig
	if cfg.Pushgateway != "" {
		// The pusher's client is the run's own, but with the pusher's
		// per-attempt timeout: the Pushgateway is a destination like any.
		opts := outboundOptions(cfg)
		opts.Timeout = metrics.DefaultPushTimeout
		r.pushClient = outbound.NewClient(opts)
		push = metrics.PusherConfig{
			URL: cfg.Pushgateway, Job: cfg.Name, Instance: cfg.Shard.Instance(), RunID: runID,
			Interval: cfg.PushInterval, GC: cfg.PushGC, DeleteAfter: cfg.PushDeleteAfter, Logger: log,
			Client: r.pushClient,
		}
	} else {
		r.notes.Add("pushing off: no -pushgateway given")
	}
	m, err := metrics.NewRun(metrics.RunInfo{RunID: runID, Seed: fmt.Sprint(cfg.Seed), Version: proc.Version()}, push)
	if err != nil {
		return nil, err
	}
	r.coll, r.reg, r.pusher = m.Collectors, m.Registry, m.Pusher
	r.rec = record.New(names, r.coll)
	if lim := proc.FDLimit(); lim > 0 && uint64(cfg.Users) > lim/2 && cfg.Think == "none" {
		r.notes.Add(fmt.Sprintf("%d users without think time may need more connections than the %d open files allowed (ulimit -n)", cfg.Users, lim))
	}
	for _, n := range r.notes.List() {
		log.Info(n)
	}
	log.Debug("limits", "open_files", proc.FDLimit())
	return r, nil
}

// preflight waits until the target answers (package preflight), through
// the run's own client following no redirect.
func (r *run) preflight(ctx context.Context) error {
	pc := r.cfg
	pc.Timeout, pc.FollowRedirects = min(pc.Timeout, preflightTry), false
	client := NewClient(pc)
	defer client.CloseIdleConnections()
	return preflight.Wait(ctx, client, r.target.String()+"/", preflightWait)
}

// execute runs the users, then the stop sequence, and builds the result.
// Everything the run starts carries its pprof label (see package leaks), so
// the leak check counts this run's goroutines only.
func (r *run) execute(parent context.Context, budgets []budget.Budget) *Result {
	// Signals first: os/signal starts a goroutine of its own for good,
	// which must not carry the run's label.
	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigCh)
	heapBase, _ := record.ReadMem()
	label := leaks.New(r.runID)
	var mon *record.Monitor
	label.Do(parent, func(labelled context.Context) {
		mon = r.runLabelled(parent, labelled, sigCh, budgets, heapBase)
	})
	leaked, leakText := leaks.Find(label)
	return r.result(budgets, mon, leaked, leakText)
}

// runLabelled is execute's part under the run's label: it returns once
// every goroutine the run started has been told to end and every
// connection it opened has been closed.
func (r *run) runLabelled(parent, labelled context.Context, sigCh chan os.Signal, budgets []budget.Budget, heapBase uint64) *record.Monitor {
	runCtx, runCancel := context.WithCancel(parent)
	defer runCancel()
	r.reqCtx, r.reqCancel = context.WithCancel(context.WithoutCancel(parent))
	defer r.reqCancel()
	r.runDone, r.userCtx = runCtx.Done(), runCtx

	r.started = time.Now()
	if r.pusher != nil {
		r.pusher.Start(context.WithoutCancel(parent))
	}
	mon := r.startMonitor(budgets, heapBase)

	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		select {
		case sig := <-sigCh:
			// A second signal gets Go's default: exit at once. The reports
			// are written atomically, so whatever is on disk stays valid.
			signal.Stop(sigCh)
			r.stop("interrupted by "+sig.String(), true)
		case <-parent.Done():
			r.stop("context cancelled", true)
		case <-r.Done():
		}
		// Journeys see the stop at once; requests in flight keep reqCtx
		// for the grace period.
		runCancel()
	}()
	if r.cfg.Duration > 0 {
		t := time.AfterFunc(r.cfg.Duration, func() { r.stop("duration reached", false) })
		defer t.Stop()
	}

	usersDone := r.drive()
	cleanerDone := r.cleaner.Start(parent, r.Done())
	select {
	case <-usersDone:
		r.stop("all users done", false)
	case <-r.Done():
		r.awaitUsers(usersDone)
	}
	runCancel()
	r.reqCancel()
	r.pool.Close()
	r.sleeper.Close()
	<-watchDone
	<-cleanerDone
	mon.Stop()
	if r.cfg.Cleanup {
		// Cleanup functions are the simulation's code, with clients of
		// their own: their connections are not the run's to close.
		leaks.Unlabelled(labelled, func() { r.cleaner.Pass(parent, true) })
	}
	r.notes.Add(r.cleanups.Notes()...)
	r.notes.Add(r.exhausted.Notes()...)
	if r.pusher != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), finalPushWait+r.cfg.PushDeleteAfter)
		if err := r.pusher.Stop(ctx); err != nil {
			// The pusher has warned once per kind of failure already.
			r.log.Debug("final push", "err", err)
		}
		cancel()
	}
	// The run owns every connection it opened: the users' and the
	// pusher's. Closing them ends their goroutines before the leak check.
	r.transport.CloseIdleConnections()
	if r.pushClient != nil {
		r.pushClient.CloseIdleConnections()
	}
	return mon
}

// awaitUsers gives users in flight the grace period, then cancels their
// requests and waits a little more (stop.Await), noting those that did not
// stop.
func (r *run) awaitUsers(done <-chan struct{}) {
	if !stop.Await(done, r.cfg.Grace, stopStraggle, r.reqCancel) {
		n := r.roster.Active()
		r.notes.Add(fmt.Sprintf("%d users did not stop within the grace period", n))
		r.log.Warn("users did not stop", "users", n)
	}
}
