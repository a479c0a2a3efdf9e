package harness

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/trafficsim/trafficsim/harness/kind"
)

// exhaustion warns once per kind when the generator's machine runs out of
// something — open files, local addresses, ports — because then every
// further error of the run has that one cause, and it is the machine's
// limit, not the target, that needs changing.
type exhaustion struct {
	mu     sync.Mutex
	warned map[kind.Kind]bool
	notes  []string
}

// note warns about k the first time it is seen; kinds that are no
// exhaustion (see kind.Kind.Exhausts) are ignored.
func (x *exhaustion) note(log *slog.Logger, k kind.Kind) {
	if !k.Exhausts() {
		return
	}
	var what string
	lim := fdLimit()
	switch k {
	case kind.TooManyOpenFiles:
		what = fmt.Sprintf("too many open files: the run needs more connections than the open-files limit allows (ulimit -n: %d); raise it (ulimit -n, and the hard limit ulimit -Hn), or run fewer users or with think time", lim)
	case kind.AddrInUse:
		what = fmt.Sprintf("address in use: no free local address for a new connection (open-files limit ulimit -n: %d); let TIME_WAIT sockets expire, widen net.ipv4.ip_local_port_range, or run fewer users or with think time", lim)
	case kind.NoPorts:
		what = fmt.Sprintf("no local ports left: the ephemeral port range is used up (open-files limit ulimit -n: %d); widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse, or run fewer users or with think time", lim)
	default:
		return
	}
	x.mu.Lock()
	if x.warned[k] {
		x.mu.Unlock()
		return
	}
	if x.warned == nil {
		x.warned = map[kind.Kind]bool{}
	}
	x.warned[k] = true
	x.notes = append(x.notes, what)
	x.mu.Unlock()
	log.Warn(what, "kind", k, "open_files_limit", lim)
}

// summaryNotes are the warnings given, for the summary's notes.
func (x *exhaustion) summaryNotes() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.notes...)
}
