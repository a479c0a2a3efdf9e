package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Run is one run's metrics: its collectors on a registry of its own (never
// the global default) beside the Go and process collectors, and the pusher
// of that registry when there is a Pushgateway.
type Run struct {
	Collectors *Collectors
	Registry   *prometheus.Registry
	Pusher     *Pusher // nil when the PusherConfig has no URL
}

// NewRun returns the metrics of the run that info names, with a Pusher of
// them built from push when push.URL is set (see NewPusher; the same run id
// should be in both).
func NewRun(info RunInfo, push PusherConfig) (*Run, error) {
	m := &Run{Collectors: New(info), Registry: prometheus.NewRegistry()}
	if err := m.Collectors.Register(m.Registry); err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	if err := m.Registry.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("register Go collector: %w", err)
	}
	if err := m.Registry.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("register process collector: %w", err)
	}
	if push.URL == "" {
		return m, nil
	}
	p, err := NewPusher(push, m.Registry)
	if err != nil {
		return nil, err
	}
	m.Pusher = p
	return m, nil
}
