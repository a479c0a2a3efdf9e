package loadtests

import (
	"bufio"
	"context"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
	"github.com/trafficsim/trafficsim/reports"
)

// SoakEnv turns the soak on: it runs for -duration (default 10 minutes), so
// it is opt-in (`make soak`), not part of `make test`.
const SoakEnv = "TRAFFICSIM_SOAK"

// TestSoak runs Populate continuously — finished users replaced by new ones,
// their data cleaned up every -cleanup-interval — against the user service
// as a separate program, so the process's heap is the generator's alone. Its
// report's timeline records heap and goroutines; over the second half of the
// run the live heap's floor must grow less than 1 %.
func TestSoak(t *testing.T) {
	if os.Getenv(SoakEnv) == "" {
		t.Skipf("set %s=1 (make soak) to run the 10-minute soak", SoakEnv)
	}
	cfg, err := simFlags.Config()
	require.NoError(t, err)
	if !isSet("duration") {
		cfg.Duration = 10 * time.Minute
	}
	if !isSet("users") {
		cfg.Users = 300
	}
	cfg.Continuous, cfg.Cleanup = true, true
	if !isSet("cleanup-interval") {
		cfg.CleanupInterval = 30 * time.Second
	}
	if !isSet("think") {
		cfg.Think = "uniform:50ms-250ms"
	}
	opts := adminOptions(t)
	if cfg.Target == "" {
		cfg.Target = startUserServiceProgram(t, opts)
	}
	res := populate(t, cfg, opts).MustRun(t.Context())
	s := res.Summary
	require.False(t, s.Partial, s.PartialReason)

	// Bursts of concurrency (a slower moment of the target) raise the heap
	// for a while — more connections, more requests in flight — but a leak
	// raises its floor. So compare the lowest live heap of the first and of
	// the last minute of the run's second half.
	half := s.DurationSeconds / 2
	var early, late []reports.Tick
	for _, tk := range s.Timeline {
		if tk.ActiveVUs == 0 {
			continue // the stop's last tick: users gone, not the steady state
		}
		switch {
		case tk.T >= half && tk.T < half+60:
			early = append(early, tk)
		case tk.T >= s.DurationSeconds-60:
			late = append(late, tk)
		}
	}
	require.NotEmpty(t, early)
	require.NotEmpty(t, late)
	floorEarly, floorLate := minHeap(early), minHeap(late)
	growth := 100 * (floorLate - floorEarly) / floorEarly
	t.Logf("live heap floor %.2f MiB in the minute after %.0fs, %.2f MiB in the last minute: %+.2f%%; goroutines %d → %d; %d users, %d requests",
		floorEarly/(1<<20), half, floorLate/(1<<20), growth, early[0].Goroutines, late[len(late)-1].Goroutines, s.Users, s.Requests)
	assert.Less(t, growth, 1.0, "heap growth over the second half")
	res.Check(t, "goroutine_leaks == 0", "error_rate < 1%")
}

func minHeap(ticks []reports.Tick) float64 {
	low := float64(ticks[0].HeapBytes)
	for _, tk := range ticks[1:] {
		low = min(low, float64(tk.HeapBytes))
	}
	return low
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set || os.Getenv(harness.EnvName(name)) != ""
}

// startUserServiceProgram builds and starts the user service program on a
// free loopback port, stopped with SIGTERM when the test ends.
func startUserServiceProgram(t testing.TB, opts journeys.Options) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "userservice")
	build := exec.Command("go", "build", "-o", bin, "../fixtures/userservice/cmd/userservice")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build the user service: %s", out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	cmd := exec.Command(bin, "-addr", addr, "-admin-email", opts.AdminEmail)
	cmd.Env = append(os.Environ(), "USERSERVICE_ADMIN_PASSWORD="+opts.AdminPassword)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	url := "http://" + addr
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return url
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the user service did not listen on %s: %v", addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
