package reports

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// shardOf returns an empty shard summary of the fixture run.
func shardOf(i, n int) *Summary {
	return &Summary{
		RunID: "run-merge", Simulation: "TestPopulate", Seed: 7, Target: "http://127.0.0.1:1",
		Shard: fmt.Sprintf("%d/%d", i, n), Model: "closed", IntervalSeconds: 1,
		Started: testStart.Add(time.Duration(i) * time.Second), DurationSeconds: 60 + float64(i),
	}
}

func TestMerge_ExactPercentiles(t *testing.T) {
	tests := []struct {
		name string
		// shardFor picks the shard of the j-th sample of endpoint e.
		shardFor func(rng *rand.Rand, e, j int) int
	}{
		{name: "samples spread at random", shardFor: func(rng *rand.Rand, _, _ int) int { return rng.IntN(4) }},
		{name: "one shard holds the slow tail", shardFor: func(_ *rand.Rand, _, j int) int { return min(3, j/1000) }},
		{name: "an endpoint missing from two shards", shardFor: func(rng *rand.Rand, e, _ int) int {
			if e == 0 {
				return 2 * rng.IntN(2)
			}
			return rng.IntN(4)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			const nShards = 4
			perShard := make([][][]int64, nShards) // shard → endpoint → samples
			for i := range perShard {
				perShard[i] = make([][]int64, len(fixtureEndpoints))
			}
			all := make([][]int64, len(fixtureEndpoints))
			for e, fe := range fixtureEndpoints {
				samples := latencySamples(rng, 5000, fe.medianMicros)
				slices.Sort(samples) // so "slow tail" cases put the tail in one shard
				all[e] = samples
				for j, v := range samples {
					k := tt.shardFor(rng, e, j)
					perShard[k][e] = append(perShard[k][e], v)
				}
			}
			var shards []*Summary
			for k := range nShards {
				s := shardOf(k, nShards)
				for e, fe := range fixtureEndpoints {
					if len(perShard[k][e]) == 0 {
						continue
					}
					ep := endpointFromSamples(t, fe.method, fe.route, perShard[k][e])
					s.Endpoints = append(s.Endpoints, ep)
					s.Requests += ep.Requests
					a := endpointFromSamples(t, "", "archetype", perShard[k][e])
					s.Archetypes = append(s.Archetypes, Archetype{Name: fe.group, Users: 1, Requests: a.Requests,
						P50Ms: a.P50Ms, P95Ms: a.P95Ms, P99Ms: a.P99Ms, Histogram: a.Histogram})
				}
				shards = append(shards, s)
			}

			m, err := Merge(shards...)
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			var total int64
			for e, fe := range fixtureEndpoints {
				want := endpointFromSamples(t, fe.method, fe.route, all[e])
				got := m.Endpoint(want.Name)
				if got == nil {
					t.Fatalf("merged summary lacks %s", want.Name)
				}
				if got.Requests != want.Requests || got.Codes["200"] != want.Requests {
					t.Errorf("%s: requests %d, codes %v; want %d", want.Name, got.Requests, got.Codes, want.Requests)
				}
				for _, q := range []struct {
					name      string
					got, want float64
				}{
					{"p50", got.P50Ms, want.P50Ms}, {"p95", got.P95Ms, want.P95Ms}, {"p99", got.P99Ms, want.P99Ms},
					{"max", got.MaxMs, want.MaxMs}, {"mean", got.MeanMs, want.MeanMs},
				} {
					if q.got != q.want {
						t.Errorf("%s %s = %v, want %v (one histogram of all samples)", want.Name, q.name, q.got, q.want)
					}
				}
				gh, err := DecodeHistogram(got.Histogram)
				if err != nil {
					t.Fatalf("decode merged histogram: %v", err)
				}
				wh, _ := DecodeHistogram(want.Histogram)
				if !gh.Equals(wh) {
					t.Errorf("%s: merged histogram differs from the histogram of all samples", want.Name)
				}
				total += want.Requests
			}
			if m.Requests != total {
				t.Errorf("requests = %d, want %d", m.Requests, total)
			}
			var archRequests int64
			for _, a := range m.Archetypes {
				archRequests += a.Requests
			}
			if archRequests != total {
				t.Errorf("archetype requests = %d, want %d", archRequests, total)
			}
		})
	}
}

