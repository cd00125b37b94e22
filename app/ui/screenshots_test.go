package ui_test

import (
	"context"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/app/ui"
)

// TestScreenshots renders every main screen at the four sizes, for
// people to look at: sign-in, home, hall picker, staff on duty and the
// add-newcomer dialog, the inspection and its add-person dialog, a person's
// checklist with marked items, the hall items, a finding, the review, a
// person signing or disagreeing, the sealed record, an amendment of a tally
// item, the history (also filtered by a person), and the settings, sync and
// pending screens. The recording screens are also shot in English and with
// larger text on a phone, where words run longest.
// The files are named <screen>-<w>x<h>.png and written to $SCREENSHOTS_DIR
// (make screenshots);
// without it they go to a temporary directory, so the run still checks that
// every screen can be reached and rendered at every size, and that every
// target on it is big enough for a finger (checkTargets).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []fyne.Size{landscape, portrait, phone, desktop} {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			shootAll(t, dir, size, pass{})
		})
	}
	// The light variant, and Fyne's deliberately garish test theme, which
	// shows any colour not taken from the theme.
	t.Run("light", func(t *testing.T) {
		shootAll(t, dir, landscape, pass{suffix: "-light", theme: func(th fyne.Theme) fyne.Theme { return variant{th, theme.VariantLight} }})
	})
	t.Run("testtheme", func(t *testing.T) {
		shootAll(t, dir, landscape, pass{suffix: "-testtheme", theme: func(th fyne.Theme) fyne.Theme { return garish{test.NewTheme(), th} }})
	})
	// English words and larger text are longest on the narrowest screen.
	t.Run("en", func(t *testing.T) {
		shootAll(t, dir, phone, pass{suffix: "-en", english: true})
	})
	t.Run("large", func(t *testing.T) {
		shootAll(t, dir, phone, pass{suffix: "-large", large: true})
	})
	// The manager's desk, over a hub, at the desktop and laptop sizes
	// (manager_screens_test.go).
	for _, size := range []fyne.Size{desktop, landscape} {
		t.Run(fmt.Sprintf("manager-%vx%v", size.Width, size.Height), func(t *testing.T) {
			shootManager(t, dir, size)
		})
	}
	// The manager's inspections (the list, one opened) and summary
	// (shootManagerReports).
	for _, size := range []fyne.Size{desktop, landscape} {
		t.Run(fmt.Sprintf("manager-reports-%vx%v", size.Width, size.Height), func(t *testing.T) {
			shootManagerReports(t, dir, size)
		})
	}
	// Sync: the settings before and after connecting to a hub, the home
	// screen's sync panel after a failure and after success, and the
	// records not delivered.
	for _, size := range []fyne.Size{landscape, portrait, phone, desktop} {
		t.Run(fmt.Sprintf("sync-%vx%v", size.Width, size.Height), func(t *testing.T) {
			shootSync(t, dir, size)
		})
	}
}

