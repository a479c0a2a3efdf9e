package reports

import (
	"fmt"
	"testing"
)

func TestBucketTicks(t *testing.T) {
	ticks := func(n int, step float64) []Tick {
		out := make([]Tick, n)
		for i := range out {
			out[i] = Tick{T: float64(i+1) * step, Requests: 10}
		}
		return out
	}
	tests := []struct {
		name        string
		ticks       []Tick
		interval    float64
		maxPoints   int
		wantBuckets int
		wantX       []float64 // x of the first buckets
		wantSeconds float64   // seconds of the first bucket
	}{
		{name: "empty", wantBuckets: 0},
		{name: "fits", ticks: ticks(10, 1), interval: 1, maxPoints: 240, wantBuckets: 10, wantX: []float64{1, 2}, wantSeconds: 1},
		{name: "downsampled", ticks: ticks(1000, 1), interval: 1, maxPoints: 240, wantBuckets: 200, wantX: []float64{5, 10}, wantSeconds: 5},
		{name: "five-second ticks", ticks: ticks(3, 5), interval: 5, maxPoints: 240, wantBuckets: 3, wantX: []float64{5, 10}, wantSeconds: 5},
		{name: "ticks without T use the interval", ticks: make([]Tick, 4), interval: 2, maxPoints: 2, wantBuckets: 2, wantX: []float64{4, 8}, wantSeconds: 4},
		{name: "no interval either counts ticks", ticks: make([]Tick, 3), maxPoints: 10, wantBuckets: 3, wantX: []float64{1, 2}, wantSeconds: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bucketTicks(tt.ticks, tt.interval, tt.maxPoints)
			if len(got) != tt.wantBuckets {
				t.Fatalf("%d buckets, want %d", len(got), tt.wantBuckets)
			}
			n := 0
			for _, b := range got {
				n += len(b.ticks)
			}
			if n != len(tt.ticks) {
				t.Errorf("buckets hold %d ticks, want %d", n, len(tt.ticks))
			}
			for i, x := range tt.wantX {
				if got[i].x != x {
					t.Errorf("bucket %d x = %v, want %v", i, got[i].x, x)
				}
			}
			if len(got) > 0 && got[0].seconds != tt.wantSeconds {
				t.Errorf("first bucket spans %vs, want %vs", got[0].seconds, tt.wantSeconds)
			}
		})
	}
}

func TestChartFormatting(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{fmt.Sprint(niceCeil(0)), "1"},
		{fmt.Sprint(niceCeil(0.7)), "1"},
		{fmt.Sprint(niceCeil(1.2)), "2"},
		{fmt.Sprint(niceCeil(2.2)), "2.5"},
		{fmt.Sprint(niceCeil(37)), "50"},
		{fmt.Sprint(niceCeil(100)), "100"},
		{fmt.Sprint(niceCeil(101)), "200"},
		{formatSeconds(45), "45s"},
		{formatSeconds(120), "2m"},
		{formatSeconds(150), "2m30s"},
		{formatSeconds(3900), "1h05m"},
		{formatNumber(0.004), "0.004"},
		{formatNumber(3.14159), "3.14"},
		{formatNumber(42.42), "42.4"},
		{formatNumber(1234.5), "1234"},
		{formatCount(1234567), "1,234,567"},
		{formatCount(-1000), "-1,000"},
		{formatCount(999), "999"},
		{formatBytes(512), "512 B"},
		{formatBytes(28 << 20), "28.0 MiB"},
		{formatPercent(0.0033), "0.33%"},
		{formatCodes(map[string]int64{"500": 2, "200": 1000, "404": 0}), "200×1,000 500×2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestTimelineCharts_noRateOverASliver: the last tick of a run closes a
// few milliseconds after the one before; its request must not be drawn as
// a rate over those milliseconds (1 request in 1.8 ms read 555 req/s on a
// 100 req/s run).
func TestTimelineCharts_noRateOverASliver(t *testing.T) {
	var s Summary
	s.IntervalSeconds = 1
	for i := 1; i <= 5; i++ {
		s.Timeline = append(s.Timeline, Tick{T: float64(i), Requests: 100})
	}
	s.Timeline = append(s.Timeline, Tick{T: 5.0018, Requests: 1})
	buckets := bucketTicks(s.Timeline, s.IntervalSeconds, MaxChartPoints)
	if len(buckets) != 5 {
		t.Fatalf("%d buckets, want 5: the sliver joins the last full tick", len(buckets))
	}
	last := buckets[len(buckets)-1]
	if len(last.ticks) != 2 || last.x != 5.0018 {
		t.Errorf("last bucket holds %d ticks up to %v, want 2 up to 5.0018", len(last.ticks), last.x)
	}
	for i, b := range buckets {
		var n int64
		for _, tk := range b.ticks {
			n += tk.Requests
		}
		if rate := float64(n) / b.seconds; rate > 101 {
			t.Errorf("bucket %d is drawn at %.0f req/s on a 100 req/s run", i, rate)
		}
	}
}
