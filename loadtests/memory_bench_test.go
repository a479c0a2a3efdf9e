package loadtests

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
)

// thinkingSteps is how many requests a user of BenchmarkThinkingUsers makes
// before it thinks: the first steps of every Populate journey — a health
// check, the registration and the login, their answers decoded — so the
// user holds what a real user holds (its state, its token) while it waits.
const thinkingSteps = 3

// BenchmarkThinkingUsers measures the memory of users that have run the
// Populate journeys' first steps (health, register, login, answers decoded)
// and now think for an hour, beside BenchmarkIdleUsers' users that never
// decoded anything. The user service runs as a program of its own, so what
// is measured is the generator's: heap objects and goroutine stacks after
// GC, less what was in use before, per user (B/VU, stack-B/VU), and the
// process's resident memory at that moment (RSS-MiB).
//
// The 100,000-user case registers 100,000 accounts first (about a minute
// on two cores); run it alone with
// `make bench BENCH=ThinkingUsers/users=100000 COUNT=1`.
func BenchmarkThinkingUsers(b *testing.B) {
	opts := adminOptions(b)
	target := startUserServiceProgram(b, opts)
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			for b.Loop() {
				m := thinkingUsers(b, target, n)
				b.ReportMetric(m.perVU, "B/VU")
				b.ReportMetric(m.stackPerVU, "stack-B/VU")
				b.ReportMetric(float64(m.rss)/(1<<20), "RSS-MiB")
				b.ReportMetric(float64(m.goroutines)/float64(n), "goroutines/VU")
			}
		})
	}
}

// memReading is what BenchmarkThinkingUsers measures once every user thinks.
type memReading struct {
	perVU, stackPerVU float64
	rss               uint64
	goroutines        int
}

// thinkingUsers runs n Populate users (their archetypes' real journeys)
// through their first steps into an hour of thinking and measures them.
func thinkingUsers(b *testing.B, target string, n int) memReading {
	cfg := harness.DefaultConfig()
	cfg.Target, cfg.Users, cfg.Progress, cfg.ReportDir = target, n, 0, b.TempDir()
	cfg.MinRequests, cfg.MaxRequests = thinkingSteps+1, thinkingSteps+1
	cfg.ErrorRate, cfg.Duration, cfg.Ramp = 0, 0, 20*time.Second
	sim := harness.New(b, cfg)
	j := journeys.New(adminOptions(b))
	var thinking atomic.Int64
	for _, a := range []struct {
		name    string
		weight  int
		journey harness.Journey
	}{{"new", 20, j.NewUser}, {"active", 50, j.Active}, {"admin", 20, j.Admin}, {"power", 10, j.Power}} {
		sim.Archetype(a.name, a.weight, harness.Between(thinkingSteps+1, thinkingSteps+1), func(ctx context.Context, vu *harness.VU) error {
			err := a.journey(ctx, vu) // one step a call
			if err == nil && vu.Remaining() == 1 {
				thinking.Add(1)
				vu.Rest(time.Hour) // what a user does between visits
			}
			return err
		})
	}

	before := inUse()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { acceptPartial(sim.Run(ctx)) }) // the benchmark stops it
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(5 * time.Minute)
	for thinking.Load() < int64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d users reached their pause in 5 minutes", thinking.Load(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // the last users reach their pauses
	after := inUse()
	rss, err := residentBytes()
	if err != nil {
		b.Logf("resident memory unknown: %v", err)
	}
	return memReading{
		perVU:      float64(after.total()-before.total()) / float64(n),
		stackPerVU: float64(after.stacks-before.stacks) / float64(n),
		rss:        rss,
		goroutines: runtime.NumGoroutine(),
	}
}

// memUse is the heap and the goroutine stacks in use after a full GC.
type memUse struct{ heap, stacks uint64 }

func (m memUse) total() uint64 { return m.heap + m.stacks }

func inUse() memUse {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return memUse{heap: s[0].Value.Uint64(), stacks: s[1].Value.Uint64()}
}

// residentBytes is the process's resident memory (VmRSS), on Linux.
func residentBytes() (uint64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// acceptPartial accepts a run that the benchmark stops itself.
func acceptPartial(res *harness.Result, _ error) {
	if res != nil {
		res.AcceptPartial()
	}
}
