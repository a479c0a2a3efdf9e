package contract

import (
	"bytes"
	"math/rand/v2"
	"sync/atomic"
)

// Bounds of the ids a Checker remembers for the explorer.
const (
	idRingSize    = 64 // ids remembered, the most recent
	idStride      = 8  // an unsampled 2xx answer is scanned every idStride answers of its operation
	maxIDsPerBody = 8  // ids taken from one body (a list's first items)
)

var idKey = []byte(`"id"`)

// idRing holds the most recent positive integer ids seen in answers. It is
// lock-free: writers claim a slot with one atomic add.
type idRing struct {
	pos   atomic.Uint64
	slots [idRingSize]atomic.Int64
}

// collect remembers the integer "id" fields of a JSON body.
func (r *idRing) collect(body []byte) {
	scanIDs(body, maxIDsPerBody, func(id int64) {
		i := r.pos.Add(1) - 1
		r.slots[i%idRingSize].Store(id)
	})
}

// pick returns one remembered id, drawn from rnd, and false when none is
// known yet.
func (r *idRing) pick(rnd *rand.Rand) (int64, bool) {
	n := min(r.pos.Load(), idRingSize)
	if n == 0 {
		return 0, false
	}
	id := r.slots[rnd.Uint64N(n)].Load()
	return id, id > 0
}

// scanIDs calls fn with each positive integer value of a key exactly "id"
// in a JSON text, at any depth, at most limit times. It is a byte scan, not
// a parse: cheap enough for the hot path, and wrong only on bodies no JSON
// encoder writes (a key "id" inside a string is escaped as \"id\").
func scanIDs(body []byte, limit int, fn func(int64)) {
	for found := 0; found < limit; {
		i := bytes.Index(body, idKey)
		if i < 0 {
			return
		}
		body = body[i+len(idKey):]
		j := skipSpace(body, 0)
		if j >= len(body) || body[j] != ':' {
			continue
		}
		j = skipSpace(body, j+1)
		start := j
		var id int64
		for j < len(body) && body[j] >= '0' && body[j] <= '9' && j-start < 18 {
			id = id*10 + int64(body[j]-'0')
			j++
		}
		if j == start || id <= 0 {
			continue
		}
		if j < len(body) {
			switch c := body[j]; {
			case c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9'):
				continue // a float, or too long to be an id
			}
		}
		fn(id)
		found++
		body = body[j:]
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
