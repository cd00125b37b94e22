package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// screen is one screen of the app.
type screen interface {
	// title is shown in the top bar.
	title() string
	// buildUI makes the screen's widgets afresh, loading what it shows. It
	// runs again after a language switch, so it must not assume it runs once.
	buildUI() fyne.CanvasObject
}

// Optional parts of a screen.
type (
	// withActions puts buttons at the trailing end of the top bar.
	withActions interface{ actions() []fyne.CanvasObject }
	// withShow reloads what may have changed while a pushed screen was on
	// top (a checklist after its finding was edited).
	withShow interface{ onShow() }
	// withLeave runs before the screen is popped: the moment to save an
	// edit that is not saved per keystroke (a note).
	withLeave interface{ onLeave() }
	// withFlush saves at once an edit that waits for typing to pause (a
	// note): leaving the foreground may be the last moment before the
	// system kills the app.
	withFlush interface{ flush() }
	// withBusy keeps the screen on top while it reports busy (work running
	// off the UI thread on a draft the screens below share).
	withBusy interface{ busy() bool }
)

// navigator is a stack of screens in one window, as a phone app pushes and
// pops them: the top screen fills the window under a bar with its title and a
// back button. Screens further down keep their state (scroll, selection) and
// are shown again as they were.
type navigator struct {
	win   fyne.Window
	stack []*page
}

type page struct {
	scr screen
	ui  fyne.CanvasObject // nil until built, and after a language switch
}

func newNavigator(w fyne.Window) *navigator {
	n := &navigator{win: w}
	// Android's back key and Escape on a keyboard go back, like the button.
	w.Canvas().SetOnTypedKey(n.onTypedKey)
	return n
}

// push shows scr over the current screen.
func (n *navigator) push(scr screen) {
	n.stack = append(n.stack, &page{scr: scr})
	n.show()
}

// pop returns to the screen below, if there is one.
func (n *navigator) pop() {
	if len(n.stack) < 2 {
		return
	}
	if b, ok := n.top().(withBusy); ok && b.busy() {
		return
	}
	if l, ok := n.top().(withLeave); ok {
		l.onLeave()
	}
	n.stack = n.stack[:len(n.stack)-1]
	if s, ok := n.top().(withShow); ok && n.stack[len(n.stack)-1].ui != nil {
		s.onShow()
	}
	n.show()
}

// reset replaces the whole stack with scrs, the last on top. Screens below
// the top are built when they are first shown.
func (n *navigator) reset(scrs ...screen) {
	n.stack = n.stack[:0]
	for _, s := range scrs {
		n.stack = append(n.stack, &page{scr: s})
	}
	n.show()
}

// rebuild builds every screen again, for a new language.
func (n *navigator) rebuild() {
	for _, p := range n.stack {
		p.ui = nil
	}
	n.show()
}

func (n *navigator) top() screen {
	if len(n.stack) == 0 {
		return nil
	}
	return n.stack[len(n.stack)-1].scr
}

func (n *navigator) show() {
	if len(n.stack) == 0 {
		return
	}
	p := n.stack[len(n.stack)-1]
	if p.ui == nil {
		p.ui = p.scr.buildUI()
	}
	n.win.SetContent(container.NewBorder(n.bar(p.scr), nil, nil, nil, p.ui))
}

func (n *navigator) bar(scr screen) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(scr.title(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	title.Truncation = fyne.TextTruncateEllipsis

	var leading fyne.CanvasObject
	if len(n.stack) > 1 {
		back := widget.NewButtonWithIcon(lang.X("nav.back", "Back"), theme.NavigateBackIcon(), n.pop)
		back.Importance = widget.LowImportance
		leading = back
	}
	var trailing fyne.CanvasObject
	if a, ok := scr.(withActions); ok {
		if objs := a.actions(); len(objs) > 0 {
			trailing = container.NewHBox(objs...)
		}
	}
	row := container.NewBorder(nil, nil, leading, trailing, title)
	return container.NewVBox(container.New(minHeightLayout{touchTarget}, row), widget.NewSeparator())
}

func (n *navigator) onTypedKey(ev *fyne.KeyEvent) {
	if ev.Name == mobile.KeyBack || ev.Name == fyne.KeyEscape {
		n.pop()
	}
}
