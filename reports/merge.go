package reports

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// MaxViolationExamples caps the contract-violation examples a merged
// Operation keeps, as the harness caps them per run.
const MaxViolationExamples = 5

// Merge combines the summaries of the shards of ONE run (same run id and
// seed, each shard once) into the summary of the whole run.
//
// Exact figures: per endpoint and per archetype the counts and status codes
// are summed and the HDR histograms merged, so p50, p95, p99, max and mean
// are read from the merged histogram and equal those of one histogram of the
// union of all samples. Totals, users, error kinds and login outcomes are
// summed; Started is the earliest start, DurationSeconds the longest shard
// (shards run side by side), RPS = requests / duration. Operations are
// merged by name (requests, classes and violations summed, examples capped
// at MaxViolationExamples) and Coverage is recomputed as exercised /
// described; without Operations it is the largest shard coverage, a lower
// bound of the true one.
//
// Per-process figures: each shard is its own process, so HeapPeakBytes,
// HeapPerVUBytes and GoroutinesPeak are the worst shard's (a memory budget
// must hold on every machine; recomputing total heap / total users would
// average a bad shard away), goroutine leaks are summed, FDLimit is the
// smallest. PeakVUs is the sum of the shards' peaks, an upper bound, since
// shards follow the same stages.
//
// Approximate figures, for charts only: timelines are aligned by tick
// index; requests, errors and active users are summed, heap and goroutines
// take the largest shard, and latency percentiles per tick are the largest
// of the shards' percentiles, an upper bound of the true per-tick value.
//
// Shards lists the shards' Shard strings sorted by index; Partial is set if
// any shard is partial. Budgets are left empty: the caller re-evaluates them
// on the merged data. Merge returns an error naming both sides when run ids,
// seeds, shard counts or tick intervals differ, when a shard appears twice,
// or when a histogram cannot be decoded or merged without loss.
func Merge(shards ...*Summary) (*Summary, error) {
	if len(shards) == 0 {
		return nil, errors.New("merge summaries: no shards given")
	}
	for i, s := range shards {
		if s == nil {
			return nil, fmt.Errorf("merge summaries: shard argument %d is nil", i+1)
		}
	}
	if err := checkSameRun(shards); err != nil {
		return nil, err
	}
	ordered := slices.Clone(shards)
	slices.SortStableFunc(ordered, func(a, b *Summary) int { return compareShards(shardLabel(a), shardLabel(b)) })

	m := &Summary{Budgets: []Budget{}, ErrorsByKind: map[string]int64{}}
	var reasons []string
	for _, s := range ordered {
		mergeHeader(m, s)
		m.Shards = append(m.Shards, shardNames(s)...)
		if s.Partial {
			m.Partial = true
			reasons = append(reasons, shardLabel(s)+": "+cmp.Or(s.PartialReason, "stopped early"))
		}
		m.Users += s.Users
		m.PeakVUs += s.PeakVUs
		m.Requests += s.Requests
		m.ErrorsExpected += s.ErrorsExpected
		m.ErrorsUnexpected += s.ErrorsUnexpected
		m.Interrupted += s.Interrupted
		m.Dropped += s.Dropped
		m.Scheduled += s.Scheduled
		m.NotReached += s.NotReached
		m.Blocked += s.Blocked
		m.BytesRead += s.BytesRead
		addCounts(&m.ErrorsByKind, s.ErrorsByKind)
		addCounts(&m.LoginAttempts, s.LoginAttempts)
		mergeResources(&m.Resources, s)
		mergeSaturation(&m.Saturation, s.Saturation)
		mergePush(&m.Push, s)
		for _, n := range s.Notes {
			if !slices.Contains(m.Notes, n) {
				m.Notes = append(m.Notes, n)
			}
		}
		for _, p := range s.Problems {
			if !slices.Contains(m.Problems, p) {
				m.Problems = append(m.Problems, p)
			}
		}
	}
	m.Shards = slices.DeleteFunc(m.Shards, func(s string) bool { return s == "" })
	slices.SortFunc(m.Shards, compareShards)
	if len(m.Shards) == 0 {
		m.Shards = nil
	}
	m.PartialReason = strings.Join(reasons, "; ")
	if m.DurationSeconds > 0 {
		m.RPS = float64(m.Requests) / m.DurationSeconds
	}

	var err error
	if m.Endpoints, err = mergeEndpoints(ordered); err != nil {
		return nil, err
	}
	if m.Archetypes, err = mergeArchetypes(ordered); err != nil {
		return nil, err
	}
	m.Checks = mergeChecks(ordered)
	m.Operations = mergeOperations(ordered)
	m.Coverage = mergeCoverage(ordered, m.Operations)
	m.Timeline = mergeTimelines(ordered)
	return m, nil
}