func TestMerge_Fields(t *testing.T) {
	shards := []*Summary{shardOf(3, 4), shardOf(0, 4), shardOf(2, 4), shardOf(1, 4)}
	for k, s := range shards {
		s.Users, s.PeakVUs = 25, 25
		s.Requests, s.ErrorsExpected, s.ErrorsUnexpected = 100, 3, 1
		s.Interrupted, s.Dropped, s.BytesRead = 2, 1, 1000
		s.ErrorsByKind = map[string]int64{"http_5xx": 1}
		s.LoginAttempts = map[string]int64{"success": 10, "wrong_password": int64(k)}
		s.Resources = Resources{HeapPeakBytes: uint64(10+k) << 20, HeapPerVUBytes: float64(1000 * (k + 1)),
			GoroutinesPeak: 100 + k, GoroutineLeaks: k % 2, FDLimit: uint64(1024 * (k + 1))}
		s.Push = PushStats{Enabled: true, Gateway: "http://127.0.0.1:9091", Pushes: 10, Failures: 1,
			ByKind: map[string]int64{"timeout": 1}}
		s.Budgets = []Budget{{Name: "budget/x", Passed: false}}
		s.Notes = []string{"pushing every 5s"}
		for i := range 5 + k { // timelines of different lengths
			s.Timeline = append(s.Timeline, Tick{T: float64(i + 1), Requests: 10, ActiveVUs: 25,
				Errors: map[string]int64{"http_5xx": 1}, HeapBytes: uint64(k), Goroutines: k,
				Latency: map[string]Percentiles{"auth": {P50: float64(k), P95: float64(10 * k), P99: 100}}})
		}
		examples := make([]string, 3)
		for j := range examples {
			examples[j] = fmt.Sprintf("shard %s example %d", s.Shard, j)
		}
		s.Operations = []Operation{
			{Name: "GET /a", Requests: int64(k), AsDescribed: int64(k), Violations: 3, Examples: examples, ByClass: map[string]int64{"2xx": int64(k)}},
			{Name: "GET /never"},
		}
	}
	shards[2].Partial, shards[2].PartialReason = true, "SIGTERM"
	shards[0].Operations = append(shards[0].Operations, Operation{Name: "POST /b", Requests: 1, AsDescribed: 1})

	m, err := Merge(shards...)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"run id", m.RunID, "run-merge"},
		{"shard", m.Shard, ""},
		{"shards", m.Shards, []string{"0/4", "1/4", "2/4", "3/4"}},
		{"started is the earliest", m.Started, testStart},
		{"duration is the longest", m.DurationSeconds, 63.0},
		{"rps", m.RPS, 400 / 63.0},
		{"users", m.Users, 100},
		{"peak VUs", m.PeakVUs, 100},
		{"totals", []int64{m.Requests, m.ErrorsExpected, m.ErrorsUnexpected, m.Interrupted, m.Dropped, m.BytesRead},
			[]int64{400, 12, 4, 8, 4, 4000}},
		{"errors by kind", m.ErrorsByKind["http_5xx"], int64(4)},
		{"login attempts", []int64{m.LoginAttempts["success"], m.LoginAttempts["wrong_password"]}, []int64{40, 6}},
		{"partial", m.Partial, true},
		{"partial reason", m.PartialReason, "2/4: SIGTERM"},
		{"budgets left empty", len(m.Budgets), 0},
		{"budgets not null", m.Budgets != nil, true},
		{"heap peak is the worst shard", m.Resources.HeapPeakBytes, uint64(13 << 20)},
		{"heap per VU is the worst shard", m.Resources.HeapPerVUBytes, 4000.0},
		{"goroutines peak", m.Resources.GoroutinesPeak, 103},
		{"leaks summed", m.Resources.GoroutineLeaks, 2},
		{"fd limit is the smallest", m.Resources.FDLimit, uint64(1024)},
		{"pushes", []int64{m.Push.Pushes, m.Push.Failures, m.Push.ByKind["timeout"]}, []int64{40, 4, 4}},
		{"notes deduplicated", m.Notes, []string{"pushing every 5s"}},
		{"operations", len(m.Operations), 3},
		{"operation requests", m.Operations[0].Requests, int64(6)},
		{"operation classes", m.Operations[0].ByClass["2xx"], int64(6)},
		{"violations summed", m.Operations[0].Violations, int64(12)},
		{"examples capped", len(m.Operations[0].Examples), MaxViolationExamples},
		{"examples first come", m.Operations[0].Examples[:4], []string{"shard 0/4 example 0", "shard 0/4 example 1", "shard 0/4 example 2", "shard 1/4 example 0"}},
		{"coverage recomputed", *m.Coverage, 2.0 / 3.0},
		{"timeline is the longest", len(m.Timeline), 8},
		{"tick 0 summed", []int64{m.Timeline[0].Requests, int64(m.Timeline[0].ActiveVUs), m.Timeline[0].Errors["http_5xx"]}, []int64{40, 100, 4}},
		{"tick 7 from one shard", []int64{m.Timeline[7].Requests, int64(m.Timeline[7].ActiveVUs)}, []int64{10, 25}},
		{"tick latency is the largest", m.Timeline[0].Latency["auth"], Percentiles{P50: 3, P95: 30, P99: 100}},
		{"tick heap is the largest", m.Timeline[0].HeapBytes, uint64(3)},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if shards[0].Shard != "3/4" || len(shards[0].Budgets) != 1 {
		t.Error("Merge modified its arguments")
	}

	// A merged summary merges again with the remaining shards of its run.
	half, err := Merge(shards[1], shards[3])
	if err != nil {
		t.Fatalf("Merge half: %v", err)
	}
	again, err := Merge(half, shards[0], shards[2])
	if err != nil {
		t.Fatalf("Merge merged summary: %v", err)
	}
	if !slices.Equal(again.Shards, m.Shards) || again.Requests != m.Requests {
		t.Errorf("re-merge: shards %v, requests %d; want %v, %d", again.Shards, again.Requests, m.Shards, m.Requests)
	}
}

