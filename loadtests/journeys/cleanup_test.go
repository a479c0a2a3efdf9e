package journeys

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
)

// mockService answers the Cleaner's three calls from a fixed user list and
// records what it deletes.
type mockService struct {
	users   []user
	deleted []int64
}

func (m *mockService) register(t *testing.T, client *http.Client) {
	t.Helper()
	httpmock.ActivateNonDefault(client)
	t.Cleanup(func() { httpmock.DeactivateAndReset() })
	httpmock.RegisterResponder(http.MethodPost, "http://svc.test/api/auth/login",
		func(req *http.Request) (*http.Response, error) {
			return httpmock.NewJsonResponse(http.StatusOK, map[string]any{"access_token": "admin-token"})
		})
	httpmock.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`^http://svc\.test/api/users\?`),
		func(req *http.Request) (*http.Response, error) {
			if req.Header.Get("Authorization") != "Bearer admin-token" {
				return httpmock.NewStringResponse(http.StatusUnauthorized, ""), nil
			}
			q := req.URL.Query()
			var match []user
			for _, u := range m.users {
				if strings.Contains(u.Email, q.Get("search")) {
					match = append(match, u)
				}
			}
			var pg, per int
			fmt.Sscan(q.Get("page"), &pg)
			fmt.Sscan(q.Get("per_page"), &per)
			lo, hi := min((pg-1)*per, len(match)), min(pg*per, len(match))
			return httpmock.NewJsonResponse(http.StatusOK, page[user]{Items: match[lo:hi], Page: pg, PerPage: per, Total: len(match)})
		})
	httpmock.RegisterRegexpResponder(http.MethodDelete, regexp.MustCompile(`^http://svc\.test/api/users/\d+$`),
		func(req *http.Request) (*http.Response, error) {
			var id int64
			fmt.Sscan(req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:], &id)
			m.deleted = append(m.deleted, id)
			return httpmock.NewStringResponse(http.StatusNoContent, ""), nil
		})
}

func TestCleaner_deletesOnlyThisRunsFinishedUsers(t *testing.T) {
	m := &mockService{}
	for i := range 250 { // three pages of this run's users
		m.users = append(m.users, user{ID: int64(i + 1), Email: fmt.Sprintf("ts-run1-%d@trafficsim.test", i)})
	}
	m.users = append(m.users,
		user{ID: 1001, Email: "ts-run1-7b3@trafficsim.test"}, // bulk-created by user 7
		user{ID: 1002, Email: "ts-run12-3@trafficsim.test"},  // another run whose id starts alike
		user{ID: 1003, Email: "someone@example.test"},        // was there before
		user{ID: 1004, Email: "x-ts-run1-5@trafficsim.test"}, // not an address this run made
	)
	client := &http.Client{}
	m.register(t, client)
	c := &Cleaner{Target: "http://svc.test", Opts: Options{AdminEmail: "admin@x.test", AdminPassword: "pw"}, Client: client}

	// Periodic cleanup: users 0–99 have finished, the others are active.
	require.NoError(t, c.Clean(context.Background(), harness.CleanupScope{RunID: "run1"}.WithFinished(func(i int) bool { return i < 100 })))
	sort.Slice(m.deleted, func(i, j int) bool { return m.deleted[i] < m.deleted[j] })
	want := []int64{}
	for i := range 100 {
		want = append(want, int64(i+1))
	}
	want = append(want, 1001) // user 7's bulk user goes with user 7
	assert.Equal(t, want, m.deleted)
	// 252 addresses contain the search text (x-ts-run1-5 among them, left
	// alone): a login, 3 pages of 100, and 101 deletes.
	assert.Equal(t, 1+3+101, httpmock.GetTotalCallCount())
}

func TestCleaner_needsAnAdmin(t *testing.T) {
	c := &Cleaner{Target: "http://svc.test", Client: &http.Client{}}
	err := c.Clean(context.Background(), harness.CleanupScope{RunID: "run1", Final: true})
	assert.ErrorContains(t, err, "cleanup needs an admin account")
}

