//go:build unix

package proc

import "syscall"

// FDLimit is the process's limit of open files. The Go runtime raises the
// soft limit to the hard one at start on Unix (since Go 1.19), so this is
// the most connections a run can hold; the summary reports it.
func FDLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	return l.Cur
}
