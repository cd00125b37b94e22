package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// masterDetail lays out three objects, a list (master), a divider and what
// the list's selection shows (detail). With room for both they sit side by
// side; below narrowBelow only one shows at a time, the detail when
// showDetail is set, as a phone app would push a screen.
//
// It is a layout rather than two containers swapped on resize so that the
// panes keep their widgets, scroll position and selection across rotation.
type masterDetail struct {
	narrowBelow float32
	showDetail  bool // narrow layout only: the detail is pushed over the master

	// narrow is the mode of the last Layout; onNarrowChanged runs when it
	// flips, so the screen can show or hide its back button.
	narrow          bool
	onNarrowChanged func(narrow bool)
}

var _ fyne.Layout = (*masterDetail)(nil)

// masterShare is the master's part of a wide window's width, kept within
// [masterMin, masterMax] so hall names stay readable without wasting space.
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

	narrow := size.Width < m.narrowBelow
	if narrow != m.narrow {
		m.narrow = narrow
		if m.onNarrowChanged != nil {
			m.onNarrowChanged(narrow)
		}
	}

	if narrow {
		divider.Hide()
		shown, hidden := master, detail
		if m.showDetail {
			shown, hidden = detail, master
		}
		hidden.Hide()
		shown.Show()
		shown.Move(fyne.NewPos(0, 0))
		shown.Resize(size)
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
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// barLayout lays out a screen under its app bar: a title, actions and a
// trailing control (the language switch) in one row when they fit, the
// actions on a second row when they don't, then a divider and the body.
//
// Fyne's MinSize cannot depend on the width it will get, so a wrapping bar
// inside a Border would claim its two-row height even on a wide window; one
// layout for the whole screen knows the width and places both.
type barLayout struct{}

var _ fyne.Layout = barLayout{}

// Layout expects title, trailing, actions, divider, body.
func (barLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if len(objects) != 5 {
		return
	}
	title, trailing, actions, divider, body := objects[0], objects[1], objects[2], objects[3], objects[4]
	pad := theme.Padding()
	ts, ls, as := title.MinSize(), trailing.MinSize(), actions.MinSize()

	place := func(o fyne.CanvasObject, s fyne.Size, x, y, rowHeight float32) {
		o.Move(fyne.NewPos(x, y+(rowHeight-s.Height)/2))
		o.Resize(s)
	}

	var y float32
	if ts.Width+pad+as.Width+pad+ls.Width <= size.Width {
		row := max(ts.Height, ls.Height, as.Height)
		place(title, ts, 0, 0, row)
		place(actions, as, ts.Width+pad, 0, row)
		place(trailing, ls, size.Width-ls.Width, 0, row)
		y = row
	} else {
		row := max(ts.Height, ls.Height)
		place(title, ts, 0, 0, row)
		place(trailing, ls, size.Width-ls.Width, 0, row)
		place(actions, as, 0, row+pad, as.Height)
		y = row + pad + as.Height
	}

	dh := divider.MinSize().Height
	divider.Move(fyne.NewPos(0, y+pad))
	divider.Resize(fyne.NewSize(size.Width, dh))
	y += pad + dh + pad
	body.Move(fyne.NewPos(0, y))
	body.Resize(fyne.NewSize(size.Width, max(size.Height-y, 0)))
}

// MinSize is that of the two-row bar over the body's minimum.
func (barLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) != 5 {
		return fyne.Size{}
	}
	pad := theme.Padding()
	ts, ls, as := objects[0].MinSize(), objects[1].MinSize(), objects[2].MinSize()
	dh, bs := objects[3].MinSize().Height, objects[4].MinSize()
	w := max(ts.Width+pad+ls.Width, as.Width, bs.Width)
	h := max(ts.Height, ls.Height) + pad + as.Height + pad + dh + pad + bs.Height
	return fyne.NewSize(w, h)
}
