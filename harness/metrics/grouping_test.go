package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGroupingGatherer_Gather(t *testing.T) {
	reg := prometheus.NewRegistry()
	same := prometheus.NewGauge(prometheus.GaugeOpts{Name: "same", Help: "h", ConstLabels: prometheus.Labels{"run_id": "r1", "seed": "1"}})
	other := prometheus.NewGauge(prometheus.GaugeOpts{Name: "other", Help: "h", ConstLabels: prometheus.Labels{"run_id": "r2"}})
	plain := prometheus.NewCounter(prometheus.CounterOpts{Name: "plain_total", Help: "h"})
	reg.MustRegister(same, other, plain)
	same.Set(1)
	other.Set(2)
	plain.Add(3)

	gg := groupingGatherer{g: reg, grouping: map[string]string{"run_id": "r1", "instance": "0"}}
	got, err := gg.Gather()
	require.NoError(t, err)
	fams := familiesByName(got)
	tests := []struct {
		name       string
		family     string
		wantLabels map[string]string
		wantValue  float64
	}{
		{name: "same value is dropped", family: "same", wantLabels: map[string]string{"seed": "1"}, wantValue: 1},
		{name: "different value is kept", family: "other", wantLabels: map[string]string{"run_id": "r2"}, wantValue: 2},
		{name: "no labels untouched", family: "plain_total", wantLabels: map[string]string{}, wantValue: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, fams, tt.family)
			m := fams[tt.family].Metric[0]
			assert.Equal(t, tt.wantLabels, labelMap(m))
			assert.Equal(t, tt.wantValue, m.GetGauge().GetValue()+m.GetCounter().GetValue())
		})
	}
}
