package main

import (
	"context"
	"errors"
	"testing"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/flow/hubtest"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// TestAdminFor: with no hub the manager's desk works on this computer's
// database; once the desktop is enrolled with a hub as the manager's, every
// call goes to the hub, which refuses anyone else and, stopped, is
// unavailable. A supervisor never gets a service.
func TestAdminFor(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the demo")
	}
	ctx := context.Background()
	db, err := openLocal(ctx, t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wf, err := flow.New(db)
	if err != nil {
		t.Fatal(err)
	}
	sy := flow.NewSync(wf, dsync.ClientOptions{})
	get := adminFor(db, sy)
	manager := flow.User{Username: demo.ManagerUsername, Manager: true}

	if _, err := get(ctx, flow.User{Username: demo.SupervisorUsername}); !errors.Is(err, admin.ErrForbidden) {
		t.Fatalf("a supervisor's service: %v, want ErrForbidden", err)
	}
	local, err := get(ctx, manager)
	if err != nil {
		t.Fatal(err)
	}
	scope, err := local.Scope(ctx)
	if err != nil || scope.Remote || scope.Username != demo.ManagerUsername {
		t.Fatalf("local scope = %+v, %v", scope, err)
	}
	halls, err := local.Halls(ctx, "")
	if err != nil || len(halls) != 3 {
		t.Fatalf("local halls: %d, %v", len(halls), err)
	}

	hub := hubtest.FromCopy(t, db, hubtest.WithAdmin())
	if err := sy.Enrol(ctx, hub.ManagerInvite("李经理的电脑", demo.ManagerUsername)); err != nil {
		t.Fatal(err)
	}
	remote, err := get(ctx, manager)
	if err != nil {
		t.Fatal(err)
	}
	scope, err = remote.Scope(ctx)
	if err != nil || !scope.Remote || scope.HubURL != hub.URL || scope.Username != demo.ManagerUsername {
		t.Fatalf("remote scope = %+v, %v (hub %s)", scope, err, hub.URL)
	}
	if halls, err := remote.Halls(ctx, ""); err != nil || len(halls) != 3 {
		t.Fatalf("remote halls: %d, %v", len(halls), err)
	}
	// The desktop is the manager's: the hub refuses it for anyone else.
	other, err := get(ctx, flow.User{Username: demo.SupervisorUsername})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Scope(ctx); !errors.Is(err, admin.ErrForbidden) {
		t.Fatalf("the supervisor over the manager's desktop: %v, want ErrForbidden", err)
	}

	hub.Stop()
	if _, err := remote.Halls(ctx, ""); !errors.Is(err, admin.ErrUnavailable) {
		t.Fatalf("halls with the hub stopped: %v, want ErrUnavailable", err)
	}
}
