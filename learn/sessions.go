package learn

import (
	"fmt"
	"sort"
	"time"
)

// The session keys.
const (
	// KeyUser groups by the user field. Requests before the user is known
	// (a health check, the sign-up form) wait, by client and user agent,
	// for a session to start there: the first request of a user not seen
	// within the gap takes the oldest waiting ones (at most
	// Options.Prologue) — the way a visitor becomes known. Those never
	// taken within the gap form sessions of their own, by client and user
	// agent.
	KeyUser = "user"
	// KeyClient groups by client address and user agent only.
	KeyClient = "client"
	// KeyField groups by the JSON field Fields.Session names (a cookie, a
	// token hash), falling back to client and user agent.
	KeyField = "field"
)

// DefaultGap is the inactivity that ends a session, as web analytics count.
const DefaultGap = 30 * time.Minute

// session is one user's visit: its records in time order.
type session struct {
	recs []int32
	user uint32 // interned user of the session, 0 when anonymous
	// censored: still open when the log ends (its last request within the
	// gap of the end), so its length is a lower bound.
	censored bool
	arch     int
}

// sessions splits the log into sessions.
func (l *Log) sessions(key string, gap time.Duration, prologue int) ([]session, error) {
	if gap <= 0 {
		return nil, fmt.Errorf("-session-gap: must be positive, got %s", gap)
	}
	type stream struct {
		recs []int32
		user uint32
	}
	streams := map[uint64]*stream{}
	add := func(k uint64, user uint32, i int32) {
		s := streams[k]
		if s == nil {
			s = &stream{user: user}
			streams[k] = s
		}
		s.recs = append(s.recs, i)
	}
	const clientTag, userTag, fieldTag = 1 << 62, 2 << 62, 3 << 62
	pending := map[uint32][]int32{} // by client: anonymous requests not yet attached
	lastSeen := map[uint32]int64{}  // by user: its latest request
	g := gap.Nanoseconds()
	flush := func(c uint32) {
		for _, i := range pending[c] {
			add(clientTag|uint64(c), 0, i)
		}
		delete(pending, c)
	}
	for i := range l.recs {
		r := &l.recs[i]
		switch key {
		case KeyClient:
			add(clientTag|uint64(r.client), 0, int32(i))
		case KeyField:
			if r.key != 0 {
				add(fieldTag|uint64(r.key), r.user, int32(i))
			} else {
				add(clientTag|uint64(r.client), 0, int32(i))
			}
		case KeyUser:
			if r.user == 0 {
				p := pending[r.client]
				if n := len(p); n > 0 && r.at-l.recs[p[n-1]].at > g {
					flush(r.client)
				}
				pending[r.client] = append(pending[r.client], int32(i))
				continue
			}
			// Only a user whose session starts here takes the waiting
			// anonymous requests: a visitor becomes known by its first
			// request with a user, not by someone else's next one.
			last, seen := lastSeen[r.user]
			lastSeen[r.user] = r.at
			if p := pending[r.client]; len(p) > 0 && (!seen || r.at-last > g) {
				if r.at-l.recs[p[len(p)-1]].at > g {
					flush(r.client)
				} else {
					// Oldest first, at most prologue of them: visitors
					// behind one address and user agent arrive in turn.
					n := min(prologue, len(p))
					for _, j := range p[:n] {
						add(userTag|uint64(r.user), r.user, j)
					}
					if n == len(p) {
						delete(pending, r.client)
					} else {
						pending[r.client] = p[n:]
					}
				}
			}
			add(userTag|uint64(r.user), r.user, int32(i))
		default:
			return nil, fmt.Errorf("-session-key: %q: want user, client or field", key)
		}
	}
	for c := range pending {
		flush(c)
	}
	keys := make([]uint64, 0, len(streams))
	for k := range streams {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var end int64
	if n := len(l.recs); n > 0 {
		end = l.recs[n-1].at
	}
	var out []session
	for _, k := range keys {
		s := streams[k]
		sort.SliceStable(s.recs, func(i, j int) bool { return s.recs[i] < s.recs[j] }) // log (time) order
		start := 0
		for i := 1; i <= len(s.recs); i++ {
			if i < len(s.recs) && l.recs[s.recs[i]].at-l.recs[s.recs[i-1]].at <= g {
				continue
			}
			recs := s.recs[start:i]
			out = append(out, session{recs: recs, user: s.user, censored: end-l.recs[recs[len(recs)-1]].at <= g && i == len(s.recs)})
			start = i
		}
	}
	// Sessions in order of their start, for arrivals.
	sort.SliceStable(out, func(i, j int) bool { return out[i].recs[0] < out[j].recs[0] })
	return out, nil
}
