package learn

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func learnSynth(t *testing.T, n int) (*Log, *Model, []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, synthLog(&buf, n, 1))
	l, err := Read(bytes.NewReader(buf.Bytes()), ReadOptions{})
	require.NoError(t, err)
	m, err := Learn(l, Options{Gap: 10 * time.Second, Bucket: 10 * time.Second})
	require.NoError(t, err)
	return l, m, buf.Bytes()
}

// TestLearn_NoRawValues plants ids, emails and tokens in paths, query
// values and the user field, and finds none of them in the model file.
func TestLearn_NoRawValues(t *testing.T) {
	_, m, raw := learnSynth(t, 20000)
	path := filepath.Join(t.TempDir(), "model.yaml")
	require.NoError(t, m.WriteFile(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	model := string(data)
	require.Contains(t, string(raw), "tok_", "the log holds tokens")
	require.Contains(t, string(raw), "@example.com", "the log holds emails")
	for _, canary := range []string{"tok_", "@", "example.com", "user1001", `"1001"`, "1001", "10.0."} {
		assert.NotContains(t, model, canary)
	}
	for _, needle := range []string{"GET /api/users/{id}/items/{id2}", "PUT /api/items/{id}", "page,q", "token"} {
		assert.Contains(t, model, needle, "templates and query keys are kept")
	}
	self := m.Routes["GET /api/users/{id}/items/{id2}"].Self
	assert.InDelta(t, 1, self["id"], 0.001, "the user's own id in the path, seen as such")
	assert.InDelta(t, 0, self["id2"], 0.05)
}

// TestLearn_Archetypes finds the two kinds of visitors of the synthetic
// log with their weights, and fits their think time as log-normal.
func TestLearn_Archetypes(t *testing.T) {
	_, m, _ := learnSynth(t, 40000)
	require.Len(t, m.Archetypes, 2)
	assert.InDelta(t, 0.7, m.Archetypes[0].Weight, 0.03, "readers")
	assert.InDelta(t, 0.3, m.Archetypes[1].Weight, 0.03, "writers")
	assert.Zero(t, m.Archetypes[0].Mix["PUT /api/items/{id}"], "readers never write")
	for _, a := range m.Archetypes {
		assert.True(t, strings.HasPrefix(a.Think.Law, "lognormal:"), "%s think law %s (tried %v)", a.Name, a.Think.Law, a.Think.Tried)
		assert.InDelta(t, 300, a.Think.Quantiles[50], 15, "%s median think ms", a.Name)
		assert.Equal(t, 1.0, a.Transitions["START"]["GET /health"], "%s: the anonymous health check starts every session", a.Name)
		assert.InDelta(t, 14.5, a.Length.Mean, 1.5, "%s mean session length", a.Name)
	}
	require.NotEmpty(t, m.Arrivals.PerSecond)
	for _, r := range m.Arrivals.PerSecond[:len(m.Arrivals.PerSecond)-1] {
		assert.Greater(t, r, 0.0)
	}
}

// TestCompare_SameAndDifferent: a log compared with itself is at distance
// 0; with a log of other visitors it is past the thresholds.
func TestCompare_SameAndDifferent(t *testing.T) {
	l, _, _ := learnSynth(t, 20000)
	opts := Options{Gap: 10 * time.Second, Bucket: 10 * time.Second}
	f, err := Compare(l, l, opts, DefaultThresholds)
	require.NoError(t, err)
	assert.Zero(t, f.EndpointJSD)
	assert.Zero(t, f.TransitionTV)
	assert.Zero(t, f.Arrival)
	assert.True(t, f.OK(), "%v", f.Problems)

	var buf bytes.Buffer
	require.NoError(t, synthLog(&buf, 20000, 1))
	slower := strings.ReplaceAll(buf.String(), "/api/items?page", "/api/other?page")
	other, err := Read(strings.NewReader(slower), ReadOptions{})
	require.NoError(t, err)
	f, err = Compare(l, other, opts, DefaultThresholds)
	require.NoError(t, err)
	assert.Greater(t, f.EndpointJSD, 0.05)
	assert.False(t, f.OK())
	var table bytes.Buffer
	require.NoError(t, f.WriteTable(&table, DefaultThresholds))
	assert.Contains(t, table.String(), "past threshold: endpoint mix JSD")
}

func TestModel_Validate(t *testing.T) {
	_, m, _ := learnSynth(t, 5000)
	require.NoError(t, m.Validate())
	m.Version = 9
	m.Archetypes[0].Weight = -1
	delete(m.Archetypes[0].Transitions, "START")
	err := m.Validate()
	require.Error(t, err)
	for _, want := range []string{"version: 9", "weight -1 is negative", "no START row"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestOptions_Validate(t *testing.T) {
	err := Options{Gap: -time.Second, MaxK: 99, Key: "cookie", Prologue: -1}.Validate()
	require.Error(t, err)
	for _, flag := range []string{"-session-gap", "-max-k", "-session-key", "-prologue"} {
		assert.Contains(t, err.Error(), flag)
	}
}
