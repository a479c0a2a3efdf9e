package learn

import (
	"math"
	"math/rand/v2"
)

// Defaults of clustering.
const (
	// DefaultMaxK is the most archetypes Learn looks for.
	DefaultMaxK = 6
	// DefaultMinShare is the smallest share of sessions an archetype may
	// have; smaller clusters are merged into their nearest neighbour.
	DefaultMinShare = 0.02
	// silhouetteSample bounds the sessions the silhouette is measured on.
	silhouetteSample = 1200
	kmeansIters      = 60
	kmeansRestarts   = 10
	// chooseSample bounds the sessions k is chosen on; the final
	// clustering uses them all.
	chooseSample = 4000
	// parsimony: a smaller k within this silhouette of the best is taken.
	parsimony = 0.01
)

func dist2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// kmeans clusters xs into k groups (k-means++ seeding, Lloyd iterations,
// the best of a few restarts by inertia).
func kmeans(xs [][]float64, k int, rng *rand.Rand) ([]int, [][]float64) {
	var bestAssign []int
	var bestCentres [][]float64
	bestInertia := math.Inf(1)
	for range kmeansRestarts {
		assign, centres, inertia := kmeansOnce(xs, k, rng)
		if inertia < bestInertia {
			bestAssign, bestCentres, bestInertia = assign, centres, inertia
		}
	}
	return bestAssign, bestCentres
}

func kmeansOnce(xs [][]float64, k int, rng *rand.Rand) ([]int, [][]float64, float64) {
	n, dim := len(xs), len(xs[0])
	centres := make([][]float64, 0, k)
	centres = append(centres, append([]float64(nil), xs[rng.IntN(n)]...))
	d2 := make([]float64, n)
	for i := range d2 {
		d2[i] = math.Inf(1)
	}
	for len(centres) < k {
		total := 0.0
		last := centres[len(centres)-1]
		for i, x := range xs {
			d2[i] = math.Min(d2[i], dist2(x, last))
			total += d2[i]
		}
		if total == 0 {
			break
		}
		u := rng.Float64() * total
		pick := n - 1
		for i, d := range d2 {
			if u -= d; u <= 0 {
				pick = i
				break
			}
		}
		centres = append(centres, append([]float64(nil), xs[pick]...))
	}
	k = len(centres)
	assign := make([]int, n)
	inertia := 0.0
	for it := 0; it < kmeansIters; it++ {
		changed := false
		inertia = 0
		for i, x := range xs {
			best, bd := 0, math.Inf(1)
			for c, ctr := range centres {
				if d := dist2(x, ctr); d < bd {
					best, bd = c, d
				}
			}
			if assign[i] != best || it == 0 {
				changed = changed || assign[i] != best
				assign[i] = best
			}
			inertia += bd
		}
		sums := make([][]float64, k)
		counts := make([]int, k)
		for c := range sums {
			sums[c] = make([]float64, dim)
		}
		for i, x := range xs {
			c := assign[i]
			counts[c]++
			for j, v := range x {
				sums[c][j] += v
			}
		}
		for c := range centres {
			if counts[c] == 0 {
				continue
			}
			for j := range sums[c] {
				centres[c][j] = sums[c][j] / float64(counts[c])
			}
		}
		if !changed && it > 0 {
			break
		}
	}
	return assign, centres, inertia
}

// silhouette is the mean silhouette of a sample of the points.
func silhouette(xs [][]float64, assign []int, k int, rng *rand.Rand) float64 {
	idx := rng.Perm(len(xs))
	if len(idx) > silhouetteSample {
		idx = idx[:silhouetteSample]
	}
	total := 0.0
	for _, i := range idx {
		sums := make([]float64, k)
		counts := make([]int, k)
		for _, j := range idx {
			if i == j {
				continue
			}
			sums[assign[j]] += math.Sqrt(dist2(xs[i], xs[j]))
			counts[assign[j]]++
		}
		own := assign[i]
		if counts[own] == 0 {
			continue // a singleton: silhouette 0
		}
		a := sums[own] / float64(counts[own])
		b := math.Inf(1)
		for c := range k {
			if c != own && counts[c] > 0 {
				b = math.Min(b, sums[c]/float64(counts[c]))
			}
		}
		if math.IsInf(b, 1) {
			continue
		}
		if m := math.Max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(len(idx))
}

// cluster picks k in [1, maxK] by silhouette on a sample (k = 1 when no
// split scores above 0.25; the smallest k within parsimony of the best),
// clusters every point with it, then merges clusters under minShare into
// their nearest.
func cluster(xs [][]float64, maxK int, minShare float64, seed int64) ([]int, [][]float64) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	n := len(xs)
	sample := xs
	if n > chooseSample {
		sample = make([][]float64, 0, chooseSample)
		for _, i := range rng.Perm(n)[:chooseSample] {
			sample = append(sample, xs[i])
		}
	}
	scores := map[int]float64{}
	best := 0.25
	for k := 2; k <= maxK && k < len(sample); k++ {
		assign, centres := kmeans(sample, k, rng)
		scores[k] = silhouette(sample, assign, len(centres), rng)
		best = math.Max(best, scores[k])
	}
	k := 1
	for c := 2; c <= maxK; c++ {
		if s, ok := scores[c]; ok && s >= best-parsimony && s > 0.25 {
			k = c
			break
		}
	}
	if k == 1 {
		return make([]int, n), [][]float64{mean(xs)}
	}
	assign, centres := kmeans(xs, k, rng)
	return mergeSmall(xs, assign, centres, minShare)
}

func mean(xs [][]float64) []float64 {
	m := make([]float64, len(xs[0]))
	for _, x := range xs {
		for j, v := range x {
			m[j] += v
		}
	}
	for j := range m {
		m[j] /= float64(len(xs))
	}
	return m
}

// mergeSmall moves the points of clusters under minShare to the nearest
// remaining centre, and renumbers the clusters.
func mergeSmall(xs [][]float64, assign []int, centres [][]float64, minShare float64) ([]int, [][]float64) {
	counts := make([]int, len(centres))
	for _, a := range assign {
		counts[a]++
	}
	keep := map[int]int{}
	var kept [][]float64
	for c, n := range counts {
		if float64(n) >= minShare*float64(len(xs)) {
			keep[c] = len(kept)
			kept = append(kept, centres[c])
		}
	}
	if len(kept) == 0 {
		return make([]int, len(xs)), [][]float64{mean(xs)}
	}
	out := make([]int, len(xs))
	for i, a := range assign {
		if nc, ok := keep[a]; ok {
			out[i] = nc
			continue
		}
		out[i] = nearest(xs[i], kept)
	}
	// Centres of the merged clusters.
	groups := make([][][]float64, len(kept))
	for i, a := range out {
		groups[a] = append(groups[a], xs[i])
	}
	for c, g := range groups {
		kept[c] = mean(g)
	}
	return out, kept
}

func nearest(x []float64, centres [][]float64) int {
	best, bd := 0, math.Inf(1)
	for c, ctr := range centres {
		if d := dist2(x, ctr); d < bd {
			best, bd = c, d
		}
	}
	return best
}
