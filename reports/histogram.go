package reports

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms record microseconds from 1 µs to one hour with three
// significant digits; every histogram of a run and of its shards shares this
// geometry so they merge without loss.
const (
	HistogramMinMicros  = 1
	HistogramMaxMicros  = int64(3600 * 1e6)
	HistogramSigFigures = 3
)

// NewHistogram returns an empty latency histogram with the shared geometry.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(HistogramMinMicros, HistogramMaxMicros, HistogramSigFigures)
}

// EncodeHistogram encodes h in the HdrHistogram compressed V2 format (base64 text).
func EncodeHistogram(h *hdrhistogram.Histogram) (string, error) {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	return string(b), nil
}

// DecodeHistogram decodes a histogram written by EncodeHistogram. An empty
// string decodes to an empty histogram.
func DecodeHistogram(s string) (*hdrhistogram.Histogram, error) {
	if s == "" {
		return NewHistogram(), nil
	}
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return h, nil
}

// MillisAt returns the value at quantile q (0–100) of a microsecond
// histogram, in milliseconds.
func MillisAt(h *hdrhistogram.Histogram, q float64) float64 {
	return float64(h.ValueAtQuantile(q)) / 1000
}

// Latency returns the run's latencies over every endpoint, merged exactly
// from the endpoints' histograms: what a benchmark reports as its p50, p95
// and p99.
func (s *Summary) Latency() (*hdrhistogram.Histogram, error) {
	all := NewHistogram()
	for _, e := range s.Endpoints {
		if err := mergeHistogram(all, e.Histogram, false, "latency of "+e.Name); err != nil {
			return nil, err
		}
	}
	return all, nil
}
