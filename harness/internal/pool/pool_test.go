package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/internal/deadline"
)

// job is a user's stand-in: it is asked at some time, served on a worker,
// and waits for its answer on a channel of its own.
type job struct {
	asked time.Time
	work  time.Duration // how long serving it takes
	done  chan string   // the goroutine that served it
}

func newJob(work time.Duration) *job { return &job{work: work, done: make(chan string, 1)} }

// fake is a pool of jobs, counting how many are served at once.
type fake struct {
	*Pool[*job]
	inFlight, peak atomic.Int64
	deadlines      sync.Map // the deadlines jobs were served with
}

func newFake(maxInFlight int) *fake {
	f := &fake{}
	f.Pool = New(Config[*job]{
		Timeout: time.Second, MaxInFlight: maxInFlight,
		Asked: func(j *job) time.Time { return j.asked },
		Serve: f.serve,
	})
	return f
}

func (f *fake) serve(j *job, d *deadline.Deadline) {
	f.deadlines.Store(d, true)
	n := f.inFlight.Add(1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	time.Sleep(j.work)
	f.inFlight.Add(-1)
	buf := make([]byte, 4<<10)
	j.done <- string(buf[:runtime.Stack(buf, false)])
}

// do hands j over, as a user does, and waits for it.
func (f *fake) do(j *job) string {
	j.asked = time.Now()
	f.HandOver(j)
	return <-j.done
}

func TestPool_servesOnWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(0)
		f.Start()
		defer f.Close()
		stack := f.do(newJob(time.Millisecond))
		assert.Contains(t, stack, ".(*Pool[...]).work", "served on a worker")
		assert.NotContains(t, stack, "TestPool_servesOnWorkers", "not on the caller's goroutine")
		assert.Zero(t, f.Saturation().QueuedRequests, "no bound, no line")
	})
}

func TestPool_maxInFlight(t *testing.T) {
	tests := []struct {
		name        string
		maxInFlight int
		jobs        int
		wantPeak    int64
		wantQueued  bool
	}{
		{"no bound: a worker per job in flight", 0, 20, 20, false},
		{"a bound: never more in flight, the rest wait in line", 3, 20, 3, true},
		{"a bound not reached", 30, 20, 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(tt.maxInFlight)
				f.Start()
				defer f.Close()
				var wg sync.WaitGroup
				for range tt.jobs {
					wg.Go(func() { f.do(newJob(100 * time.Millisecond)) })
				}
				wg.Wait()
				assert.Equal(t, tt.wantPeak, f.peak.Load())
				s := f.Saturation()
				assert.Equal(t, tt.maxInFlight, s.MaxInFlight, "the bound as configured")
				assert.Equal(t, tt.wantQueued, s.Saturated(), "%+v", s)
				assert.Zero(t, f.QueuedNow(), "nothing waits once all are served")
			})
		})
	}
}

// TestPool_saturation: with one worker busy, the jobs behind it wait in
// line, timed from when they were asked. The peak is seen when the
// dispatcher takes a job up: it and those in the queue behind it.
func TestPool_saturation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(1)
		f.Start()
		defer f.Close()
		const waiting = 3
		go f.do(newJob(time.Second))
		synctest.Wait() // on the one worker
		var wg sync.WaitGroup
		for range waiting {
			wg.Go(func() { f.do(newJob(time.Second)) })
			synctest.Wait() // the first is held by the dispatcher, the others queue behind it
		}
		assert.EqualValues(t, waiting, f.QueuedNow(), "waiting now")
		wg.Wait()

		s := f.Saturation()
		assert.EqualValues(t, waiting, s.QueuedRequests)
		assert.EqualValues(t, waiting-1, s.PeakQueued, "the second taken up, with the third behind it")
		// They waited 1s, 2s and 3s for the worker (fake time is exact).
		assert.InDelta(t, 6.0, s.QueueWaitSeconds, 1e-9)
		assert.InDelta(t, 3000.0, s.QueueWaitMaxMs, 1e-6)
		assert.InDelta(t, 2000.0, s.QueueWaitMeanMs, 1e-6)
		assert.Zero(t, f.QueuedNow())
	})
}

// TestPool_workersReuseAndLeave: a worker serves job after job with its own
// deadline, and ends once idle for a whole period; the dispatcher then
// starts a new one within the bound.
func TestPool_workersReuseAndLeave(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(1)
		f.Start()
		defer f.Close()
		for range 5 {
			f.do(newJob(time.Millisecond))
			synctest.Wait() // the worker waits for the next job
		}
		assert.Equal(t, 1, countDeadlines(f), "one worker, one deadline")
		time.Sleep(2*WorkerIdle + time.Millisecond)
		synctest.Wait() // the idle worker has left
		f.do(newJob(time.Millisecond))
		assert.Equal(t, 2, countDeadlines(f), "a new worker after the first left")
		assert.Zero(t, f.Saturation().QueuedRequests, "the worker that left made room, no wait")
	})
}

func countDeadlines(f *fake) int {
	n := 0
	f.deadlines.Range(func(any, any) bool { n++; return true })
	return n
}

// TestPool_inlineSlots: callers that make their exchanges themselves share
// the bound through slots, and a wait for one is counted like a wait for a
// worker.
func TestPool_inlineSlots(t *testing.T) {
	t.Run("no bound, no slot", func(t *testing.T) {
		f := newFake(0)
		assert.False(t, f.Acquire(newJob(0)), "nothing to release")
	})
	t.Run("a wait for a slot is counted", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(2)
			a, b := newJob(0), newJob(0)
			require.True(t, f.Acquire(a))
			require.True(t, f.Acquire(b))
			c := newJob(0)
			c.asked = time.Now()
			got := make(chan bool)
			go func() { got <- f.Acquire(c) }()
			synctest.Wait()
			assert.EqualValues(t, 1, f.QueuedNow(), "c waits for a slot")
			time.Sleep(500 * time.Millisecond)
			f.Release()
			require.True(t, <-got)
			f.Release()
			f.Release()
			s := f.Saturation()
			assert.EqualValues(t, 1, s.QueuedRequests)
			assert.EqualValues(t, 1, s.PeakQueued)
			assert.InDelta(t, 500.0, s.QueueWaitMaxMs, 1e-6)
			assert.Zero(t, f.QueuedNow())
		})
	})
}

// TestPool_close: Close ends the dispatcher and the idle workers.
func TestPool_close(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(4)
		f.Start()
		f.Start() // once
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { f.do(newJob(time.Millisecond)) })
		}
		wg.Wait()
		f.Close()
		// synctest.Test fails if a goroutine of the bubble is still running.
	})
}
