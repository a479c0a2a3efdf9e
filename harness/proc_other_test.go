//go:build !linux

package harness

import (
	"errors"
	"runtime/metrics"
	"time"
)

var errNoAffinity = errors.New("CPU affinity is only set on Linux")

// processCPUs lists the CPUs this process may run on; off Linux they are
// not known, and BenchmarkThroughput falls back to one process.
func processCPUs() ([]int, error) { return nil, errNoAffinity }

// pinProcess is not available off Linux.
func pinProcess(int) (func() error, error) { return nil, errNoAffinity }

// residentBytes approximates resident memory by what the Go runtime has
// mapped and not released.
func residentBytes() (uint64, error) {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64(), nil
}

// processCPUTime is not measured off Linux: BenchmarkThroughput reports
// no CPU figures there.
func processCPUTime() time.Duration { return 0 }

// processCPUTimeOf is not measured off Linux.
func processCPUTimeOf(int) time.Duration { return 0 }

// resetPeakResident is not available off Linux.
func resetPeakResident() error { return errors.New("peak resident memory is only reset on Linux") }

// peakResidentBytes off Linux is the resident memory now.
func peakResidentBytes() (uint64, error) { return residentBytes() }
