package learn

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
)

// Thresholds are the largest distances Compare accepts.
type Thresholds struct {
	JSD          float64 // endpoint mix, Jensen–Shannon divergence (base 2)
	ThinkKS      float64 // think time per archetype, two-sample KS
	LengthKS     float64 // session length per archetype, two-sample KS
	TransitionTV float64 // transitions per archetype, total variation
	StatusTV     float64 // status classes, total variation
	Arrival      float64 // arrival rate per bucket, relative difference
	// MinSessions is the fewest sessions an archetype needs on each side
	// for its KS figures to be judged (fewer: reported, not judged).
	MinSessions int
}

// DefaultThresholds are the limits of trafficsim-learn -compare.
var DefaultThresholds = Thresholds{JSD: 0.01, ThinkKS: 0.05, LengthKS: 0.05, TransitionTV: 0.1, StatusTV: 0.05, Arrival: 0.1, MinSessions: 50}

// Fidelity is how far log B is from log A: A's archetypes are learned,
// B's sessions are classified against them, sessions of both split the
// same way.
type Fidelity struct {
	RequestsA, RequestsB int
	SessionsA, SessionsB int
	EndpointJSD          float64
	StatusTV             float64
	// TransitionTV is the largest over archetypes.
	TransitionTV float64
	// Arrival is the largest relative difference of a bucket's arrival
	// rate, over buckets with at least 20 arrivals in A.
	Arrival    float64
	Buckets    int
	Archetypes []ArchetypeFidelity
	// Problems lists every figure past its threshold.
	Problems []string
}

// ArchetypeFidelity is one archetype's figures.
type ArchetypeFidelity struct {
	Name                 string
	WeightA, WeightB     float64
	SessionsA, SessionsB int
	ThinkKS, LengthKS    float64
	TransitionTV         float64
	Judged               bool // enough sessions on both sides
}

// OK reports whether every figure is within its threshold.
func (f *Fidelity) OK() bool { return len(f.Problems) == 0 }

// Compare measures the distances between two logs.
func Compare(a, b *Log, opts Options, th Thresholds) (*Fidelity, error) {
	ra, err := analyse(a, opts, nil)
	if err != nil {
		return nil, fmt.Errorf("first log: %w", err)
	}
	rb, err := analyse(b, opts, ra)
	if err != nil {
		return nil, fmt.Errorf("second log: %w", err)
	}
	return fidelity(ra, rb, th), nil
}

func fidelity(ra, rb *analysis, th Thresholds) *Fidelity {
	f := &Fidelity{RequestsA: ra.log.Len(), RequestsB: rb.log.Len(), SessionsA: len(ra.sessions), SessionsB: len(rb.sessions)}
	f.EndpointJSD = round6(JSD(ra.mix(), rb.mix()))
	f.StatusTV = round6(TV(ra.statusClasses(), rb.statusClasses()))
	f.Arrival, f.Buckets = arrivalDiff(ra.arrivals(), rb.arrivals())
	for c := range ra.centres {
		af := ArchetypeFidelity{Name: "a" + strconv.Itoa(c+1)}
		la, ta, na := ra.archSamples(c)
		lb, tb, nb := rb.archSamples(c)
		af.SessionsA, af.SessionsB = na, nb
		af.WeightA = round6(float64(na) / float64(len(ra.sessions)))
		af.WeightB = round6(float64(nb) / float64(len(rb.sessions)))
		af.LengthKS = round6(KS2(la, lb))
		af.ThinkKS = round6(KS2(ta, tb))
		af.TransitionTV = round6(transitionTV(ra.transitionCounts(c), rb.transitionCounts(c)))
		af.Judged = na >= th.MinSessions && nb >= th.MinSessions
		if af.Judged {
			judgeArchetype(f, af, th)
		}
		f.Archetypes = append(f.Archetypes, af)
	}
	judge(f, "endpoint mix JSD", f.EndpointJSD, th.JSD)
	judge(f, "status classes TV", f.StatusTV, th.StatusTV)
	judge(f, "arrival rate", f.Arrival, th.Arrival)
	return f
}

// judgeArchetype judges one archetype's figures against the thresholds
// and keeps the worst transitions TV.
func judgeArchetype(f *Fidelity, af ArchetypeFidelity, th Thresholds) {
	f.TransitionTV = math.Max(f.TransitionTV, af.TransitionTV)
	judge(f, af.Name+" think KS", af.ThinkKS, th.ThinkKS)
	judge(f, af.Name+" session length KS", af.LengthKS, th.LengthKS)
	judge(f, af.Name+" transitions TV", af.TransitionTV, th.TransitionTV)
}

