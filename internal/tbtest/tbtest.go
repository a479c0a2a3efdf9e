// Package tbtest is a testing.TB for tests of the harness's verdict: it
// records the failures a run reports instead of failing the test it wraps,
// so a test can assert that a run meant to fail does fail, and why.
package tbtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Recorder wraps a test. Errorf and Error are recorded; Fatalf, Fatal and
// FailNow are recorded and end the calling goroutine, as testing does, so
// the code under test stops where a real test would. Everything else (Log,
// TempDir, Output, Context) is the wrapped test's. With HoldCleanups, the
// cleanups registered on it wait for Finish instead of the test's end.
type Recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	hold     bool
	cleanups []func()
}

// New returns a Recorder of t.
func New(t testing.TB) *Recorder { return &Recorder{TB: t} }

// HoldCleanups makes the cleanups registered on r wait for Finish, so a
// test can see the failures that a run reports when its test ends (a
// partial run's).
func (r *Recorder) HoldCleanups() *Recorder { r.hold = true; return r }

func (r *Recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *Recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *Recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.FailNow()
}

func (r *Recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// FailNow ends the calling goroutine, which must not be the test's own.
func (r *Recorder) FailNow() { runtime.Goexit() }

// Failed reports whether a failure was recorded.
func (r *Recorder) Failed() bool { return len(r.Failures()) > 0 }

func (r *Recorder) Cleanup(fn func()) {
	if !r.hold {
		r.TB.Cleanup(fn)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, fn)
}

// Finish runs the held cleanups, last first as a test's end would, and
// returns every failure recorded.
func (r *Recorder) Finish() []string {
	r.mu.Lock()
	cs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	return r.Failures()
}

// Failures is every failure recorded so far, in order.
func (r *Recorder) Failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// Messages is every failure recorded so far, one a line.
func (r *Recorder) Messages() string { return strings.Join(r.Failures(), "\n") }
