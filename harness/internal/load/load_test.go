package load

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/config"
	"github.com/trafficsim/trafficsim/harness/internal/arrivals"
)

// fakeStarter records the starts a model makes; it stops the run after
// stopAfter starts (0: never) and reports active users as given.
type fakeStarter struct {
	mu        sync.Mutex
	started   []int
	intended  []*time.Time
	at        []time.Time
	dropped   int
	active    int
	stopAfter int
	done      chan struct{}
	once      sync.Once
}

func newFake() *fakeStarter { return &fakeStarter{done: make(chan struct{})} }

func (f *fakeStarter) Start(index int, intended *time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, index)
	f.intended = append(f.intended, intended)
	f.at = append(f.at, time.Now())
	if f.stopAfter > 0 && len(f.started) >= f.stopAfter {
		f.once.Do(func() { close(f.done) })
	}
}
func (f *fakeStarter) Active() int { return f.active }
func (f *fakeStarter) Dropped()    { f.dropped++ }
func (f *fakeStarter) Stopping() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}
func (f *fakeStarter) Done() <-chan struct{} { return f.done }

func TestClosed_startsTheShardsUsersInOrderOverTheRamp(t *testing.T) {
	cases := []struct {
		name  string
		shard config.Shard
		want  []int
	}{
		{"whole", config.Shard{}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"shard 1/3", config.Shard{Index: 1, Count: 3}, []int{1, 4, 7}},
		{"shard 0/4", config.Shard{Index: 0, Count: 4}, []int{0, 4, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			start := time.Now()
			sched := Closed{Users: 10, Shard: c.shard, Ramp: 60 * time.Millisecond}.Drive(start, f)
			assert.Equal(t, Schedule{}, sched)
			assert.Equal(t, c.want, f.started)
			for _, in := range f.intended {
				assert.Nil(t, in, "a closed model's users have no intended start")
			}
			// The k-th of n starts waits until ramp*k/n from the start.
			n := len(c.want)
			for k, at := range f.at {
				assert.GreaterOrEqual(t, at.Sub(start), 60*time.Millisecond*time.Duration(k)/time.Duration(n), "start %d", k)
			}
		})
	}
}

func TestClosed_stopsStartingWhenTheRunStops(t *testing.T) {
	f := newFake()
	f.stopAfter = 3
	Closed{Users: 100, Ramp: 200 * time.Millisecond}.Drive(time.Now(), f)
	assert.Equal(t, []int{0, 1, 2}, f.started)
}

func TestClosed_defaultRampIsBounded(t *testing.T) {
	f := newFake()
	start := time.Now()
	Closed{Users: 40}.Drive(start, f)
	require.Len(t, f.started, 40)
	// 40 users at DefaultRampPerUser: the last starts 39/40 of 20ms in.
	assert.GreaterOrEqual(t, f.at[39].Sub(start), 39*40*DefaultRampPerUser/40)
}

func TestReplacement_staysInTheShard(t *testing.T) {
	shard := config.Shard{Index: 2, Count: 4}
	seen := map[int]bool{}
	for n := range 50 {
		i := Replacement(10, shard, n)
		assert.GreaterOrEqual(t, i, 10, "past the first population")
		assert.Equal(t, 2, i%4, "owned by the shard")
		assert.False(t, seen[i], "never twice")
		seen[i] = true
	}
	assert.Equal(t, 10, Replacement(10, config.Shard{}, 0), "a whole run's first replacement follows the population")
}

func TestOpen_startsEveryArrivalWithItsIntendedTime(t *testing.T) {
	f := newFake()
	start := time.Now()
	// 200/s for 50ms: 10 arrivals, of which shard 1/2 owns 5.
	o := Open{Plan: arrivals.New(200, nil, 50*time.Millisecond), Shard: config.Shard{Index: 1, Count: 2}, MaxVUs: 100}
	sched := o.Drive(start, f)
	assert.Equal(t, []int{1, 3, 5, 7, 9}, f.started)
	assert.Equal(t, Schedule{Scheduled: 5, NotReached: 0}, sched)
	for k, in := range f.intended {
		require.NotNil(t, in)
		off, _ := o.Plan.Next(int64(f.started[k]))
		assert.Equal(t, start.Add(off), *in, "arrival %d keeps its planned time", f.started[k])
	}
}

func TestOpen_dropsArrivalsPastMaxVUs(t *testing.T) {
	f := newFake()
	f.active = 3
	sched := Open{Plan: arrivals.New(500, nil, 20*time.Millisecond), MaxVUs: 3}.Drive(time.Now(), f)
	assert.Empty(t, f.started)
	assert.Equal(t, 10, f.dropped, "every arrival found -max-vus active")
	assert.Equal(t, Schedule{Scheduled: 10}, sched)
}

func TestOpen_countsWhatTheStopLeftUnreached(t *testing.T) {
	f := newFake()
	f.stopAfter = 4
	sched := Open{Plan: arrivals.New(100, nil, time.Second), MaxVUs: 1000}.Drive(time.Now(), f)
	assert.Len(t, f.started, 4)
	assert.Equal(t, int64(100), sched.Scheduled)
	assert.Equal(t, int64(96), sched.NotReached)
}

func TestOpen_withoutAnEndSchedulesWhatWasDue(t *testing.T) {
	f := newFake()
	f.stopAfter = 5
	sched := Open{Plan: arrivals.New(1000, nil, 0), MaxVUs: 1000}.Drive(time.Now(), f)
	assert.Equal(t, Schedule{Scheduled: 5}, sched)
}

func TestFor_choosesTheModel(t *testing.T) {
	cfg := config.Default()
	cfg.Users = 7
	assert.IsType(t, Closed{}, For(cfg))
	cfg.Rate = 5
	m, ok := For(cfg).(Open)
	require.True(t, ok, "-rate makes the model open")
	assert.Equal(t, 70, m.MaxVUs, "-max-vus defaults to ten times -users")
	cfg.MaxVUs = 9
	assert.Equal(t, 9, For(cfg).(Open).MaxVUs)
}