func TestMerge_Errors(t *testing.T) {
	withEndpoint := func(s *Summary, e Endpoint) *Summary {
		s.Endpoints = append(s.Endpoints, e)
		return s
	}
	tests := []struct {
		name   string
		shards func() []*Summary
		want   []string // every part must appear in the error
	}{
		{name: "no shards", shards: func() []*Summary { return nil }, want: []string{"no shards"}},
		{name: "nil shard", shards: func() []*Summary { return []*Summary{shardOf(0, 2), nil} }, want: []string{"argument 2 is nil"}},
		{
			name: "run ids differ",
			shards: func() []*Summary {
				b := shardOf(1, 2)
				b.RunID = "run-other"
				return []*Summary{shardOf(0, 2), b}
			},
			want: []string{`"run-other"`, `"run-merge"`, "1/2", "0/2"},
		},
		{
			name: "seeds differ",
			shards: func() []*Summary {
				b := shardOf(1, 2)
				b.Seed = 8
				return []*Summary{shardOf(0, 2), b}
			},
			want: []string{"seed 8", "has 7"},
		},
		{
			name:   "same shard twice",
			shards: func() []*Summary { return []*Summary{shardOf(0, 2), shardOf(1, 2), shardOf(1, 2)} },
			want:   []string{"shard 1/2 appears twice", "arguments 2 and 3"},
		},
		{
			name: "whole run twice",
			shards: func() []*Summary {
				a, b := shardOf(0, 1), shardOf(0, 1)
				a.Shard, b.Shard = "", ""
				return []*Summary{a, b}
			},
			want: []string{"(whole run) appears twice"},
		},
		{
			name:   "shard counts differ",
			shards: func() []*Summary { return []*Summary{shardOf(0, 2), shardOf(1, 3)} },
			want:   []string{"0/2 and 1/3 split the run differently"},
		},
		{
			name: "tick intervals differ",
			shards: func() []*Summary {
				b := shardOf(1, 2)
				b.IntervalSeconds = 5
				return []*Summary{shardOf(0, 2), b}
			},
			want: []string{"5s tick interval", "has 1s"},
		},
		{
			name: "histogram does not decode",
			shards: func() []*Summary {
				return []*Summary{shardOf(0, 2), withEndpoint(shardOf(1, 2), Endpoint{Name: "GET /x", Requests: 1, P50Ms: 1, Histogram: "not-a-histogram"})}
			},
			want: []string{`endpoint "GET /x" of shard 1/2`, "decode histogram"},
		},
		{
			name: "percentiles without histogram",
			shards: func() []*Summary {
				return []*Summary{shardOf(0, 2), withEndpoint(shardOf(1, 2), Endpoint{Name: "GET /x", Requests: 1, P50Ms: 1})}
			},
			want: []string{`endpoint "GET /x" of shard 1/2`, "cannot be merged exactly"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Merge(tt.shards()...)
			if err == nil {
				t.Fatalf("Merge = %+v, want an error", m)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestMerge_checks adds up each check's counts over the shards, by name.
func TestMerge_checks(t *testing.T) {
	a, b := shardOf(0, 2), shardOf(1, 2)
	a.Checks = []Check{{Name: "has id", Passes: 10, Fails: 1}, {Name: "z", Passes: 3}}
	b.Checks = []Check{{Name: "has id", Passes: 5}, {Name: "a", Fails: 2}}
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Check{{Name: "a", Fails: 2}, {Name: "has id", Passes: 15, Fails: 1}, {Name: "z", Passes: 3}}
	if !slices.Equal(m.Checks, want) {
		t.Errorf("merged checks = %+v, want %+v", m.Checks, want)
	}
}
