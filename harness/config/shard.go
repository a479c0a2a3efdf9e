package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard selects the part of a population one process runs: the users whose
// index ≡ Index (mod Count). The zero Shard is the whole run.
type Shard struct {
	Index int
	Count int
}

// ParseShard parses "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q is not of the form i/n", s)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q is not of the form i/n with whole numbers", s)
	}
	if n < 1 {
		// validate lets the zero Shard (no -shard) through; "0/0" written
		// out is a mistake, not the whole run (found by FuzzParseShard).
		return Shard{}, fmt.Errorf("shard %q: need n >= 1", s)
	}
	sh := Shard{Index: i, Count: n}
	return sh, sh.validate()
}

func (s Shard) validate() error {
	if s == (Shard{}) {
		return nil
	}
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d/%d: need 0 <= i < n", s.Index, s.Count)
	}
	return nil
}

// Whole reports whether the shard is the whole population.
func (s Shard) Whole() bool { return s.Count <= 1 }

// Owns reports whether the user with the given global index belongs to s.
func (s Shard) Owns(index int) bool { return s.Whole() || index%s.Count == s.Index }

// String is "i/n", or "" for the whole run.
func (s Shard) String() string {
	if s.Whole() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Instance is the Pushgateway instance label of the shard: its index.
func (s Shard) Instance() string { return strconv.Itoa(s.Index) }
