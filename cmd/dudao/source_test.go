package main

import (
	"context"
	"testing"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
)

// On first start the app creates the demo, and the workflow the screens use
// finds its halls, users and draft; a second start reuses it.
func TestFirstStartOpensOnDemoData(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the demo")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openLocal(ctx, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := flow.New(db)
	if err != nil {
		t.Fatal(err)
	}
	users, err := wf.Users(ctx)
	if err != nil || len(users) != len(demo.Logins) {
		t.Fatalf("%d users, %v; want the demo's %d", len(users), err, len(demo.Logins))
	}
	u, err := wf.SignIn(ctx, demo.SupervisorUsername, demo.SupervisorPIN)
	if err != nil {
		t.Fatalf("sign in as the demo supervisor: %v", err)
	}
	halls, err := wf.Halls(ctx, u, "")
	if err != nil || len(halls) != 3 {
		t.Fatalf("%d halls, %v; want the demo's 3", len(halls), err)
	}
	drafts, err := wf.Drafts(ctx, u)
	if err != nil || len(drafts) != 1 {
		t.Errorf("%d drafts, %v; want the demo's one draft", len(drafts), err)
	}
	db.Close()

	db, err = openLocal(ctx, dir, true)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer db.Close()
	again, err := db.Halls(ctx)
	if err != nil || len(again) != 3 {
		t.Fatalf("second start: %d halls, %v; the demo must not be created twice", len(again), err)
	}
}
