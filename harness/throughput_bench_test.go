package harness

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/wire"
	"github.com/trafficsim/trafficsim/harness/outbound"
)

// Shape of BenchmarkThroughput: users (or plain goroutines) in flight,
// rounds of alternating plain and harness windows, and the part at each
// end of a window left out of the measurement (connections opening, users
// starting and stopping).
const (
	throughputWorkers = 32
	throughputRounds  = 3
	throughputWindow  = 1500 * time.Millisecond
	throughputSettle  = 200 * time.Millisecond
	meterPoll         = time.Millisecond
)

// BenchmarkThroughput compares the harness with a plain loop of goroutines
// calling net/http on the same Transport configuration (outbound.NewSharedTransport),
// against a trivial handler: one archetype doing GET in a loop with no think
// time. As the issue puts it, the generator runs on one core and the target
// on the other: the target is this test binary run again as
// TestHelperTarget, pinned to the second CPU, and the benchmark's process is
// pinned to the first with GOMAXPROCS 1 (both restored afterwards). With
// fewer than two CPUs the target runs in-process, as the log says.
//
// Plain and harness windows alternate, so a change in the machine's load
// hits both; each is measured in its steady middle. Beside the request
// rates it reports the generator's CPU time per request, which other
// processes on a shared machine do not distort: cpu-ratio is plain's over
// the harness's. A third loop, plain-hdr, is the plain loop sending the
// headers every harness request carries (user agent, Accept,
// Accept-Language, traceparent), against the harness with -headers=browser:
// ratio-hdr tells the harness's own cost apart from what net/http spends on
// those headers. ratio is the harness with -headers=minimal (traceparent
// only) against the bare plain loop. The target's CPU load
// during each loop (-target-load, 1 = its core is saturated) tells whether
// the generator was the bottleneck, as it must be for the ratio to mean
// anything.
func BenchmarkThroughput(b *testing.B) {
	target := throughputTarget(b)
	for b.Loop() {
		var plain, plainHdr, harness, browser reading
		for range throughputRounds {
			plain = plain.add(plainLoop(target, throughputWorkers, throughputWindow, false))
			harness = harness.add(harnessLoop(b, target, throughputWorkers, throughputWindow, "", HeadersMinimal))
			plainHdr = plainHdr.add(plainLoop(target, throughputWorkers, throughputWindow, true))
			browser = browser.add(harnessLoop(b, target, throughputWorkers, throughputWindow, "", HeadersBrowser))
		}
		if plain.targetCPU > 0 {
			b.ReportMetric(plain.targetLoad(), "plain-target-load")
			b.ReportMetric(harness.targetLoad(), "harness-target-load")
			b.ReportMetric(plainHdr.targetLoad(), "plain-hdr-target-load")
		}
		b.ReportMetric(plain.rate(), "plain-req/s")
		b.ReportMetric(plainHdr.rate(), "plain-hdr-req/s")
		b.ReportMetric(harness.rate(), "harness-req/s")
		b.ReportMetric(browser.rate(), "harness-browser-req/s")
		b.ReportMetric(harness.rate()/plain.rate(), "ratio")
		b.ReportMetric(browser.rate()/plainHdr.rate(), "ratio-hdr")
		if plain.cpu > 0 && harness.cpu > 0 {
			b.ReportMetric(plain.cpuPerRequest(), "plain-cpu-us/req")
			b.ReportMetric(harness.cpuPerRequest(), "harness-cpu-us/req")
			b.ReportMetric(plain.cpuPerRequest()/harness.cpuPerRequest(), "cpu-ratio")
		}
	}
}

// throughputTarget starts the target of BenchmarkThroughput in a process of
// its own on the second CPU and pins the benchmark to the first, or, with
// fewer than two CPUs, starts it in-process (with no CPU figures).
func throughputTarget(b *testing.B) *helperTarget {
	b.Helper()
	cpus, err := processCPUs()
	if err != nil || len(cpus) < 2 {
		b.Logf("fewer than 2 CPUs (%d; %v): target in-process, generator not pinned", len(cpus), err)
		srv := httptest.NewServer(trivialHandler())
		b.Cleanup(srv.Close)
		return &helperTarget{URL: srv.URL}
	}
	target := startHelperTarget(b, cpus[1])
	procs := runtime.GOMAXPROCS(1)
	restore, err := pinProcess(cpus[0])
	b.Cleanup(func() {
		if restore != nil {
			if err := restore(); err != nil {
				b.Errorf("restore CPU affinity: %v", err)
			}
		}
		runtime.GOMAXPROCS(procs)
	})
	if err != nil {
		b.Logf("generator not pinned: %v", err)
	}
	b.Logf("generator on CPU %d with GOMAXPROCS 1, target process on CPU %d", cpus[0], cpus[1])
	return target
}

