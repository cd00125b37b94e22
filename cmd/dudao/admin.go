package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// hubClient is what the manager's desk needs of sync: the client of the
// hub this computer is enrolled with (flow.Sync has it).
type hubClient interface {
	Client(ctx context.Context) (*dsync.Client, error)
}

// adminFor gives a signed-in manager their service. Enrolled with a hub
// (as a manager's desktop, dudao-hub device enrol --manager), every call
// goes to the hub's admin API, where master data is written; with no hub
// (the demo, a single office), the same screens work on this computer's
// database.
func adminFor(db *store.DB, hub hubClient) ui.AdminFor {
	return func(ctx context.Context, u flow.User) (admin.Service, error) {
		c, err := hub.Client(ctx)
		switch {
		case err == nil:
			return admin.NewRemote(c, u.Username, admin.RemoteOptions{}), nil
		case !errors.Is(err, dsync.ErrNotEnrolled):
			return nil, fmt.Errorf("open the manager's desk for %s: %w", u.Username, err)
		}
		mgr, err := admin.ManagerByUsername(ctx, db, u.Username)
		if err != nil {
			return nil, fmt.Errorf("open the manager's desk: %w", err)
		}
		return admin.NewLocal(db, mgr, admin.LocalOptions{}), nil
	}
}
