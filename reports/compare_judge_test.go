package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// sampledRun returns a run whose endpoints hold n[i] samples drawn from a
// lognormal latency law (median medianMs[i]), scaled by slow[name] when
// given, from the random source seed: two seeds are two runs of one build.
func sampledRun(seed uint64, n []int64, medianMs []float64, slow map[string]float64) *Summary {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := &Summary{RunID: fmt.Sprint("run-", seed), Simulation: "TestPopulate", DurationSeconds: 30}
	for i := range n {
		name := fmt.Sprintf("GET /e%d", i)
		h := NewHistogram()
		for range n[i] {
			ms := medianMs[i] * math.Exp(0.5*rng.NormFloat64())
			if f, ok := slow[name]; ok {
				ms *= f
			}
			_ = h.RecordValue(max(int64(ms*1000), 1))
		}
		enc, err := EncodeHistogram(h)
		if err != nil {
			panic(err)
		}
		s.Endpoints = append(s.Endpoints, Endpoint{
			Name: name, Requests: n[i], Histogram: enc,
			P50Ms: MillisAt(h, 50), P95Ms: MillisAt(h, 95), P99Ms: MillisAt(h, 99), MaxMs: float64(h.Max()) / 1000,
		})
		s.Requests += n[i]
	}
	return s
}

// Endpoint sizes as a Populate run has them: a few hot ones, some rare
// ones, one called once.
var (
	runSizes   = []int64{1, 6, 40, 250, 1000, 3000, 8000, 20000}
	runMedians = []float64{2.3, 8, 15, 4, 6, 3, 2, 1.5}
)

// TestCompare_sameBuildPairsHaveNoRegression: five pairs of runs of the
// same build (same law, other samples) report no regression, though the
// rare endpoints' p95 moves by far more than 10 % between them.
func TestCompare_sameBuildPairsHaveNoRegression(t *testing.T) {
	moved := 0
	for pair := range uint64(5) {
		old := sampledRun(100+2*pair, runSizes, runMedians, nil)
		cur := sampledRun(101+2*pair, runSizes, runMedians, nil)
		c := Compare(old, cur)
		for _, d := range c.Endpoints {
			if ch, ok := d.Change(MetricP95); ok && ch > DefaultThreshold {
				moved++
			}
		}
		if regs := c.Regressions(MetricP95, DefaultThreshold); len(regs) > 0 {
			var sb strings.Builder
			_ = c.WriteText(&sb, MetricP95, DefaultThreshold)
			t.Errorf("pair %d: %d regressions between runs of one build:\n%s", pair, len(regs), sb.String())
		}
	}
	if moved == 0 {
		t.Error("no endpoint moved past the threshold: the test shows nothing")
	}
	t.Logf("%d endpoint comparisons moved past +10%% on p95 by chance alone; none was flagged", moved)
}

// TestCompare_realSlowdownIsFlagged: every request of an endpoint with
// 1,000 samples 20 % slower is flagged, with its reason.
func TestCompare_realSlowdownIsFlagged(t *testing.T) {
	old := sampledRun(1, runSizes, runMedians, nil)
	cur := sampledRun(2, runSizes, runMedians, map[string]float64{"GET /e4": 1.2})
	c := Compare(old, cur)
	regs := c.Regressions(MetricP95, DefaultThreshold)
	if len(regs) != 1 || regs[0].Name != "GET /e4" {
		names := []string{}
		for _, r := range regs {
			names = append(names, r.Name)
		}
		t.Fatalf("regressions %q, want [GET /e4]", names)
	}
	v := regs[0].Judge(DefaultCriteria(MetricP95, DefaultThreshold))
	if !(v.P < 1e-4) {
		t.Errorf("p = %v, want a clear rejection", v.P)
	}
	var sb strings.Builder
	if err := c.WriteText(&sb, MetricP95, DefaultThreshold); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "REGRESSION (+") || !strings.Contains(sb.String(), "1,000 vs 1,000 samples, p=") {
		t.Errorf("the flagged row does not say why:\n%s", sb.String())
	}
}

func TestEndpointDelta_Judge(t *testing.T) {
	big := func(p95 float64) Endpoint { return ep("GET /a", 2000, 5, p95, 30, 40) }
	tests := []struct {
		name     string
		old, new Endpoint
		crit     Criteria
		want     bool
		reason   string
	}{
		{"material and significant", big(10), big(13), DefaultCriteria(MetricP95, 0.1), true, "+3.00ms, 2,000 vs 2,000 samples"},
		{"a single sample", ep("GET /a", 1, 2.26, 2.26, 2.26, 2.26), ep("GET /a", 1, 6.36, 6.36, 6.36, 6.36), DefaultCriteria(MetricP95, 0.1), false, "too few samples (1 < 100)"},
		{"below the floor", big(0.2), big(0.3), DefaultCriteria(MetricP95, 0.1), false, "below the floor (+0.1ms < 1.00ms)"},
		{"no histogram", Endpoint{Name: "GET /a", Requests: 500, P95Ms: 10}, Endpoint{Name: "GET /a", Requests: 500, P95Ms: 20}, DefaultCriteria(MetricP95, 0.1), false, "no histogram to test"},
		{"within the threshold", big(10), big(10.5), DefaultCriteria(MetricP95, 0.1), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, cur := comparePair([]Endpoint{tt.old}, []Endpoint{tt.new})
			v := Compare(old, cur).Endpoints[0].Judge(tt.crit)
			if v.Regressed != tt.want || !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("Judge = %v %q, want %v %q", v.Regressed, v.Reason, tt.want, tt.reason)
			}
		})
	}
}
