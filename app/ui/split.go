package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// split is a list beside its detail on a wide window. On a narrow one (a
// phone, a tablet in portrait) the list fills the window and a detail is
// pushed as a screen of its own, with the navigator's back button.
type split struct {
	nav    *navigator
	layout *masterDetail
	detail *fyne.Container
	shown  screen // the screen in the detail pane, nil for the placeholder
}

func newSplit(nav *navigator, placeholder fyne.CanvasObject) *split {
	return &split{
		nav:    nav,
		layout: &masterDetail{narrowBelow: wideLayout},
		detail: container.NewStack(placeholder),
	}
}

// build lays out master and detail; call it once per buildUI.
func (s *split) build(master fyne.CanvasObject) fyne.CanvasObject {
	return container.New(s.layout, master, widget.NewSeparator(), s.detail)
}

// open shows scr in the detail pane, or pushes it on a narrow window. It
// reports whether it pushed.
func (s *split) open(scr screen) bool {
	if s.layout.narrow {
		s.nav.push(scr)
		return true
	}
	s.show(scr)
	return false
}

// show puts scr in the detail pane whatever the width: on a narrow window
// it waits there, hidden, for the window to widen.
func (s *split) show(scr screen) {
	s.shown = scr
	s.detail.Objects = []fyne.CanvasObject{scr.buildUI()}
	s.detail.Refresh()
}

// narrow reports whether the last layout was the narrow one.
func (s *split) narrow() bool { return s.layout.narrow }
