package leaks

import (
	"bytes"
	"context"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Key is the pprof label key that marks every goroutine a run starts; its
// value is the run's Label.
const Key = "trafficsim_run"

// Wait bounds how long Find waits for goroutines on their way out
// (connections closing, workers returning).
const Wait = 3 * time.Second

// runSeq makes label values unique in the process even when two runs are
// given the same -run-id.
var runSeq atomic.Int64

// Label is the value of one run's pprof label (key Key).
type Label string

// New returns the label of one run: runID and a number unique in the
// process.
func New(runID string) Label {
	return Label(runID + "#" + strconv.FormatInt(runSeq.Add(1), 10))
}

// Do runs fn with the calling goroutine labelled as the run's, so that
// every goroutine fn starts, directly or not, carries the label.
func (l Label) Do(ctx context.Context, fn func(context.Context)) {
	pprof.Do(ctx, pprof.Labels(Key, string(l)), fn)
}

// Unlabelled runs fn with the calling goroutine's labels cleared, for user
// code whose goroutines the run does not own (cleanup functions, which may
// use a shared http.Client); it restores ctx's labels afterwards.
func Unlabelled(ctx context.Context, fn func()) {
	pprof.SetGoroutineLabels(context.Background())
	defer pprof.SetGoroutineLabels(ctx)
	fn()
}

// leakedGroup is a set of leaked goroutines with the same stack.
type leakedGroup struct {
	count int
	entry string // the function the goroutine was started with
	at    string // the first frame outside the runtime: where it waits
}

func (g leakedGroup) String() string {
	s := strconv.Itoa(g.count) + " × " + g.entry
	if g.at != "" && g.at != g.entry {
		s += " (in " + g.at + ")"
	}
	return s
}

// Find returns the goroutines carrying label, waiting up to Wait for them
// to end. It returns their number and a description naming each stack's
// entry function and where it waits, one stack per line, the most
// numerous first ("3 × main.worker (in main.(*queue).get)").
func Find(label Label) (int, string) { return find(label, Wait) }

func find(label Label, wait time.Duration) (int, string) {
	deadline := time.Now().Add(wait)
	pause := time.Millisecond
	for {
		groups := labelledGoroutines(label)
		n := 0
		for _, g := range groups {
			n += g.count
		}
		if n == 0 || time.Now().After(deadline) {
			if n == 0 {
				return 0, ""
			}
			lines := make([]string, len(groups))
			for i, g := range groups {
				lines[i] = g.String()
			}
			return n, strings.Join(lines, "\n")
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// labelledGoroutines reads the goroutine profile (debug=1: one record per
// distinct stack with its count and labels) and returns the records with
// the label, the most numerous first.
func labelledGoroutines(label Label) []leakedGroup {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return []leakedGroup{{count: 1, entry: "unknown: reading the goroutine profile: " + err.Error()}}
	}
	want := strconv.Quote(Key) + ":" + strconv.Quote(string(label))
	var out []leakedGroup
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(rec, want) {
			continue
		}
		lines := strings.Split(strings.TrimSpace(rec), "\n")
		for len(lines) > 0 && !strings.Contains(lines[0], " @ ") {
			lines = lines[1:] // the profile's header, before the first record
		}
		if len(lines) == 0 {
			continue
		}
		head, _, _ := strings.Cut(lines[0], " @ ")
		count, err := strconv.Atoi(head)
		if err != nil {
			continue
		}
		var frames []string
		for _, l := range lines[1:] {
			f := strings.Fields(strings.TrimPrefix(l, "#"))
			if len(f) >= 2 && strings.HasPrefix(f[0], "0x") {
				fn := f[1]
				if i := strings.LastIndex(fn, "+0x"); i > 0 {
					fn = fn[:i]
				}
				frames = append(frames, fn)
			}
		}
		if len(frames) == 0 || slices.ContainsFunc(frames, isProfileWriter) {
			continue
		}
		g := leakedGroup{count: count, entry: frames[len(frames)-1]}
		for _, f := range frames {
			if !strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(f, "internal/") && !strings.HasPrefix(f, "sync.") {
				g.at = f
				break
			}
		}
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(a, b leakedGroup) int { return b.count - a.count })
	return out
}

// isProfileWriter reports the frame of the goroutine writing the profile
// (the caller of Find, when it still carries the label).
func isProfileWriter(frame string) bool {
	return strings.HasPrefix(frame, "runtime/pprof.")
}
