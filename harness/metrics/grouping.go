package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// groupingGatherer drops labels that repeat the grouping key with the same
// value. The push package refuses to push a metric carrying a grouping label
// (trafficsim_run_info carries run_id), while the Pushgateway adds the
// grouping labels to every metric of the group anyway, so the pushed series
// end up with exactly the labels they have locally. A label that differs
// from the grouping key is kept, and the push fails loudly.
type groupingGatherer struct {
	g        prometheus.Gatherer
	grouping map[string]string
}

// Gather gathers the wrapped gatherer and strips the redundant labels,
// without changing the families it returned.
func (gg groupingGatherer) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := gg.g.Gather()
	out := make([]*dto.MetricFamily, 0, len(mfs))
	for _, mf := range mfs {
		if !gg.redundant(mf) {
			out = append(out, mf)
			continue
		}
		c := &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type, Unit: mf.Unit}
		for _, m := range mf.Metric {
			c.Metric = append(c.Metric, &dto.Metric{
				Label:       gg.strip(m.Label),
				Gauge:       m.Gauge,
				Counter:     m.Counter,
				Summary:     m.Summary,
				Untyped:     m.Untyped,
				Histogram:   m.Histogram,
				TimestampMs: m.TimestampMs,
			})
		}
		out = append(out, c)
	}
	return out, err
}

// redundant reports whether any metric of mf carries a grouping label with
// the grouping value.
func (gg groupingGatherer) redundant(mf *dto.MetricFamily) bool {
	for _, m := range mf.Metric {
		for _, l := range m.Label {
			if v, ok := gg.grouping[l.GetName()]; ok && v == l.GetValue() {
				return true
			}
		}
	}
	return false
}

// strip returns labels without those that repeat the grouping key.
func (gg groupingGatherer) strip(labels []*dto.LabelPair) []*dto.LabelPair {
	out := make([]*dto.LabelPair, 0, len(labels))
	for _, l := range labels {
		if v, ok := gg.grouping[l.GetName()]; ok && v == l.GetValue() {
			continue
		}
		out = append(out, l)
	}
	return out
}