func shootSync(t *testing.T, dir string, size fyne.Size) {
	f := newFixture(t)
	hub, _, w := newSyncApp(t, f, size)
	u := &user{t: t, w: w}
	shot := func(screen string) {
		t.Helper()
		settle(w)
		checkTargets(t, screen, w)
		name := filepath.Join(dir, fmt.Sprintf("%s-%vx%v.png", screen, size.Width, size.Height))
		out, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if err := png.Encode(out, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
	u.signIn()
	shot("home-sync-none")
	u.tapButton("设置")
	shot("settings")
	u.enrol(hub.Invite("滇池路平板", demoRegion(t, f)))
	shot("settings-hub")
	u.tapButton("返回")

	// Sealed while the hub is down: the sync fails, nothing is lost.
	hub.Stop()
	ctx := context.Background()
	sup, err := f.wf.SignIn(ctx, "supervisor", "1234")
	if err != nil {
		t.Fatal(err)
	}
	halls, err := f.wf.Halls(ctx, sup, "滇池路")
	if err != nil || len(halls) == 0 {
		t.Fatal(err)
	}
	d, err := f.wf.Start(ctx, sup, halls[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.wf.SignSupervisor(ctx, sup, d, testPNG(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.Seal(ctx, sup, d); err != nil {
		t.Fatal(err)
	}
	u.tapButton("立即同步")
	shot("sync-error")
	u.tapButton("确定")
	shot("home-sync-failed")
	u.tapButton("未送达中心的记录：1")
	shot("pending")
	u.tapButton("返回")
	// The same record as the hub might have answered for it: a photo lost
	// on both sides, refused for disagreeing with the hub's copy, and
	// quarantined for another record under its ID.
	if _, err := f.db.EnqueueSealed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("c", 64)
	for _, v := range []struct {
		screen string
		u      store.OutboxUpdate
	}{
		{"pending-photo-lost", store.OutboxUpdate{State: store.OutboxSent, ReasonCode: "photo_lost",
			Reason: "photo " + hash + " is no longer on this tablet and the hub does not have it"}},
		{"pending-refused", store.OutboxUpdate{State: store.OutboxParked, ReasonCode: "conflict",
			Reason: "amends seal " + hash + " but the inspection's seal is " + strings.Repeat("d", 64)}},
		{"pending-quarantined", store.OutboxUpdate{State: store.OutboxQuarantined, ReasonCode: "conflict", HeldHash: hash,
			Reason: "the hub holds seal " + hash}},
		{"", store.OutboxUpdate{State: store.OutboxSealed}}, // as it was, for the sync below
	} {
		v.u.ID = d.Inspection.ID
		if err := f.db.UpdateOutbox(ctx, []store.OutboxUpdate{v.u}); err != nil {
			t.Fatal(err)
		}
		if v.screen == "" {
			break
		}
		u.tapButton("未送达中心的记录：1")
		shot(v.screen)
		u.tapButton("返回")
	}
	hub.Start()
	u.tapButton("立即同步")
	shot("home-sync")
}

// variant forces a theme's light or dark colours, whatever the system's.
type variant struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// garish is Fyne's test theme with Dudao's fonts: the test theme has no
// font for bold monospace text (the clause IDs), which crashes the painter.
type garish struct {
	fyne.Theme
	fonts fyne.Theme
}

func (g garish) Font(s fyne.TextStyle) fyne.Resource { return g.fonts.Font(s) }

// pass is one run of shootAll: a theme, the UI language, the text size.
type pass struct {
	suffix  string // added to each file's screen name
	theme   func(fyne.Theme) fyne.Theme
	english bool // the supervisor chose English
	large   bool // the larger-text setting is on
}

func shootAll(t *testing.T, dir string, size fyne.Size, p pass) {
	f := newFixture(t)
	a := test.NewTempApp(t)
	if p.english {
		a.Preferences().SetString("ui.language", "en")
	}
	a.Preferences().SetBool("ui.largeText", p.large)
	a, w := newApp(t, f, a, size)
	if p.theme != nil {
		a.Settings().SetTheme(p.theme(a.Settings().Theme()))
	}
	u := &user{t: t, w: w}
	narrow := size.Width < 900
	suffix := p.suffix
	// say is what the screen shows in the pass's language.
	say := func(zh, en string) string {
		if p.english {
			return en
		}
		return zh
	}
	shot := func(screen string) {
		t.Helper()
		settle(w)
		checkTargets(t, screen, w)
		img := w.Canvas().Capture()
		if b := img.Bounds(); b.Dx() != int(size.Width) || b.Dy() != int(size.Height) {
			t.Errorf("%s: capture is %dx%d, want %v", screen, b.Dx(), b.Dy(), size)
		}
		name := filepath.Join(dir, fmt.Sprintf("%s%s-%vx%v.png", screen, suffix, size.Width, size.Height))
		out, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if err := png.Encode(out, img); err != nil {
			t.Fatal(err)
		}
	}

	shot("signin")
	u.tap("张督导")
	shot("pin")
	u.typeInto(passwordEntry(t, u.root()), "1234")
	u.tapButton(say("登录", "Sign in"))
	shot("home")

	u.tapButton(say("新建督导", "New inspection"))
	shot("halls")
	u.tap("优付通北京路营业厅")
	for _, name := range onDuty {
		u.tap(name)
	}
	shot("staff")
	u.tapButton(say("添加不在花名册的人员", "Add someone not on the roster"))
	shot("staff-add")
	u.tapButton(say("取消", "Cancel"))
	u.tap(say("开始督导（5 人）", "Start the inspection (people: 5)"))

	open := func(tile string) {
		u.tap(tile)
	}
	goBack := func() { u.tapButton(say("返回", "Back")) }
	back := func() {
		if narrow {
			goBack()
		}
	}
	if narrow {
		open("杨建华")
	}
	u.tap(say("按规定佩戴编号服务证（牌）", "Numbered service badge worn as required"))
	back()
	open("赵磊")
	u.tap(say("工作服干净平整，无污渍，穿着得体", "Uniform clean, neat and free of stains"))
	u.tap(say("头发前不遮额、侧不盖耳、后不及领；不留胡须", "Hair clear of forehead, ears and collar; no beard"))
	greeting := say("客户进门主动招呼", "Greets each customer on arrival")
	u.tap(greeting) // a tally: one missed greeting
	scrollTo(t, u.root(), say("头发前不遮额", "Hair clear of forehead"))
	shot("checklist")
	back()
	shot("inspection")
	u.tapButton(say("添加人员", "Add a person"))
	shot("add-person")
	u.tapButton(say("取消", "Cancel"))
	open(say("营业厅项目", "Hall items"))
	u.tap(say("开门前已检查计算机、打印机、POS机等设备，准备就绪", "Computers, printers, POS terminals and other equipment checked and ready before opening"))
	shot("hallitems")
	u.tapButton(say("备注和照片", "Note & photos"))
	u.typeInto(find[*widget.Entry](u.root())[0], "POS机未开机")
	defer ui.SetPhotoPicker(func(done func(string, []byte, error)) { done("pos.png", testPNG(t), nil) })()
	u.tapButton(say("添加照片", "Add a photo"))
	shot("finding")
	goBack() // saves the typed note
	back()

	u.tapButton(say("检查并封存", "Review & seal"))
	u.sign()
	shot("review")
	u.tapButton(say("签名或提出异议", "Sign or disagree")) // the first person's
	shot("staffsign")
	goBack()
	u.tapButton(say("封存督导记录", "Seal the inspection"))
	u.tapButton(say("封存", "Seal"))
	shot("sealed")

	// Correcting 赵磊's count of missed greetings shows the counters.
	u.tapButton(say("修正", "Amend"))
	selects := find[*widget.Select](u.root())
	choose(t, selects[0], "赵磊")
	choose(t, selects[1], greeting)
	shot("amend")
	goBack()

	goBack()
	u.tapButton(say("历史记录", "History"))
	shot("history")
	// Filtered by a person: their history can be exported.
	find[*widget.Select](u.root())[1].SetSelectedIndex(1)
	shot("history-person")
}

// choose selects the first option of s that contains text.
func choose(t *testing.T, s *widget.Select, text string) {
	t.Helper()
	for i, o := range s.Options {
		if strings.Contains(o, text) {
			s.SetSelectedIndex(i)
			ui.WaitBackground()
			return
		}
	}
	t.Fatalf("no option %q among %q", text, s.Options)
}

// checkTargets reports anything tappable that is less than 48 dp high:
// rows, buttons, selects, entries, checks and radio items; and an icon
// button less than 48 dp wide, which has no text to widen it.
func checkTargets(t *testing.T, screen string, w fyne.Window) {
	t.Helper()
	root := w.Content()
	if o := w.Canvas().Overlays().Top(); o != nil {
		root = o
	}
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		target := false
		switch o.(type) {
		case *widget.Button, *widget.Select, *widget.Entry, *widget.DateEntry, *widget.Check:
			target = true
		default:
			// A RadioGroup's items are Fyne's own type, each a target.
			switch fmt.Sprintf("%T", o) {
			case "*ui.tapRow", "*widget.radioItem":
				target = true
			}
		}
		if h := o.Size().Height; target && h < 48 {
			t.Errorf("%s: %T %q is %v high, under the 48 dp touch target", screen, o, texts(o), h)
		}
		if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Size().Width < 48 {
			t.Errorf("%s: icon button %v is %v wide, under the 48 dp touch target", screen, b.Icon, b.Size().Width)
		}
		switch v := o.(type) {
		case *widget.DateEntry:
			// Its calendar button is Fyne's, inside an entry that is
			// itself a full target.
		case *fyne.Container:
			for _, c := range v.Objects {
				visit(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				visit(c)
			}
		}
	}
	visit(root)
}

// scrollTo scrolls the innermost scroll showing text so that the row with
// the text is near its top.
func scrollTo(t *testing.T, root fyne.CanvasObject, text string) {
	t.Helper()
	var scroll *container.Scroll
	for _, s := range find[*container.Scroll](root) {
		if containsText(texts(s), text) {
			scroll = s
		}
	}
	if scroll == nil {
		t.Fatalf("no scroll shows %q", text)
	}
	var y float32 = -1
	var search func(o fyne.CanvasObject, top float32)
	search = func(o fyne.CanvasObject, top float32) {
		if y >= 0 || !o.Visible() {
			return
		}
		at := top + o.Position().Y
		if _, ok := o.(fyne.Tappable); ok && containsText(texts(o), text) {
			y = at
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				search(c, at)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				search(c, at)
			}
		}
	}
	// The content sits at minus the offset already scrolled: y is from its top.
	search(scroll.Content, -scroll.Content.Position().Y)
	if y < 0 {
		t.Fatalf("no row shows %q", text)
	}
	scroll.ScrollToOffset(fyne.NewPos(0, max(y-8, 0)))
}
