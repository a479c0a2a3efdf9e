//go:build linux

package loadtests

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/internal/tbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/contract"
	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/loadtests/journeys"
)

// remoteAddr is the second address of lo inside the test's own network
// namespace: reachable, but not loopback (192.0.2.0/24 is TEST-NET-1), so it
// stands for another host without any traffic leaving the machine.
const remoteAddr = "192.0.2.1"

// The canaries the namespace test sends only to the target.
const (
	nsUserToken     = "NsUserT0ken"
	nsAPIKey        = "NsApiK3y"
	nsUserPassword  = "NsUserPassw0rd"
	nsAdminPassword = "NsAdminPassw0rd"
)

// TestOutbound_networkNamespace: inside a network namespace of its own
// (only lo, with a listener on a second address of it), a target that
// redirects there (302 and 307, at start-up and mid-run), an -openapi URL
// there or redirected there, and a cleanup whose login is redirected there
// send nothing there without -allow-remote; with it, no credential crosses
// origins. The test re-runs itself under `unshare -n`.
func TestOutbound_networkNamespace(t *testing.T) {
	if os.Getenv("TRAFFICSIM_NETNS_CHILD") == "1" {
		netnsChild(t)
		return
	}
	requireReal := os.Getenv("TRAFFICSIM_REQUIRE_REAL") == "1"
	missing := func(why string) {
		if requireReal {
			t.Fatalf("TRAFFICSIM_REQUIRE_REAL=1: %s", why)
		}
		t.Skip(why)
	}
	if os.Geteuid() != 0 {
		missing("a network namespace of its own needs root (unshare -n)")
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(tool + " is not installed (util-linux, iproute2: make setup)")
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-n", os.Args[0], "-test.run", "^TestOutbound_networkNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "TRAFFICSIM_NETNS_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "in the namespace:\n%s", tail(string(out)))
	require.Contains(t, string(out), "--- PASS: TestOutbound_networkNamespace", tail(string(out)))
	t.Logf("in the namespace:\n%s", grepLines(string(out), "netns:"))
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}

func netnsChild(t *testing.T) {
	for _, args := range [][]string{{"link", "set", "lo", "up"}, {"addr", "add", remoteAddr + "/32", "dev", "lo"}} {
		out, err := exec.Command("ip", args...).CombinedOutput()
		require.NoError(t, err, "ip %v: %s", args, out)
	}
	remote := startRecorder(t, remoteAddr+":0")
	target := redirectingTarget(t, remote.url)

	for _, allow := range []bool{false, true} {
		name := "without -allow-remote"
		if allow {
			name = "with -allow-remote"
		}
		t.Run(name, func(t *testing.T) {
			remote.seen() // start afresh
			cfg := harness.DefaultConfig()
			cfg.Target, cfg.AllowRemote, cfg.Cleanup = target, allow, true
			cfg.Users, cfg.MinRequests, cfg.MaxRequests = 2, 3, 3
			cfg.Think, cfg.ReportDir, cfg.Progress, cfg.Breaker = "none", t.TempDir(), 0, 0

			// -openapi on the other host, and the target's description
			// redirected there.
			cfg.OpenAPI = remote.url + "/openapi.json"
			if !allow {
				assert.ErrorContains(t, cfg.Validate(), "-openapi")
			}
			client := harness.NewClient(cfg)
			_, err := contract.Load(t.Context(), remote.url+"/openapi.json", client)
			if !allow {
				assert.Error(t, err, "the description is not fetched from another host")
			}
			_, err = contract.Load(t.Context(), target+"/openapi.json", client)
			if !allow {
				assert.Error(t, err, "nor through a redirect")
			}
			cfg.OpenAPI = ""

			ftb := tbtest.New(t)
			sim := harness.New(ftb, cfg)
			sim.Archetype("redirected", 1, harness.Between(3, 3), func(ctx context.Context, vu *harness.VU) error {
				vu.Token = nsUserToken
				for _, req := range []*harness.Request{
					harness.Get("/go302").SetHeader("X-Api-Key", nsAPIKey),
					harness.Post("/go307").JSON(map[string]string{"email": "u@x.test", "password": nsUserPassword}),
					harness.Get("/go302"),
				} {
					if _, err := vu.Do(ctx, req); err != nil {
						return err
					}
				}
				return nil
			})
			sim.OnCleanup(journeys.New(journeys.Options{AdminEmail: "admin@x.test", AdminPassword: nsAdminPassword}).Cleanup())
			res := sim.MustRun(t.Context())
			s := res.Summary
			assert.Contains(t, ftb.Messages(), "cleanup failed", "a cleanup that could not log in fails the test")

			seen := remote.seen()
			t.Logf("netns: %s: %d requests reached %s: %q", name, len(seen), remoteAddr, seen)
			if !allow {
				assert.Empty(t, seen, "nothing reaches another host")
				assert.EqualValues(t, 6, s.ErrorsByKind[string(kind.RemoteRefused)], "by kind: %v", s.ErrorsByKind)
				return
			}
			// Allowed: the description, and the users' 302s, arrive; the
			// 307s that would resend a password (a user's, the cleanup's
			// admin login) are not followed to another origin.
			require.NotEmpty(t, seen)
			for _, r := range seen {
				for _, secret := range []string{nsUserToken, nsAPIKey, nsUserPassword, nsAdminPassword, "Authorization", "Cookie"} {
					assert.NotContains(t, r, secret, "no credential crosses origins")
				}
				assert.NotContains(t, r, "POST", "no body is resent to another origin")
			}
			assert.EqualValues(t, 4, s.Endpoint("GET /go302").Codes["200"], "302s followed: %v", s.Endpoint("GET /go302").Codes)
			assert.EqualValues(t, 2, s.Endpoint("POST /go307").Codes["307"], "307s with a body not followed")
		})
	}
}

// redirectingTarget is a loopback target whose every route points to
// remote: / (the start-up check) and /go302 with 302, /go307 and the login
// the cleanup sends with 307, /openapi.json with 302.
func redirectingTarget(t *testing.T, remote string) string {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, remote+"/", http.StatusFound) })
	mux.HandleFunc("GET /go302", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "target-session", Path: "/"})
		http.Redirect(w, r, remote+"/landing", http.StatusFound)
	})
	mux.HandleFunc("POST /go307", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, remote+"/go307", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, remote+"/openapi.json", http.StatusFound)
	})
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, remote+"/api/auth/login", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}
