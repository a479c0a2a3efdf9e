package config

import (
	"flag"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseFlags(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return f.Config()
}

func TestFlags_Config_badInputNamesTheFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"min above max", []string{"-min-request-count=50", "-max-request-count=10"}, "-min-request-count: 50 is greater than -max-request-count 10"},
		{"no users", []string{"-users=0"}, "-users: must be at least 1"},
		{"negative users", []string{"-users=-5"}, "-users: must be at least 1"},
		{"error rate above 100", []string{"-error-rate=101"}, "-error-rate: must be a percentage from 0 to 100"},
		{"error rate negative", []string{"-error-rate=-1"}, "-error-rate: must be a percentage"},
		{"target not a URL", []string{"-target=::nope"}, "-target:"},
		{"target without scheme", []string{"-target=localhost:8080"}, "-target:"},
		{"target ftp", []string{"-target=ftp://127.0.0.1/"}, "must start with http:// or https://"},
		{"remote target", []string{"-target=http://example.com"}, "-target: \"http://example.com\" is not a loopback address; pass -allow-remote"},
		{"bad think", []string{"-think=gauss:1s"}, "-think:"},
		{"bad stages", []string{"-stages=30s"}, "-stages:"},
		{"bad shard", []string{"-shard=4/4", "-run-id=x"}, "-shard:"},
		{"shard without run id", []string{"-shard=1/4"}, "-run-id: is required with -shard"},
		{"continuous without duration", []string{"-continuous", "-duration=0"}, "-continuous: needs a -duration"},
		{"bad pushgateway", []string{"-pushgateway=localhost:9091"}, "-pushgateway:"},
		{"rate without end", []string{"-rate=5", "-duration=0"}, "-rate: needs a -duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(t, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestFlags_Config_reportsEveryProblemAtOnce(t *testing.T) {
	_, err := parseFlags(t, "-users=0", "-error-rate=200", "-min-request-count=9", "-max-request-count=3")
	require.Error(t, err)
	for _, flag := range []string{"-users", "-error-rate", "-min-request-count"} {
		assert.Contains(t, err.Error(), flag)
	}
}

func TestFlags_Config_environment(t *testing.T) {
	t.Setenv("TRAFFICSIM_USERS", "42")
	t.Setenv("TRAFFICSIM_DURATION", "7s")
	t.Setenv("TRAFFICSIM_USER_TYPES", "new,admin")
	cfg, err := parseFlags(t)
	require.NoError(t, err)
	assert.Equal(t, 42, cfg.Users)
	assert.Equal(t, 7*time.Second, cfg.Duration)
	assert.Equal(t, []string{"new", "admin"}, cfg.UserTypes)

	cfg, err = parseFlags(t, "-users=3")
	require.NoError(t, err)
	assert.Equal(t, 3, cfg.Users, "a flag wins over its variable")

	t.Setenv("TRAFFICSIM_USERS", "many")
	_, err = parseFlags(t)
	require.ErrorContains(t, err, "-users: from TRAFFICSIM_USERS=\"many\"")
}

func TestFlags_Config_kubernetesShard(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "2")
	t.Setenv("TRAFFICSIM_SHARDS", "4")
	cfg, err := parseFlags(t, "-run-id=job-1")
	require.NoError(t, err)
	assert.Equal(t, Shard{Index: 2, Count: 4}, cfg.Shard)
}

func TestFlags_Config_defaultsAreValid(t *testing.T) {
	cfg, err := parseFlags(t)
	require.NoError(t, err)
	assert.Equal(t, Default().Users, cfg.Users)
	assert.Equal(t, Default().ErrorRate, cfg.ErrorRate)
	assert.False(t, cfg.OpenModel())
}

func TestParseThink(t *testing.T) {
	tests := []struct {
		in      string
		want    Think
		wantErr string
	}{
		{"const:2s", Const(2 * time.Second), ""},
		{"uniform:500ms-3s", Uniform(500*time.Millisecond, 3*time.Second), ""},
		{"exp:1s", Exp(time.Second), ""},
		{"lognormal:1s,0.5", LogNormal(time.Second, 0.5), ""},
		{"none", NoThink, ""},
		{"uniform:3s-1s", Think{}, "min 3s is greater than max 1s"},
		{"uniform:1s", Think{}, "uniform needs MIN-MAX"},
		{"lognormal:1s,-2", Think{}, "sigma"},
		{"const:-1s", Think{}, "negative"},
		{"poisson:1s", Think{}, "unknown distribution"},
		{"2s", Think{}, "want const:D"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseThink(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			back, err := ParseThink(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back, "String round-trips")
		})
	}
}

func TestThink_Draw(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, th := range []Think{Const(time.Second), Uniform(time.Millisecond, 5*time.Millisecond), Exp(time.Second), LogNormal(time.Second, 1)} {
		var sum time.Duration
		const n = 20000
		for range n {
			d := th.Draw(r)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, maxThink)
			if th.Kind == "uniform" {
				require.True(t, d >= th.Min && d <= th.Max, "uniform draw %s out of range", d)
			}
			sum += d
		}
		mean := sum / n
		switch th.Kind {
		case "const":
			assert.Equal(t, time.Second, mean)
		case "exp":
			assert.InDelta(t, float64(time.Second), float64(mean), float64(50*time.Millisecond), "exp mean")
		case "lognormal":
			// mean of a log-normal is median·e^(σ²/2) ≈ 1.65 s for σ=1
			assert.InDelta(t, 1.65, mean.Seconds(), 0.15, "lognormal mean")
		}
	}
}

func TestParseStages(t *testing.T) {
	st, err := ParseStages("30s:10, 1m:50,30s:0")
	require.NoError(t, err)
	assert.Equal(t, []Stage{{30 * time.Second, 10}, {time.Minute, 50}, {30 * time.Second, 0}}, st)
	assert.Equal(t, "30s:10,1m0s:50,30s:0", FormatStages(st))
	for _, bad := range []string{"", "30s", "x:1", "0s:5", "10s:-1", "10s:abc", "10s:NaN", "1s:1e9"} {
		_, err := ParseStages(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseShard(t *testing.T) {
	s, err := ParseShard("1/4")
	require.NoError(t, err)
	assert.Equal(t, "1/4", s.String())
	assert.True(t, s.Owns(5))
	assert.False(t, s.Owns(6))
	for _, bad := range []string{"4/4", "-1/2", "1", "a/b", "1/0"} {
		_, err := ParseShard(bad)
		assert.Error(t, err, bad)
	}
	assert.True(t, Shard{}.Owns(123))
}

func TestFlags_Config_headers(t *testing.T) {
	cfg, err := parseFlags(t, "-headers=minimal")
	require.NoError(t, err)
	assert.Equal(t, HeadersMinimal, cfg.Headers)
	_, err = parseFlags(t, "-headers=firefox")
	require.ErrorContains(t, err, `-headers: "firefox": want browser or minimal`)
}

func TestFlags_Config_breaker(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		args    []string
		want    int
		wantErr string
	}{
		{"default", "", nil, Default().Breaker, ""},
		{"flag", "", []string{"-breaker=3"}, 3, ""},
		{"off", "", []string{"-breaker=0"}, 0, ""},
		{"environment", "25", nil, 25, ""},
		{"flag wins over environment", "25", []string{"-breaker=4"}, 4, ""},
		{"negative", "", []string{"-breaker=-1"}, 0, "-breaker: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(EnvName("breaker"), tt.env)
			}
			cfg, err := parseFlags(t, tt.args...)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Breaker)
		})
	}
}
