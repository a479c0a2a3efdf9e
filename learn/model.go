package learn

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// ModelVersion is the version of the model file this package writes.
const ModelVersion = 1

// Model is what Learn fits from a log: readable and editable YAML. It
// holds route templates, query keys and figures — never a raw id, email,
// token or query value.
type Model struct {
	Version int `yaml:"version"`
	// Source describes the log it was learned from.
	Source Source `yaml:"source"`
	// Session says how requests were split into sessions.
	Session SessionSpec `yaml:"session"`
	// Arrivals is the rate at which sessions started, bucket by bucket.
	Arrivals Arrivals `yaml:"arrivals"`
	// Archetypes are the kinds of sessions found, heaviest first.
	Archetypes []Archetype `yaml:"archetypes"`
	// Routes describes each route template seen.
	Routes map[string]Route `yaml:"routes"`
	// Scale is how session length and mean think time were scaled into
	// the clustering features (log(1+x)/scale), for classifying other logs.
	Scale Scale `yaml:"scale"`
}

// Source describes the learned log.
type Source struct {
	Requests int      `yaml:"requests"`
	Sessions int      `yaml:"sessions"`
	Skipped  int      `yaml:"skipped_lines,omitempty"`
	Duration Duration `yaml:"duration"`
}

// SessionSpec is how sessions were split.
type SessionSpec struct {
	Key string   `yaml:"key"`
	Gap Duration `yaml:"gap"`
}

// Arrivals is the arrival rate of sessions over time.
type Arrivals struct {
	Bucket Duration `yaml:"bucket"`
	// PerSecond is the rate of session starts in each bucket from the
	// start of the log (the last bucket may be shorter: Duration says).
	PerSecond []float64 `yaml:"per_second"`
	Duration  Duration  `yaml:"duration"`
}

// Archetype is one kind of session.
type Archetype struct {
	Name string `yaml:"name"`
	// Weight is the share of sessions (0–1).
	Weight   float64 `yaml:"weight"`
	Sessions int     `yaml:"sessions"`
	// Mix is the share of each route in the archetype's requests.
	Mix map[string]float64 `yaml:"mix"`
	// Length is the number of requests of a session (sessions still open
	// when the log ended are left out).
	Length Dist `yaml:"length"`
	// Think is the pause between the end of an answer and the next request.
	Think ThinkFit `yaml:"think"`
	// Transitions gives, from each route (and START), the probability of
	// each next route (and END).
	Transitions map[string]map[string]float64 `yaml:"transitions"`
	// Centre is the cluster's centre in the two scaled features.
	Centre Centre `yaml:"centre"`
}

// Centre is an archetype's scaled length and mean think time.
type Centre struct {
	Length float64 `yaml:"length"`
	Think  float64 `yaml:"think"`
}

// Scale is the denominators of the scaled features.
type Scale struct {
	Length float64 `yaml:"length"`
	Think  float64 `yaml:"think_ms"`
}

// Dist is an empirical distribution: its mean and 101 quantiles (0 %,
// 1 %, …, 100 %), drawn from by linear interpolation.
type Dist struct {
	Mean      float64   `yaml:"mean"`
	Quantiles []float64 `yaml:"quantiles,flow"`
}

// ThinkFit is the fitted think time in milliseconds: the law chosen and
// the KS statistic of every law tried, and the empirical quantiles, used
// when Law is "empirical".
type ThinkFit struct {
	// Law is a harness think time ("lognormal:40ms,0.6") or "empirical".
	Law string  `yaml:"law"`
	KS  float64 `yaml:"ks"`
	// Tried is the KS statistic of each law fitted.
	Tried map[string]float64 `yaml:"tried"`
	Dist  `yaml:",inline"`
	// Samples is the number of pauses measured.
	Samples int `yaml:"samples"`
}

// Route is what the log says about one route template.
type Route struct {
	Requests int `yaml:"requests"`
	// ServerMs is the median time the server took, when the log says.
	ServerMs float64 `yaml:"server_ms"`
	// Statuses is the share of each status code.
	Statuses map[int]float64 `yaml:"statuses"`
	// QueryKeys is the share of requests with each set of query keys
	// (values are never kept).
	QueryKeys map[string]float64 `yaml:"query_keys,omitempty"`
	// Self is, for each path parameter, the share of requests whose value
	// was the session's own user id; the rest are ids seen elsewhere.
	Self map[string]float64 `yaml:"self,omitempty"`
}

// Duration is a time.Duration written as "1m30s" in YAML.
type Duration time.Duration

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalYAML reads "1m30s".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// WriteFile writes the model as YAML.
func (m *Model) WriteFile(path string) error {
	var buf bytes.Buffer
	buf.WriteString("# trafficsim-learn model: route templates, figures and laws; no raw ids, emails, tokens or query values.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

// ReadModel reads and validates a model file.
func ReadModel(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-model: %w", err)
	}
	var m Model
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("-model: %s: %w", path, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("-model: %s: %w", path, err)
	}
	return &m, nil
}

// Validate reports every problem of a (possibly hand-edited) model at once.
func (m *Model) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.Version != ModelVersion {
		bad("version: %d, want %d", m.Version, ModelVersion)
	}
	if len(m.Archetypes) == 0 {
		bad("archetypes: none")
	}
	total := 0.0
	for i, a := range m.Archetypes {
		where := fmt.Sprintf("archetypes[%d] (%s)", i, a.Name)
		if a.Name == "" {
			bad("archetypes[%d]: a name is required", i)
		}
		if a.Weight < 0 {
			bad("%s: weight %g is negative", where, a.Weight)
		}
		total += a.Weight
		if len(a.Transitions["START"]) == 0 {
			bad("%s: transitions: no START row", where)
		}
		for from, row := range a.Transitions {
			for to, p := range row {
				if p < 0 || p > 1 {
					bad("%s: transitions[%s][%s]: %g is not a probability", where, from, to, p)
				}
			}
		}
		if len(a.Length.Quantiles) < 2 {
			bad("%s: length: want quantiles", where)
		}
		if a.Think.Law == "empirical" && len(a.Think.Quantiles) < 2 {
			bad("%s: think: empirical law without quantiles", where)
		}
	}
	if len(m.Archetypes) > 0 && total <= 0 {
		bad("archetypes: weights sum to 0")
	}
	for i, r := range m.Arrivals.PerSecond {
		if r < 0 {
			bad("arrivals.per_second[%d]: %g is negative", i, r)
		}
	}
	if len(m.Arrivals.PerSecond) > 0 && m.Arrivals.Bucket <= 0 {
		bad("arrivals.bucket: must be positive")
	}
	return errors.Join(errs...)
}
