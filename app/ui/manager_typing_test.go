package ui_test

import (
	"context"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/ui"
)

// countingHalls counts the hall searches that reach the service.
type countingHalls struct {
	admin.Service
	calls atomic.Int32
	last  atomic.Value
}

func (c *countingHalls) Halls(ctx context.Context, q string) ([]admin.HallRow, error) {
	c.calls.Add(1)
	c.last.Store(q)
	return c.Service.Halls(ctx, q)
}

// TestDeskSearchWaitsForTypingToPause: typing a hall's name key by key sends
// one search when typing pauses, for the whole text, not one per key.
func TestDeskSearchWaitsForTypingToPause(t *testing.T) {
	f := newFixture(t)
	svc := &countingHalls{}
	adminFor := func(ctx context.Context, u flow.User) (admin.Service, error) {
		inner, err := localAdmin(f)(ctx, u)
		svc.Service = inner
		return svc, err
	}
	w := newDeskApp(t, f, desktop, adminFor)
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("")
	u.mustSee("优付通北京路营业厅")
	ui.WaitBackground()

	var search *widget.Entry
	for _, e := range find[*widget.Entry](u.root()) {
		if e.PlaceHolder == "按名称或编号搜索营业厅" {
			search = e
		}
	}
	if search == nil {
		t.Fatal("no hall search")
	}
	before := svc.calls.Load()
	test.Type(search, "滇池路")
	ui.WaitBackground()
	if n := svc.calls.Load() - before; n != 1 {
		t.Errorf("typing 3 characters sent %d searches, want 1", n)
	}
	if q := svc.last.Load(); q != "滇池路" {
		t.Errorf("the search sent was %q", q)
	}
	u.mustSee("YFT-KM-002")
	if u.sees("YFT-KM-001") {
		t.Error("the list still shows a hall the search excludes")
	}
}
