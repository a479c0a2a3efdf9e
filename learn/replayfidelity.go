package learn

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Fidelity measures the sessions this Replayer ran against its own model:
// the same figures as Compare, with the model standing for the first log
// (its quantiles as the sample, its transition rows as the distributions).
// Sessions the run stopped before their drawn length are left out of the
// lengths. Call it after the run.
func (r *Replayer) Fidelity(th Thresholds) *Fidelity {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.model
	f := &Fidelity{RequestsA: m.Source.Requests, SessionsA: m.Source.Sessions, SessionsB: len(r.sessions)}
	mixA, mixB := map[string]float64{}, map[string]float64{}
	for t, rt := range m.Routes {
		mixA[t] = float64(rt.Requests)
	}
	statusA, statusB := map[string]float64{}, map[string]float64{}
	for _, rt := range m.Routes {
		for code, share := range rt.Statuses {
			statusA[fmt.Sprintf("%dxx", code/100)] += share * float64(rt.Requests)
		}
	}
	var first time.Time
	for _, s := range r.sessions {
		if len(s.visits) > 0 && (first.IsZero() || s.visits[0].at.Before(first)) {
			first = s.visits[0].at
		}
	}
	bucket := time.Duration(m.Arrivals.Bucket)
	var starts []float64
	var last time.Time
	for _, s := range r.sessions {
		f.RequestsB += len(s.visits)
		for _, v := range s.visits {
			mixB[v.route]++
			statusB[fmt.Sprintf("%dxx", v.status/100)]++
			if v.done.After(last) {
				last = v.done
			}
		}
		if len(s.visits) > 0 && bucket > 0 {
			starts = append(starts, float64(s.visits[0].at.Sub(first)))
		}
	}
	f.EndpointJSD = round6(JSD(mixA, mixB))
	f.StatusTV = round6(TV(statusA, statusB))
	if bucket > 0 && len(starts) > 0 {
		span := last.Sub(first)
		n := int(span/bucket) + 1
		b := Arrivals{Bucket: m.Arrivals.Bucket, Duration: Duration(span), PerSecond: make([]float64, n)}
		for _, s := range starts {
			b.PerSecond[int(s/float64(bucket))]++
		}
		for i := range b.PerSecond {
			w := bucket.Seconds()
			if i == n-1 {
				w = math.Max((span - time.Duration(n-1)*bucket).Seconds(), 1)
			}
			b.PerSecond[i] /= w
		}
		f.Arrival, f.Buckets = arrivalDiff(m.Arrivals, b)
	}
	// Lengths of the sessions started early enough to finish whatever
	// their length (see analysis.cutoff).
	var durs []float64
	for _, s := range r.sessions {
		if !s.cut && len(s.visits) > 0 {
			durs = append(durs, float64(s.visits[len(s.visits)-1].done.Sub(s.visits[0].at)))
		}
	}
	cutoff := last
	if len(durs) > 0 {
		sort.Float64s(durs)
		cutoff = last.Add(-time.Duration(quantileSorted(durs, 0.99)))
	}
	for ai, a := range m.Archetypes {
		af := ArchetypeFidelity{Name: a.Name, WeightA: a.Weight, SessionsA: a.Sessions}
		var lengths, pauses []float64
		counts := map[string]map[string]float64{}
		for _, s := range r.sessions {
			if s.arch != ai {
				continue
			}
			af.SessionsB++
			if !s.cut && len(s.visits) > 0 && !s.visits[0].at.After(cutoff) {
				lengths = append(lengths, float64(len(s.visits)))
			}
			prev := "START"
			for i, v := range s.visits {
				if i > 0 {
					p := s.visits[i-1]
					pauses = append(pauses, float64(v.at.Sub(p.done)+p.transport)/1e6) // as the target sees it
				}
				if counts[prev] == nil {
					counts[prev] = map[string]float64{}
				}
				counts[prev][v.route]++
				prev = v.route
			}
		}
		af.WeightB = round6(float64(af.SessionsB) / math.Max(1, float64(len(r.sessions))))
		af.LengthKS = round6(KS2(lengths, roundAll(a.Length.Quantiles)))
		af.ThinkKS = round6(KS2(pauses, append([]float64(nil), a.Think.Quantiles...)))
		// Transitions without END: a replayed session ends at its drawn
		// length, not by an END step.
		model := map[string]map[string]float64{}
		for from, row := range a.Transitions {
			model[from] = map[string]float64{}
			for to, p := range row {
				if to != "END" {
					model[from][to] = p
				}
			}
		}
		af.TransitionTV = round6(transitionTV(counts, model))
		af.Judged = af.SessionsB >= th.MinSessions
		if af.Judged {
			judgeArchetype(f, af, th)
		}
		f.Archetypes = append(f.Archetypes, af)
	}
	judge(f, "endpoint mix JSD", f.EndpointJSD, th.JSD)
	judge(f, "arrival rate", f.Arrival, th.Arrival)
	return f
}

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Round(x)
	}
	return out
}

// Notes are the figures as one-line remarks for summary.json.
func (f *Fidelity) Notes() []string {
	out := []string{fmt.Sprintf("fidelity: endpoint mix JSD %.4f, transitions TV %.4f, status classes TV %.4f, arrival rate %.4f (%d buckets)",
		f.EndpointJSD, f.TransitionTV, f.StatusTV, f.Arrival, f.Buckets)}
	for _, a := range f.Archetypes {
		out = append(out, fmt.Sprintf("fidelity %s: weight %.3f/%.3f, sessions %d/%d, think KS %.4f, length KS %.4f, transitions TV %.4f",
			a.Name, a.WeightA, a.WeightB, a.SessionsA, a.SessionsB, a.ThinkKS, a.LengthKS, a.TransitionTV))
	}
	for _, p := range f.Problems {
		out = append(out, "fidelity past threshold: "+p)
	}
	return out
}
