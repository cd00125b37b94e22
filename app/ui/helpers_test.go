package ui_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/app/ui"
)

// now is the fixed "today" of every UI test: the demo ends on it and flow's
// clock reads it, so dates, repeat hints and screenshots do not depend on
// the day the tests run.
var now = time.Date(2025, time.May, 20, 10, 30, 0, 0, inspect.HallZone)

// templateDB is the demo database, generated once per test binary (it takes
// seconds) and copied for each test.
var templateDB string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dudao-ui-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		templateDB = filepath.Join(dir, "demo.db")
		db, err := store.Open(templateDB)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open template database:", err)
			return 1
		}
		_, err = demo.Generate(context.Background(), db, demo.Options{End: now, Now: func() time.Time { return now }})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "generate the demo:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// fixture is a test's own copy of the demo database.
type fixture struct {
	t    *testing.T
	path string
	db   *store.DB
	wf   *flow.Flow
	// clock, when set before open, replaces the fixed now.
	clock func() time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	if err := copyTree(filepath.Dir(templateDB), dir); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, path: filepath.Join(dir, filepath.Base(templateDB))}
	f.open()
	t.Cleanup(func() { f.close() })
	return f
}

// open opens the database and a workflow on it, as the app's main does.
func (f *fixture) open() {
	f.t.Helper()
	db, err := store.Open(f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	clock := f.clock
	if clock == nil {
		clock = func() time.Time { return now }
	}
	wf, err := flow.New(db, flow.WithClock(clock))
	if err != nil {
		f.t.Fatal(err)
	}
	f.db, f.wf = db, wf
}

func (f *fixture) close() {
	if f.db != nil {
		f.db.Close()
		f.db, f.wf = nil, nil
	}
}

// killedCopy is the database as killing the app now would leave it: its
// file and write-ahead log, copied while it is open, never checkpointed
// or closed, opened as a new fixture (the app started again).
func (f *fixture) killedCopy() *fixture {
	f.t.Helper()
	dir := f.t.TempDir()
	g := &fixture{t: f.t, path: filepath.Join(dir, filepath.Base(f.path)), clock: f.clock}
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(f.path + suffix)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(g.path+suffix, data, 0o600); err != nil {
			f.t.Fatal(err)
		}
	}
	g.open()
	f.t.Cleanup(g.close)
	return g
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// Window sizes of the issue: tablet landscape and portrait, phone, desktop.
var (
	landscape = fyne.NewSize(1280, 800)
	portrait  = fyne.NewSize(800, 1280)
	phone     = fyne.NewSize(412, 915)
	desktop   = fyne.NewSize(1920, 1080)
)

// newApp opens the app's window on the fixture's workflow, in a fresh test
// app (fresh preferences) unless a is given.
func newApp(t *testing.T, f *fixture, a fyne.App, size fyne.Size) (fyne.App, fyne.Window) {
	t.Helper()
	if a == nil {
		a = test.NewTempApp(t)
	}
	w := ui.Create(a, f.wf)
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(size)
	return a, w
}

var closed = map[fyne.Window]bool{}

// closeWindow closes w once: the test driver panics on a second close.
func closeWindow(w fyne.Window) {
	if !closed[w] {
		closed[w] = true
		w.Close()
	}
}

// user drives the window as a person would, counting gestures: a tap, typing
// a whole entry, and a drawn stroke each count one.
type user struct {
	t    *testing.T
	w    fyne.Window
	taps int // every gesture: taps, swipes that bring a target into view, a PIN, a signature
	// swipes counts the gestures that only scrolled.
	swipes int
}

func (u *user) tap(text string) {
	u.t.Helper()
	target := u.find(text)
	u.reach(target)
	tapCentre(target)
	u.taps++
	ui.WaitBackground()
}

// reach brings o into view as a finger would before tapping it: where it
// lies outside the view of a scrolled area, one swipe centres it there, and
// counts as a gesture. A test that tapped what no one could see would count
// fewer gestures than a supervisor makes.
func (u *user) reach(o any) {
	co, ok := o.(fyne.CanvasObject)
	if !ok {
		return
	}
	path := pathTo(u.root(), co)
	d := fyne.CurrentApp().Driver()
	for i := len(path) - 1; i >= 0; i-- { // the innermost scroll first
		sc, ok := path[i].(*container.Scroll)
		if !ok {
			continue
		}
		top := d.AbsolutePositionForObject(co).Y - d.AbsolutePositionForObject(sc).Y
		view := sc.Size().Height
		if top >= 0 && top+co.Size().Height <= view {
			continue
		}
		sc.ScrollToOffset(fyne.NewPos(sc.Offset.X, max(0, sc.Offset.Y+top-(view-co.Size().Height)/2)))
		u.taps++
		u.swipes++
	}
}

// pathTo returns the objects from root down to o (o last), nil when o is
// not shown under root.
func pathTo(root, o fyne.CanvasObject) []fyne.CanvasObject {
	if root == nil || !root.Visible() {
		return nil
	}
	if root == o {
		return []fyne.CanvasObject{root}
	}
	var children []fyne.CanvasObject
	switch v := root.(type) {
	case *fyne.Container:
		children = v.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(v).Objects()
	}
	for _, c := range children {
		if p := pathTo(c, o); p != nil {
			return append([]fyne.CanvasObject{root}, p...)
		}
	}
	return nil
}

// tapCentre taps the middle of o, where a finger would.
func tapCentre(o fyne.Tappable) {
	if co, ok := o.(fyne.CanvasObject); ok {
		s := co.Size()
		test.TapAt(o, fyne.NewPos(s.Width/2, s.Height/2))
		return
	}
	test.Tap(o)
}

// tapButton taps the button with exactly this text.
func (u *user) tapButton(text string) {
	u.t.Helper()
	b := findButton(u.root(), text)
	if b == nil {
		u.t.Fatalf("no button %q; the screen shows %q", text, texts(u.root()))
	}
	if b.Disabled() {
		u.t.Fatalf("button %q is disabled", text)
	}
	u.reach(b)
	tapCentre(b)
	u.taps++
	ui.WaitBackground()
}

func (u *user) typeInto(e *widget.Entry, text string) {
	test.Type(e, text)
	u.taps++
}

// sign draws one stroke across the signature pad.
func (u *user) sign() {
	u.t.Helper()
	var pad fyne.CanvasObject
	walk(u.root(), func(o fyne.CanvasObject) {
		if fmt.Sprintf("%T", o) == "*ui.signaturePad" {
			pad = o
		}
	})
	if pad == nil {
		u.t.Fatal("no signature pad on screen")
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(pad)
	size := pad.Size()
	test.Drag(u.w.Canvas(), pos.Add(fyne.NewPos(size.Width*0.7, size.Height*0.6)), -size.Width*0.5, -size.Height*0.3)
	u.taps++
}

// root is what the user sees on top: the topmost dialog, or the window,
// once what background work has handed to the UI thread has run, as it
// would before the next frame.
func (u *user) root() fyne.CanvasObject {
	ui.RunPending()
	if o := u.w.Canvas().Overlays().Top(); o != nil {
		return o
	}
	return u.w.Content()
}

// find returns the innermost tappable object that shows text, as a finger
// on that row or button would hit it.
func (u *user) find(text string) fyne.Tappable {
	u.t.Helper()
	var target fyne.Tappable
	walk(u.root(), func(o fyne.CanvasObject) {
		if tp, ok := o.(fyne.Tappable); ok && containsText(texts(o), text) {
			target = tp // later matches are deeper in the tree
		}
	})
	if target == nil {
		u.t.Fatalf("nothing tappable shows %q; the screen shows %q", text, texts(u.root()))
	}
	return target
}

func (u *user) sees(text string) bool { return containsText(texts(u.root()), text) }

// mustSee fails unless the screen shows every text, allowing work that a
// screen does off the UI thread (a count, a search) a moment to land.
func (u *user) mustSee(texts ...string) {
	u.t.Helper()
	for _, s := range texts {
		deadline := time.Now().Add(5 * time.Second)
		for !u.sees(s) {
			if time.Now().After(deadline) {
				u.t.Fatalf("the screen does not show %q; it shows %q", s, allTexts(u))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func allTexts(u *user) []string { return texts(u.root()) }

// signIn signs in as the demo supervisor: the name, the PIN, the button.
func (u *user) signIn() {
	u.t.Helper()
	u.tap("张督导")
	u.typeInto(passwordEntry(u.t, u.root()), demo.SupervisorPIN)
	u.tapButton("登录")
	u.mustSee("新建督导")
}

func passwordEntry(t *testing.T, o fyne.CanvasObject) *widget.Entry {
	t.Helper()
	for _, e := range find[*widget.Entry](o) {
		if e.Password {
			return e
		}
	}
	t.Fatal("no PIN entry on screen")
	return nil
}

// settle lays the window out again from the top, as the desktop and mobile
// drivers do every frame for objects whose minimum size changed (wrapped
// text, a row that grew). The test canvas does not, so a capture would show
// stale positions. Two passes let wrapped labels settle on their width.
func settle(w fyne.Window) {
	for range 2 {
		relayout(w.Content())
		for _, o := range w.Canvas().Overlays().List() {
			relayout(o)
		}
	}
}

func relayout(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	switch v := o.(type) {
	case *fyne.Container:
		if v.Layout != nil {
			v.Layout.Layout(v.Objects, v.Size())
		}
		for _, c := range v.Objects {
			relayout(c)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(v)
		r.Layout(v.Size())
		for _, c := range r.Objects() {
			relayout(c)
		}
	}
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

func find[T any](o fyne.CanvasObject) []T {
	var found []T
	walk(o, func(o fyne.CanvasObject) {
		if t, ok := o.(T); ok {
			found = append(found, t)
		}
	})
	return found
}

// texts lists the visible text under o.
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
