package learn

import (
	"math"
	"math/rand/v2"
	"sort"
)

// quantileCount is the number of quantiles a Dist keeps (0 %, 1 %, …, 100 %).
const quantileCount = 101

// newDist summarises a sample; it sorts xs.
func newDist(xs []float64) Dist {
	if len(xs) == 0 {
		return Dist{}
	}
	sort.Float64s(xs)
	d := Dist{Quantiles: make([]float64, quantileCount)}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	d.Mean = round6(sum / float64(len(xs)))
	for i := range d.Quantiles {
		d.Quantiles[i] = round6(quantileSorted(xs, float64(i)/(quantileCount-1)))
	}
	return d
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// quantileSorted is the q-quantile of sorted xs, interpolated linearly.
func quantileSorted(xs []float64, q float64) float64 {
	if len(xs) == 1 {
		return xs[0]
	}
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	f := pos - float64(i)
	return xs[i]*(1-f) + xs[i+1]*f
}

// Draw returns a value drawn from the distribution (inverse CDF between
// the quantiles).
func (d Dist) Draw(r *rand.Rand) float64 { return d.At(r.Float64()) }

// At is the inverse CDF at u in [0, 1).
func (d Dist) At(u float64) float64 {
	q := d.Quantiles
	switch len(q) {
	case 0:
		return d.Mean
	case 1:
		return q[0]
	}
	pos := u * float64(len(q)-1)
	i := int(pos)
	if i >= len(q)-1 {
		return q[len(q)-1]
	}
	f := pos - float64(i)
	return q[i]*(1-f) + q[i+1]*f
}

// CDF is the distribution's cumulative probability at x.
func (d Dist) CDF(x float64) float64 {
	q := d.Quantiles
	n := len(q)
	if n == 0 {
		return 0
	}
	if x < q[0] {
		return 0
	}
	if x >= q[n-1] {
		return 1
	}
	i := sort.SearchFloat64s(q, x) // first q[i] >= x
	if i == 0 {
		return 0
	}
	// x in [q[i-1], q[i])
	lo, hi := q[i-1], q[i]
	for i < n-1 && q[i] == x { // a plateau (atom): the CDF jumps past it
		i++
		lo, hi = x, q[i]
	}
	f := 0.0
	if hi > lo {
		f = (x - lo) / (hi - lo)
	}
	return (float64(i-1) + f) / float64(n-1)
}

// ksOne is the one-sample Kolmogorov–Smirnov statistic of sorted xs
// against the continuous CDF cdf.
func ksOne(xs []float64, cdf func(float64) float64) float64 {
	n := float64(len(xs))
	d := 0.0
	for i, x := range xs {
		f := cdf(x)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	return d
}

// KS2 is the two-sample Kolmogorov–Smirnov statistic: the largest gap
// between the empirical CDFs of a and b. It sorts both.
func KS2(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return math.NaN()
	}
	sort.Float64s(a)
	sort.Float64s(b)
	i, j, d := 0, 0, 0.0
	na, nb := float64(len(a)), float64(len(b))
	for i < len(a) && j < len(b) {
		x := min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		d = max(d, math.Abs(float64(i)/na-float64(j)/nb))
	}
	return d
}

// JSD is the Jensen–Shannon divergence (base 2, 0–1) of two count maps.
func JSD(p, q map[string]float64) float64 {
	sp, sq := sum(p), sum(q)
	if sp == 0 || sq == 0 {
		return math.NaN()
	}
	d := 0.0
	for k := range union(p, q) {
		a, b := p[k]/sp, q[k]/sq
		m := (a + b) / 2
		if a > 0 {
			d += a / 2 * math.Log2(a/m)
		}
		if b > 0 {
			d += b / 2 * math.Log2(b/m)
		}
	}
	return d
}

// TV is the total variation distance (0–1) of two count maps.
func TV(p, q map[string]float64) float64 {
	sp, sq := sum(p), sum(q)
	if sp == 0 || sq == 0 {
		return math.NaN()
	}
	d := 0.0
	for k := range union(p, q) {
		d += math.Abs(p[k]/sp - q[k]/sq)
	}
	return d / 2
}

// union is the set of keys of p and q.
func union(p, q map[string]float64) map[string]bool {
	keys := make(map[string]bool, len(p)+len(q))
	for k := range p {
		keys[k] = true
	}
	for k := range q {
		keys[k] = true
	}
	return keys
}

func sum(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