// checkSameRun reports every reason the shards are not distinct parts of
// one run, each naming both sides.
func checkSameRun(shards []*Summary) error {
	first := shards[0]
	var errs []error
	seen := map[string]int{}
	counts := map[int]string{}
	for i, s := range shards {
		if s.RunID != first.RunID {
			errs = append(errs, fmt.Errorf("merge summaries: shard %s has run id %q but shard %s has %q",
				shardLabel(s), s.RunID, shardLabel(first), first.RunID))
		}
		if s.Seed != first.Seed {
			errs = append(errs, fmt.Errorf("merge summaries: shard %s has seed %d but shard %s has %d",
				shardLabel(s), s.Seed, shardLabel(first), first.Seed))
		}
		if s.IntervalSeconds != first.IntervalSeconds && s.IntervalSeconds > 0 && first.IntervalSeconds > 0 {
			errs = append(errs, fmt.Errorf("merge summaries: shard %s has a %gs tick interval but shard %s has %gs; timelines cannot be aligned",
				shardLabel(s), s.IntervalSeconds, shardLabel(first), first.IntervalSeconds))
		}
		for _, name := range shardNames(s) {
			if j, dup := seen[name]; dup {
				errs = append(errs, fmt.Errorf("merge summaries: shard %s appears twice (arguments %d and %d)", labelOf(name), j+1, i+1))
				continue
			}
			seen[name] = i
			if _, n, ok := parseShard(name); ok {
				counts[n] = name
			}
		}
	}
	if len(counts) > 1 {
		var names []string
		for _, n := range slices.Sorted(maps.Keys(counts)) {
			names = append(names, counts[n])
		}
		errs = append(errs, fmt.Errorf("merge summaries: shards %s split the run differently", strings.Join(names, " and ")))
	}
	return errors.Join(errs...)
}

// mergeHeader fills the descriptive fields from the first shard that has
// them and widens the time span.
func mergeHeader(m, s *Summary) {
	m.RunID = cmp.Or(m.RunID, s.RunID)
	m.Seed = s.Seed
	m.Simulation = cmp.Or(m.Simulation, s.Simulation)
	m.Version = cmp.Or(m.Version, s.Version)
	m.Target = cmp.Or(m.Target, s.Target)
	m.Model = cmp.Or(m.Model, s.Model)
	m.IntervalSeconds = cmp.Or(m.IntervalSeconds, s.IntervalSeconds)
	if !s.Started.IsZero() && (m.Started.IsZero() || s.Started.Before(m.Started)) {
		m.Started = s.Started
	}
	m.DurationSeconds = max(m.DurationSeconds, s.DurationSeconds)
}

