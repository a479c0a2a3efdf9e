package learn

import (
	"sort"
	"strings"
	"time"
)

// Entry is one request as a log line tells it, before it is stored.
type Entry struct {
	Time time.Time
	// Duration is how long the server took; 0 when the log does not say.
	Duration time.Duration
	Client   string // remote address
	User     string // authenticated user ("" when unknown)
	UA       string // user agent
	// Key is the value of the configured session field (a cookie, a token
	// hash), when ReadOptions names one.
	Key    string
	Method string
	Target string // path and query, as requested
	Status int
}

// record is an Entry stored compactly: strings interned, times in
// nanoseconds. A million records take about 40 MB.
type record struct {
	at     int64 // unix nanoseconds
	dur    int64 // nanoseconds, 0 when unknown
	status uint16
	raw    uint32 // interned "METHOD /path" (no query)
	query  uint32 // interned sorted query keys "page,per_page" ("" none)
	user   uint32 // interned user (0: none)
	client uint32 // interned client + user agent
	key    uint32 // interned session field (0: none)
}

// interner hands out small integers for strings; 0 is "".
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() *interner {
	return &interner{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

func (in *interner) id(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.strs))
	s = strings.Clone(s) // s may point into a reused line buffer
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

func (in *interner) str(id uint32) string { return in.strs[id] }

// Log is a read log: its records in time order and the strings they name.
// Build it with Read or ReadFile; it is not safe for concurrent change.
type Log struct {
	recs    []record
	raws    *interner // "METHOD /path"
	queries *interner
	users   *interner
	clients *interner
	keys    *interner
	sorted  bool
	// Skipped counts lines that did not parse; Lines counts all lines.
	Skipped, Lines int
}

func newLog() *Log {
	return &Log{sorted: true, raws: newInterner(), queries: newInterner(), users: newInterner(), clients: newInterner(), keys: newInterner()}
}

// Len is the number of requests in the log.
func (l *Log) Len() int { return len(l.recs) }

// Add stores one entry.
func (l *Log) Add(e *Entry) {
	path, query, _ := strings.Cut(e.Target, "?")
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		path = "/"
	}
	r := record{
		at: e.Time.UnixNano(), dur: int64(e.Duration), status: uint16(min(max(e.Status, 0), 999)),
		raw:    l.raws.id(strings.ToUpper(e.Method) + " " + path),
		query:  l.queries.id(queryKeys(query)),
		user:   l.users.id(e.User),
		client: l.clients.id(e.Client + "\x00" + e.UA),
		key:    l.keys.id(e.Key),
	}
	if n := len(l.recs); n > 0 && l.recs[n-1].at > r.at {
		l.sorted = false
	}
	l.recs = append(l.recs, r)
}

// queryKeys returns the sorted, distinct keys of a raw query: values are
// never kept.
func queryKeys(q string) string {
	if q == "" {
		return ""
	}
	var keys []string
	for part := range strings.SplitSeq(q, "&") {
		k, _, _ := strings.Cut(part, "=")
		if k == "" || len(k) > 64 || !plainKey(k) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	keys = compactStrings(keys)
	return strings.Join(keys, ",")
}

// plainKey accepts a query key made of letters, digits, '_', '-', '.',
// '[' and ']': anything else may be a value in disguise.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '[' || c == ']') {
			return false
		}
	}
	return !looksLikeValue(k)
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// finish sorts the records by time (stable: equal times keep log order).
func (l *Log) finish() {
	if l.sorted {
		return
	}
	sort.SliceStable(l.recs, func(i, j int) bool { return l.recs[i].at < l.recs[j].at })
	l.sorted = true
}
