package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummary_latencyMergesEveryEndpoint(t *testing.T) {
	s := &Summary{Endpoints: []Endpoint{
		ep("GET /fast", 1000, 1, 2, 3, 4),
		ep("GET /slow", 1000, 100, 200, 300, 400),
		{Name: "GET /never"}, // no requests, no histogram
	}}
	all, err := s.Latency()
	require.NoError(t, err)
	assert.Equal(t, int64(2000), all.TotalCount(), "every request of every endpoint")
	assert.InDelta(t, 4, MillisAt(all, 50), 0.01, "half the requests are fast ones (at most 4 ms)")
	assert.InDelta(t, 300, MillisAt(all, 99), 0.5)

	s.Endpoints = append(s.Endpoints, Endpoint{Name: "GET /broken", Histogram: "not a histogram"})
	_, err = s.Latency()
	assert.ErrorContains(t, err, "GET /broken", "the error names the endpoint whose histogram does not decode")
}
