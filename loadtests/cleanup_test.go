package loadtests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/fixtures/userservice"
	"github.com/trafficsim/trafficsim/harness"
)

// TestCleanup_LeavesWhatWasThere: 50 users existed before a run with
// -cleanup; afterwards exactly those 50 (and the admin) remain.
func TestCleanup_LeavesWhatWasThere(t *testing.T) {
	opts := adminOptions(t)
	srv := userservice.NewServer(t, userservice.Options{AdminEmail: opts.AdminEmail, AdminPassword: opts.AdminPassword})
	var before []string
	for k := range 50 {
		email := fmt.Sprintf("existing-%02d@example.test", k)
		_, err := srv.Service.CreateUser(t.Context(), userservice.NewUser{Email: email, Password: "Existing-pass-1", Name: fmt.Sprintf("Existing %d", k)})
		require.NoError(t, err)
		before = append(before, email)
	}
	before = append(before, opts.AdminEmail)
	sort.Strings(before)

	cfg := harness.DefaultConfig()
	cfg.Target, cfg.Users, cfg.MaxRequests, cfg.Cleanup = srv.URL, 80, 80, true
	cfg.ReportDir, cfg.Progress = t.TempDir(), 0
	res := populate(t, cfg, opts).MustRun(t.Context())
	require.Positive(t, res.Summary.Endpoint("POST /api/auth/register").Requests)
	require.Positive(t, res.Summary.Endpoint("POST /api/admin/users/bulk").Requests, "admins created users in bulk too")

	after := allEmails(t, srv.URL, opts.AdminEmail, opts.AdminPassword)
	assert.Equal(t, before, after, "exactly the users that were there before remain")
}

// allEmails lists every user's address through the API, as the admin.
func allEmails(t *testing.T, base, email, password string) []string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(base+"/api/auth/login", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	var out []string
	for pg := 1; ; pg++ {
		req, err := http.NewRequest(http.MethodGet, base+"/api/users?"+url.Values{"page": {fmt.Sprint(pg)}, "per_page": {"100"}}.Encode(), nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var p struct {
			Items []struct {
				Email string `json:"email"`
			} `json:"items"`
			Total int `json:"total"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
		resp.Body.Close()
		for _, u := range p.Items {
			out = append(out, u.Email)
		}
		if len(p.Items) == 0 || pg*100 >= p.Total {
			break
		}
	}
	sort.Strings(out)
	return out
}
