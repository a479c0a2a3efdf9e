//go:build linux

package harness

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trafficsim/trafficsim/fixtures/promstack"
)

// maxAffinityPasses bounds the walks over the process's threads: threads the
// runtime starts during a walk are caught by the next one.
const maxAffinityPasses = 10

// processCPUs lists the CPUs this process may run on.
func processCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("read CPU affinity: %w", err)
	}
	var cpus []int
	for c := range 1024 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// pinProcess runs every thread of this process on cpu alone and returns a
// function that gives the threads back the CPUs they had. sched_setaffinity
// acts on one thread, and a Go process has several (threads the runtime
// starts later inherit the mask of the thread that starts them), so it sets
// each thread listed in /proc/self/task.
func pinProcess(cpu int) (restore func() error, err error) {
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("read CPU affinity: %w", err)
	}
	set.Set(cpu)
	if err := setThreadsAffinity(&set); err != nil {
		_ = setThreadsAffinity(&old)
		return nil, fmt.Errorf("pin to CPU %d: %w", cpu, err)
	}
	return func() error { return setThreadsAffinity(&old) }, nil
}

// setThreadsAffinity sets the affinity of every thread of the process,
// walking /proc/self/task until a walk finds no thread it has not set.
func setThreadsAffinity(set *unix.CPUSet) error {
	done := map[int]bool{}
	for range maxAffinityPasses {
		entries, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("list threads: %w", err)
		}
		fresh := 0
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("set affinity of thread %d: %w", tid, err)
			}
			done[tid] = true
			fresh++
		}
		if fresh == 0 {
			return nil
		}
	}
	return nil
}

// clockTick is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// Linux for every architecture Go supports).
const clockTick = 10 * time.Millisecond

// processCPUTimeOf is the CPU time, user and system, another process has
// used so far, from /proc/PID/stat; 0 when it cannot be read.
func processCPUTimeOf(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * clockTick
}

// residentBytes is the process's resident memory (VmRSS).
func residentBytes() (uint64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read /proc/self/status: %w", err)
	}
	var kib uint64
	for line := range strings.Lines(string(raw)) {
		if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &kib); err == nil {
			return kib << 10, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

// processCPUTime is the CPU time, user and system, of every thread of this
// process so far.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestPinProcess(t *testing.T) {
	cpus, err := processCPUs()
	if err != nil || len(cpus) == 0 {
		promstack.Missing(t, "CPU affinity unknown: %v", err)
	}
	before, err := threadMasks()
	if err != nil {
		t.Fatal(err)
	}
	restore, err := pinProcess(cpus[len(cpus)-1])
	if err != nil {
		t.Fatalf("pin: %v", err)
	}
	pinned, err := threadMasks()
	if err != nil {
		t.Fatal(err)
	}
	for tid, mask := range pinned {
		if mask.Count() != 1 || !mask.IsSet(cpus[len(cpus)-1]) {
			t.Errorf("thread %d not pinned to CPU %d", tid, cpus[len(cpus)-1])
		}
	}
	if err := restore(); err != nil {
		t.Fatalf("restore: %v", err)
	}
	after, err := threadMasks()
	if err != nil {
		t.Fatal(err)
	}
	for tid, mask := range after {
		if old, ok := before[tid]; ok && old != mask {
			t.Errorf("thread %d: mask not restored", tid)
		}
	}
}

// threadMasks reads the CPU affinity of every thread of the process.
func threadMasks() (map[int]unix.CPUSet, error) {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("list threads: %w", err)
	}
	masks := map[int]unix.CPUSet{}
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err != nil {
			continue // the thread ended
		}
		masks[tid] = set
	}
	return masks, nil
}

// resetPeakResident resets the process's peak resident memory (VmHWM), so
// that peakResidentBytes tells the peak of what comes after.
func resetPeakResident() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakResidentBytes is the process's peak resident memory (VmHWM) since it
// started or since resetPeakResident.
func peakResidentBytes() (uint64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read /proc/self/status: %w", err)
	}
	var kib uint64
	for line := range strings.Lines(string(raw)) {
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kib); err == nil {
			return kib << 10, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}
