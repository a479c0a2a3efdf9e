package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRun(t *testing.T) {
	m, err := NewRun(RunInfo{RunID: "run-1", Seed: "42", Version: "v0"}, PusherConfig{})
	require.NoError(t, err)
	assert.Nil(t, m.Pusher, "no URL, no pusher")
	mfs, err := m.Registry.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	assert.True(t, names[RunInfoName], "the run's collectors")
	assert.True(t, names["go_goroutines"], "the Go collector")
	assert.ErrorAs(t, m.Registry.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})),
		new(prometheus.AlreadyRegisteredError), "the process collector")
	assert.Equal(t, 1.0, testutil.ToFloat64(m.Collectors.runInfo))

	m, err = NewRun(RunInfo{RunID: "run-1"}, PusherConfig{URL: "http://127.0.0.1:9091", Job: "sim", RunID: "run-1"})
	require.NoError(t, err)
	require.NotNil(t, m.Pusher)

	_, err = NewRun(RunInfo{RunID: "run-1"}, PusherConfig{URL: "ftp://127.0.0.1:9091", Job: "sim", RunID: "run-1"})
	assert.Error(t, err, "the pusher's validation")
}
