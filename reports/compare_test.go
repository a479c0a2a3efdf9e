package reports

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// comparePair returns an old and a new run with the given endpoints.
func comparePair(old, new []Endpoint) (*Summary, *Summary) {
	mk := func(id string, eps []Endpoint) *Summary {
		s := &Summary{RunID: id, Simulation: "TestPopulate", DurationSeconds: 10, Endpoints: eps}
		for _, e := range eps {
			s.Requests += e.Requests
			s.ErrorsUnexpected += e.ErrorsUnexpected
		}
		s.RPS = float64(s.Requests) / s.DurationSeconds
		return s
	}
	return mk("old", old), mk("new", new)
}

// ep returns an endpoint of requests samples whose histogram has those
// percentiles: half at p50, 45 % at p95, 4 % at p99, the rest at max.
func ep(name string, requests int64, p50, p95, p99, maxMs float64) Endpoint {
	e := Endpoint{Name: name, Requests: requests, P50Ms: p50, P95Ms: p95, P99Ms: p99, MaxMs: maxMs}
	if requests == 0 {
		return e
	}
	h := NewHistogram()
	n50, n95, n99 := requests*50/100, requests*45/100, requests*4/100
	for _, r := range []struct {
		ms float64
		n  int64
	}{{p50, n50}, {p95, n95}, {p99, n99}, {maxMs, requests - n50 - n95 - n99}} {
		if err := h.RecordValues(int64(r.ms*1000), r.n); err != nil {
			panic(err)
		}
	}
	enc, err := EncodeHistogram(h)
	if err != nil {
		panic(err)
	}
	e.Histogram = enc
	return e
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		old, new  []Endpoint
		metric    Metric
		threshold float64
		wantRegs  []string
		wantOld   []string // only in old
		wantNew   []string // only in new
		wantText  []string
	}{
		{
			name:      "20% p95 regression on one endpoint",
			old:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30), ep("GET /b", 100, 5, 10, 20, 30)},
			new:       []Endpoint{ep("GET /a", 100, 5, 12, 20, 30), ep("GET /b", 100, 5, 10.5, 20, 30)},
			metric:    MetricP95,
			threshold: 0.10,
			wantRegs:  []string{"GET /a"},
			wantText:  []string{"+20.0%", "REGRESSION (+2.00ms, 100 vs 100 samples, p=", "result: 1 regression on p95 above +10.0%: GET /a"},
		},
		{
			name:      "unchanged pair",
			old:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30)},
			new:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30)},
			metric:    MetricP95,
			threshold: 0.10,
			wantText:  []string{"+0.0%", "result: no regression on p95 above +10.0%"},
		},
		{
			name:      "exactly at the threshold is not a regression",
			old:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 32)},
			new:       []Endpoint{ep("GET /a", 100, 5, 11, 20, 40)},
			metric:    MetricP95,
			threshold: 0.10,
		},
		{
			// One slower sample is +25% on max and no evidence at all.
			name:      "judged on max: one slower sample is not significant",
			old:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 32)},
			new:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 40)},
			metric:    MetricMax,
			threshold: 0.10,
			wantText:  []string{"Δ max", "+25.0%", "not flagged: not significant (p=0.16)"},
		},
		{
			name:      "faster is never a regression",
			old:       []Endpoint{ep("GET /a", 100, 50, 100, 200, 300)},
			new:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30)},
			metric:    MetricP99,
			threshold: 0,
			wantText:  []string{"-90.0%"},
		},
		{
			name:      "endpoints on one side only",
			old:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30), ep("DELETE /gone", 5, 1, 2, 3, 4)},
			new:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30), ep("POST /new", 5, 100, 200, 300, 400)},
			metric:    MetricP95,
			threshold: 0.10,
			wantOld:   []string{"DELETE /gone"},
			wantNew:   []string{"POST /new"},
			wantText:  []string{"only in old: DELETE /gone", "only in new: POST /new", "only new", "only old"},
		},
		{
			name:      "no samples on the old side cannot regress",
			old:       []Endpoint{ep("GET /a", 0, 0, 0, 0, 0)},
			new:       []Endpoint{ep("GET /a", 100, 5, 10, 20, 30)},
			metric:    MetricP95,
			threshold: 0.10,
			wantText:  []string{"n/a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(comparePair(tt.old, tt.new))
			var regs []string
			for _, d := range c.Regressions(tt.metric, tt.threshold) {
				regs = append(regs, d.Name)
			}
			if !slices.Equal(regs, tt.wantRegs) {
				t.Errorf("regressions = %q, want %q", regs, tt.wantRegs)
			}
			if got := c.OnlyInOld(); !slices.Equal(got, tt.wantOld) {
				t.Errorf("only in old = %q, want %q", got, tt.wantOld)
			}
			if got := c.OnlyInNew(); !slices.Equal(got, tt.wantNew) {
				t.Errorf("only in new = %q, want %q", got, tt.wantNew)
			}
			var buf bytes.Buffer
			if err := c.WriteText(&buf, tt.metric, tt.threshold); err != nil {
				t.Fatalf("WriteText: %v", err)
			}
			out := buf.String()
			for _, w := range tt.wantText {
				if !strings.Contains(out, w) {
					t.Errorf("text lacks %q:\n%s", w, out)
				}
			}
			if got := strings.Count(out, RegressionMark); got != len(tt.wantRegs) {
				t.Errorf("%d %s marks, want %d:\n%s", got, RegressionMark, len(tt.wantRegs), out)
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.TrimRight(l, " \t") != l {
					t.Errorf("line with trailing blanks: %q", l)
				}
			}
		})
	}
}

func TestCompare_Totals(t *testing.T) {
	old, cur := comparePair(
		[]Endpoint{{Name: "GET /a", Requests: 1000, ErrorsUnexpected: 10, P95Ms: 10}},
		[]Endpoint{{Name: "GET /a", Requests: 1100, ErrorsUnexpected: 33, P95Ms: 10}})
	c := Compare(old, cur)
	if c.Old.RPS != 100 || c.New.RPS != 110 {
		t.Errorf("rps = %v → %v, want 100 → 110", c.Old.RPS, c.New.RPS)
	}
	if c.Old.ErrorRate != 0.01 || c.New.ErrorRate != 0.03 {
		t.Errorf("error rate = %v → %v, want 0.01 → 0.03", c.Old.ErrorRate, c.New.ErrorRate)
	}
	d := c.Endpoints[0]
	if d.Old.ErrorRate != 0.01 || d.New.ErrorRate != 0.03 {
		t.Errorf("endpoint error rate = %v → %v", d.Old.ErrorRate, d.New.ErrorRate)
	}
	var buf bytes.Buffer
	if err := c.WriteText(&buf, MetricP95, DefaultThreshold); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"rps 100 → 110 (+10.0%)", "error rate 1.00% → 3.00% (+2.00 pp)", "1.00% → 3.00%"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, buf.String())
		}
	}
}

func TestParseMetric(t *testing.T) {
	tests := []struct {
		in      string
		want    Metric
		wantErr bool
	}{
		{in: "p50", want: MetricP50},
		{in: "P95", want: MetricP95},
		{in: " p99 ", want: MetricP99},
		{in: "max", want: MetricMax},
		{in: "p90", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMetric(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseMetric(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
