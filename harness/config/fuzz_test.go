package config

import (
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The seed corpora below run as ordinary tests; `go test -fuzz=FuzzX`
// explores from them.

func FuzzParseStages(f *testing.F) {
	for _, s := range []string{
		"30s:10,1m:50,30s:0", "1s:0", "10m:1000000", " 5s : 2.5 , 1h:0 ", "1ns:1e-300",
		"", "30s", "30s:", ":10", "-1s:5", "0s:5", "1s:-1", "1s:NaN", "1s:+Inf", "1s:1e7",
		"1s:1,,2s:2", "2562047h47m16.854775807s:1000000", "1s:0x10", "2562047h:0,2562047h:0,1s:5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStages(s)
		if err != nil {
			require.Nil(t, st)
			return
		}
		require.NotEmpty(t, st)
		for i, g := range st {
			require.Positive(t, g.Duration, "stage %d", i)
			require.True(t, g.Target >= 0 && g.Target <= MaxRate, "stage %d rate %v", i, g.Target)
		}
		back, err := ParseStages(FormatStages(st))
		require.NoError(t, err, "FormatStages(%v) = %q", st, FormatStages(st))
		require.Equal(t, st, back, "a plan survives formatting")

	})
}

func FuzzParseThink(f *testing.F) {
	for _, s := range []string{
		"none", "0", "const:2s", "uniform:500ms-3s", "exp:1s", "lognormal:1s,0.5", " uniform: 1ms - 2ms ",
		"", "const", "const:", "const:-1s", "uniform:3s-1s", "uniform:1s", "exp:x", "lognormal:1s",
		"lognormal:1s,6", "lognormal:1s,NaN", "gauss:1s", "uniform:0s-2562047h47m16.854775807s",
		"uniform:1ns-2562047h47m16.854775807s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThink(s)
		if err != nil {
			return
		}
		back, err := ParseThink(th.String())
		require.NoError(t, err, "String() = %q", th.String())
		require.Equal(t, th, back, "a think time survives formatting")
		r := rand.New(rand.NewPCG(1, 2))
		for range 32 {
			d := th.Draw(r)
			require.True(t, d >= 0 && d <= maxThink, "draw %s from %q", d, s)
		}
	})
}

func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "1/4", "3/4", " 2 / 8 ", "", "1", "4/4", "-1/4", "1/0", "1/-2", "a/b", "1/2/3",
		"9223372036854775807/9223372036854775807", "0/9223372036854775807", "0/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err != nil {
			return
		}
		require.True(t, sh.Index >= 0 && sh.Index < sh.Count, "shard %+v from %q", sh, s)
		if sh.Whole() {
			assert.Empty(t, sh.String())
			return
		}
		back, err := ParseShard(sh.String())
		require.NoError(t, err)
		require.Equal(t, sh, back, "a shard survives formatting")
		if sh.Count > 64 {
			return
		}
		// Every user belongs to exactly one shard of the split.
		for idx := range 3 * sh.Count {
			owners := 0
			for i := range sh.Count {
				if (Shard{Index: i, Count: sh.Count}).Owns(idx) {
					owners++
				}
			}
			require.Equal(t, 1, owners, "user %d in a split of %d", idx, sh.Count)
		}
	})
}

func FuzzFlags(f *testing.F) {
	for _, s := range []string{
		"", "-users=10 -min-request-count=2 -max-request-count=5", "-stages=30s:10,1m:0 -duration=0",
		"-rate=5 -duration=1m", "-shard=1/4 -run-id=job-1", "-think=exp:1s -seed=-3", "-target=http://127.0.0.1:8080",
		"-target=http://example.com", "-target=http://example.com -allow-remote", "-pushgateway=http://127.0.0.1:9091",
		"-breaker=0", "-breaker=-1", "-users=0", "-error-rate=101", "-stages=30s", "-shard=4/4", "-budget",
		"-timeout=0s -max-body=-1", "-user-types=new,,admin", "-users", "--users=3 extra args", "-h",
		"-trace-sample=NaN", "-error-rate=NaN", "-rate=NaN -duration=1s", "-abort-error-rate=+Inf",
		"-rate=+Inf -duration=1s", "-rate=1e9 -duration=1s", "-validate-sample=NaN",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		flags := RegisterFlags(fs)
		if err := fs.Parse(strings.Fields(s)); err != nil {
			return
		}
		cfg, err := flags.Config()
		if err != nil {
			return
		}
		require.NoError(t, cfg.Validate(), "Config accepted %q", s)
		// What was accepted is usable: numbers are numbers, in range.
		for name, v := range map[string]float64{
			"error-rate": cfg.ErrorRate, "rate": cfg.Rate, "trace-sample": cfg.TraceSample,
			"abort-error-rate": cfg.AbortErrorRate, "validate-sample": cfg.ValidateSample,
		} {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "-%s accepted as %v from %q", name, v, s)
		}
		require.LessOrEqual(t, cfg.Rate, float64(MaxRate))
		if cfg.Think != "" {
			_, err := ParseThink(cfg.Think)
			require.NoError(t, err)
		}
	})
}
