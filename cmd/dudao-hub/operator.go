package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/store"
)

// The hub's commands and a manager's desktop do the same things through the
// same functions of app/admin (admin.Local), so a rule is written once. The
// commands act as the hub's operator: someone at the hub's console, with the
// database file in hand, over every region. The operator is not an account
// (there is no one to sign in). Where a change records the manager it is
// made for (linking an off-roster person), the command names the manager
// with --as and acts for them, in their region, and the change also records
// that the operator entered it, and who they are (--by, or the system
// account running the command): it never passes for the manager's own.

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

// asManager is the Service of the manager named by --as, for a change the
// operator enters for them: it records recordedBy beside the manager.
func asManager(e *env, username, recordedBy string) (*admin.Local, store.User, error) {
	if username == "" {
		return nil, store.User{}, usagef("--as USERNAME is required: the change records the manager it is made for")
	}
	u, err := admin.ManagerByUsername(e.ctx, e.db, username)
	if err != nil {
		return nil, store.User{}, managerHint(err)
	}
	return admin.NewLocal(e.db, u, admin.LocalOptions{Logger: e.log, RecordedBy: recordedBy}), u, nil
}

// enteredBy is what a change the operator enters for a manager records as
// who entered it: the command, and the person named by --by, or else the
// system account running it.
func enteredBy(command, by string) string {
	by = strings.TrimSpace(by)
	if by == "" {
		by = "system user " + systemUser()
	}
	return fmt.Sprintf("%s %s, by %s", operatorName, command, by)
}

// systemUser is the name of the account running the command, as well as
// the system can tell.
func systemUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if s := strings.TrimSpace(os.Getenv(v)); s != "" {
			return s
		}
	}
	return "unknown"
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