func TestCleaner_failedLoginIsAnError(t *testing.T) {
	client := &http.Client{}
	httpmock.ActivateNonDefault(client)
	t.Cleanup(httpmock.DeactivateAndReset)
	httpmock.RegisterResponder(http.MethodPost, "http://svc.test/api/auth/login", httpmock.NewStringResponder(http.StatusUnauthorized, "{}"))
	c := &Cleaner{Target: "http://svc.test", Opts: Options{AdminEmail: "a@x.test", AdminPassword: "wrong"}, Client: client}
	err := c.Clean(context.Background(), harness.CleanupScope{RunID: "run1", Final: true})
	assert.ErrorContains(t, err, "cleanup login as admin: status 401")
}

// TestCleaner_logsInAgainWhenItsSessionIsPushedOut: the run's admin users
// log in as the same admin, and a service that caps live sessions per
// account (the reference service keeps 200) revokes the oldest — the
// cleanup's. The cleanup logs in again and finishes instead of failing
// with "cleanup list: status 401".
func TestCleaner_logsInAgainWhenItsSessionIsPushedOut(t *testing.T) {
	var (
		logins  int
		live    string // the one token the service still accepts
		deleted int
		calls   int
	)
	client := &http.Client{}
	httpmock.ActivateNonDefault(client)
	t.Cleanup(httpmock.DeactivateAndReset)
	pushOut := func() { live = "" } // 200 other logins happened meanwhile
	httpmock.RegisterResponder(http.MethodPost, "http://svc.test/api/auth/login",
		func(req *http.Request) (*http.Response, error) {
			logins++
			live = fmt.Sprintf("admin-token-%d", logins)
			return httpmock.NewJsonResponse(http.StatusOK, map[string]any{"access_token": live})
		})
	authorized := func(req *http.Request) bool {
		calls++
		ok := live != "" && req.Header.Get("Authorization") == "Bearer "+live
		if calls%3 == 0 {
			pushOut()
		}
		return ok
	}
	var users []user
	for i := range 5 {
		users = append(users, user{ID: int64(i + 1), Email: fmt.Sprintf("ts-run1-%d@trafficsim.test", i)})
	}
	httpmock.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`^http://svc\.test/api/users\?`),
		func(req *http.Request) (*http.Response, error) {
			if !authorized(req) {
				return httpmock.NewStringResponse(http.StatusUnauthorized, ""), nil
			}
			return httpmock.NewJsonResponse(http.StatusOK, page[user]{Items: users, Page: 1, PerPage: 100, Total: len(users)})
		})
	httpmock.RegisterRegexpResponder(http.MethodDelete, regexp.MustCompile(`^http://svc\.test/api/users/\d+$`),
		func(req *http.Request) (*http.Response, error) {
			if !authorized(req) {
				return httpmock.NewStringResponse(http.StatusUnauthorized, ""), nil
			}
			deleted++
			return httpmock.NewStringResponse(http.StatusNoContent, ""), nil
		})
	c := &Cleaner{Target: "http://svc.test", Opts: Options{AdminEmail: "admin@x.test", AdminPassword: "pw"}, Client: client}
	require.NoError(t, c.Clean(context.Background(), harness.CleanupScope{RunID: "run1", Final: true}))
	assert.Equal(t, 5, deleted, "every user of the run deleted")
	assert.Greater(t, logins, 1, "it logged in again")
}

func TestCleaner_usesTheScopesClientAndTarget(t *testing.T) {
	m := &mockService{users: []user{{ID: 1, Email: "ts-run1-0@trafficsim.test"}}}
	client := &http.Client{}
	m.register(t, client)
	j := New(Options{AdminEmail: "admin@x.test", AdminPassword: "pw"})
	scope := harness.CleanupScope{RunID: "run1", Final: true, Target: "http://svc.test", Client: client}
	require.NoError(t, j.Cleanup()(context.Background(), scope))
	assert.Equal(t, []int64{1}, m.deleted)
}
