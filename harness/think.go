package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Think is a think-time distribution: how long a user pauses between two
// requests. It is a plain value so a population of users shares one.
type Think struct {
	Kind string // "const", "uniform", "exp", "lognormal", "none"
	// Const and uniform: Min (and Max); exp: Mean; lognormal: Median and Sigma.
	Min, Max time.Duration
	Mean     time.Duration
	Median   time.Duration
	Sigma    float64
}

// NoThink is a think time of zero: requests back to back.
var NoThink = Think{Kind: "none"}

// Const pauses exactly d.
func Const(d time.Duration) Think { return Think{Kind: "const", Min: d, Max: d} }

// Uniform pauses a uniformly random time in [lo, hi].
func Uniform(lo, hi time.Duration) Think { return Think{Kind: "uniform", Min: lo, Max: hi} }

// Exp pauses an exponentially distributed time with the given mean, the
// gaps of a Poisson process.
func Exp(mean time.Duration) Think { return Think{Kind: "exp", Mean: mean} }

// LogNormal pauses a log-normally distributed time with the given median and
// shape sigma: most pauses short, a long tail of slow readers.
func LogNormal(median time.Duration, sigma float64) Think {
	return Think{Kind: "lognormal", Median: median, Sigma: sigma}
}

// maxThink bounds every draw so a heavy tail cannot park a user for hours.
const maxThink = 10 * time.Minute

// Draw returns one pause drawn from r.
func (t Think) Draw(r *rand.Rand) time.Duration {
	var d time.Duration
	switch t.Kind {
	case "const":
		d = t.Min
	case "uniform":
		if t.Max > t.Min {
			// The width fits in a uint64 even when Max-Min overflows int64
			// (found by FuzzParseThink: uniform:0s-2562047h47m16.854775807s).
			if span := uint64(t.Max-t.Min) + 1; span != 0 {
				d = t.Min + time.Duration(r.Uint64N(span))
			} else {
				d = time.Duration(r.Uint64())
			}
		} else {
			d = t.Min
		}
	case "exp":
		d = floatDuration(r.ExpFloat64() * float64(t.Mean))
	case "lognormal":
		d = floatDuration(float64(t.Median) * math.Exp(t.Sigma*r.NormFloat64()))
	default:
		return 0
	}
	return min(max(d, 0), maxThink)
}

// floatDuration converts nanoseconds to a Duration, saturating at maxThink:
// converting a float beyond int64's range is undefined in Go, and on amd64
// a huge draw came out as a negative duration, then 0.
func floatDuration(ns float64) time.Duration {
	if !(ns < float64(maxThink)) { // NaN included
		return maxThink
	}
	return time.Duration(ns)
}

// String is the distribution in the form ParseThink reads.
func (t Think) String() string {
	switch t.Kind {
	case "const":
		return "const:" + t.Min.String()
	case "uniform":
		return "uniform:" + t.Min.String() + "-" + t.Max.String()
	case "exp":
		return "exp:" + t.Mean.String()
	case "lognormal":
		return "lognormal:" + t.Median.String() + "," + strconv.FormatFloat(t.Sigma, 'g', -1, 64)
	default:
		return "none"
	}
}

// ParseThink reads a think-time distribution: "const:2s", "uniform:500ms-3s",
// "exp:1s", "lognormal:1s,0.5" or "none".
func ParseThink(s string) (Think, error) {
	s = strings.TrimSpace(s)
	if s == "none" || s == "0" {
		return NoThink, nil
	}
	kind, arg, ok := strings.Cut(s, ":")
	if !ok {
		return Think{}, fmt.Errorf("%q: want const:D, uniform:D-D, exp:D, lognormal:D,SIGMA or none", s)
	}
	dur := func(v string) (time.Duration, error) {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("%q: %q is not a duration", s, v)
		}
		if d < 0 {
			return 0, fmt.Errorf("%q: %s is negative", s, d)
		}
		return d, nil
	}
	switch kind {
	case "const":
		d, err := dur(arg)
		return Const(d), err
	case "uniform":
		a, b, ok := strings.Cut(arg, "-")
		if !ok {
			return Think{}, fmt.Errorf("%q: uniform needs MIN-MAX", s)
		}
		lo, err := dur(a)
		if err != nil {
			return Think{}, err
		}
		hi, err := dur(b)
		if err != nil {
			return Think{}, err
		}
		if lo > hi {
			return Think{}, fmt.Errorf("%q: min %s is greater than max %s", s, lo, hi)
		}
		return Uniform(lo, hi), nil
	case "exp":
		d, err := dur(arg)
		return Exp(d), err
	case "lognormal":
		a, b, ok := strings.Cut(arg, ",")
		if !ok {
			return Think{}, fmt.Errorf("%q: lognormal needs MEDIAN,SIGMA", s)
		}
		m, err := dur(a)
		if err != nil {
			return Think{}, err
		}
		sigma, err := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err != nil || sigma < 0 || sigma > 5 || math.IsNaN(sigma) {
			return Think{}, fmt.Errorf("%q: sigma %q must be a number from 0 to 5", s, b)
		}
		return LogNormal(m, sigma), nil
	default:
		return Think{}, fmt.Errorf("%q: unknown distribution %q (want const, uniform, exp, lognormal or none)", s, kind)
	}
}
