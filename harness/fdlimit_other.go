//go:build !unix

package harness

// fdLimit is unknown on this system.
func fdLimit() uint64 { return 0 }