func judge(f *Fidelity, what string, v, limit float64) {
	if math.IsNaN(v) {
		f.Problems = append(f.Problems, what+": no data")
	} else if v > limit {
		f.Problems = append(f.Problems, fmt.Sprintf("%s %.4f > %.4f", what, v, limit))
	}
}

func (a *analysis) mix() map[string]float64 {
	m := map[string]float64{}
	for i := range a.log.recs {
		m[a.endpoint(&a.log.recs[i])]++
	}
	return m
}

func (a *analysis) statusClasses() map[string]float64 {
	m := map[string]float64{}
	for i := range a.log.recs {
		m[strconv.Itoa(int(a.log.recs[i].status)/100)+"xx"]++
	}
	return m
}

// archSamples returns the lengths (uncensored sessions) and pauses of an
// archetype's sessions, and their number.
func (a *analysis) archSamples(c int) (lengths, pauses []float64, n int) {
	for i := range a.sessions {
		s := &a.sessions[i]
		if s.arch != c {
			continue
		}
		n++
		if a.lengthCounts(s) {
			lengths = append(lengths, sessionLength(s))
		}
		pauses = a.gaps(s, pauses)
	}
	return lengths, pauses, n
}

func (a *analysis) transitionCounts(c int) map[string]map[string]float64 {
	counts := map[string]map[string]float64{}
	for i := range a.sessions {
		s := &a.sessions[i]
		if s.arch != c {
			continue
		}
		prev := "START"
		for _, ri := range s.recs {
			ep := a.endpoint(&a.log.recs[ri])
			if counts[prev] == nil {
				counts[prev] = map[string]float64{}
			}
			counts[prev][ep]++
			prev = ep
		}
		if !s.censored {
			if counts[prev] == nil {
				counts[prev] = map[string]float64{}
			}
			counts[prev]["END"]++
		}
	}
	return counts
}

// transitionTV is the total variation of the next-route distributions,
// averaged over A's states weighted by how often A left them.
func transitionTV(a, b map[string]map[string]float64) float64 {
	total, acc := 0.0, 0.0
	for from, row := range a {
		w := sum(row)
		total += w
		if other, ok := b[from]; ok && sum(other) > 0 {
			acc += w * TV(row, other)
		} else {
			acc += w // a state B never left: as far as can be
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return acc / total
}

// arrivalDiff is the largest relative difference of full buckets' rates
// with at least 20 arrivals in a.
func arrivalDiff(a, b Arrivals) (float64, int) {
	worst, n := 0.0, 0
	bucket := float64(a.Bucket) / 1e9
	for i := range min(len(a.PerSecond), len(b.PerSecond)) {
		last := i == len(a.PerSecond)-1 || i == len(b.PerSecond)-1
		if last && (float64(a.Duration)/1e9-float64(i)*bucket < bucket/2 || float64(b.Duration)/1e9-float64(i)*bucket < bucket/2) {
			continue // a sliver of a bucket at the end
		}
		ra, rb := a.PerSecond[i], b.PerSecond[i]
		if ra*bucket < 20 {
			continue
		}
		n++
		worst = math.Max(worst, math.Abs(rb-ra)/ra)
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return round6(worst), n
}

// WriteTable prints the figures for people.
func (f *Fidelity) WriteTable(w io.Writer, th Thresholds) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "figure\tvalue\tlimit\t\n")
	fmt.Fprintf(tw, "endpoint mix JSD\t%.4f\t%.4f\t\n", f.EndpointJSD, th.JSD)
	fmt.Fprintf(tw, "transitions TV (worst archetype)\t%.4f\t%.4f\t\n", f.TransitionTV, th.TransitionTV)
	fmt.Fprintf(tw, "status classes TV\t%.4f\t%.4f\t\n", f.StatusTV, th.StatusTV)
	fmt.Fprintf(tw, "arrival rate, worst bucket (%d)\t%.4f\t%.4f\t\n", f.Buckets, f.Arrival, th.Arrival)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "archetype\tsessions A\tsessions B\tweight A\tweight B\tthink KS\tlength KS\ttransitions TV\t\n")
	for _, a := range f.Archetypes {
		note := ""
		if !a.Judged {
			note = " (few sessions: not judged)"
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%d\t%.3f\t%.3f\t%.4f\t%.4f\t%.4f\t\n", a.Name, note, a.SessionsA, a.SessionsB,
			a.WeightA, a.WeightB, a.ThinkKS, a.LengthKS, a.TransitionTV)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d requests, %d sessions vs %d requests, %d sessions\n", f.RequestsA, f.SessionsA, f.RequestsB, f.SessionsB)
	for _, p := range f.Problems {
		fmt.Fprintln(w, "past threshold:", p)
	}
	return nil
}

// ErrPastThresholds is returned by the command when a figure is too far.
var ErrPastThresholds = errors.New("past thresholds")
