package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/ui"
)

// TestNoteSavesWhileTyping types a note and neither taps Save nor goes
// back: once typing pauses the note is committed, and an app killed then
// resumes the draft with it.
func TestNoteSavesWhileTyping(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("备注和照片")
	u.typeInto(find[*widget.Entry](u.root())[0], "服务证放在抽屉里")
	ui.WaitBackground()
	if got := findingsOf(draftOf(t, f), "孙丽"); len(got) != 1 || got[0].Note != "服务证放在抽屉里" {
		t.Fatalf("stored findings after typing = %+v, want the note", got)
	}
	u.mustSee("备注已保存")

	// Killed: the files as they are now, the app never closed.
	f = f.killedCopy()
	_, w = newApp(t, f, nil, landscape)
	u = &user{t: t, w: w}
	u.signIn()
	u.mustSee("继续未完成的督导")
	u.tap("优付通滇池路营业厅")
	u.mustSee("服务证放在抽屉里")
}

// TestChecklistHintOnTally: the hint tells what a second tap on a tally item
// does, and it does that: a second miss, which − takes back.
func TestChecklistHintOnTally(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.mustSee("计数项每点一次记一次未做到，记多了用减号按钮减回")

	u.tap("客户进门主动招呼")
	u.tap("客户进门主动招呼")
	if got := findingsOf(draftOf(t, f), "孙丽"); len(got) != 1 || got[0].Failed != 2 {
		t.Fatalf("after two taps the tally is %+v, want two misses", got)
	}
	row := u.find("客户进门主动招呼").(fyne.CanvasObject)
	var minus []*widget.Button
	for _, b := range find[*widget.Button](row) {
		if b.Icon != nil && b.Icon.Name() == theme.ContentRemoveIcon().Name() {
			minus = append(minus, b)
		}
	}
	if len(minus) != 2 {
		t.Fatalf("the tally row has %d − buttons, want 2", len(minus))
	}
	tapCentre(minus[1]) // Failed's
	ui.WaitBackground()
	if got := findingsOf(draftOf(t, f), "孙丽"); len(got) != 1 || got[0].Failed != 1 {
		t.Errorf("after − the tally is %+v, want one miss", got)
	}
}

// TestConfirmsSpeakChinese: undoing a finding with a note and removing a
// person ask in Chinese, with buttons that say what they do.
func TestConfirmsSpeakChinese(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "段志强", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）") // 段志强, whose checklist opens first
	u.tapButton("备注和照片")
	u.typeInto(find[*widget.Entry](u.root())[0], "未佩戴")
	u.tapButton("返回")

	u.tap("按规定佩戴编号服务证（牌）")
	mustAsk(t, u, "撤销", "保留")
	u.tapButton("保留")
	if got := findingsOf(draftOf(t, f), "段志强"); len(got) != 1 {
		t.Fatalf("保留 changed the findings to %+v", got)
	}
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("撤销")
	if got := findingsOf(draftOf(t, f), "段志强"); len(got) != 0 {
		t.Fatalf("撤销 left the findings %+v", got)
	}

	u.tapButton("移除")
	mustAsk(t, u, "移除", "保留")
	u.tapButton("移除")
	if d := draftOf(t, f); len(d.Inspection.People) != 1 || d.Inspection.People[0].Name != "孙丽" {
		t.Errorf("after 移除 the people are %+v", d.Inspection.People)
	}
}

// mustAsk fails unless a dialog is open with exactly these two buttons.
func mustAsk(t *testing.T, u *user, yes, no string) {
	t.Helper()
	if u.w.Canvas().Overlays().Top() == nil {
		t.Fatalf("no dialog; the screen shows %q", allTexts(u))
	}
	var got []string
	for _, b := range find[*widget.Button](u.root()) {
		got = append(got, b.Text)
	}
	if len(got) != 2 || !containsText(got, yes) || !containsText(got, no) {
		t.Fatalf("the dialog's buttons are %q, want %q and %q", got, yes, no)
	}
}

