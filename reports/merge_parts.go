package reports

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// mergeHistogram decodes enc and adds it to dst. It fails when enc does not
// decode, when values fall outside the shared geometry (the merge would not
// be exact), and when the shard reports latencies without a histogram to
// back them, since the merged percentiles could then not be exact.
func mergeHistogram(dst *hdrhistogram.Histogram, enc string, hasPercentiles bool, what string) error {
	if enc == "" && hasPercentiles {
		return fmt.Errorf("merge %s: percentiles without a histogram cannot be merged exactly", what)
	}
	h, err := DecodeHistogram(enc)
	if err != nil {
		return fmt.Errorf("merge %s: %w", what, err)
	}
	if dropped := dst.Merge(h); dropped > 0 {
		return fmt.Errorf("merge %s: %d latencies outside the shared histogram range (%d–%d µs)",
			what, dropped, HistogramMinMicros, HistogramMaxMicros)
	}
	return nil
}

// mergeEndpoints merges endpoints by name, in order of first appearance
// across the ordered shards.
func mergeEndpoints(shards []*Summary) ([]Endpoint, error) {
	var out []Endpoint
	index := map[string]int{}
	hists := []*hdrhistogram.Histogram{}
	slowCap := 0
	for _, s := range shards {
		for _, e := range s.Endpoints {
			i, ok := index[e.Name]
			if !ok {
				i = len(out)
				index[e.Name] = i
				out = append(out, Endpoint{Name: e.Name, Method: e.Method, Route: e.Route, Codes: map[string]int64{}})
				hists = append(hists, NewHistogram())
			}
			m := &out[i]
			m.Method = cmp.Or(m.Method, e.Method)
			m.Route = cmp.Or(m.Route, e.Route)
			m.Requests += e.Requests
			m.ErrorsExpected += e.ErrorsExpected
			m.ErrorsUnexpected += e.ErrorsUnexpected
			m.Blocked += e.Blocked
			addCounts(&m.Codes, e.Codes)
			m.Slowest = append(m.Slowest, e.Slowest...)
			slowCap = max(slowCap, len(e.Slowest))
			what := fmt.Sprintf("endpoint %q of shard %s", e.Name, shardLabel(s))
			if err := mergeHistogram(hists[i], e.Histogram, e.MaxMs > 0 || e.P50Ms > 0, what); err != nil {
				return nil, err
			}
		}
	}
	for i := range out {
		m, h := &out[i], hists[i]
		m.P50Ms, m.P95Ms, m.P99Ms = MillisAt(h, 50), MillisAt(h, 95), MillisAt(h, 99)
		m.MaxMs = float64(h.Max()) / 1000
		m.MeanMs = h.Mean() / 1000
		if h.TotalCount() == 0 {
			m.MaxMs = 0
		}
		enc, err := EncodeHistogram(h)
		if err != nil {
			return nil, fmt.Errorf("merge endpoint %q: %w", m.Name, err)
		}
		m.Histogram = enc
		slices.SortStableFunc(m.Slowest, func(a, b SlowRequest) int { return cmp.Compare(b.LatencyMs, a.LatencyMs) })
		if len(m.Slowest) > slowCap {
			m.Slowest = m.Slowest[:slowCap]
		}
	}
	return out, nil
}

// mergeArchetypes merges archetypes by name, in order of first appearance.
func mergeArchetypes(shards []*Summary) ([]Archetype, error) {
	var out []Archetype
	index := map[string]int{}
	hists := []*hdrhistogram.Histogram{}
	for _, s := range shards {
		for _, a := range s.Archetypes {
			i, ok := index[a.Name]
			if !ok {
				i = len(out)
				index[a.Name] = i
				out = append(out, Archetype{Name: a.Name})
				hists = append(hists, NewHistogram())
			}
			m := &out[i]
			m.Users += a.Users
			m.Requests += a.Requests
			m.ErrorsUnexpected += a.ErrorsUnexpected
			what := fmt.Sprintf("archetype %q of shard %s", a.Name, shardLabel(s))
			if err := mergeHistogram(hists[i], a.Histogram, a.P50Ms > 0 || a.P99Ms > 0, what); err != nil {
				return nil, err
			}
		}
	}
	for i := range out {
		m, h := &out[i], hists[i]
		m.P50Ms, m.P95Ms, m.P99Ms = MillisAt(h, 50), MillisAt(h, 95), MillisAt(h, 99)
		enc, err := EncodeHistogram(h)
		if err != nil {
			return nil, fmt.Errorf("merge archetype %q: %w", m.Name, err)
		}
		m.Histogram = enc
	}
	return out, nil
}

// mergeOperations merges operations by name, in order of first appearance;
// examples are kept first come, without duplicates, up to MaxViolationExamples.
func mergeOperations(shards []*Summary) []Operation {
	var out []Operation
	index := map[string]int{}
	for _, s := range shards {
		for _, op := range s.Operations {
			i, ok := index[op.Name]
			if !ok {
				i = len(out)
				index[op.Name] = i
				out = append(out, Operation{Name: op.Name})
			}
			m := &out[i]
			m.Requests += op.Requests
			m.AsDescribed += op.AsDescribed
			m.Violations += op.Violations
			addCounts(&m.ByClass, op.ByClass)
			for _, ex := range op.Examples {
				if len(m.Examples) < MaxViolationExamples && !slices.Contains(m.Examples, ex) {
					m.Examples = append(m.Examples, ex)
				}
			}
		}
	}
	return out
}

// mergeCoverage recomputes coverage from the merged operations, or, when no
// shard listed its operations, keeps the largest shard coverage (a lower
// bound of the union's).
func mergeCoverage(shards []*Summary, ops []Operation) *float64 {
	if len(ops) > 0 {
		exercised := 0
		for _, op := range ops {
			if op.Covered() {
				exercised++
			}
		}
		c := float64(exercised) / float64(len(ops))
		return &c
	}
	var best *float64
	for _, s := range shards {
		if s.Coverage != nil && (best == nil || *s.Coverage > *best) {
			c := *s.Coverage
			best = &c
		}
	}
	return best
}

// mergeTimelines aligns the shards' timelines by tick index. Counts and
// active users are summed; heap and goroutines take the largest shard (they
// are per process); latency percentiles take the largest shard's value per
// group, an approximation good for charts only, since percentiles of parts
// do not combine into the percentile of the whole.
func mergeTimelines(shards []*Summary) []Tick {
	n := 0
	for _, s := range shards {
		n = max(n, len(s.Timeline))
	}
	if n == 0 {
		return nil
	}
	out := make([]Tick, n)
	for _, s := range shards {
		for i, t := range s.Timeline {
			m := &out[i]
			m.T = max(m.T, t.T)
			m.Requests += t.Requests
			m.ActiveVUs += t.ActiveVUs
			addCounts(&m.Errors, t.Errors)
			m.HeapBytes = max(m.HeapBytes, t.HeapBytes)
			m.Goroutines = max(m.Goroutines, t.Goroutines)
			for g, p := range t.Latency {
				if m.Latency == nil {
					m.Latency = map[string]Percentiles{}
				}
				q := m.Latency[g]
				m.Latency[g] = Percentiles{P50: max(q.P50, p.P50), P95: max(q.P95, p.P95), P99: max(q.P99, p.P99)}
			}
		}
	}
	return out
}
