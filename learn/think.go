package learn

import (
	"math"
	"sort"
	"time"

	"github.com/trafficsim/trafficsim/harness"
)

// LawThreshold is the KS statistic up to which a harness law is preferred
// to the empirical distribution: a law a person can read and edit, as long
// as it really fits.
const LawThreshold = 0.02

// fitThink fits the pauses (milliseconds) with the harness's laws and
// keeps the best by KS, or the empirical distribution when none is within
// LawThreshold.
func fitThink(ms []float64) ThinkFit {
	if len(ms) == 0 {
		return ThinkFit{Law: "none", Tried: map[string]float64{}}
	}
	sort.Float64s(ms)
	fit := ThinkFit{Tried: map[string]float64{}, Samples: len(ms)}
	dur := func(x float64) time.Duration {
		return time.Duration(x * float64(time.Millisecond)).Round(time.Microsecond)
	}
	type cand struct {
		law harness.Think
		cdf func(float64) float64
	}
	var cands []cand
	med := quantileSorted(ms, 0.5)
	cands = append(cands, cand{harness.Const(dur(med)), func(x float64) float64 {
		if x >= med {
			return 1
		}
		return 0
	}})
	lo, hi := ms[0], ms[len(ms)-1]
	if hi > lo {
		cands = append(cands, cand{harness.Uniform(dur(lo), dur(hi)), func(x float64) float64 {
			return math.Min(1, math.Max(0, (x-lo)/(hi-lo)))
		}})
	}
	mean := 0.0
	for _, x := range ms {
		mean += x
	}
	mean /= float64(len(ms))
	if mean > 0 {
		cands = append(cands, cand{harness.Exp(dur(mean)), func(x float64) float64 { return 1 - math.Exp(-x/mean) }})
	}
	var ls []float64
	for _, x := range ms {
		if x > 0 {
			ls = append(ls, math.Log(x))
		}
	}
	if len(ls) > 1 {
		mu, sd := meanSD(ls)
		if sd > 0 && sd <= 5 {
			sigma := math.Round(sd*1000) / 1000
			cands = append(cands, cand{harness.LogNormal(dur(math.Exp(mu)), sigma), func(x float64) float64 {
				if x <= 0 {
					return 0
				}
				return normCDF((math.Log(x) - mu) / sd)
			}})
		}
	}
	best := math.Inf(1)
	for _, c := range cands {
		ks := round6(ksOne(ms, c.cdf))
		fit.Tried[c.law.Kind] = ks
		if ks < best {
			best, fit.Law, fit.KS = ks, c.law.String(), ks
		}
	}
	fit.Dist = newDist(ms)
	if best > LawThreshold {
		fit.Law, fit.KS = "empirical", 0
	}
	return fit
}

func meanSD(xs []float64) (float64, float64) {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)-1))
}
