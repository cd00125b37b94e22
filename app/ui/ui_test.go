package ui_test

import (
	"context"
	"errors"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/ui"
)

// fakeSource serves fixed halls and inspections, or the errors it is given.
type fakeSource struct {
	halls    []ui.HallSummary
	rows     map[string][]ui.InspectionRow
	hallsErr error
	rowsErr  error
}

func (f *fakeSource) Halls(context.Context) ([]ui.HallSummary, error) {
	return f.halls, f.hallsErr
}

func (f *fakeSource) RecentInspections(_ context.Context, hallID string, limit int) ([]ui.InspectionRow, error) {
	if f.rowsErr != nil {
		return nil, f.rowsErr
	}
	rows := f.rows[hallID]
	return rows[:min(limit, len(rows))], nil
}

func at(day, hour, minute int) time.Time {
	return time.Date(2025, time.May, day, hour, minute, 0, 0, time.Local)
}

func demoSource() *fakeSource {
	return &fakeSource{
		halls: []ui.HallSummary{
			{ID: "h1", Code: "KM-WH-01", Name: "五华区东风西路营业厅", Inspections: 12, LastAt: at(12, 9, 30)},
			{ID: "h2", Code: "KM-GD-03", Name: "官渡区关上营业厅", Inspections: 1, LastAt: at(8, 14, 5)},
			{ID: "h3", Code: "KM-PL-02", Name: "盘龙区北京路营业厅"},
		},
		rows: map[string][]ui.InspectionRow{
			"h1": {
				{ID: "i3", HallName: "五华区东风西路营业厅", Supervisor: "李娟", StartedAt: at(12, 9, 30), Score: 92.5, Grade: "优秀", Sealed: true,
					SealHash: "3f2a9c1e7b6d5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f"},
				{ID: "i2", HallName: "五华区东风西路营业厅", Supervisor: "王海涛", StartedAt: at(5, 10, 0), Score: 78.333, Grade: "合格", Sealed: true,
					SealHash: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"},
				{ID: "i1", HallName: "五华区东风西路营业厅", Supervisor: "李娟", StartedAt: at(1, 15, 45), Score: 64, Grade: "不合格"},
			},
			"h2": {
				{ID: "i4", HallName: "官渡区关上营业厅", Supervisor: "赵明", StartedAt: at(8, 14, 5), Score: 88, Grade: "良好", Sealed: true,
					SealHash: "0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d"},
			},
		},
	}
}

// newHome opens the home screen on a temporary app with the given language
// preference ("" for the default).
func newHome(t *testing.T, src ui.HomeSource, language string, size fyne.Size) (fyne.App, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	if language != "" {
		a.Preferences().SetString("ui.language", language)
	}
	w := ui.Create(a, src)
	t.Cleanup(w.Close)
	w.Resize(size)
	return a, w
}

var (
	wide   = fyne.NewSize(1280, 800)
	tall   = fyne.NewSize(800, 1280)
	narrow = fyne.NewSize(420, 760)
)

func TestHomeListsHalls(t *testing.T) {
	_, w := newHome(t, demoSource(), "", wide)

	shown := texts(w.Content())
	for _, want := range []string{"督导通", "营业厅", "五华区东风西路营业厅", "官渡区关上营业厅", "盘龙区北京路营业厅", "尚未督导"} {
		if !containsText(shown, want) {
			t.Errorf("home screen does not show %q; it shows %q", want, shown)
		}
	}
	// The first hall is selected so a wide window opens with inspections.
	if !containsText(shown, "李娟") {
		t.Errorf("first hall's inspections not shown; screen shows %q", shown)
	}
}

func TestHomePlaceholdersDisabled(t *testing.T) {
	_, w := newHome(t, demoSource(), "", wide)

	for _, label := range []string{"新建督导", "同步", "报告"} {
		b := findButton(w.Content(), label)
		if b == nil {
			t.Errorf("no %q button", label)
			continue
		}
		if !b.Disabled() {
			t.Errorf("%q is enabled, but does nothing yet", label)
		}
	}
}

func TestHomeTapHallShowsInspections(t *testing.T) {
	_, w := newHome(t, demoSource(), "", wide)

	tapText(t, w.Content(), "官渡区关上营业厅")

	shown := texts(w.Content())
	for _, want := range []string{"官渡区关上营业厅 · 最近督导", "赵明", "88 分", "等级 良好", "已封存 0c9d8e7f"} {
		if !containsText(shown, want) {
			t.Errorf("after tapping the hall, screen does not show %q; it shows %q", want, shown)
		}
	}
	if containsText(shown, "王海涛") {
		t.Error("the previous hall's inspections are still shown")
	}
}

func TestHomeNarrowPushesInspections(t *testing.T) {
	_, w := newHome(t, demoSource(), "", narrow)

	shown := texts(w.Content())
	if !containsText(shown, "盘龙区北京路营业厅") || containsText(shown, "李娟") {
		t.Fatalf("narrow window should show only the hall list; it shows %q", shown)
	}

	tapText(t, w.Content(), "五华区东风西路营业厅")
	shown = texts(w.Content())
	if !containsText(shown, "李娟") || containsText(shown, "盘龙区北京路营业厅") {
		t.Fatalf("tapping a hall should push its inspections; screen shows %q", shown)
	}

	back := findButton(w.Content(), "返回")
	if back == nil {
		t.Fatal("no back button on the pushed inspections")
	}
	test.Tap(back)
	shown = texts(w.Content())
	if !containsText(shown, "盘龙区北京路营业厅") || containsText(shown, "李娟") {
		t.Fatalf("back should return to the hall list; screen shows %q", shown)
	}

	// The same hall again: it must push again, not stay selected and silent.
	tapText(t, w.Content(), "五华区东风西路营业厅")
	if shown = texts(w.Content()); !containsText(shown, "李娟") {
		t.Fatalf("tapping the hall a second time did not push it; screen shows %q", shown)
	}
}

// TestHomeRotate turns a tablet from landscape to a narrow portrait and back.
func TestHomeRotate(t *testing.T) {
	_, w := newHome(t, demoSource(), "", wide)

	w.Resize(narrow)
	shown := texts(w.Content())
	if containsText(shown, "李娟") || !containsText(shown, "官渡区关上营业厅") {
		t.Fatalf("narrowed window should show only the hall list; it shows %q", shown)
	}
	tapText(t, w.Content(), "官渡区关上营业厅")
	if shown = texts(w.Content()); !containsText(shown, "赵明") {
		t.Fatalf("tapping a hall in the narrowed window did not push it; it shows %q", shown)
	}

	w.Resize(wide)
	shown = texts(w.Content())
	if !containsText(shown, "赵明") || !containsText(shown, "盘龙区北京路营业厅") {
		t.Errorf("widened window should show halls and inspections side by side; it shows %q", shown)
	}
	if findButton(w.Content(), "返回") != nil {
		t.Error("widened window still shows the back button")
	}
}

func TestHomeWideHasNoBackButton(t *testing.T) {
	_, w := newHome(t, demoSource(), "", wide)
	if findButton(w.Content(), "返回") != nil {
		t.Error("wide layout shows a back button")
	}
}

func TestHomeLanguageSwitch(t *testing.T) {
	a, w := newHome(t, demoSource(), "", wide)
	if w.Title() != "督导通" {
		t.Errorf("title = %q, want 督导通 by default", w.Title())
	}

	sel := find[*widget.Select](w.Content())
	if len(sel) != 1 {
		t.Fatalf("found %d language selects, want 1", len(sel))
	}
	sel[0].SetSelected("English")

	if w.Title() != "Dudao" {
		t.Errorf("title after switching = %q, want Dudao", w.Title())
	}
	shown := texts(w.Content())
	for _, want := range []string{"Dudao", "Business halls", "New inspection", "Inspections: 12", "not inspected yet"} {
		if !containsText(shown, want) {
			t.Errorf("English home does not show %q; it shows %q", want, shown)
		}
	}
	if containsText(shown, "督导通") {
		t.Error("English home still shows the Chinese title")
	}

	// The choice is kept: the next window (the next start) opens in English.
	w2 := ui.Create(a, demoSource())
	defer w2.Close()
	if w2.Title() != "Dudao" {
		t.Errorf("new window title = %q, want the saved English", w2.Title())
	}

	find[*widget.Select](w2.Content())[0].SetSelected("中文")
	if w2.Title() != "督导通" {
		t.Errorf("title after switching back = %q, want 督导通", w2.Title())
	}
}

// TestHomeLanguageIgnoresLocale: the supervisor's choice decides, not the
// tablet's locale, and no locale setting may stop the app from starting.
func TestHomeLanguageIgnoresLocale(t *testing.T) {
	for _, env := range []string{"", "C", "C.UTF-8", "POSIX", "zh_CN.UTF-8", "zh_TW.UTF-8", "en_US.UTF-8", "ja_JP.UTF-8"} {
		for pref, title := range map[string]string{"": "督导通", "zh-Hans": "督导通", "en": "Dudao"} {
			t.Run(env+"/"+pref, func(t *testing.T) {
				t.Setenv("LANGUAGE", "")
				t.Setenv("LC_ALL", "")
				t.Setenv("LC_MESSAGES", "")
				t.Setenv("LANG", env)
				_, w := newHome(t, demoSource(), pref, wide)
				if w.Title() != title {
					t.Errorf("title = %q, want %q", w.Title(), title)
				}
			})
		}
	}
}

func TestHomeSourceErrors(t *testing.T) {
	t.Run("halls", func(t *testing.T) {
		src := &fakeSource{hallsErr: errors.New("open database: disk I/O error")}
		_, w := newHome(t, src, "", wide)
		if shown := texts(w.Content()); !containsText(shown, "无法读取营业厅：open database: disk I/O error") {
			t.Errorf("halls error not shown; screen shows %q", shown)
		}
	})
	t.Run("inspections", func(t *testing.T) {
		src := demoSource()
		src.rowsErr = errors.New("query inspections: database is locked")
		_, w := newHome(t, src, "", wide)
		shown := texts(w.Content())
		if !containsText(shown, "无法读取督导记录：query inspections: database is locked") {
			t.Errorf("inspections error not shown; screen shows %q", shown)
		}
		if !containsText(shown, "官渡区关上营业厅") {
			t.Errorf("an inspections error should leave the hall list usable; screen shows %q", shown)
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, w := newHome(t, &fakeSource{}, "", wide)
		if shown := texts(w.Content()); !containsText(shown, "还没有营业厅") {
			t.Errorf("empty state not explained; screen shows %q", shown)
		}
	})
}

// TestHomeScreenshots renders the home screen for people to look at. Set
// SCREENSHOTS_DIR to keep the PNG files.
func TestHomeScreenshots(t *testing.T) {
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	light := func(a fyne.App) fyne.Theme { return variant{a.Settings().Theme(), theme.VariantLight} }
	// The test theme's garish colours show any colour hard-coded instead of
	// taken from the theme.
	garish := func(fyne.App) fyne.Theme { return test.NewTheme() }

	shots := []struct {
		name     string
		language string
		size     fyne.Size
		src      ui.HomeSource
		tap      string
		theme    func(fyne.App) fyne.Theme
	}{
		{"home-1280x800", "", wide, demoSource(), "", nil},
		{"home-light-1280x800", "", wide, demoSource(), "", light},
		{"home-800x1280", "", tall, demoSource(), "官渡区关上营业厅", nil},
		{"home-en-1280x800", "en", wide, demoSource(), "", nil},
		{"home-narrow-halls", "", narrow, demoSource(), "", nil},
		{"home-narrow-inspections", "", narrow, demoSource(), "五华区东风西路营业厅", light},
		{"home-empty-1280x800", "", wide, &fakeSource{}, "", nil},
		{"home-error-800x1280", "", tall, &fakeSource{hallsErr: errors.New("open database: disk I/O error")}, "", nil},
		{"home-testtheme-1280x800", "en", wide, demoSource(), "", garish},
	}
	for _, s := range shots {
		t.Run(s.name, func(t *testing.T) {
			a, w := newHome(t, s.src, s.language, s.size)
			if s.theme != nil {
				test.ApplyTheme(t, s.theme(a))
			}
			if s.tap != "" {
				tapText(t, w.Content(), s.tap)
			}
			img := w.Canvas().Capture()
			if b := img.Bounds(); b.Dx() != int(s.size.Width) || b.Dy() != int(s.size.Height) {
				t.Errorf("capture is %dx%d, want %v", b.Dx(), b.Dy(), s.size)
			}
			f, err := os.Create(filepath.Join(dir, s.name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// variant forces a theme's light or dark colours, whatever the system's.
type variant struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// walk visits o and every visible object below it, widgets included.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walk(c, visit)
		}
	}
}

func find[T fyne.CanvasObject](o fyne.CanvasObject) []T {
	var found []T
	walk(o, func(o fyne.CanvasObject) {
		if t, ok := o.(T); ok {
			found = append(found, t)
		}
	})
	return found
}

// texts lists the visible text under o: labels, rich text and buttons each as
// one string.
func texts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.RichText:
			out = append(out, v.String())
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Select:
			out = append(out, v.Selected)
		case *canvas.Text:
			out = append(out, v.Text)
		}
	})
	return out
}

func containsText(shown []string, want string) bool {
	return slices.ContainsFunc(shown, func(s string) bool { return strings.Contains(s, want) })
}

func findButton(o fyne.CanvasObject, text string) *widget.Button {
	for _, b := range find[*widget.Button](o) {
		if b.Text == text {
			return b
		}
	}
	return nil
}

// tapText taps the innermost tappable object showing text, as a finger on
// that list row would.
func tapText(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var target fyne.Tappable
	walk(o, func(o fyne.CanvasObject) {
		if tp, ok := o.(fyne.Tappable); ok && containsText(texts(o), text) {
			target = tp // later matches are deeper in the tree
		}
	})
	if target == nil {
		t.Fatalf("nothing tappable shows %q", text)
	}
	test.Tap(target)
}
