package pocketbase

import (
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// startPocketBase runs PocketBase in-process on a loopback port, on a
// fresh data folder: a superuser for the cleanup, and a "posts" collection
// anyone may read and signed-in users may write. It stops in t.Cleanup.
func startPocketBase(t testing.TB, adminEmail, adminPassword string) string {
	t.Helper()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: t.TempDir(), HideStartBanner: true})
	if err := app.Bootstrap(); err != nil {
		t.Fatalf("bootstrap pocketbase: %v", err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	superusers, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	admin := core.NewRecord(superusers)
	admin.SetEmail(adminEmail)
	admin.SetPassword(adminPassword)
	if err := app.Save(admin); err != nil {
		t.Fatalf("create superuser: %v", err)
	}
	posts := core.NewBaseCollection("posts")
	posts.Fields.Add(&core.TextField{Name: "title", Required: true, Max: 200}, &core.TextField{Name: "body"},
		&core.TextField{Name: "run"})
	signedIn := types.Pointer(`@request.auth.id != ""`)
	posts.ListRule, posts.ViewRule = types.Pointer(""), types.Pointer("")
	posts.CreateRule, posts.UpdateRule, posts.DeleteRule = signedIn, signedIn, signedIn
	if err := app.Save(posts); err != nil {
		t.Fatalf("create collection posts: %v", err)
	}
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	serve := &core.ServeEvent{App: app, Router: router}
	var srv *httptest.Server
	err = app.OnServe().Trigger(serve, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		srv = httptest.NewServer(mux)
		return nil
	})
	if err != nil {
		t.Fatalf("serve pocketbase: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv.URL
}
