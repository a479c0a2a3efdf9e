//go:build !unix

package proc

// FDLimit is unknown on this system.
func FDLimit() uint64 { return 0 }
