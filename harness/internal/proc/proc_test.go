package proc

import (
	"runtime"
	"testing"
)

func TestFDLimit(t *testing.T) {
	lim := FDLimit()
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		if lim != 0 {
			t.Errorf("FDLimit = %d where it is not known, want 0", lim)
		}
	default:
		if lim == 0 {
			t.Error("FDLimit = 0 on a Unix system")
		}
	}
}

func TestPeakRSS(t *testing.T) {
	rss := PeakRSS()
	if runtime.GOOS != "linux" {
		if rss != 0 {
			t.Errorf("PeakRSS = %d off Linux, want 0", rss)
		}
		return
	}
	if rss < 1<<20 {
		t.Errorf("PeakRSS = %d bytes, less than a MiB for a running Go test", rss)
	}
	held := make([]byte, 64<<20)
	for i := range held {
		held[i] = 1
	}
	if after := PeakRSS(); after < 64<<20 {
		t.Errorf("PeakRSS = %d after touching 64 MiB (was %d)", after, rss)
	}
	runtime.KeepAlive(held)
}
