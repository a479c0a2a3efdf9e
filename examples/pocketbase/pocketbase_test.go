// Package pocketbase simulates the users of a PocketBase app, started
// in-process: readers browsing posts anonymously, writers who sign up, log
// in (PocketBase wants the raw token in Authorization) and write.
package pocketbase

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/trafficsim/trafficsim/harness"
)

var flags = harness.RegisterFlagsWith(flag.CommandLine, defaults())

func defaults() harness.Config {
	c := harness.DefaultConfig()
	c.Users, c.MaxRequests, c.Duration, c.Cleanup = 30, 40, time.Minute, true
	c.Budgets = []string{"checks >= 99%", "error_rate < 1%", "p95(GET /api/collections/posts/records/{id}) < 500ms"}
	return c
}

const adminEmail, adminPassword = "admin@trafficsim.test", "trafficsim-example-1"

const posts = "/api/collections/posts/records"

func TestPocketBase(t *testing.T) {
	cfg, err := flags.Config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target == "" {
		cfg.Target = startPocketBase(t, adminEmail, adminPassword)
	}
	cfg.Auth = harness.TokenAuth("") // PocketBase: "Authorization: <token>"
	sim := harness.New(t, cfg)
	sim.Archetype("reader", 3, harness.Between(6, 30), reader)
	sim.Archetype("writer", 2, harness.Between(8, 30), writer)
	sim.OnCleanup(deleteRunData)
	sim.MustRun(t.Context()) // judges the budgets, each a subtest
}

type page struct {
	Items []struct{ ID string }
}

func reader(ctx context.Context, vu *harness.VU) error {
	var list page
	resp, err := vu.DoJSON(ctx, harness.Get(posts).Param("perPage", "20").
		Check("is a page", harness.HasJSON("items")), &list)
	if err != nil || !resp.OK || len(list.Items) == 0 {
		return err
	}
	id := list.Items[vu.Rand.IntN(len(list.Items))].ID
	// 404: its writer may have deleted the post since the list.
	if _, err := vu.Do(ctx, harness.Get(posts+"/{id}", id).Expect(200, 404)); err != nil {
		return err
	}
	_, err = vu.Do(ctx, harness.Get("/api/health").Check("healthy", harness.JSONEquals("code", 200)))
	return err
}

// author is what a writer remembers: the posts it wrote.
type author struct{ posts []string }

// writer signs up and logs in, then writes, edits and deletes posts.
func writer(ctx context.Context, vu *harness.VU) error {
	w, ok := vu.State.(*author)
	if !ok {
		w = &author{}
		vu.State = w
	}
	if vu.Token == "" {
		return signUp(ctx, vu)
	}
	switch {
	case vu.Bad():
		_, err := vu.Do(ctx, harness.Post(posts).JSON(map[string]string{"body": "no title"}).Injected(400))
		return err
	case len(w.posts) > 0 && vu.Chance(0.2):
		id := w.posts[0]
		w.posts = w.posts[1:]
		_, err := vu.Do(ctx, harness.Delete(posts+"/{id}", id))
		return err
	case len(w.posts) > 0 && vu.Chance(0.3):
		title := fmt.Sprintf("edited by %d", vu.Index)
		_, err := vu.Do(ctx, harness.Patch(posts+"/{id}", w.posts[0]).JSON(map[string]string{"title": title}).
			Check("title kept", harness.JSONEquals("title", title)))
		return err
	}
	var post struct{ ID string }
	resp, err := vu.DoJSON(ctx, harness.Post(posts).JSON(map[string]string{
		"title": fmt.Sprintf("post %d of user %d", vu.Budget()-vu.Remaining(), vu.Index), "body": "hello", "run": vu.RunID,
	}).Check("has id", harness.HasJSON("id")), &post)
	if err == nil && resp.OK {
		w.posts = append(w.posts, post.ID)
	}
	return err
}

func signUp(ctx context.Context, vu *harness.VU) error {
	email, password := vu.Email(""), fmt.Sprintf("pw-%s-%d", vu.RunID, vu.Index)
	account := map[string]string{"email": email, "password": password, "passwordConfirm": password}
	if _, err := vu.Do(ctx, harness.Post("/api/collections/users/records").JSON(account)); err != nil {
		return err
	}
	var auth struct{ Token string }
	login := map[string]string{"identity": email, "password": password}
	resp, err := vu.DoJSON(ctx, harness.Post("/api/collections/users/auth-with-password").JSON(login).
		Check("has token", harness.HasJSON("token")), &auth)
	if err == nil && resp.OK {
		vu.Token = auth.Token
	}
	return err
}

// deleteRunData deletes the run's users and posts, as the superuser.
func deleteRunData(ctx context.Context, scope harness.CleanupScope) error {
	var admin struct{ Token string }
	login := map[string]string{"identity": adminEmail, "password": adminPassword}
	if err := scope.DoJSON(ctx, "POST", "/api/collections/_superusers/auth-with-password", login, "", &admin); err != nil {
		return err
	}
	for collection, filter := range map[string]string{"posts": "run='%s'", "users": "email~'ts-%s-'"} {
		var list page
		records := "/api/collections/" + collection + "/records"
		query := "?perPage=500&filter=" + url.QueryEscape(fmt.Sprintf(filter, scope.RunID))
		if err := scope.DoJSON(ctx, "GET", records+query, nil, admin.Token, &list); err != nil {
			return err
		}
		for _, it := range list.Items {
			if err := scope.DoJSON(ctx, "DELETE", records+"/"+it.ID, nil, admin.Token, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
