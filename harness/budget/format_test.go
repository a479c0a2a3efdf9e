package budget

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatMeasured(t *testing.T) {
	tests := []struct {
		name     string
		kind     valueKind
		measured float64
		limit    float64
		want     string
	}{
		{"milliseconds", kindDuration, 212.095, 150, "212ms"},
		{"tens of ms", kindDuration, 12.34, 150, "12.3ms"},
		{"microseconds", kindDuration, 0.85, 150, "850us"},
		{"seconds", kindDuration, 1534, 150, "1.53s"},
		{"digits added near the limit", kindDuration, 150.4, 150, "150.4ms"},
		{"digits added to show equality", kindDuration, 12.007, 12.007, "12.007ms"},
		{"just below the limit", kindDuration, 149.96, 150, "149.96ms"},
		{"percent", kindRatio, 2.3145, 1, "2.31%"},
		{"tiny percent", kindRatio, 0.012345, 1, "0.0123%"},
		{"zero", kindRatio, 0, 1, "0%"},
		{"almost all covered", kindRatio, 99.96, 100, "99.96%"},
		{"rate with thousands", kindRate, 12345.6, 100, "12,346 req/s"},
		{"rate", kindRate, 200.4, 200, "200.4 req/s"},
		{"bytes in KiB", kindBytes, 9420, 8192, "9.2KiB"},
		{"bytes in MiB", kindBytes, 600 << 20, 512 << 20, "600MiB"},
		{"bytes", kindBytes, 900, 1024, "900B"},
		{"count", kindCount, 12400, 10, "12,400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, formatMeasured(tt.kind, tt.measured, tt.limit))
		})
	}
}

func TestHumanInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{999, "999"},
		{1000, "1,000"},
		{1204, "1,204"},
		{1234567, "1,234,567"},
		{-12400, "-12,400"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, humanInt(tt.n))
		})
	}
}

func TestPlural(t *testing.T) {
	assert.Equal(t, "1 sample", plural(1, "sample"))
	assert.Equal(t, "0 samples", plural(0, "sample"))
	assert.Equal(t, "1,204 samples", plural(1204, "sample"))
}

func TestListNames(t *testing.T) {
	assert.Equal(t, "a, b", listNames([]string{"a", "b"}))
	assert.Equal(t, "a, b, c, d, e, and 2 more", listNames([]string{"a", "b", "c", "d", "e", "f", "g"}))
}
