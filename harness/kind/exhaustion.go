package kind

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/trafficsim/trafficsim/harness/internal/proc"
)

// ExhaustionNote is what to tell about k, a kind that exhausts (see
// Exhausts), given the process's open-files limit: what ran out and what
// to change. It is "" for any other kind.
func (k Kind) ExhaustionNote(openFilesLimit uint64) string {
	switch k {
	case TooManyOpenFiles:
		return fmt.Sprintf("too many open files: the run needs more connections than the open-files limit allows (ulimit -n: %d); raise it (ulimit -n, and the hard limit ulimit -Hn), or run fewer users or with think time", openFilesLimit)
	case AddrInUse:
		return fmt.Sprintf("address in use: no free local address for a new connection (open-files limit ulimit -n: %d); let TIME_WAIT sockets expire, widen net.ipv4.ip_local_port_range, or run fewer users or with think time", openFilesLimit)
	case NoPorts:
		return fmt.Sprintf("no local ports left: the ephemeral port range is used up (open-files limit ulimit -n: %d); widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse, or run fewer users or with think time", openFilesLimit)
	}
	return ""
}

// Exhaustion warns once per kind when the generator's machine runs out of
// something — open files, local addresses, ports — because then every
// further error of the run has that one cause, and it is the machine's
// limit, not the target, that needs changing. The zero value is ready to
// use; it is safe for concurrent use.
type Exhaustion struct {
	mu     sync.Mutex
	warned map[Kind]bool
	notes  []string
}

// Note warns on log about k the first time it is seen, with its
// ExhaustionNote; kinds that are no exhaustion are ignored, at the cost of
// one comparison (it is called for every failed request).
func (x *Exhaustion) Note(log *slog.Logger, k Kind) {
	if !k.Exhausts() {
		return
	}
	lim := proc.FDLimit()
	what := k.ExhaustionNote(lim)
	x.mu.Lock()
	if x.warned[k] {
		x.mu.Unlock()
		return
	}
	if x.warned == nil {
		x.warned = map[Kind]bool{}
	}
	x.warned[k] = true
	x.notes = append(x.notes, what)
	x.mu.Unlock()
	log.Warn(what, "kind", k, "open_files_limit", lim)
}

// Notes are the warnings given, in order, for the summary's notes.
func (x *Exhaustion) Notes() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.notes...)
}
