package ui_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// TestFormTargetsOnPhone: on a phone, the add-newcomer and add-person
// dialogs and the amendment screen (its outcome's radio items, its note,
// a tally item's counters) are all at least 48 dp, like every other target.
func TestFormTargetsOnPhone(t *testing.T) {
	f := newFixture(t)
	hash := sealedTally(t, f, 3, 1)
	_, w := newApp(t, f, nil, phone)
	u := &user{t: t, w: w}
	check := func(screen string, radios, icons int) {
		t.Helper()
		settle(w)
		checkTargets(t, screen, w)
		// The check must have had something to check.
		r, i := 0, 0
		walk(u.root(), func(o fyne.CanvasObject) {
			if fmt.Sprintf("%T", o) == "*widget.radioItem" {
				r++
			}
			if b, ok := o.(*widget.Button); ok && b.Text == "" {
				i++
			}
		})
		if r < radios || i < icons {
			t.Errorf("%s: %d radio items and %d icon buttons, want at least %d and %d", screen, r, i, radios, icons)
		}
	}

	u.signIn()
	u.tapButton("新建督导")
	u.tap("优付通北京路营业厅")
	u.tapButton("添加不在花名册的人员")
	check("add newcomer", 2, 0)
	u.tapButton("取消")
	u.tap("开始督导")
	u.tapButton("添加人员")
	check("add person", 0, 0)
	u.tapButton("取消")

	u.tapButton("返回")
	u.tapButton("历史记录")
	u.tap(hash[:8])
	u.tapButton("修正")
	amendTally(t, u)
	check("amend", 3, 4)
}

// TestAmendTallyCounts corrects a tally item's counts through the
// amendment screen: its counters start from the sealed counts, never allow
// fewer than one observation or more failures than observations, and the
// amendment stores what they show.
func TestAmendTallyCounts(t *testing.T) {
	f := newFixture(t)
	hash := sealedTally(t, f, 3, 1)
	_, w := newApp(t, f, nil, portrait)
	u := &user{t: t, w: w}
	u.signIn()
	u.tapButton("历史记录")
	u.tap(hash[:8])
	u.tapButton("修正")
	u.typeInto(find[*widget.Entry](u.root())[0], "复核录像，实际观察 5 次")
	amendTally(t, u)
	u.mustSee("按次数记录", "观察", "未做到")

	less, more := theme.ContentRemoveIcon().Name(), theme.ContentAddIcon().Name()
	var steps []*widget.Button
	for _, b := range find[*widget.Button](u.root()) {
		if b.Text == "" && b.Icon != nil && (b.Icon.Name() == less || b.Icon.Name() == more) {
			steps = append(steps, b)
		}
	}
	if len(steps) != 4 {
		t.Fatalf("%d counter buttons, want observed −/+ and failed −/+", len(steps))
	}
	obsLess, obsMore, failLess, failMore := steps[0], steps[1], steps[2], steps[3]
	tap := func(b *widget.Button, n int) {
		t.Helper()
		for range n {
			if b.Disabled() {
				t.Fatal("a counter button is disabled before its limit")
			}
			tapCentre(b)
		}
	}
	tap(failMore, 2) // 3 of 3
	if !failMore.Disabled() {
		t.Error("failed can go above observed")
	}
	tap(obsLess, 2) // the failures follow the observations down: 1 of 1
	if !obsLess.Disabled() {
		t.Error("observed can go below 1")
	}
	tap(obsMore, 4) // 1 of 5
	if failLess.Disabled() || failMore.Disabled() {
		t.Error("failed cannot move within 0..observed")
	}

	u.tapButton("保存修正")
	u.mustSee("修正：复核录像")
	d := sealedByHash(t, f, hash)
	ams, err := f.db.Amendments(context.Background(), d.Inspection.ID)
	if err != nil || len(ams) != 1 || len(ams[0].Changes) != 1 {
		t.Fatalf("amendments %+v, %v", ams, err)
	}
	c := ams[0].Changes[0]
	if c.ItemID != "G1.1" || c.Finding == nil || c.Finding.Outcome != inspect.Tallied || c.Finding.Observed != 5 || c.Finding.Failed != 1 {
		t.Errorf("the amendment stores %+v, want G1.1 counted 1 failed of 5", c.Finding)
	}
}

