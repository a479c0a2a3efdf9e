package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// helperTargetEnv, when set to a CPU number, makes TestHelperTarget serve
// the trivial target on that CPU (or on any, when negative): the benchmarks
// re-execute their own test binary to get a target in a process of its own.
const (
	helperTargetEnv   = "TRAFFICSIM_BENCH_TARGET_CPU"
	helperTargetReady = "helper target listening on "
	helperStartWait   = 10 * time.Second
	helperExitWait    = 5 * time.Second
)

// trivialBody is what the throughput benchmarks' target answers.
var trivialBody = []byte(`{"ok":true}`)

// trivialHandler is the throughput benchmarks' target: the cheapest answer
// there is, so the numbers measure the generator.
func trivialHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(trivialBody) })
}

// TestHelperTarget is not a test: run by BenchmarkThroughput and
// BenchmarkIdleUsers as a separate process (with helperTargetEnv set), it
// serves trivialHandler, on one pinned CPU if asked, until its standard
// input closes or it is killed.
func TestHelperTarget(t *testing.T) {
	cpuVar := os.Getenv(helperTargetEnv)
	if cpuVar == "" {
		t.Skip("the target process of BenchmarkThroughput, started by it")
	}
	cpu, err := strconv.Atoi(cpuVar)
	if err != nil {
		t.Fatalf("%s=%q: want a CPU number", helperTargetEnv, cpuVar)
	}
	if cpu >= 0 {
		runtime.GOMAXPROCS(1)
		if _, err := pinProcess(cpu); err != nil {
			fmt.Fprintf(os.Stderr, "helper target not pinned: %v\n", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: trivialHandler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("%shttp://%s\n", helperTargetReady, ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark closes it or ends
	srv.Close()
	if err := <-served; err != http.ErrServerClosed {
		t.Errorf("serve: %v", err)
	}
}

// helperTarget is a running TestHelperTarget process.
type helperTarget struct {
	URL string
	pid int
}

// CPU is the CPU time the target process has used so far (0 where it cannot
// be read).
func (h *helperTarget) CPU() time.Duration { return processCPUTimeOf(h.pid) }

// startHelperTarget starts TestHelperTarget in a new process of this test
// binary, pinned to cpu unless it is negative. The process ends at the
// benchmark's cleanup: its standard input is closed, and it is killed if it
// has not ended helperExitWait later.
func startHelperTarget(tb testing.TB, cpu int) *helperTarget {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTarget$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperTargetEnv+"="+strconv.Itoa(cpu))
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("helper target stdin: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("helper target stdout: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start helper target: %v", err)
	}
	var drained sync.WaitGroup
	tb.Cleanup(func() {
		// Closing stdin ends the child; its stdout reaches EOF when it has
		// exited, and Wait may only be called once stdout is read.
		stdin.Close()
		drainedCh := make(chan struct{})
		go func() {
			drained.Wait()
			close(drainedCh)
		}()
		t := time.NewTimer(helperExitWait)
		defer t.Stop()
		select {
		case <-drainedCh:
		case <-t.C:
			_ = cmd.Process.Kill()
			<-drainedCh
		}
		_ = cmd.Wait()
	})
	// A child that never says where it listens is killed, which ends the
	// scan below with EOF.
	kill := time.AfterFunc(helperStartWait, func() { _ = cmd.Process.Kill() })
	defer kill.Stop()
	lines := bufio.NewScanner(stdout)
	var seen bytes.Buffer
	for lines.Scan() {
		if url, ok := strings.CutPrefix(lines.Text(), helperTargetReady); ok {
			drained.Go(func() { _, _ = io.Copy(io.Discard, stdout) })
			return &helperTarget{URL: url, pid: cmd.Process.Pid}
		}
		seen.WriteString(lines.Text() + "\n")
	}
	_ = cmd.Process.Kill()
	tb.Fatalf("helper target did not start: %v\nstdout:\n%s\nstderr:\n%s", lines.Err(), seen.String(), stderr.String())
	return nil
}

func TestStartHelperTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	target := startHelperTarget(t, -1)
	resp, err := http.Get(target.URL + "/x")
	if err != nil {
		t.Fatalf("GET the helper target: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the helper target's answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, trivialBody) {
		t.Errorf("helper target answered %d %q, want 200 %q", resp.StatusCode, body, trivialBody)
	}
}
