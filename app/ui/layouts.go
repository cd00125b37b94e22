package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// masterDetail lays out three objects, a list (master), a divider and what
// the list's selection shows (detail). With room for both they sit side by
// side; below narrowBelow only the master shows, and the screen pushes
// details as screens of their own (see split).
//
// It is a layout rather than two containers swapped on resize so that the
// panes keep their widgets, scroll position and selection across rotation.
type masterDetail struct {
	narrowBelow float32
	// narrow is the mode of the last Layout, which decides whether a tap
	// shows a detail beside the list or pushes it.
	narrow bool
}

var _ fyne.Layout = (*masterDetail)(nil)

// masterShare is the master's part of a wide window's width, kept within
// [masterMin, masterMax] so names stay readable without wasting space.
const (
	masterShare = 0.36
	masterMin   = 300
	masterMax   = 440
)

func (m *masterDetail) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if len(objects) != 3 {
		return
	}
	master, divider, detail := objects[0], objects[1], objects[2]
	m.narrow = size.Width < m.narrowBelow

	if m.narrow {
		divider.Hide()
		detail.Hide()
		master.Show()
		master.Move(fyne.NewPos(0, 0))
		master.Resize(size)
		return
	}

	master.Show()
	divider.Show()
	detail.Show()
	w := min(max(size.Width*masterShare, masterMin), masterMax)
	dw := divider.MinSize().Width
	master.Move(fyne.NewPos(0, 0))
	master.Resize(fyne.NewSize(w, size.Height))
	divider.Move(fyne.NewPos(w, 0))
	divider.Resize(fyne.NewSize(dw, size.Height))
	detail.Move(fyne.NewPos(w+dw, 0))
	detail.Resize(fyne.NewSize(size.Width-w-dw, size.Height))
}

// MinSize is that of the narrow layout, the smallest it can become: the
// window may shrink to a phone's width and the layout follows.
func (m *masterDetail) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) != 3 {
		return fyne.Size{}
	}
	return objects[0].MinSize()
}

// wrapLayout places its objects in a row, and one under the other when the
// row does not fit the width it was last given. Fyne asks for a minimum size
// before it gives a width, so MinSize answers for the last width seen: a
// row that grows or shrinks settles on the next layout pass.
type wrapLayout struct {
	width float32 // of the last Layout; 0 before the first
}

var _ fyne.Layout = (*wrapLayout)(nil)

func (l *wrapLayout) oneLine(objs []fyne.CanvasObject) (fyne.Size, bool) {
	var s fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if n > 0 {
			s.Width += theme.Padding()
		}
		s.Width += m.Width
		s.Height = max(s.Height, m.Height)
		n++
	}
	return s, l.width > 0 && s.Width <= l.width
}

func (l *wrapLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	_, fits := l.oneLine(objs)
	var x, y float32
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		o.Resize(m)
		if fits {
			o.Move(fyne.NewPos(x, 0))
			x += m.Width + theme.Padding()
		} else {
			o.Move(fyne.NewPos(0, y))
			y += m.Height + theme.Padding()
		}
	}
}

func (l *wrapLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	line, fits := l.oneLine(objs)
	if fits {
		return line
	}
	var s fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if n > 0 {
			s.Height += theme.Padding()
		}
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		n++
	}
	return s
}
