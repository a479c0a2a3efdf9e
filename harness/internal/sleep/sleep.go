// Package sleep ends the pauses of many parked goroutines from one
// goroutine: a Sleeper keeps a heap of wake-up times and, when one comes,
// calls its wake function with what was parked. The harness parks its
// thinking users on it; it is a package of its own because the memory
// design it serves (a thinking user fits the runtime's 2 KiB minimum
// stack) is easier to hold in a small file with its own tests than among
// the engine's.
//
// A Sleeper[E] wakes any *E: the wake function decides what waking means
// (for the harness, a send on the user's own channel, or a new goroutine
// for a user parked between journey calls). A pause costs two
// words in the heap, and nothing is allocated per sleep.
//
//	type user struct{ done chan struct{} }
//	s := sleep.New(func(u *user) { u.done <- struct{}{} }) // a Sleeper[user]
//	s.Start()
//	defer s.Close()
//	u := &user{done: make(chan struct{}, 1)}
//	s.Sleep(u, time.Second)
//	<-u.done
package sleep

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Queue is how many pauses may wait to reach the sleeper's heap; a pause
// that finds the queue full waits for room.
const Queue = 4096

// Sleeper ends parked goroutines' pauses: one goroutine keeping a heap of
// wake-up times, where a runtime timer per pause would cost about 150
// bytes per parked user (the timer, its callback, its slot in the
// runtime's heap) and a goroutine per wake-up (time.AfterFunc runs its
// function on a new one). A pause costs the sleeping goroutine one send on
// a buffered channel, which allocates nothing and stays shallow on its
// small stack.
//
// A pause is ended by the sleeper or by the caller's own means (the
// harness's stop wakes every user); in the second case its entry stays in
// the heap and is woken when its time comes, so wake must be harmless for
// what is no longer parked.
//
// It parks pointers (*E) and keeps them as unsafe.Pointer in a sleeper
// that is not generic: Sleep inlines into its caller and calls one
// function of three arguments, as a sleeper written for one type would. A
// generic call would pass a dictionary too, one more word in the frame of
// every parked caller, which is what this package exists to keep small.
type Sleeper[E any] struct{ sleeper }

// New returns a Sleeper that ends a pause by calling wake, on the
// sleeper's goroutine: wake must not block.
func New[E any](wake func(*E)) *Sleeper[E] {
	s := &Sleeper[E]{}
	s.init(func(p unsafe.Pointer) { wake((*E)(p)) })
	return s
}

// Sleep asks for item to be woken (wake(item)) d from now.
func (s *Sleeper[E]) Sleep(item *E, d time.Duration) { s.sleep(unsafe.Pointer(item), d) }

// Start starts the sleeper's goroutine, once; Close stops it.
func (s *Sleeper[E]) Start() { s.start() }

// Close stops the sleeper; pauses still in its heap are not ended by it.
func (s *Sleeper[E]) Close() { s.close() }

// sleeper is Sleeper for any pointer.
type sleeper struct {
	base    time.Time // wake-up times are offsets from it, on the monotonic clock
	wake    func(unsafe.Pointer)
	in      chan entry
	quit    chan struct{}
	started atomic.Bool
	wg      sync.WaitGroup
}

// entry is one pause: when it ends, and whose it is.
type entry struct {
	at   time.Duration // since base
	item unsafe.Pointer
}

func (s *sleeper) init(wake func(unsafe.Pointer)) {
	s.base, s.wake = time.Now(), wake
	s.in, s.quit = make(chan entry, Queue), make(chan struct{})
}

func (s *sleeper) start() {
	if s.started.CompareAndSwap(false, true) {
		s.wg.Add(1)
		go s.run()
	}
}

func (s *sleeper) close() {
	close(s.quit)
	s.wg.Wait()
}

// sleep is not inlined: its frame, with time.Since's and the select's, is
// gone while the caller waits.
//
//go:noinline
func (s *sleeper) sleep(item unsafe.Pointer, d time.Duration) {
	e := entry{at: time.Since(s.base) + d, item: item}
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
	var h heap
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
			for range Queue {
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
				s.wake(h.pop().item)
			}
			h.trim()
		case <-s.quit:
			return
		}
	}
}

// heap is a binary min-heap of pauses by wake-up time.
type heap []entry

func (h *heap) push(e entry) {
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

func (h *heap) pop() entry {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = entry{} // drop the reference to the item
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
func (h *heap) trim() {
	if c := cap(*h); c > 1024 && len(*h) < c/4 {
		*h = append(make(heap, 0, 2*len(*h)), *h...)
	}
}