// mergeResources keeps the worst shard's per-process figures and sums leaks.
func mergeResources(m *Resources, s *Summary) {
	r := s.Resources
	m.HeapPeakBytes = max(m.HeapPeakBytes, r.HeapPeakBytes)
	m.RSSPeakBytes = max(m.RSSPeakBytes, r.RSSPeakBytes)
	m.HeapPerVUBytes = max(m.HeapPerVUBytes, r.HeapPerVUBytes)
	m.GoroutinesPeak = max(m.GoroutinesPeak, r.GoroutinesPeak)
	m.GoroutineLeaks += r.GoroutineLeaks
	if r.FDLimit > 0 && (m.FDLimit == 0 || r.FDLimit < m.FDLimit) {
		m.FDLimit = r.FDLimit
	}
	if r.LeakDescription != "" {
		if m.LeakDescription != "" {
			m.LeakDescription += "\n"
		}
		m.LeakDescription += shardLabel(s) + ": " + r.LeakDescription
	}
}

// mergeSaturation sums the shards' waits and keeps the worst of their peaks.
func mergeSaturation(m *Saturation, s Saturation) {
	m.MaxInFlight = max(m.MaxInFlight, s.MaxInFlight)
	m.QueuedRequests += s.QueuedRequests
	m.PeakQueued = max(m.PeakQueued, s.PeakQueued)
	m.QueueWaitSeconds += s.QueueWaitSeconds
	m.QueueWaitMaxMs = max(m.QueueWaitMaxMs, s.QueueWaitMaxMs)
	m.QueueWaitMeanMs = 0
	if m.QueuedRequests > 0 {
		m.QueueWaitMeanMs = 1000 * m.QueueWaitSeconds / float64(m.QueuedRequests)
	}
}

// mergePush sums push counts; the last error is the last shard's that had one.
func mergePush(m *PushStats, s *Summary) {
	p := s.Push
	m.Enabled = m.Enabled || p.Enabled
	m.Gateway = cmp.Or(m.Gateway, p.Gateway)
	m.Pushes += p.Pushes
	m.Failures += p.Failures
	addCounts(&m.ByKind, p.ByKind)
	if p.LastError != "" {
		m.LastError = shardLabel(s) + ": " + p.LastError
	}
}

// addCounts adds src into *dst, creating the map when src has entries.
func addCounts(dst *map[string]int64, src map[string]int64) {
	if len(src) == 0 {
		return
	}
	if *dst == nil {
		*dst = make(map[string]int64, len(src))
	}
	for k, v := range src {
		(*dst)[k] += v
	}
}

// shardNames lists the shards a summary stands for: its Shard, or the Shards
// of an already merged summary, or "" for a whole run.
func shardNames(s *Summary) []string {
	switch {
	case s.Shard != "":
		return []string{s.Shard}
	case len(s.Shards) > 0:
		return s.Shards
	}
	return []string{""}
}

// shardLabel names a summary in messages.
func shardLabel(s *Summary) string {
	return labelOf(strings.Join(shardNames(s), ","))
}

func labelOf(name string) string {
	if name == "" {
		return "(whole run)"
	}
	return name
}

// parseShard parses "i/n".
func parseShard(s string) (i, n int, ok bool) {
	a, b, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	return i, n, err1 == nil && err2 == nil
}

// compareShards orders "i/n" shard names by n then i, so "10/16" follows
// "9/16", and anything else by text.
func compareShards(a, b string) int {
	ai, an, aok := parseShard(a)
	bi, bn, bok := parseShard(b)
	if aok && bok {
		return cmp.Or(cmp.Compare(an, bn), cmp.Compare(ai, bi))
	}
	return strings.Compare(a, b)
}

// mergeChecks adds up each named check's counts over the shards, by name.
func mergeChecks(shards []*Summary) []Check {
	byName := map[string]*Check{}
	for _, s := range shards {
		for _, c := range s.Checks {
			m := byName[c.Name]
			if m == nil {
				m = &Check{Name: c.Name}
				byName[c.Name] = m
			}
			m.Passes += c.Passes
			m.Fails += c.Fails
		}
	}
	if len(byName) == 0 {
		return nil
	}
	out := make([]Check, 0, len(byName))
	for _, c := range byName {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Check) int { return strings.Compare(a.Name, b.Name) })
	return out
}
