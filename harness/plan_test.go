package harness

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/internal/tbtest"
)

// Values built in code are checked as flags are: a think time, a plan, a
// shard or an auth that no flag would accept fails Run before any request,
// naming what is wrong.
func TestSimulation_valuesBuiltInCodeAreValidated(t *testing.T) {
	srv := newCountingServer(t, nil)
	journey := func(ctx context.Context, vu *VU) error { _, err := vu.Do(ctx, Get("/x")); return err }
	tests := []struct {
		name   string
		mutate func(*Config)
		opts   []ArchetypeOption
		want   []string
	}{
		{"uniform min above max", nil, []ArchetypeOption{WithThink(Uniform(3*time.Second, time.Second))},
			[]string{`archetype "a": WithThink: min 3s is greater than max 1s`}},
		{"unknown think kind", nil, []ArchetypeOption{WithThink(Think{Kind: "bogus"})},
			[]string{`archetype "a": WithThink: unknown distribution "bogus"`}},
		{"lognormal sigma out of range", nil, []ArchetypeOption{WithThink(LogNormal(time.Second, 50))},
			[]string{`archetype "a": WithThink: sigma 50 must be a number from 0 to 5`}},
		{"negative const", nil, []ArchetypeOption{WithThink(Const(-time.Second))},
			[]string{`archetype "a": WithThink: duration -1s is negative`}},
		{"negative exp mean", nil, []ArchetypeOption{WithThink(Exp(-time.Second))},
			[]string{`archetype "a": WithThink: mean -1s is negative`}},
		{"config think", func(c *Config) { c.Think = "uniform:3s-1s" }, nil,
			[]string{`-think: "uniform:3s-1s": min 3s is greater than max 1s`}},
		{"negative stage", func(c *Config) { c.Stages = []Stage{{Duration: -time.Second, Target: -5}} }, nil,
			[]string{"-stages: stage 1: duration -1s is not positive", "target -5 must be a number from 0 to 1e+06"}},
		{"NaN stage target", func(c *Config) { c.Stages = []Stage{{Duration: time.Second, Target: math.NaN()}} }, nil,
			[]string{"-stages: stage 1: target NaN must be a number"}},
		{"shard out of range", func(c *Config) { c.Shard, c.RunID = Shard{Index: 5, Count: 2}, "run-1" }, nil,
			[]string{"-shard: shard 5/2: need 0 <= i < n"}},
		{"config auth without header", func(c *Config) { c.Auth = APIKeyAuth("", "key") }, nil,
			[]string{"Config.Auth: an API key needs a header name"}},
		{"archetype auth without cookie name", nil, []ArchetypeOption{WithAuth(CookieAuth(" "))},
			[]string{`archetype "a": WithAuth: a cookie auth needs a cookie name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withReportDir(t, testConfig(srv.URL))
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			sim := New(tbtest.New(t), cfg) // Run reports its error on the test too
			sim.Archetype("a", 1, Between(1, 2), journey, tt.opts...)
			res, err := sim.Run(context.Background())
			assert.Nil(t, res, "no result when the run cannot start")
			require.ErrorContains(t, err, "invalid configuration")
			for _, w := range tt.want {
				assert.ErrorContains(t, err, w)
			}
			assert.Zero(t, srv.hits.Load(), "no request before the configuration is valid")
		})
	}
}

// archetypeView is what plan may set on an archetype, for comparing.
type archetypeView struct {
	Name     string
	Weight   int
	Rng, Eff Range
	Think    Think
}

func viewOf(archs []*archetype) []archetypeView {
	out := make([]archetypeView, len(archs))
	for i, a := range archs {
		out[i] = archetypeView{Name: a.name, Weight: a.weight, Rng: a.rng, Eff: a.eff, Think: a.think}
	}
	return out
}

// plan is called by Validate and Run, as often as they like: it must give
// the same plan every time and leave the simulation's archetypes as they
// were defined.
func TestSimulation_plan_isRepeatableAndChangesNoArchetype(t *testing.T) {
	journey := func(ctx context.Context, vu *VU) error { return nil }
	cfg := testConfig("http://127.0.0.1:9")
	cfg.Think = "const:7ms"
	cfg.MinRequests, cfg.MaxRequests = 5, 8
	sim := New(t, cfg)
	sim.Archetype("a", 1, Between(1, 10), journey, WithThink(Exp(time.Second)))
	sim.Archetype("b", 2, Between(20, 30), journey) // outside the run's range: a note
	defined := viewOf(sim.archetypes)

	first, err := sim.plan()
	require.NoError(t, err)
	require.NoError(t, sim.Validate())
	second, err := sim.plan()
	require.NoError(t, err)

	assert.Equal(t, viewOf(first.archetypes), viewOf(second.archetypes), "the same plan twice")
	assert.Equal(t, first.notes, second.notes)
	assert.Len(t, first.notes, 1, "b's range lies outside the run's")
	assert.Equal(t, defined, viewOf(sim.archetypes), "the archetypes are as defined")
	assert.Equal(t, []archetypeView{
		{Name: "a", Weight: 1, Rng: Between(1, 10), Eff: Between(5, 8), Think: Const(7 * time.Millisecond)},
		{Name: "b", Weight: 2, Rng: Between(20, 30), Eff: Between(5, 8), Think: Const(7 * time.Millisecond)},
	}, viewOf(first.archetypes), "the plan's copies carry the run's range and -think")
	assert.Equal(t, Exp(time.Second), sim.archetypes[0].think, "WithThink stays the archetype's own")
	for i := range first.archetypes {
		assert.NotSame(t, sim.archetypes[i], first.archetypes[i], "the plan holds copies")
		assert.NotSame(t, first.archetypes[i], second.archetypes[i])
	}
}
