package ui_test

import (
	"context"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/ui"
)

// TestScreenshots renders every main screen at the four sizes, for
// people to look at: sign-in, home, hall picker, staff on duty, the
// inspection, a person's checklist with marked items, the hall items, the
// review, the sealed record and the history (also filtered by a person).
// The files are named <screen>-<w>x<h>.png and written to $SCREENSHOTS_DIR
// (make screenshots);
// without it they go to a temporary directory, so the run still checks that
// every screen can be reached and rendered at every size.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []fyne.Size{landscape, portrait, phone, desktop} {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			shootAll(t, dir, size, "", nil)
		})
	}
	// The light variant, and Fyne's deliberately garish test theme, which
	// shows any colour not taken from the theme.
	t.Run("light", func(t *testing.T) {
		shootAll(t, dir, landscape, "-light", func(th fyne.Theme) fyne.Theme { return variant{th, theme.VariantLight} })
	})
	t.Run("testtheme", func(t *testing.T) {
		shootAll(t, dir, landscape, "-testtheme", func(th fyne.Theme) fyne.Theme { return garish{test.NewTheme(), th} })
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
	for _, size := range []fyne.Size{landscape, phone} {
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
	if err := f.wf.SignSupervisor(ctx, d, testPNG(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.Seal(ctx, d); err != nil {
		t.Fatal(err)
	}
	u.tapButton("立即同步")
	shot("sync-error")
	u.tapButton("确定")
	shot("home-sync-failed")
	u.tapButton("未送达中心的记录：1")
	shot("pending")
	u.tapButton("返回")
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

func shootAll(t *testing.T, dir string, size fyne.Size, suffix string, th func(fyne.Theme) fyne.Theme) {
	f := newFixture(t)
	a, w := newApp(t, f, nil, size)
	if th != nil {
		a.Settings().SetTheme(th(a.Settings().Theme()))
	}
	u := &user{t: t, w: w}
	narrow := size.Width < 900
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
	u.tapButton("登录")
	shot("home")

	u.tapButton("新建督导")
	shot("halls")
	u.tap("优付通北京路营业厅")
	for _, name := range onDuty {
		u.tap(name)
	}
	shot("staff")
	u.tap("开始督导（5 人）")

	open := func(tile string) {
		u.tap(tile)
	}
	back := func() {
		if narrow {
			u.tapButton("返回")
		}
	}
	if narrow {
		open("杨建华")
	}
	u.tap("按规定佩戴编号服务证（牌）")
	back()
	open("赵磊")
	u.tap("工作服干净平整，无污渍，穿着得体")
	u.tap("头发前不遮额、侧不盖耳、后不及领；不留胡须")
	u.tap("客户进门主动招呼") // a tally: one missed greeting
	scrollTo(t, u.root(), "头发前不遮额")
	shot("checklist")
	back()
	shot("inspection")
	open("营业厅项目")
	u.tap("开门前已检查计算机、打印机、POS机等设备，准备就绪")
	shot("hallitems")
	u.tapButton("备注和照片")
	u.typeInto(find[*widget.Entry](u.root())[0], "POS机未开机")
	defer ui.SetPhotoPicker(func(done func(string, []byte, error)) { done("pos.png", testPNG(t), nil) })()
	u.tapButton("添加照片")
	shot("finding")
	u.tapButton("返回") // saves the typed note
	back()

	u.tapButton("检查并封存")
	u.sign()
	shot("review")
	u.tapButton("封存督导记录")
	u.tapButton("封存")
	shot("sealed")

	u.tapButton("返回")
	u.tapButton("历史记录")
	shot("history")
	// Filtered by a person: their history can be exported.
	find[*widget.Select](u.root())[1].SetSelectedIndex(1)
	shot("history-person")
}

// checkTargets reports anything tappable that is less than 48 dp high:
// rows, buttons, selects, entries and checks.
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
			target = fmt.Sprintf("%T", o) == "*ui.tapRow"
		}
		if h := o.Size().Height; target && h < 48 {
			t.Errorf("%s: %T %q is %v high, under the 48 dp touch target", screen, o, texts(o), h)
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
	search(scroll.Content, 0)
	if y < 0 {
		t.Fatalf("no row shows %q", text)
	}
	scroll.ScrollToOffset(fyne.NewPos(0, max(y-8, 0)))
}
