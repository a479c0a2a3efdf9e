package traceparent

import (
	"fmt"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name          string
		hi, lo, span  uint64
		sampled       bool
		want, traceID string
	}{
		{"W3C's example", 0x4bf92f3577b34da6, 0xa3ce929d0e0e4736, 0x00f067aa0ba902b7, true,
			"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"not sampled", 1, 2, 3, false,
			"00-00000000000000010000000000000002-0000000000000003-00", "00000000000000010000000000000002"},
		{"all ones", ^uint64(0), ^uint64(0), ^uint64(0), false,
			"00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-00", "ffffffffffffffffffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Format(tt.hi, tt.lo, tt.span, tt.sampled)
			if got != tt.want {
				t.Errorf("Format = %s, want %s", got, tt.want)
			}
			if got[3:35] != tt.traceID {
				t.Errorf("trace id [3:35] = %s, want %s", got[3:35], tt.traceID)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = Format(1, 2, 3, true) }); n > 1 {
		t.Errorf("Format allocates %v times, want 1 (the string)", n)
	}
}

func ExampleFormat() {
	fmt.Println(Format(0x4bf92f3577b34da6, 0xa3ce929d0e0e4736, 0x00f067aa0ba902b7, true))
	// Output: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
}