// TestNothingCutOffOnPhone: the history's rows and the sealed record's
// title show their whole text on a phone, with nothing ellipsised, also
// with larger text: the count of findings and the sealed date and state
// were cut off.
func TestNothingCutOffOnPhone(t *testing.T) {
	for name, large := range map[string]bool{"normal": false, "larger text": true} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			sealed, err := f.wf.History(ctx, flow.HistoryFilter{State: flow.StateSealed, Limit: 1})
			if err != nil || len(sealed) != 1 {
				t.Fatalf("no sealed inspection: %v", err)
			}
			a := test.NewTempApp(t)
			a.Preferences().SetBool("ui.largeText", large)
			_, w := newApp(t, f, a, phone)
			u := &user{t: t, w: w}
			u.signIn()
			u.tapButton("历史记录")
			settle(w)
			u.mustSee("问题：")
			if cut := cutOff(u.root()); len(cut) > 0 {
				t.Errorf("history cuts off %q", cut)
			}
			u.tap(sealed[0].SealHash[:8])
			settle(w)
			u.mustSee(sealed[0].StartedAt.In(inspect.HallZone).Format(time.DateOnly) + " · 已封存")
			if cut := cutOff(u.root()); len(cut) > 0 {
				t.Errorf("the sealed record cuts off %q", cut)
			}
		})
	}
}

// TestOthersDraftReadOnly: a draft that another supervisor started on this
// tablet opens from the history read-only, saying whose it is, with nothing
// to edit, sign or seal; the user's own draft still opens for recording.
func TestOthersDraftReadOnly(t *testing.T) {
	f := newFixture(t)
	_, d, staffName := wangsDraft(t, f)
	u := openDraftFromHistory(t, f, d)
	u.mustSee("这份草稿属于王督导", "草稿", staffName)
	for _, b := range []string{"检查并封存", "添加人员", "封存督导记录", "签名或提出异议", "修正", "接手这份草稿"} {
		if findButton(u.root(), b) != nil {
			t.Errorf("another's draft offers %q", b)
		}
	}
	walk(u.root(), func(o fyne.CanvasObject) {
		switch fmt.Sprintf("%T", o) {
		case "*ui.tapRow", "*ui.signaturePad":
			t.Errorf("another's draft shows a %T %q", o, texts(o))
		}
	})

	u.tapButton("返回")
	u.tap("张督导") // the demo's own draft, the only other one
	u.mustSee("检查并封存", "添加人员")
}

