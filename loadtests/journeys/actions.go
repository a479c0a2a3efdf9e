package journeys

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/trafficsim/trafficsim/harness"
)

// Each function below is one operation of the user service, done the way a
// client would, sometimes deliberately wrong at -error-rate.

var sorts = []string{"id", "-id", "email", "-email", "name", "-name", "created_at", "-created_at"}

func me(ctx context.Context, vu *harness.VU, st *state) error {
	var u user
	_, ok, err := do(ctx, vu, harness.Get("/api/auth/me"), &u)
	if ok {
		st.id = u.ID
	}
	return err
}

func listUsers(ctx context.Context, vu *harness.VU, st *state) error {
	req := harness.Get("/api/users").
		Param("page", strconv.Itoa(1+vu.Rand.IntN(3))).
		Param("per_page", strconv.Itoa(10+vu.Rand.IntN(41))).
		Param("sort", sorts[vu.Rand.IntN(len(sorts))])
	if vu.Chance(0.3) {
		req.Param("search", "user "+strconv.Itoa(vu.Rand.IntN(10)))
	}
	var p page[user]
	_, ok, err := do(ctx, vu, req, &p)
	if ok {
		for _, u := range p.Items {
			st.remember(u.ID)
		}
	}
	return err
}

// pageThrough reads n pages of the user list, as a power user scrolling
// does. It reads all n whatever the list's length, so what a user does
// depends on its seed and index only, not on what other users did.
func pageThrough(ctx context.Context, vu *harness.VU, st *state, n int) error {
	for pg := 1; pg <= n; pg++ {
		var p page[user]
		req := harness.Get("/api/users").Param("page", strconv.Itoa(pg)).Param("per_page", "50")
		_, ok, err := do(ctx, vu, req, &p)
		if err != nil {
			return err
		}
		if ok {
			for _, u := range p.Items {
				st.remember(u.ID)
			}
		}
	}
	return nil
}

func getUser(ctx context.Context, vu *harness.VU, st *state) error {
	if vu.Bad() {
		_, _, err := do(ctx, vu, harness.Get("/api/users/{id}", missingID).Injected(http.StatusNotFound), nil)
		return err
	}
	_, _, err := do(ctx, vu, otherUser(harness.Get("/api/users/{id}", st.someUser(vu))), nil)
	return err
}

// otherUser accepts 404 besides 200 for a request about a user seen in a
// list earlier: an admin may have deleted them since, a normal answer.
func otherUser(req *harness.Request) *harness.Request {
	return req.Expect(http.StatusOK, http.StatusNotFound)
}

func putUser(ctx context.Context, vu *harness.VU, st *state) error {
	body := map[string]string{"email": st.email, "name": fmt.Sprintf("User %d (%s)", vu.Index, vu.Archetype)}
	_, _, err := do(ctx, vu, harness.Put("/api/users/{id}", st.id).JSON(body), nil)
	return err
}

func patchUser(ctx context.Context, vu *harness.VU, st *state) error {
	if vu.Bad() {
		_, _, err := do(ctx, vu, harness.Patch("/api/users/{id}", st.id).JSON(map[string]string{}).Injected(http.StatusUnprocessableEntity), nil)
		return err
	}
	body := map[string]string{"name": fmt.Sprintf("User %d v%d", vu.Index, vu.Rand.IntN(100))}
	_, _, err := do(ctx, vu, harness.Patch("/api/users/{id}", st.id).JSON(body), nil)
	return err
}

func getProfile(ctx context.Context, vu *harness.VU, st *state) error {
	_, _, err := do(ctx, vu, otherUser(harness.Get("/api/users/{id}/profile", st.someUser(vu))), nil)
	return err
}

func putProfile(ctx context.Context, vu *harness.VU, st *state) error {
	if vu.Bad() {
		bad := map[string]string{"bio": "x", "location": "Nowhere", "website": "ftp://not-http"}
		_, _, err := do(ctx, vu, harness.Put("/api/users/{id}/profile", st.id).JSON(bad).Injected(http.StatusUnprocessableEntity), nil)
		return err
	}
	cities := []string{"Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi", "Lima"}
	body := map[string]string{
		"bio":      fmt.Sprintf("Simulated %s user number %d.", vu.Archetype, vu.Index),
		"location": cities[vu.Rand.IntN(len(cities))],
		"website":  fmt.Sprintf("https://example.test/u/%d", vu.Index),
	}
	_, _, err := do(ctx, vu, harness.Put("/api/users/{id}/profile", st.id).JSON(body), nil)
	return err
}

func getPreferences(ctx context.Context, vu *harness.VU, st *state) error {
	_, _, err := do(ctx, vu, harness.Get("/api/users/{id}/preferences", st.id), nil)
	return err
}

func putPreferences(ctx context.Context, vu *harness.VU, st *state) error {
	themes := []string{"light", "dark", "system"}
	langs := []string{"en", "de", "fr", "es", "ja"}
	body := map[string]any{
		"theme": themes[vu.Rand.IntN(3)], "language": langs[vu.Rand.IntN(len(langs))],
		"email_notifications": vu.Chance(0.5),
	}
	_, _, err := do(ctx, vu, harness.Put("/api/users/{id}/preferences", st.id).JSON(body), nil)
	return err
}

func getAvatar(ctx context.Context, vu *harness.VU, st *state) error {
	req := harness.Get("/api/users/{id}/avatar", st.id)
	if !st.hasAvatar {
		req.Expect(http.StatusOK, http.StatusNotFound) // none yet is a normal answer
	}
	_, _, err := do(ctx, vu, req, nil)
	return err
}

