package main

import (
	"errors"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/store"
)

// The hub's commands and a manager's desktop do the same things through the
// same functions of app/admin (admin.Local), so a rule is written once. The
// commands act as the hub's operator: someone at the hub's console, with the
// database file in hand, over every region. The operator is not an account
// (there is no one to sign in); where a change records who made it (linking
// an off-roster person), the command names a manager with --as and acts as
// them, in their region.

// operatorName is how the operator appears where a name is needed (logs).
const operatorName = "dudao-hub"

// operator is the Service of the hub's operator over every region, or over
// one region when regionID is set (a tablet is enrolled into one). hub is
// the hub's address and pins for invites, nil when the command enrols
// nothing.
func operator(e *env, regionID string, hub *admin.HubInvite) *admin.Local {
	return admin.NewLocal(e.db, store.User{Username: operatorName, Name: "hub operator", Role: store.RoleManager, RegionID: regionID},
		admin.LocalOptions{Hub: hub, Logger: e.log})
}

// asManager is the Service of the manager named by --as.
func asManager(e *env, username string) (*admin.Local, store.User, error) {
	if username == "" {
		return nil, store.User{}, usagef("--as USERNAME is required: the change records the manager who made it")
	}
	u, err := admin.ManagerByUsername(e.ctx, e.db, username)
	if err != nil {
		return nil, store.User{}, managerHint(err)
	}
	return admin.NewLocal(e.db, u, admin.LocalOptions{Logger: e.log}), u, nil
}

// managerHint explains a refused manager account.
func managerHint(err error) error {
	if errors.Is(err, admin.ErrForbidden) {
		return withHint(err, "managers are listed by dudao-hub user list; add one with: dudao-hub user add --role manager --name NAME USERNAME")
	}
	return err
}

// notFoundHint adds where to look when a command names something that is
// not there.
func notFoundHint(err error, list string) error {
	if errors.Is(err, admin.ErrNotFound) {
		return withHint(err, "see them with: dudao-hub %s", list)
	}
	return err
}
