package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/ui"
)

// startIn signs in and starts an inspection of the named people in a hall.
func startIn(u *user, hall string, people ...string) {
	u.t.Helper()
	u.signIn()
	u.tapButton("新建督导")
	u.tap(hall)
	for _, p := range people {
		u.tap(p)
	}
	u.tap("开始督导")
	u.mustSee(people...)
}

// draftOf returns the draft the test started (at the fixed now; the demo's
// own draft is later that day), as stored.
func draftOf(t *testing.T, f *fixture) *flow.Draft {
	t.Helper()
	ctx := context.Background()
	u, err := f.wf.SignIn(ctx, "supervisor", "1234")
	if err != nil {
		t.Fatal(err)
	}
	drafts, err := f.wf.Drafts(ctx, u)
	i := slices.IndexFunc(drafts, func(s flow.Summary) bool { return s.StartedAt.Equal(now) })
	if err != nil || i < 0 {
		t.Fatalf("no draft started now among %v, %v", drafts, err)
	}
	d, err := f.wf.Open(ctx, drafts[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func findingsOf(d *flow.Draft, name string) []inspect.Finding {
	for _, p := range d.Inspection.People {
		if p.Name == name {
			return p.Findings
		}
	}
	return nil
}

// TestResumeDraft records findings, then starts the app again on the
// database files as killing it at that moment leaves them (copied while it
// runs, never closed), and resumes the draft exactly.
func TestResumeDraft(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "段志强", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）") // 段志强, whose checklist opens first
	u.tap("孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tap("客户进门主动招呼") // a tally: one missed greeting
	// Killed: the files as they are now, the app never closed.
	f = f.killedCopy()
	_, w = newApp(t, f, nil, landscape)
	u = &user{t: t, w: w}
	u.signIn()
	u.mustSee("继续未完成的督导", "优付通滇池路营业厅")
	u.tap("优付通滇池路营业厅")
	u.mustSee("段志强", "1 项问题", "2 项问题")
	u.tap("孙丽")
	if n := countText(u, "不符合"); n != 2 {
		t.Errorf("孙丽's checklist shows %d items not conforming, want 2", n)
	}

	d := draftOf(t, f)
	got := findingsOf(d, "孙丽")
	if len(got) != 2 || got[0].ItemID != "A1.2" || got[1].ItemID != "G1.1" || got[1].Observed != 1 || got[1].Failed != 1 {
		t.Errorf("孙丽's stored findings = %+v", got)
	}
}

// countText counts the labels showing text (each label once).
func countText(u *user, text string) int {
	n := 0
	for _, l := range find[*widget.RichText](u.root()) {
		if l.String() == text || (len(l.Segments) > 0 && segmentText(l) == text) {
			n++
		}
	}
	return n
}

func segmentText(rt *widget.RichText) string {
	if s, ok := rt.Segments[0].(*widget.TextSegment); ok {
		return s.Text
	}
	return ""
}

// TestAmendSealed corrects one finding of a sealed inspection through the
// read-only view.
func TestAmendSealed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sealed, err := f.wf.History(ctx, flow.HistoryFilter{State: flow.StateSealed, Limit: 1})
	if err != nil || len(sealed) != 1 {
		t.Fatalf("no sealed inspection: %v", err)
	}
	target := sealed[0]

	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	u.tapButton("历史记录")
	u.tap(target.SealHash[:8])
	u.mustSee(target.SealHash, "修正", "导出 PDF")
	u.tapButton("修正")

	entries := find[*widget.Entry](u.root())
	u.typeInto(entries[0], "照片显示服务证已佩戴")
	selects := find[*widget.Select](u.root())
	selects[0].SetSelectedIndex(0)
	selects[1].SetSelectedIndex(0)
	radio := find[*widget.RadioGroup](u.root())[0]
	wantNonconform := radio.Selected == "符合"
	if wantNonconform {
		radio.SetSelected("不符合")
	} else {
		radio.SetSelected("符合")
	}
	u.tapButton("保存修正")
	u.mustSee("修正：照片显示服务证已佩戴")

	ams, err := f.db.Amendments(ctx, target.ID)
	if err != nil || len(ams) != 1 {
		t.Fatalf("amendments: %+v, %v", ams, err)
	}
	c := ams[0].Changes
	if len(c) != 1 || (c[0].Finding != nil) != wantNonconform || ams[0].Reason != "照片显示服务证已佩戴" {
		t.Errorf("amendment = %+v", ams[0])
	}
	if v, err := f.db.Verify(ctx, target.ID); err != nil || !v.SealOK {
		t.Errorf("the original's seal after the amendment: %+v, %v", v, err)
	}
}

// TestRejectedPhoto hands the finding screen a file that is not an image:
// an error dialog says so and nothing is attached. A real photo then
// attaches and shows as a thumbnail.
func TestRejectedPhoto(t *testing.T) {
	var file []byte
	defer ui.SetPhotoPicker(func(done func(string, []byte, error)) { done("photo.jpg", file, nil) })()

	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("备注和照片")

	file = []byte("\xff\xd8\xff\xe0 this is not a JPEG")
	u.tapButton("添加照片")
	u.mustSee("未能完成", "这个文件不是可读取的 JPEG 或 PNG 照片，没有添加。")
	if got := findingsOf(draftOf(t, f), "孙丽"); len(got) != 1 || len(got[0].Photos) != 0 {
		t.Fatalf("after a bad file the finding is %+v, want no photo", got)
	}
	u.tapButton("确定")
	if thumbnails(u) != 0 {
		t.Error("a thumbnail is shown for the rejected file")
	}

	file = testPNG(t)
	u.tapButton("添加照片")
	if w.Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog opened for a good photo: %q", texts(u.root()))
	}
	if got := findingsOf(draftOf(t, f), "孙丽"); len(got) != 1 || len(got[0].Photos) != 1 {
		t.Fatalf("after a good photo the finding is %+v, want one photo", got)
	}
	if thumbnails(u) != 1 {
		t.Error("no thumbnail for the attached photo")
	}
}

// thumbnails counts the photos shown (named by their SHA-256), not icons.
func thumbnails(u *user) int {
	n := 0
	for _, img := range find[*canvas.Image](u.root()) {
		if img.Resource != nil && len(img.Resource.Name()) == 64+len(".jpg") {
			n++
		}
	}
	return n
}

// testPNG is a small photo-like picture: a gradient.
func testPNG(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.NRGBA{R: uint8(x * 255 / 320), G: uint8(y * 255 / 240), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWrongPIN(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, phone)
	u := &user{t: t, w: w}
	u.tap("张督导")
	for _, d := range []string{"9", "9", "9", "9"} {
		u.tapButton(d)
	}
	u.tapButton("登录")
	u.mustSee("PIN 码不正确，请重试。")
	if e := passwordEntry(t, u.root()); e.Text != "" {
		t.Errorf("the PIN entry keeps %q after a wrong PIN", e.Text)
	}
	for _, d := range []string{"1", "2", "3", "4"} {
		u.tapButton(d)
	}
	u.tapButton("登录")
	u.mustSee("新建督导")
}

// TestSwitchLanguage switches to English on the sign-in screen and back to
// Chinese in the settings: the visible text follows, including the
// standard's own item texts.
func TestSwitchLanguage(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	u.mustSee("谁来督导？")
	if w.Title() != "督导通" {
		t.Errorf("title %q, want 督导通", w.Title())
	}

	find[*widget.Select](u.root())[0].SetSelected("English")
	u.mustSee("Who is inspecting?", "Sign in")
	if u.sees("谁来督导") {
		t.Error("Chinese text left after switching to English")
	}
	if w.Title() != "Dudao" {
		t.Errorf("title %q, want Dudao", w.Title())
	}

	u.tap("张督导")
	u.typeInto(passwordEntry(t, u.root()), "1234")
	u.tapButton("Sign in")
	u.tapButton("New inspection")
	u.tap("优付通滇池路营业厅")
	u.tap("孙丽")
	u.tap("Start the inspection (people: 1)")
	u.mustSee("Appearance", "Numbered service badge worn as required", "Promoter")

	u.tapButton("Back") // home; the draft is kept
	u.tapButton("Settings")
	find[*widget.Select](u.root())[0].SetSelected("中文")
	u.mustSee("设置", "语言", "大字体")
	u.tapButton("返回")
	u.mustSee("新建督导", "继续未完成的督导")
	if u.sees("New inspection") {
		t.Error("English text left after switching back")
	}
}

// TestLargerText: the setting scales the theme's text, and is kept.
func TestLargerText(t *testing.T) {
	f := newFixture(t)
	a, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	normal := a.Settings().Theme().Size(theme.SizeNameText)
	u.tapButton("设置")
	u.tap("大字体")
	if got := a.Settings().Theme().Size(theme.SizeNameText); got <= normal {
		t.Fatalf("text size %v with larger text, was %v", got, normal)
	}
	_, w2 := newApp(t, f, a, landscape)
	_ = w2
	if got := a.Settings().Theme().Size(theme.SizeNameText); got <= normal {
		t.Errorf("a new window forgot the larger text: %v", got)
	}
}

// TestSealNeedsSignature: Seal is disabled, with the reason, until the
// supervisor has signed.
func TestSealNeedsSignature(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, portrait)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tapButton("检查并封存")
	b := findButton(u.root(), "封存督导记录")
	if b == nil || !b.Disabled() {
		t.Fatal("Seal is enabled before the supervisor signed")
	}
	u.mustSee("暂不能封存：督导员尚未签名")
	u.sign()
	if b := findButton(u.root(), "封存督导记录"); b == nil || b.Disabled() {
		t.Fatal("Seal is still disabled after signing")
	}
	if u.sees("暂不能封存") {
		t.Error("the reason is still shown after signing")
	}
	// The staff member declines, in their own words.
	u.tapButton("签名或提出异议")
	u.typeInto(find[*widget.Entry](u.root())[0], "我当时在休息")
	u.tapButton("拒绝签名")
	u.mustSee("拒绝签名：我当时在休息")
	if !slices.ContainsFunc(draftOf(t, f).Inspection.Signatures, func(s inspect.Signature) bool {
		return s.Role == inspect.SignerStaff && s.Image == nil && s.Disagreement == "我当时在休息"
	}) {
		t.Error("the declined signature with its disagreement is not stored")
	}
}

// TestLanguageIgnoresLocale: the supervisor's choice decides, not the
// tablet's locale, and no locale setting may stop the app from starting.
func TestLanguageIgnoresLocale(t *testing.T) {
	f := newFixture(t)
	for _, env := range []string{"", "C", "C.UTF-8", "POSIX", "zh_CN.UTF-8", "zh_TW.UTF-8", "en_US.UTF-8", "ja_JP.UTF-8"} {
		for pref, want := range map[string]string{"": "谁来督导？", "zh-Hans": "谁来督导？", "en": "Who is inspecting?"} {
			t.Run(env+"/"+pref, func(t *testing.T) {
				t.Setenv("LANGUAGE", "")
				t.Setenv("LC_ALL", "")
				t.Setenv("LC_MESSAGES", "")
				t.Setenv("LANG", env)
				a := test.NewTempApp(t)
				if pref != "" {
					a.Preferences().SetString("ui.language", pref)
				}
				_, w := newApp(t, f, a, phone)
				u := &user{t: t, w: w}
				u.mustSee(want, "张督导")
			})
		}
	}
}

// failing is the real workflow with recording calls that fail as a full
// disk or a locked database makes them fail.
type failing struct {
	*flow.Flow
	err error
}

func (f *failing) ToggleNonconform(ctx context.Context, d *flow.Draft, personID, itemID string) (flow.ItemState, error) {
	if f.err != nil {
		return flow.ItemState{}, f.err
	}
	return f.Flow.ToggleNonconform(ctx, d, personID, itemID)
}

// TestStorageErrors: a change the store refuses is reported in a dialog,
// and the screen keeps what it showed; once the store accepts again, the
// same tap works.
func TestStorageErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		text string
	}{
		"full":   {fmt.Errorf("mark item A1.2: nothing was saved, the draft is kept as it was: %w", flow.ErrStorageFull), "平板存储空间已满"},
		"locked": {fmt.Errorf("mark item A1.2: nothing was saved, the draft is kept as it was; try again: %w", flow.ErrBusy), "数据库正忙"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			wf := &failing{Flow: f.wf}
			a := test.NewTempApp(t)
			w := ui.Create(a, wf)
			t.Cleanup(func() { closeWindow(w) })
			w.Resize(landscape)
			u := &user{t: t, w: w}
			startIn(u, "优付通滇池路营业厅", "段志强", "孙丽")

			wf.err = tc.err
			u.tap("按规定佩戴编号服务证（牌）")
			u.mustSee("未能完成", tc.text)
			u.tapButton("确定")
			u.mustSee("段志强", "孙丽", "按规定佩戴编号服务证（牌）")
			if u.sees("1 项问题") || countText(u, "不符合") != 0 {
				t.Error("the screen shows a finding the store refused")
			}
			if got := findingsOf(draftOf(t, f), "段志强"); len(got) != 0 {
				t.Errorf("stored findings %+v after a refused change", got)
			}

			wf.err = nil
			u.tap("按规定佩戴编号服务证（牌）")
			u.mustSee("1 项问题")
		})
	}
}

