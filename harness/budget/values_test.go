package budget

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{150 * time.Millisecond, "150ms"},
		{1500 * time.Millisecond, "1.5s"},
		{800 * time.Microsecond, "800us"},
		{time.Minute, "60s"},
		{1234567 * time.Nanosecond, "1.234567ms"},
		{999 * time.Nanosecond, "999ns"},
		{time.Duration(1<<63 - 1), "9223372036.854775807s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, formatDuration(tt.d))
			back, err := time.ParseDuration(tt.want)
			require.NoError(t, err)
			assert.Equal(t, tt.d, back, "the text must parse back exactly")
		})
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		bytes float64
		want  string
	}{
		{8192, "8KiB"},
		{8000, "8KB"},
		{512 << 20, "512MiB"},
		{1.5 * (1 << 30), "1.5GiB"},
		{100, "100B"},
		{1100, "1100B"},
		{1e12, "1TB"},
		{0.5, "0.5B"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, formatSize(tt.bytes))
			back, err := parseSize(tt.want)
			require.NoError(t, err)
			assert.Equal(t, tt.bytes, back, "the text must parse back exactly")
		})
	}
}

func TestShiftDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.95", "95"},
		{"0.005", "0.5"},
		{"1", "100"},
		{"0", "0"},
		{"0.1234", "12.34"},
		{"00.010", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, shiftDecimal(tt.in))
		})
	}
}

func TestParseLimit(t *testing.T) {
	tests := []struct {
		name      string
		kind      valueKind
		tok       string
		wantValue float64
		wantText  string
	}{
		{"milliseconds", kindDuration, "150ms", 150, "150ms"},
		{"seconds in ms", kindDuration, "1.5s", 1500, "1.5s"},
		{"microseconds in ms", kindDuration, "800us", 0.8, "800us"},
		{"percent", kindRatio, "2.5%", 2.5, "2.5%"},
		{"ratio as percent", kindRatio, "0.07", 7, "7%"},
		{"count", kindCount, "007", 7, "7"},
		{"rate", kindRate, "12.50", 12.5, "12.5"},
		{"rate per second", kindRate, "200/s", 200, "200"},
		{"size", kindBytes, "8KiB", 8192, "8KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLimit(tt.kind, tt.tok)
			require.NoError(t, err)
			assert.Equal(t, tt.wantValue, got.value)
			assert.Equal(t, tt.wantText, got.text)
		})
	}
}
