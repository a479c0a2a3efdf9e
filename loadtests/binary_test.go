package loadtests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The compiled test binary of this package, built once per test process for
// the tests that run it as a separate process (signals, shards).
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryOut  []byte
)

// TestMain removes the compiled test binary, if a test built one.
func TestMain(m *testing.M) {
	code := m.Run()
	if binaryPath != "" {
		_ = os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}

// testBinary returns the path of this package's compiled test binary.
func testBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "trafficsim-loadtests-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "loadtests.test")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", binaryPath, ".")
		binaryOut, binaryErr = cmd.CombinedOutput()
	})
	if binaryErr != nil {
		t.Fatalf("build the loadtests test binary: %v\n%s", binaryErr, binaryOut)
	}
	return binaryPath
}
