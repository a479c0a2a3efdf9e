//go:build unix

package reports

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// chromiumTimeout bounds each headless Chromium call.
const chromiumTimeout = 60 * time.Second

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// chromiumPath finds Debian's headless-capable Chromium. When it is missing
// the test fails under TRAFFICSIM_REQUIRE_REAL=1 (CI) and is skipped
// otherwise; `make setup` installs it.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TRAFFICSIM_REQUIRE_REAL") == "1" {
		tb.Fatalf("chromium not found and TRAFFICSIM_REQUIRE_REAL=1; run `make setup`")
	}
	tb.Skip("chromium not found; run `make setup` (set TRAFFICSIM_REQUIRE_REAL=1 to fail instead)")
	return ""
}

// chromiumReportDir is where the test writes its reports: TRAFFICSIM_REPORT_DIR
// when set, so a person can open report.html and report.png afterwards, a
// temporary directory otherwise.
func chromiumReportDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("TRAFFICSIM_REPORT_DIR")
	if dir == "" {
		return tb.TempDir()
	}
	dir = filepath.Join(dir, "chromium-check")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("create report dir: %v", err)
	}
	return dir
}

// runChromium runs one headless Chromium command against url and returns
// its standard output. Chromium runs in a process group of its own, so a
// timeout, and the clean-up after a normal exit, kill exactly the browser
// this call started and its helper processes, nothing else.
func runChromium(ctx context.Context, tb testing.TB, bin, url string, extra ...string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(ctx, chromiumTimeout)
	defer cancel()
	home := tb.TempDir()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(home, "profile"),
	}, extra...)
	args = append(args, url)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		_ = killGroup(cmd.Process.Pid) // helpers left behind by a normal exit
	}
	if err != nil {
		tb.Fatalf("chromium %v: %v (context: %v)\nstderr (last 2 KB): %s", extra, err, ctx.Err(), tail(stderr.Bytes(), 2048))
	}
	return stdout.Bytes()
}

// killGroup kills the process group led by pid, which runChromium created;
// a group that is already gone is not an error.
func killGroup(pid int) error {
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// TestWriteAll_Chromium renders a realistic run with WriteAll, loads
// report.html in headless Chromium, and checks from the browser's DOM that
// every chart exists with its data points, then takes a screenshot.
func TestWriteAll_Chromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := chromiumReportDir(t)
	if err := WriteAll(dir, newTestSummary(t)); err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.ToSlash(abs)

	t.Run("dump-dom", func(t *testing.T) {
		dom := runChromium(t.Context(), t, bin, url, "--dump-dom")
		charts := parseCharts(t, string(dom))
		for name, want := range wantRealisticCharts {
			c, ok := charts[name]
			switch {
			case !ok:
				t.Errorf("chart %s missing from the DOM", name)
			case c.points <= 0 || c.points != want:
				t.Errorf("chart %s: data-points=%d, want %d", name, c.points, want)
			case c.marks != c.points:
				t.Errorf("chart %s: %d point elements in the DOM, data-points=%d", name, c.marks, c.points)
			case c.polylines != c.series:
				t.Errorf("chart %s: %d polylines in the DOM, data-series=%d", name, c.polylines, c.series)
			}
		}
		if len(charts) != len(wantRealisticCharts) {
			t.Errorf("DOM has %d charts, want %d", len(charts), len(wantRealisticCharts))
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		runChromium(t.Context(), t, bin, url, "--screenshot="+shot, "--window-size=1280,2400")
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatalf("read screenshot: %v", err)
		}
		if !bytes.HasPrefix(b, pngSignature) {
			t.Fatalf("report.png is not a PNG (starts %q)", tail(b[:min(len(b), 8)], 8))
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("decode report.png: %v", err)
		}
		if cfg.Width != 1280 || cfg.Height != 2400 || len(b) < 20<<10 {
			t.Errorf("report.png is %dx%d, %d bytes; want 1280x2400 and at least 20 KB", cfg.Width, cfg.Height, len(b))
		}
		t.Logf("screenshot: %s (%d bytes)", shot, len(b))
	})
}
