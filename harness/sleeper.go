package harness

import (
	"sync"
	"sync/atomic"
	"time"
)

// sleepQueue is how many pauses may wait to reach the sleeper's heap; a user
// whose pause finds it full waits for room.
const sleepQueue = 4096

// sleeper ends thinking users' pauses: one goroutine keeping a heap of
// wake-up times, where a runtime timer per user would cost about 150 bytes
// per user (the timer, its callback, its slot in the runtime's heap) and a
// goroutine per wake-up (time.AfterFunc runs its function on a new one). A
// pause costs the user one send on a buffered channel, which allocates
// nothing and stays shallow on its small stack.
//
// A pause is ended by the sleeper or by the run's stop (wakeAll); in the
// second case its entry stays in the heap and wakes no one that is still
// pausing, because no pause starts once the run is stopping.
type sleeper struct {
	base    time.Time // wake-up times are offsets from it, on the monotonic clock
	in      chan sleep
	quit    chan struct{}
	started atomic.Bool
	wg      sync.WaitGroup
}

// sleep is one pause: when it ends, and whose it is.
type sleep struct {
	at time.Duration // since base
	vu *VU
}

func newSleeper() *sleeper {
	return &sleeper{base: time.Now(), in: make(chan sleep, sleepQueue), quit: make(chan struct{})}
}

// start starts the sleeper's goroutine, once; close stops it.
func (s *sleeper) start() {
	if s.started.CompareAndSwap(false, true) {
		s.wg.Add(1)
		go s.run()
	}
}

// close stops the sleeper; pauses still in its heap are not ended by it.
func (s *sleeper) close() {
	close(s.quit)
	s.wg.Wait()
}

// sleep asks for vu to be woken (vu.wake) d from now. It is not inlined:
// its frame, with time.Since's, is gone while the user waits.
//
//go:noinline
func (s *sleeper) sleep(vu *VU, d time.Duration) {
	e := sleep{at: time.Since(s.base) + d, vu: vu}
	select {
	case s.in <- e:
		return
	default:
	}
	select { // the queue is full: wait for room, unless the sleeper is gone
	case s.in <- e:
	case <-s.quit:
	}
}

func (s *sleeper) run() {
	defer s.wg.Done()
	var h sleepHeap
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	armed := time.Duration(-1) // the wake-up time the timer is set for
	for {
		var due <-chan time.Time
		if len(h) > 0 {
			if h[0].at != armed {
				armed = h[0].at
				timer.Reset(armed - time.Since(s.base))
			}
			due = timer.C
		} else if armed >= 0 {
			timer.Stop()
			armed = -1
		}
		select {
		case e := <-s.in:
			h.push(e)
		queued: // take what else is queued before re-arming
			for range sleepQueue {
				select {
				case e := <-s.in:
					h.push(e)
				default:
					break queued
				}
			}
		case <-due:
			armed = -1
			now := time.Since(s.base)
			for len(h) > 0 && h[0].at <= now {
				h.pop().vu.wake()
			}
			h.trim()
		case <-s.quit:
			return
		}
	}
}

// sleepHeap is a binary min-heap of pauses by wake-up time.
type sleepHeap []sleep

func (h *sleepHeap) push(e sleep) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent].at <= s[i].at {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *sleepHeap) pop() sleep {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = sleep{} // drop the reference to the user
	s = s[:last]
	for i := 0; ; {
		least := i
		if l := 2*i + 1; l < len(s) && s[l].at < s[least].at {
			least = l
		}
		if r := 2*i + 2; r < len(s) && s[r].at < s[least].at {
			least = r
		}
		if least == i {
			break
		}
		s[i], s[least] = s[least], s[i]
		i = least
	}
	*h = s
	return top
}

// trim gives back the memory of a heap that shrank to a quarter of its
// capacity, so a population that ended does not keep its peak.
func (h *sleepHeap) trim() {
	if c := cap(*h); c > 1024 && len(*h) < c/4 {
		*h = append(make(sleepHeap, 0, 2*len(*h)), *h...)
	}
}
