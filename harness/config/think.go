package config

import (
	"cmp"
	"errors"
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
	Kind string // "const", "uniform", "exp", "lognormal", "none" (or "")
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

// Validate reports what is wrong with a think time built in code as well as
// parsed: an unknown Kind, a negative duration, a uniform range whose Min is
// above its Max, a lognormal Sigma outside 0–5. The zero Think is NoThink.
func (t Think) Validate() error {
	negative := func(field string, d time.Duration) error {
		if d < 0 {
			return fmt.Errorf("%s %s is negative", field, d)
		}
		return nil
	}
	switch t.Kind {
	case "", "none":
		return nil
	case "const":
		return negative("duration", t.Min)
	case "uniform":
		if err := cmp.Or(negative("min", t.Min), negative("max", t.Max)); err != nil {
			return err
		}
		if t.Min > t.Max {
			return fmt.Errorf("min %s is greater than max %s", t.Min, t.Max)
		}
		return nil
	case "exp":
		return negative("mean", t.Mean)
	case "lognormal":
		if err := negative("median", t.Median); err != nil {
			return err
		}
		if !(t.Sigma >= 0 && t.Sigma <= maxSigma) { // NaN included
			return fmt.Errorf("sigma %g must be a number from 0 to %d", t.Sigma, maxSigma)
		}
		return nil
	}
	return fmt.Errorf("unknown distribution %q (want const, uniform, exp, lognormal or none)", t.Kind)
}

// maxSigma bounds a lognormal's shape: past it nearly every draw is 0 or
// the cap.
const maxSigma = 5

// ParseThink reads a think-time distribution: "const:2s", "uniform:500ms-3s",
// "exp:1s", "lognormal:1s,0.5" or "none". What it returns is valid.
func ParseThink(s string) (Think, error) {
	t, err := parseThink(strings.TrimSpace(s))
	if err == nil {
		err = t.Validate()
	}
	if err != nil {
		return Think{}, fmt.Errorf("%q: %w", strings.TrimSpace(s), err)
	}
	return t, nil
}

// parseThink reads the syntax of a think time; Validate judges the values.
func parseThink(s string) (Think, error) {
	if s == "none" || s == "0" {
		return NoThink, nil
	}
	kind, arg, ok := strings.Cut(s, ":")
	if !ok {
		return Think{}, errors.New("want const:D, uniform:D-D, exp:D, lognormal:D,SIGMA or none")
	}
	var two [2]string
	switch kind {
	case "uniform":
		if two[0], two[1], ok = strings.Cut(arg, "-"); !ok {
			return Think{}, errors.New("uniform needs MIN-MAX")
		}
	case "lognormal":
		if two[0], two[1], ok = strings.Cut(arg, ","); !ok {
			return Think{}, errors.New("lognormal needs MEDIAN,SIGMA")
		}
	case "const", "exp":
		two[0] = arg
	default:
		return Think{}, fmt.Errorf("unknown distribution %q (want const, uniform, exp, lognormal or none)", kind)
	}
	a, err := parseDuration(two[0])
	if err != nil {
		return Think{}, err
	}
	switch kind {
	case "const":
		return Const(a), nil
	case "exp":
		return Exp(a), nil
	case "uniform":
		b, err := parseDuration(two[1])
		return Uniform(a, b), err
	}
	sigma, err := strconv.ParseFloat(strings.TrimSpace(two[1]), 64)
	if err != nil {
		return Think{}, fmt.Errorf("sigma %q must be a number from 0 to %d", two[1], maxSigma)
	}
	return LogNormal(a, sigma), nil
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", v)
	}
	return d, nil
}
