package ui_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/flow/hubtest"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// A tablet in service starts empty (no demo users with published PINs):
// the sign-in screen offers the hub's connection form, and once the first
// sync has brought the region's users they can sign in.
func TestNewTabletConnectsFromSignIn(t *testing.T) {
	f := newFixture(t)
	hub := hubtest.FromCopy(t, f.db)
	wf, sy := newEmptyTablet(t)
	w := ui.Create(test.NewTempApp(t), wf, ui.WithSync(sy))
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(landscape)
	u := &user{t: t, w: w}
	u.mustSee("本设备还没有可登录的用户", "连接到中心")
	if u.sees("点选你的名字登录") {
		t.Error("with no one to pick, the screen asks to tap a name")
	}
	if u.sees("张督导") {
		t.Fatal("a new tablet lists users before it is connected")
	}
	// Typed, as a supervisor without a way to paste does: the short line.
	u.enrol(hub.TypedInvite("新平板", demoRegion(t, f)))
	u.mustSee("张督导")
	u.signIn()
}

// A tablet connected to the hub whose first sync has not brought the users
// yet says so, and offers no form to connect it to another hub to whoever
// holds it (that is for someone signed in).
func TestConnectedTabletWaitsForUsers(t *testing.T) {
	f := newFixture(t)
	hub := hubtest.FromCopy(t, f.db)
	wf, sy := newEmptyTablet(t)
	if err := sy.Enrol(context.Background(), hub.Invite("新平板", demoRegion(t, f))); err != nil {
		t.Fatal(err)
	}
	hub.Stop() // the first sync cannot happen
	w := ui.Create(test.NewTempApp(t), wf, ui.WithSync(sy))
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(landscape)
	u := &user{t: t, w: w}
	u.mustSee("首次同步后用户会出现在这里")
	if findButton(u.root(), "连接到中心") != nil {
		t.Error("a connected tablet offers to connect to a hub before anyone signs in")
	}
}

// newEmptyTablet is a new tablet's workflow and sync on an empty database,
// as a packaged app starts (no demo).
func newEmptyTablet(t *testing.T) (*flow.Flow, *flow.Sync) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "new-tablet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	wf, err := flow.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return wf, flow.NewSync(wf, dsync.ClientOptions{BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})
}
