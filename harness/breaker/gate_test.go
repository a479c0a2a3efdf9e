package breaker

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
)

func TestGate_offAdmitsEverything(t *testing.T) {
	for _, g := range []*Gate{nil, NewGate(0, slog.Default())} {
		for range 10 {
			b, a := g.Admit("GET", "/x")
			assert.Nil(t, b)
			assert.Equal(t, Pass, a)
			g.Done(b, a, kind.Refused, "GET", "/x") // nothing to record, no panic
		}
	}
}

func TestGate_opensAfterTheThresholdAndSaysSo(t *testing.T) {
	var logged bytes.Buffer
	g := NewGate(3, slog.New(slog.NewTextHandler(&logged, nil)))
	for range 3 {
		b, a := g.Admit("GET", "/down")
		require.NotNil(t, b)
		require.NotEqual(t, Reject, a)
		g.Done(b, a, kind.Refused, "GET", "/down")
	}
	_, a := g.Admit("GET", "/down")
	assert.Equal(t, Reject, a, "three failures in a row open the circuit")
	assert.Contains(t, logged.String(), "circuit open")
	assert.Contains(t, logged.String(), "endpoint=\"GET /down\"")
	b, a := g.Admit("GET", "/up")
	assert.Equal(t, Pass, a, "each endpoint has its own breaker")
	g.Done(b, a, kind.None, "GET", "/up")
}

func TestGate_interruptedRequestsSayNothing(t *testing.T) {
	g := NewGate(2, slog.New(slog.DiscardHandler))
	for range 5 {
		b, a := g.Admit("GET", "/x")
		g.Done(b, a, kind.Interrupted, "GET", "/x")
	}
	_, a := g.Admit("GET", "/x")
	assert.NotEqual(t, Reject, a, "requests cut by the stop are no failures of the endpoint")
}
