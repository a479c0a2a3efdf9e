package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stage is one step of an open-model plan: over Duration, the arrival rate
// moves linearly from the previous stage's Target (or -rate at the start) to
// this Target, in user sessions per second — k6's ramping-arrival-rate.
type Stage struct {
	Duration time.Duration
	Target   float64
}

// MaxRate bounds -rate and a stage's Target so a typo cannot ask for a
// billion sessions a second.
const MaxRate = 1e6

// Validate reports what is wrong with a stage built in code as well as
// parsed: a Duration that is not positive, a Target outside 0–MaxRate.
func (s Stage) Validate() error {
	var errs []error
	if s.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration %s is not positive", s.Duration))
	}
	if !(s.Target >= 0 && s.Target <= MaxRate) { // NaN included
		errs = append(errs, fmt.Errorf("target %g must be a number from 0 to %g", s.Target, float64(MaxRate)))
	}
	return errors.Join(errs...)
}

// validateStages checks every stage of a plan, and that the plan's length
// fits a Duration: past it the schedule's offsets would wrap around to
// negative times (found by FuzzParseStages: "2562047h:0,2562047h:0,1s:5").
func validateStages(st []Stage) error {
	var errs []error
	var total time.Duration
	for i, s := range st {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("stage %d: %w", i+1, err))
			continue
		}
		if s.Duration > math.MaxInt64-total {
			errs = append(errs, fmt.Errorf("stage %d: the plan would last longer than %s", i+1, time.Duration(math.MaxInt64)))
			break
		}
		total += s.Duration
	}
	return errors.Join(errs...)
}

// ParseStages reads a plan such as "30s:10,1m:50,30s:0". What it returns
// is valid.
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		d, r, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %d %q: want DURATION:RATE", i+1, part)
		}
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return nil, fmt.Errorf("stage %d %q: %q is not a duration", i+1, part, d)
		}
		rate, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil {
			return nil, fmt.Errorf("stage %d %q: rate %q is not a number", i+1, part, r)
		}
		out = append(out, Stage{Duration: dur, Target: rate})
	}
	if err := validateStages(out); err != nil {
		return nil, err
	}
	return out, nil
}

// FormatStages writes a plan in the form ParseStages reads.
func FormatStages(st []Stage) string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = s.Duration.String() + ":" + strconv.FormatFloat(s.Target, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// StagesDuration is how long a plan lasts: the sum of its stages.
func StagesDuration(st []Stage) time.Duration {
	var t time.Duration
	for _, s := range st {
		t += s.Duration
	}
	return t
}