// TestChecklistColumnsFit: in English with larger text, the critical tag
// stays on one line within the clause column, and both counters' labels fit
// one column of the same width, so the counters line up.
func TestChecklistColumnsFit(t *testing.T) {
	f := newFixture(t)
	a := test.NewTempApp(t)
	a.Preferences().SetString("ui.language", "en")
	a.Preferences().SetBool("ui.largeText", true)
	_, w := newApp(t, f, a, portrait)
	u := &user{t: t, w: w}
	u.tap("张督导")
	u.typeInto(passwordEntry(t, u.root()), demo.SupervisorPIN)
	u.tapButton("Sign in")
	u.tapButton("New inspection")
	u.tap("优付通滇池路营业厅")
	u.tap("孙丽")
	u.tap("Start the inspection (people: 1)")
	if !u.sees("Observed") {
		u.tap("孙丽")
	}
	u.mustSee("critical", "Observed")
	settle(w)

	pad := theme.InnerPadding()
	tags := 0
	for _, rt := range find[*widget.RichText](u.root()) {
		if rt.String() != "critical" {
			continue
		}
		tags++
		var lines []string
		for _, o := range test.WidgetRenderer(rt).Objects() {
			if tx, ok := o.(*canvas.Text); ok && tx.Visible() && tx.Text != "" {
				lines = append(lines, tx.Text)
			}
		}
		if len(lines) != 1 {
			t.Errorf("the critical tag is drawn as %q, want one line", lines)
		}
		need := fyne.MeasureText("critical", theme.CaptionTextSize(), fyne.TextStyle{}).Width + 2*pad
		if rt.Size().Width < need {
			t.Errorf("the critical tag is %v wide, its text needs %v", rt.Size().Width, need)
		}
	}
	if tags == 0 {
		t.Fatal("no critical tag on 孙丽's checklist")
	}

	var widths []float32
	for _, l := range find[*widget.Label](u.root()) {
		if l.Text != "Observed" && l.Text != "Failed" {
			continue
		}
		need := fyne.MeasureText(l.Text, theme.TextSize(), fyne.TextStyle{}).Width + 2*pad
		if l.Size().Width < need {
			t.Errorf("the %s label is %v wide, its text needs %v", l.Text, l.Size().Width, need)
		}
		widths = append(widths, l.Size().Width)
	}
	if len(widths) < 2 {
		t.Fatal("no tally counters on 孙丽's checklist")
	}
	for _, wd := range widths {
		if wd != widths[0] {
			t.Errorf("the counters' label columns are %v wide, want one width", widths)
			break
		}
	}
}

// TestStaffSignShowsFindings: the person handed the tablet sees the
// findings they are asked to sign for.
func TestStaffSignShowsFindings(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tap("客户进门主动招呼")
	u.tapButton("检查并封存")
	u.tapButton("签名或提出异议")
	u.mustSee("你的问题记录", "A1  按规定佩戴编号服务证（牌）", "G1  客户进门主动招呼", "1 次中 1 次未做到")
	u.sign()
	u.tapButton("签名")
	u.mustSee("已签名确认")
}

// Leaving the foreground (on Android, possibly the last moment before the
// system kills the app) saves a note still waiting for typing to pause.
func TestNoteSavedOnLeavingForeground(t *testing.T) {
	f := newFixture(t)
	a, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("备注和照片")
	u.typeInto(find[*widget.Entry](u.root())[0], "顾客投诉态度冷淡")
	lc, ok := a.Lifecycle().(interface{ OnExitedForeground() func() })
	if !ok || lc.OnExitedForeground() == nil {
		t.Fatal("the app sets no hook for leaving the foreground")
	}
	// No waiting: the typing pause's own save is held in the test's queue,
	// so only the hook can have saved the note by now.
	lc.OnExitedForeground()()
	killed := f.killedCopy()
	if got := findingsOf(draftOf(t, killed), "孙丽"); len(got) != 1 || got[0].Note != "顾客投诉态度冷淡" {
		t.Errorf("stored findings after leaving the foreground = %+v, want the note", got)
	}
}