// sealedTally seals an inspection of 赵磊 in 优付通北京路营业厅 whose
// tally item G1.1 (greeting customers) counted failed of observed, and
// returns its seal hash.
func sealedTally(t *testing.T, f *fixture, observed, failed int) string {
	t.Helper()
	ctx := context.Background()
	sup, err := f.wf.SignIn(ctx, "supervisor", "1234")
	if err != nil {
		t.Fatal(err)
	}
	halls, err := f.wf.Halls(ctx, sup, "北京路")
	if err != nil || len(halls) == 0 {
		t.Fatalf("halls %v, %v", halls, err)
	}
	staff, err := f.wf.OnDuty(ctx, sup, halls[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, p := range staff {
		if p.Name == "赵磊" {
			id = p.ID
		}
	}
	d, err := f.wf.Start(ctx, sup, halls[0].ID, []string{id})
	if err != nil || len(d.Inspection.People) != 1 {
		t.Fatalf("start: %v", err)
	}
	if _, err := f.wf.SetTally(ctx, d, d.Inspection.People[0].ID, "G1.1", observed, failed); err != nil {
		t.Fatal(err)
	}
	if err := f.wf.SignSupervisor(ctx, sup, d, testPNG(t)); err != nil {
		t.Fatal(err)
	}
	hash, err := f.wf.Seal(ctx, sup, d)
	if err != nil {
		t.Fatal(err)
	}
	return hash
}

func sealedByHash(t *testing.T, f *fixture, hash string) *flow.Draft {
	t.Helper()
	ctx := context.Background()
	rows, err := f.wf.History(ctx, flow.HistoryFilter{State: flow.StateSealed})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.SealHash == hash {
			d, err := f.wf.Open(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	t.Fatalf("no sealed inspection %s", hash)
	return nil
}

// amendTally chooses 赵磊's greeting item on the amendment screen.
func amendTally(t *testing.T, u *user) {
	t.Helper()
	selects := find[*widget.Select](u.root())
	choose(t, selects[0], "赵磊")
	choose(t, selects[1], "客户进门主动招呼")
}

// cutOff lists the texts drawn with an ellipsis: cut off for lack of room.
func cutOff(o fyne.CanvasObject) []string {
	var cut []string
	walk(o, func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok && strings.Contains(tx.Text, "…") {
			cut = append(cut, tx.Text)
		}
	})
	return cut
}

// formatted is a time as the screens show it.
func formatted(t time.Time) string {
	return t.In(inspect.HallZone).Format("2006-01-02 15:04")
}

// A draft whose supervisor can no longer sign in on the tablet is offered
// for taking over; taken over, it opens for editing as the user's own.
func TestTakeOverAbandonedDraftFromHistory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	wang, d, staffName := wangsDraft(t, f)
	raw, err := sql.Open("sqlite3", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE users SET disabled = 1 WHERE id = ?", wang.ID); err != nil {
		t.Fatal(err)
	}

	u := openDraftFromHistory(t, f, d)
	u.mustSee("王督导 已不能在本平板上登录")
	u.tapButton("接手这份草稿")
	u.tapButton("接手")
	u.mustSee("检查并封存", staffName)
	got, err := f.wf.Open(ctx, d.Inspection.ID)
	if err != nil || got.Inspection.SupervisorID == wang.ID {
		t.Errorf("after taking over, the draft's supervisor is %q (%v)", got.Inspection.SupervisorID, err)
	}
}

// wangsDraft starts, as 王督导 (the demo's second supervisor), a draft in
// 优付通北京路营业厅 of one member of staff, whose name it returns.
func wangsDraft(t *testing.T, f *fixture) (flow.User, *flow.Draft, string) {
	t.Helper()
	ctx := context.Background()
	wang, err := f.wf.SignIn(ctx, "supervisor2", "2468")
	if err != nil {
		t.Fatal(err)
	}
	halls, err := f.wf.Halls(ctx, wang, "北京路")
	if err != nil || len(halls) == 0 {
		t.Fatalf("halls %v, %v", halls, err)
	}
	staff, err := f.wf.OnDuty(ctx, wang, halls[0].ID)
	if err != nil || len(staff) == 0 {
		t.Fatalf("staff %v, %v", staff, err)
	}
	d, err := f.wf.Start(ctx, wang, halls[0].ID, []string{staff[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	return wang, d, staff[0].Name
}

// openDraftFromHistory signs in as the demo supervisor and opens 王督导's
// draft d from the history's drafts.
func openDraftFromHistory(t *testing.T, f *fixture, d *flow.Draft) *user {
	t.Helper()
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	u.tapButton("历史记录")
	for _, s := range find[*widget.Select](u.root()) {
		if s.Selected == "全部状态" {
			choose(t, s, "草稿")
		}
	}
	u.tap(formatted(d.Inspection.StartedAt) + " · 王督导")
	return u
}
