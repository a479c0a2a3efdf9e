package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/learn"
)

// writeLog writes a Combined log of users browsing items, every pause
// 2 s (the format's clock has one-second resolution).
func writeLog(t *testing.T, path, listPath string, users int) {
	t.Helper()
	var b strings.Builder
	start := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	for u := range users {
		at := start.Add(time.Duration(u) * time.Second)
		for i := range 8 {
			p := fmt.Sprintf("/api/items/%d", 100+i*u)
			if i%2 == 0 {
				p = listPath + "?page=" + fmt.Sprint(i)
			}
			fmt.Fprintf(&b, "10.0.0.%d - %d [%s] \"GET %s HTTP/1.1\" 200 42 \"-\" \"ua\"\n", u%200, 5000+u, at.Format("02/Jan/2006:15:04:05 -0700"), p)
			at = at.Add(2 * time.Second)
		}
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

func TestRun_LearnAndCompare(t *testing.T) {
	dir := t.TempDir()
	a, b, model := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log"), filepath.Join(dir, "model.yaml")
	writeLog(t, a, "/api/items", 300)
	writeLog(t, b, "/api/products", 300)

	var out, errs bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-in", a, "-out", model, "-session-gap", "1m"}, &out, &errs))
	assert.Contains(t, out.String(), "2400 requests")
	m, err := learn.ReadModel(model)
	require.NoError(t, err)
	assert.Contains(t, m.Routes, "GET /api/items/{id}")
	data, err := os.ReadFile(model)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "5001", "no user id in the model")

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-compare", "-session-gap", "1m", a, a}, &out, &errs), out.String())
	assert.Contains(t, out.String(), "endpoint mix JSD")
	out.Reset()
	err = run(context.Background(), []string{"-compare", "-session-gap", "1m", a, b}, &out, &errs)
	require.ErrorIs(t, err, learn.ErrPastThresholds, "a log of other routes is far: exit 1")
	assert.Contains(t, out.String(), "past threshold: endpoint mix JSD")
}

func TestParse_Errors(t *testing.T) {
	var errs bytes.Buffer
	_, err := parse([]string{"-session-gap", "-1s", "-max-k", "50"}, &errs)
	require.Error(t, err)
	for _, want := range []string{"-in:", "-session-gap", "-max-k"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = parse([]string{"-compare", "one.log"}, &errs)
	require.ErrorContains(t, err, "-compare: want two logs")
}
