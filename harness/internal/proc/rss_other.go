//go:build !linux

package proc

// PeakRSS is not measured off Linux.
func PeakRSS() uint64 { return 0 }
