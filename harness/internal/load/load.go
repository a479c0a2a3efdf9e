// Package load holds the run's load models: when each user of a shard
// starts. The closed model starts a fixed population spread over a ramp;
// the open model starts sessions at a planned arrival rate (-rate,
// -stages), dropping those that find -max-vus users active. A model only
// decides when and which user starts; the harness makes and runs the user
// (Starter), so the models are tested with a fake starter, without HTTP.
package load

import (
	"time"

	"github.com/trafficsim/trafficsim/harness/config"
	"github.com/trafficsim/trafficsim/harness/internal/arrivals"
)

// The closed model's ramp when -ramp is not given: its starts are spread
// so a large population does not open all its sockets at once.
const (
	DefaultRampPerUser = 500 * time.Microsecond
	DefaultRampMax     = 10 * time.Second
)

// Starter is what a load model needs of its run.
type Starter interface {
	// Start starts the user with the given index. intended is the open
	// model's intended start of the session (its first request is timed
	// from it, so a late start shows as latency); nil in the closed model.
	Start(index int, intended *time.Time)
	// Active is how many users are active now.
	Active() int
	// Dropped counts an arrival not started because -max-vus were active.
	Dropped()
	// Stopping reports whether the run is stopping; Done closes then.
	Stopping() bool
	Done() <-chan struct{}
}

// Model starts a run's users. Drive returns when every user the model
// will start has been started, or the run stops.
type Model interface {
	Drive(started time.Time, s Starter) Schedule
}

// Schedule is what an open model planned for this shard: the sessions
// scheduled, and those the run stopped before reaching. A closed model's
// is zero.
type Schedule struct {
	Scheduled, NotReached int64
}

// For returns the model cfg describes: open with -rate or -stages, else
// closed.
func For(cfg config.Config) Model {
	if cfg.OpenModel() {
		maxVUs := cfg.MaxVUs
		if maxVUs == 0 {
			maxVUs = max(cfg.Users, 1) * 10
		}
		return Open{Plan: arrivals.New(cfg.Rate, cfg.Stages, cfg.Duration), Shard: cfg.Shard, MaxVUs: maxVUs}
	}
	return Closed{Users: cfg.Users, Shard: cfg.Shard, Ramp: cfg.Ramp}
}

// Closed starts this shard's users of a population of Users, spread
// evenly over Ramp (0: DefaultRampPerUser each, at most DefaultRampMax).
type Closed struct {
	Users int
	Shard config.Shard
	Ramp  time.Duration
}

// Drive starts the population.
func (c Closed) Drive(started time.Time, s Starter) Schedule {
	var owned []int
	for i := range c.Users {
		if c.Shard.Owns(i) {
			owned = append(owned, i)
		}
	}
	ramp := c.Ramp
	if ramp == 0 {
		ramp = min(time.Duration(len(owned))*DefaultRampPerUser, DefaultRampMax)
	}
	for k, idx := range owned {
		if k > 0 && ramp > 0 {
			at := started.Add(time.Duration(int64(ramp) * int64(k) / int64(len(owned))))
			if !sleepUntil(s, at) {
				break
			}
		}
		if s.Stopping() {
			break
		}
		s.Start(idx, nil)
	}
	return Schedule{}
}

// Replacement returns the index of the n-th user (0-based) that replaces
// one that ended, in continuous mode: past the first population of users,
// and owned by shard, so replacements never collide across shards.
func Replacement(users int, shard config.Shard, n int) int {
	count := max(shard.Count, 1)
	base := users + (count-users%count)%count // first multiple of count at or after users
	return base + n*count + shard.Index
}

// Open starts sessions at the times Plan gives. A start that finds MaxVUs
// users active is dropped and counted; a late start keeps its intended
// time. Every scheduled arrival of this shard is started, dropped or, when
// the run stops first, counted as not reached.
type Open struct {
	Plan   arrivals.Plan
	Shard  config.Shard
	MaxVUs int
}

// Drive starts the sessions until the plan ends or the run stops.
func (o Open) Drive(started time.Time, s Starter) Schedule {
	var reached int64 // this shard's arrivals started or dropped
	for n := int64(0); ; n++ {
		offset, ok := o.Plan.Next(n)
		if !ok {
			break
		}
		if !o.Shard.Owns(int(n)) {
			continue
		}
		at := started.Add(offset)
		if !sleepUntil(s, at) {
			break
		}
		reached++
		if s.Active() >= o.MaxVUs {
			s.Dropped()
			continue
		}
		s.Start(int(n), &at)
	}
	return o.schedule(reached)
}

// schedule is how many arrivals the plan scheduled for this shard and how
// many of them the driver had not reached.
func (o Open) schedule(reached int64) Schedule {
	total, ok := o.Plan.Total()
	if !ok {
		return Schedule{Scheduled: reached} // no end: what was due is what was scheduled
	}
	owned := total
	if sh := o.Shard; !sh.Whole() {
		owned = 0
		if total > int64(sh.Index) {
			owned = (total-int64(sh.Index)-1)/int64(sh.Count) + 1
		}
	}
	return Schedule{Scheduled: owned, NotReached: max(owned-reached, 0)}
}

// sleepUntil waits until t, or returns false when the run stops first.
func sleepUntil(s Starter, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return !s.Stopping()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-s.Done():
		return false
	}
}