// TestNextVisitRemembers: the next inspection preselects the last hall and
// ticks the people ticked last time; an off-roster newcomer is flagged.
func TestNextVisitRemembers(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "段志强", "孙丽")
	u.tapButton("返回")
	u.tapButton("新建督导")
	u.tapButton("继续：优付通滇池路营业厅")
	u.mustSee("开始督导（2 人）")

	u.tapButton("添加不在花名册的人员")
	u.typeInto(find[*widget.Entry](u.root())[0], "新来的实习生")
	u.tapButton("添加")
	u.mustSee("新来的实习生", "不在花名册", "开始督导（3 人）")
	u.tap("开始督导（3 人）")
	u.mustSee("新来的实习生", "不在花名册")
	// Both drafts started at the fixed now: look through every draft.
	ctx := context.Background()
	sup, err := f.wf.SignIn(ctx, "supervisor", "1234")
	if err != nil {
		t.Fatal(err)
	}
	drafts, err := f.wf.Drafts(ctx, sup)
	if err != nil {
		t.Fatal(err)
	}
	var off []inspect.Person
	for _, s := range drafts {
		d, err := f.wf.Open(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range d.Inspection.People {
			if p.OffRoster {
				off = append(off, p)
			}
		}
	}
	if len(off) != 1 || off[0].Name != "新来的实习生" || off[0].Role != "cashier" {
		t.Errorf("off-roster people stored: %+v", off)
	}
}
