package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trafficsim/trafficsim/harness/outbound"
	"github.com/trafficsim/trafficsim/harness/redact"
)

// Pusher defaults, used where PusherConfig leaves a field zero.
const (
	DefaultPushInterval = 5 * time.Second
	DefaultPushTimeout  = 2 * time.Second
	DefaultPushRetries  = 3
	// DefaultInstance is the grouping key instance of a run that is not split
	// into shards.
	DefaultInstance = "0"
	// FirstBackoff is the wait before the first retry; each further retry
	// waits twice as long, up to MaxBackoff.
	FirstBackoff = 100 * time.Millisecond
	MaxBackoff   = 2 * time.Second
)

// PusherConfig configures a Pusher. Zero durations and counts take the
// defaults above.
type PusherConfig struct {
	// URL is the Pushgateway base URL. It may carry user:pass@ for basic
	// auth; the password is sent as a header and never logged or reported.
	URL string
	// Job is the grouping key job, the simulation's name.
	Job string
	// Instance is the grouping key instance: the shard index, DefaultInstance
	// for a whole run.
	Instance string
	// RunID is the grouping key run_id; it keeps runs from overwriting each
	// other at the gateway.
	RunID string
	// Interval is the time between pushes.
	Interval time.Duration
	// Timeout bounds each push attempt.
	Timeout time.Duration
	// Retries is how often a failed push is retried (exponential backoff from
	// FirstBackoff); negative means never. A 400 is never retried: it means
	// the metrics are malformed, a bug to report.
	Retries int
	// GC, when positive, makes Start delete this job's groups (any run_id or
	// instance) whose last push is older than GC. Keep it well above the
	// Interval of every shard pushing under this job, or live groups go too.
	GC time.Duration
	// DeleteAfter, when positive, makes Stop wait this long after the final
	// push (so Prometheus scrapes the final values) and then delete this
	// run's group.
	DeleteAfter time.Duration
	// Logger receives one warning per kind of push failure; nil discards.
	Logger *slog.Logger
	// Client sends the requests; nil means a loopback-only client of the
	// outbound package whose Timeout is Timeout (pass one built with
	// AllowRemote to push to another host).
	Client *http.Client
}

// Pusher pushes a Gatherer's metrics to a Pushgateway every Interval, under
// the grouping key job/instance/run_id (PUT: each push replaces the group).
// A dead or slow gateway never blocks the caller: Start returns at once,
// pushes run in their own goroutine bounded by Timeout, and Stop is bounded
// by its context. A Pusher is single-use: Start it once, Stop it once.
type Pusher struct {
	cfg     PusherConfig
	gateway *gateway
	gather  prometheus.Gatherer
	log     *slog.Logger
	stats   *pushStats

	mu      sync.Mutex // guards cancel, quit, done and stopped
	cancel  context.CancelFunc
	quit    chan struct{} // closed by Stop: the loop ends after the push in progress
	done    chan struct{} // closed when the loop has returned
	stopped bool

	stopOnce sync.Once
	stopErr  error
}

// NewPusher validates cfg and returns a Pusher of g's metrics. All problems
// are reported at once, each naming its flag or field. Metric labels that
// repeat the grouping key with the same value (trafficsim_run_info's run_id)
// are left out of the push; the gateway adds them back from the grouping key.
// A label that contradicts it (RunInfo.RunID unlike RunID) makes every push
// fail with kind "other", so pass the same run id to both.
func NewPusher(cfg PusherConfig, g prometheus.Gatherer) (*Pusher, error) {
	gw, err := cfg.validate(g)
	if err != nil {
		return nil, err
	}
	if cfg.Instance == "" {
		cfg.Instance = DefaultInstance
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultPushInterval
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultPushTimeout
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultPushRetries
	}
	cfg.Retries = max(cfg.Retries, 0)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	gw.client = cfg.Client
	if gw.client == nil {
		// Guarded as every client of trafficsim: loopback only. The
		// harness passes the run's own (-allow-remote, -insecure).
		gw.client = outbound.NewClient(outbound.Options{Timeout: cfg.Timeout})
	}
	gw.job = cfg.Job
	gw.grouping = map[string]string{"instance": cfg.Instance, "run_id": cfg.RunID}
	return &Pusher{
		cfg:     cfg,
		gateway: gw,
		gather:  groupingGatherer{g: g, grouping: gw.grouping},
		log:     cfg.Logger.With("gateway", gw.redacted, "job", cfg.Job, "instance", cfg.Instance, "run_id", cfg.RunID),
		stats:   newPushStats(gw.redacted),
	}, nil
}

// validate checks cfg and returns the gateway address it names.
func (cfg PusherConfig) validate(g prometheus.Gatherer) (*gateway, error) {
	var errs []error
	gw, err := parseGateway(cfg.URL)
	if err != nil {
		errs = append(errs, err)
	}
	if cfg.Job == "" {
		errs = append(errs, errors.New("pusher: Job (the simulation name, grouping key job) is empty"))
	}
	if cfg.RunID == "" {
		errs = append(errs, errors.New("pusher: RunID (grouping key run_id) is empty"))
	}
	if g == nil {
		errs = append(errs, errors.New("pusher: gatherer is nil"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"-push-interval", cfg.Interval},
		{"PusherConfig.Timeout", cfg.Timeout},
		{"PusherConfig.GC", cfg.GC},
		{"PusherConfig.DeleteAfter", cfg.DeleteAfter},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative, got %s", d.name, d.v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return gw, nil
}

// gateway is a Pushgateway address with its credentials split off, so that
// no URL the push package formats into an error carries them.
type gateway struct {
	base       string // scheme://host[/path], no userinfo, no trailing slash
	redacted   string // the configured URL with the password replaced
	user, pass string
	secret     string // what redact hides: the password, or a lone user
	auth       bool
	client     *http.Client
	job        string
	grouping   map[string]string
}

// parseGateway parses a -pushgateway URL.
func parseGateway(raw string) (*gateway, error) {
	if raw == "" {
		return nil, errors.New("-pushgateway: URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the raw URL, password included
		}
		return nil, fmt.Errorf("-pushgateway: parse URL %q: %w", redact.URL(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("-pushgateway: URL %q: scheme must be http or https", redact.ParsedURL(u))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("-pushgateway: URL %q: no host", redact.ParsedURL(u))
	}
	gw := &gateway{redacted: redact.ParsedURL(u)}
	if u.User != nil {
		gw.auth = true
		gw.user = u.User.Username()
		var hasPass bool
		gw.pass, hasPass = u.User.Password()
		gw.secret = gw.pass
		if !hasPass { // a userinfo of one part is often a token: hide it too
			gw.secret = gw.user
		}
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	gw.base = strings.TrimSuffix(u.String(), "/")
	return gw, nil
}

// redact removes the gateway's credentials from s.
func (gw *gateway) redact(s string) string {
	return redact.Secrets(redact.Text(s), gw.secret)
}

// redactErr returns err with the gateway's credentials removed from its
// text; errors.Is and errors.As still see the original.
func (gw *gateway) redactErr(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: gw.redact(err.Error()), err: err}
}

// redactedError is an error whose text had credentials removed.
type redactedError struct {
	msg string
	err error
}

// Error returns the redacted text.
func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *redactedError) Unwrap() error { return e.err }
