package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// version is the Alertmanager release the example runs, fetched from the
// Go module proxy and built from its source.
const version = "v0.35.0"

// alertmanager is a running Alertmanager process on a loopback port.
type alertmanager struct {
	URL         string // the API's base URL: http://127.0.0.1:PORT/api/v2
	Description string // its published API description (Swagger 2.0)
}

// requireReal skips the test when a real part cannot be had, or fails it
// under TRAFFICSIM_REQUIRE_REAL=1 (CI), where a missing part is a failure.
func requireReal(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("TRAFFICSIM_REQUIRE_REAL") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// startAlertmanager builds Alertmanager from its module (once per machine:
// the binary is kept in the user cache) and runs it on a free loopback
// port, with basic auth for user/password and a receiver that sends
// nothing. It stops in t.Cleanup.
func startAlertmanager(t testing.TB, user, password string) alertmanager {
	t.Helper()
	dir := moduleDir(t, "github.com/prometheus/alertmanager@"+version)
	bin := buildAlertmanager(t, dir)
	work := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(work, "web.yml"), fmt.Sprintf("basic_auth_users:\n  %s: %s\n", user, hash))
	write(t, filepath.Join(work, "am.yml"), "route: {receiver: blackhole, group_by: [alertname]}\nreceivers: [{name: blackhole}]\n")
	port := freePort(t)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(work, "am.yml"), "--web.config.file="+filepath.Join(work, "web.yml"),
		"--storage.path="+filepath.Join(work, "data"), "--web.listen-address=127.0.0.1:"+port, "--cluster.listen-address=",
		// Past 8 concurrent GETs (its default limit on small machines)
		// Alertmanager answers 503, a status its description does not
		// list; the example's 30 users reach that, so the limit is raised.
		"--web.get-concurrency=64", "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start alertmanager: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", logs.String())
		}
	})
	base := "http://127.0.0.1:" + port
	waitReady(t, base+"/-/ready", user, password, done)
	return alertmanager{URL: base + "/api/v2", Description: filepath.Join(dir, "api", "v2", "openapi.yaml")}
}

// moduleDir downloads a module through the Go module proxy (or finds it in
// the module cache) and returns its folder.
func moduleDir(t testing.TB, modVersion string) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", modVersion).Output()
	if err != nil {
		requireReal(t, "download %s: %v", modVersion, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		requireReal(t, "download %s: %s %v", modVersion, m.Error, err)
	}
	return m.Dir
}

// buildAlertmanager builds cmd/alertmanager from a copy of the module: the
// module's zip lacks the web UI's built assets, which the binary embeds, so
// the copy gets an empty page in their place (the API does not use them).
func buildAlertmanager(t testing.TB, modDir string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "trafficsim-examples", "alertmanager-"+version)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	src := filepath.Join(t.TempDir(), "alertmanager")
	if err := copyTree(modDir, src); err != nil {
		t.Fatalf("copy the alertmanager module: %v", err)
	}
	for _, ui := range []string{"elm", "mantine"} {
		write(t, filepath.Join(src, "ui", "app", "dist", ui, "index.html"), "<!doctype html><title>alertmanager</title>\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	tmp := bin + ".tmp" + strconv.Itoa(os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, "./cmd/alertmanager")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		requireReal(t, "build alertmanager %s: %v\n%s", version, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatalf("keep the alertmanager binary: %v", err)
	}
	return bin
}

// copyTree copies a read-only module folder into dst, writable.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// waitReady polls url until it answers 200, the process ends, or 30 s pass.
func waitReady(t testing.TB, url, user, password string, exited <-chan struct{}) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth(user, password)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("alertmanager exited before it was ready")
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("alertmanager not ready at %s within 30s", url)
}
