package harness

import (
	"fmt"
	"sync"
)

// exhaustion warns once per kind when the generator's machine runs out of
// something — open files, local addresses, ports — because then every
// further error of the run has that one cause, and it is the machine's
// limit, not the target, that needs changing.
type exhaustion struct {
	mu     sync.Mutex
	warned map[string]bool
	notes  []string
}

// note warns about kind the first time it is seen; other kinds are ignored.
func (x *exhaustion) note(r *run, kind string) {
	switch kind {
	case KindTooManyOpenFiles, KindAddrInUse, KindNoPorts:
	default:
		return
	}
	var what string
	lim := fdLimit()
	switch kind {
	case KindTooManyOpenFiles:
		what = fmt.Sprintf("too many open files: the run needs more connections than the open-files limit allows (ulimit -n: %d); raise it (ulimit -n, and the hard limit ulimit -Hn), or run fewer users or with think time", lim)
	case KindAddrInUse:
		what = fmt.Sprintf("address in use: no free local address for a new connection (open-files limit ulimit -n: %d); let TIME_WAIT sockets expire, widen net.ipv4.ip_local_port_range, or run fewer users or with think time", lim)
	case KindNoPorts:
		what = fmt.Sprintf("no local ports left: the ephemeral port range is used up (open-files limit ulimit -n: %d); widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse, or run fewer users or with think time", lim)
	default:
		return
	}
	x.mu.Lock()
	if x.warned[kind] {
		x.mu.Unlock()
		return
	}
	if x.warned == nil {
		x.warned = map[string]bool{}
	}
	x.warned[kind] = true
	x.notes = append(x.notes, what)
	x.mu.Unlock()
	r.log.Warn(what, "kind", kind, "open_files_limit", lim)
}

// summaryNotes are the warnings given, for the summary's notes.
func (x *exhaustion) summaryNotes() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.notes...)
}
