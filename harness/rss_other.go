//go:build !linux

package harness

// peakRSS is not measured off Linux.
func peakRSS() uint64 { return 0 }