// plainLoop is the reference: goroutines calling net/http in a loop on a
// Transport configured as the harness's, reading and closing each body;
// with headers, each request also carries the headers the harness sends.
func plainLoop(target *helperTarget, workers int, window time.Duration, headers bool) reading {
	cfg := DefaultConfig()
	tr := outbound.NewSharedTransport(outboundOptions(cfg), cfg.MaxInFlight)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	m := meter{target: target}
	measured := m.start(window)
	deadline := time.Now().Add(window)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				req, err := http.NewRequest(http.MethodGet, target.URL+"/x", nil)
				if err != nil {
					continue
				}
				if headers {
					setHarnessHeaders(req.Header, i)
				}
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				m.n.Add(1)
			}
		})
	}
	wg.Wait()
	return <-measured
}

// setHarnessHeaders sets the headers a harness request of user agent i
// carries, as a plain client would: with Header.Set.
func setHarnessHeaders(h http.Header, i int) {
	ua := i % len(wire.UserAgents)
	h.Set("User-Agent", wire.UserAgents[ua])
	h.Set("Accept", wire.Accept)
	h.Set("Accept-Language", wire.AcceptLanguages[ua%len(wire.AcceptLanguages)])
	h.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
}

// harnessLoop runs the harness for window: workers users requesting GET /x
// back to back, counted by an Observer.
func harnessLoop(b *testing.B, target *helperTarget, workers int, window time.Duration, gateway, headers string) reading {
	cfg := DefaultConfig()
	cfg.Headers = headers
	cfg.Pushgateway, cfg.PushInterval = gateway, time.Second
	cfg.Target, cfg.Users, cfg.Think, cfg.Progress = target.URL, workers, "none", 0
	cfg.ReportDir, cfg.Duration, cfg.Ramp = b.TempDir(), window, time.Nanosecond
	cfg.MinRequests, cfg.MaxRequests = 1<<30, 1<<30
	sim := New(b, cfg)
	sim.Archetype("loop", 1, Between(1, 1<<30), func(ctx context.Context, vu *VU) error {
		for {
			if _, err := vu.Do(ctx, Get("/x")); err != nil {
				return err
			}
		}
	})
	m := meter{target: target}
	sim.Observe(&m)
	measured := m.start(window)
	sim.MustRun(context.Background())
	return <-measured
}

// meter measures a load in its steady state: the requests it counts, this
// process's CPU time and the target's, between a sample throughputSettle
// after the load's first request and one throughputSettle before the end of
// its window.
type meter struct {
	n      atomic.Int64
	target *helperTarget
}

// Observe counts one finished request of the harness.
func (m *meter) Observe(*Request, *Response) { m.n.Add(1) }

// start measures in a goroutine of its own; the channel gets the reading
// (zero if the load never started within its window).
func (m *meter) start(window time.Duration) <-chan reading {
	out := make(chan reading, 1)
	go func() { out <- m.measure(window) }()
	return out
}

func (m *meter) measure(window time.Duration) reading {
	tick := time.NewTicker(meterPoll)
	defer tick.Stop()
	for i := 0; m.n.Load() == 0; i++ {
		if time.Duration(i)*meterPoll > window {
			return reading{}
		}
		<-tick.C
	}
	first := time.Now()
	time.Sleep(throughputSettle)
	t0, n0, cpu0, tcpu0 := time.Now(), m.n.Load(), processCPUTime(), m.target.CPU()
	time.Sleep(time.Until(first.Add(window - throughputSettle)))
	t1, n1, cpu1, tcpu1 := time.Now(), m.n.Load(), processCPUTime(), m.target.CPU()
	return reading{requests: n1 - n0, elapsed: t1.Sub(t0), cpu: cpu1 - cpu0, targetCPU: tcpu1 - tcpu0}
}

// reading is what a meter measured: requests, wall time, this process's
// CPU time and the target's.
type reading struct {
	requests  int64
	elapsed   time.Duration
	cpu       time.Duration
	targetCPU time.Duration
}

func (r reading) add(o reading) reading {
	return reading{r.requests + o.requests, r.elapsed + o.elapsed, r.cpu + o.cpu, r.targetCPU + o.targetCPU}
}

// targetLoad is the share of its core the target used (1: saturated).
func (r reading) targetLoad() float64 { return r.targetCPU.Seconds() / r.elapsed.Seconds() }

// rate is requests per second.
func (r reading) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerRequest is the generator's CPU time per request, in microseconds.
func (r reading) cpuPerRequest() float64 {
	return float64(r.cpu.Microseconds()) / float64(r.requests)
}