func putAvatar(ctx context.Context, vu *harness.VU, st *state) error {
	types := []string{"image/png", "image/jpeg", "image/webp"}
	sum := fmt.Sprintf("%016x%016x%016x%016x", vu.Rand.Uint64(), vu.Rand.Uint64(), vu.Rand.Uint64(), vu.Rand.Uint64())
	body := map[string]any{"content_type": types[vu.Rand.IntN(3)], "size_bytes": 1024 + vu.Rand.IntN(1<<20), "sha256": sum}
	_, ok, err := do(ctx, vu, harness.Put("/api/users/{id}/avatar", st.id).JSON(body), nil)
	if ok {
		st.hasAvatar = true
	}
	return err
}

func deleteAvatar(ctx context.Context, vu *harness.VU, st *state) error {
	if !st.hasAvatar {
		return putAvatar(ctx, vu, st)
	}
	_, ok, err := do(ctx, vu, harness.Delete("/api/users/{id}/avatar", st.id), nil)
	if ok {
		st.hasAvatar = false
	}
	return err
}

func activity(ctx context.Context, vu *harness.VU, st *state) error {
	req := harness.Get("/api/users/{id}/activity", st.id).Param("page", "1").Param("per_page", "20")
	_, _, err := do(ctx, vu, req, nil)
	return err
}

func notifications(ctx context.Context, vu *harness.VU, st *state) error {
	req := harness.Get("/api/notifications").Param("page", "1").Param("per_page", "20")
	if vu.Chance(0.5) {
		req.Param("unread", "true")
	}
	var p page[notification]
	_, ok, err := do(ctx, vu, req, &p)
	if ok {
		st.notifications = st.notifications[:0]
		for _, n := range p.Items {
			if !n.Read && len(st.notifications) < maxSeen {
				st.notifications = append(st.notifications, n.ID)
			}
		}
	}
	return err
}

func unreadCount(ctx context.Context, vu *harness.VU, _ *state) error {
	_, _, err := do(ctx, vu, harness.Get("/api/notifications/unread-count"), nil)
	return err
}

func readNotification(ctx context.Context, vu *harness.VU, st *state) error {
	if len(st.notifications) == 0 {
		return notifications(ctx, vu, st)
	}
	id := st.notifications[len(st.notifications)-1]
	st.notifications = st.notifications[:len(st.notifications)-1]
	_, _, err := do(ctx, vu, harness.Post("/api/notifications/{id}/read", id), nil)
	return err
}

func readAll(ctx context.Context, vu *harness.VU, st *state) error {
	st.notifications = st.notifications[:0]
	_, _, err := do(ctx, vu, harness.Post("/api/notifications/read-all"), nil)
	return err
}

func refresh(ctx context.Context, vu *harness.VU, st *state) error {
	if st.refresh == "" {
		return login(ctx, vu, st)
	}
	var t tokens
	_, ok, err := do(ctx, vu, harness.Post("/api/auth/refresh").JSON(map[string]string{"refresh_token": st.refresh}).Anonymous(), &t)
	if ok {
		vu.Token, st.refresh = t.AccessToken, t.RefreshToken
	} else if err == nil {
		vu.Token, st.refresh = "", ""
	}
	return err
}

func logout(ctx context.Context, vu *harness.VU, st *state) error {
	_, _, err := do(ctx, vu, harness.Post("/api/auth/logout"), nil)
	vu.Token, st.refresh = "", ""
	return err
}

func changePassword(ctx context.Context, vu *harness.VU, st *state) error {
	if vu.Bad() {
		wrong := map[string]string{"old_password": st.password + "-wrong", "new_password": "Another-Pass-123"}
		_, _, err := do(ctx, vu, harness.Post("/api/auth/change-password").JSON(wrong).Injected(http.StatusUnauthorized), nil)
		return err
	}
	next := password(vu.Rand)
	body := map[string]string{"old_password": st.password, "new_password": next}
	_, ok, err := do(ctx, vu, harness.Post("/api/auth/change-password").JSON(body), nil)
	if ok {
		st.password = next
	}
	return err
}

func sessions(ctx context.Context, vu *harness.VU, st *state) error {
	var list []session
	_, ok, err := do(ctx, vu, harness.Get("/api/sessions"), &list)
	if err != nil || !ok {
		return err
	}
	for _, s := range list {
		if !s.Current {
			// Sign out another device.
			_, _, err = do(ctx, vu, harness.Delete("/api/sessions/{id}", s.ID), nil)
			return err
		}
	}
	return nil
}

// secondDevice logs in again, as from another device, making a session the
// user can later revoke; the new token replaces the old.
func secondDevice(ctx context.Context, vu *harness.VU, st *state) error {
	return login(ctx, vu, st)
}

func forbiddenAdmin(ctx context.Context, vu *harness.VU, _ *state) error {
	if !vu.Bad() {
		return unreadCount(ctx, vu, nil)
	}
	// A non-admin trying an admin route must be refused.
	_, _, err := do(ctx, vu, harness.Get("/api/admin/stats").Injected(http.StatusForbidden), nil)
	return err
}

// indexFromEmail returns the user index in an address made by VU.Email for
// the given run, and false for an address this run did not make.
func indexFromEmail(email, runID string) (int, bool) {
	prefix := "ts-" + runID + "-"
	if !strings.HasPrefix(email, prefix) {
		return 0, false
	}
	rest := email[len(prefix):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	return n, err == nil
}
