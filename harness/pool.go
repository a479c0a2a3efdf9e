package harness

import (
	"sync"
	"time"
)

// workerIdle is how long an exchange worker waits for work before it ends.
const workerIdle = 2 * time.Second

// exchangePool runs users' HTTP exchanges on goroutines of its own, as many
// as there are requests in flight. An exchange is deep (TLS, HTTP, body
// reading) and a goroutine keeps its grown stack after it; if users made
// their requests themselves, a hundred thousand thinking users would each
// hold a 4 KiB stack or more. This way a user's goroutine only waits for the
// result and stays at the 2 KiB minimum, and the deep stacks belong to the
// few workers that are busy.
type exchangePool struct {
	jobs chan *VU
	quit chan struct{}
	wg   sync.WaitGroup
}

func newExchangePool() *exchangePool {
	return &exchangePool{jobs: make(chan *VU), quit: make(chan struct{})}
}

// do makes the request on a worker and waits for its response. A worker
// that is idle takes it; when none is, a new one starts.
func (p *exchangePool) do(vu *VU, req *Request) *Response {
	vu.pending = req
	select {
	case p.jobs <- vu:
	default:
		p.wg.Add(1)
		go p.work(vu)
	}
	for {
		if resp := <-vu.done; resp != nil {
			return resp
		}
		// A wake meant for a pause (a stop, a late timer): keep waiting.
	}
}

// work serves vu, then every user that sends work, until it has been idle
// for workerIdle or the pool closes.
func (p *exchangePool) work(vu *VU) {
	defer p.wg.Done()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		req := vu.pending
		vu.pending = nil
		vu.done <- vu.exchange(req)
		idle.Reset(workerIdle)
		select {
		case vu = <-p.jobs:
		case <-idle.C:
			return
		case <-p.quit:
			return
		}
	}
}

// close ends the idle workers and waits for every worker to end. Callers
// make sure no request is in flight or about to start.
func (p *exchangePool) close() {
	close(p.quit)
	p.wg.Wait()
}
