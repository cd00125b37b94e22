package ui

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tone is the background of a tapRow, a theme colour so that light and dark
// variants both work.
type tone int

const (
	toneNone     tone = iota
	toneCard          // a raised tile
	toneSelected      // the row whose detail is shown
	toneDanger        // a nonconformity: impossible to miss at arm's length
	toneMuted         // not applicable
)

// tapRow is a whole row (or tile) that reacts to a tap: far easier to hit
// with a thumb than a small button inside it. Buttons inside the row still
// take their own taps.
type tapRow struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	onTapped func()
	tone     tone

	bg     *canvas.Rectangle
	stripe *canvas.Rectangle // a bar on the leading edge, shown for toneDanger
}

var (
	_ fyne.Tappable = (*tapRow)(nil)
	_ fyne.Widget   = (*tapRow)(nil)
)

func newTapRow(content fyne.CanvasObject, onTapped func()) *tapRow {
	r := &tapRow{content: content, onTapped: onTapped}
	r.ExtendBaseWidget(r)
	return r
}

func (r *tapRow) Tapped(*fyne.PointEvent) {
	if r.onTapped != nil {
		r.onTapped()
	}
}

func (r *tapRow) setTone(t tone) {
	if r.tone == t {
		return
	}
	r.tone = t
	r.Refresh()
}

func (r *tapRow) CreateRenderer() fyne.WidgetRenderer {
	r.bg = canvas.NewRectangle(color.Transparent)
	r.bg.CornerRadius = theme.InputRadiusSize()
	r.stripe = canvas.NewRectangle(color.Transparent)
	r.stripe.SetMinSize(fyne.NewSize(6, 0))
	r.paint()
	body := container.NewBorder(nil, nil, r.stripe, nil, container.NewPadded(r.content))
	return widget.NewSimpleRenderer(container.NewStack(r.bg, minSize(0, touchTarget), body))
}

func (r *tapRow) Refresh() {
	r.paint()
	r.BaseWidget.Refresh()
}

// paint sets the colours from the current theme; it runs on every refresh,
// which includes a theme change.
func (r *tapRow) paint() {
	if r.bg == nil {
		return
	}
	th := r.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = color.Transparent
	r.stripe.FillColor = color.Transparent
	switch r.tone {
	case toneCard:
		r.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	case toneSelected:
		r.bg.FillColor = th.Color(theme.ColorNameSelection, v)
	case toneDanger:
		r.bg.FillColor = withAlpha(th.Color(theme.ColorNameError, v), 0x38)
		r.stripe.FillColor = th.Color(theme.ColorNameError, v)
	case toneMuted:
		r.bg.FillColor = th.Color(theme.ColorNameDisabledButton, v)
	}
	r.bg.Refresh()
	r.stripe.Refresh()
}

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// minSize is an invisible spacer that holds its container open.
func minSize(w, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// minHeightLayout stacks its objects and makes the stack at least h tall,
// so a short button still makes a 48 dp target.
type minHeightLayout struct{ h float32 }

func (l minHeightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l minHeightLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, l.h)
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s
}

// tall wraps o so that it is at least a touch target high.
func tall(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(minHeightLayout{touchTarget}, o)
}

// maxWidthLayout centres its objects in at most w of the width: a form or a
// column of cards stretched over a 1920 px desktop would be hard to read.
type maxWidthLayout struct{ w float32 }

func (l maxWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.w)
	x := (size.Width - w) / 2
	for _, o := range objs {
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (l maxWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// centred limits o to a readable width.
func centred(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(maxWidthLayout{w}, o)
}

// Column widths of the centred screens.
const (
	formWidth  = 640
	listWidth  = 960
	wideLayout = 900 // windows at least this wide show list and detail side by side
)

// heading is a section title.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// caption is secondary text: smaller, and in the theme's placeholder
// colour, which stays readable in both variants (a low-importance label is
// too faint on the dark theme).
func caption(text string) *widget.RichText {
	return colouredCaption(text, theme.ColorNamePlaceHolder)
}

// colouredCaption is a caption in a colour of its own (an error, a warning).
func colouredCaption(text string, c fyne.ThemeColorName) *widget.RichText {
	rt := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		ColorName: c, SizeName: theme.SizeNameCaptionText,
	}})
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// setCaption changes a caption's text.
func setCaption(rt *widget.RichText, text string) {
	rt.Segments[0].(*widget.TextSegment).Text = text
	rt.Refresh()
}

// lines is a row's text as one rich text: a title, then detail lines. One
// widget rather than a column of labels keeps rows compact, since each label
// brings its own padding.
func lines(title string, big bool, details ...*widget.TextSegment) *widget.RichText {
	size := theme.SizeNameText
	if big {
		size = theme.SizeNameSubHeadingText
	}
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: title, Style: widget.RichTextStyle{
		ColorName: theme.ColorNameForeground, SizeName: size, TextStyle: fyne.TextStyle{Bold: true},
	}}}
	for _, d := range details {
		segs = append(segs, d)
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// detail is a detail line of lines, in the caption's style; flag is one in
// a colour that stands out.
func detail(text string) *widget.TextSegment { return flag(text, theme.ColorNamePlaceHolder) }

func flag(text string, c fyne.ThemeColorName) *widget.TextSegment {
	return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: c, SizeName: theme.SizeNameCaptionText}}
}

// setLines changes the text of lines made with the same number of segments.
func setLines(rt *widget.RichText, texts ...string) {
	for i, t := range texts {
		if i < len(rt.Segments) {
			rt.Segments[i].(*widget.TextSegment).Text = t
		}
	}
	rt.Refresh()
}

// bold is a label in bold.
func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// wrapped is a label that wraps at word boundaries (and between CJK
// characters).
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// bigButton is a primary action, tall enough for a thumb.
func bigButton(text string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(text, icon, tapped)
	b.Importance = widget.HighImportance
	return b
}

// notYet is a disabled button for a feature another step delivers, so the
// place is visible and nothing pretends to work.
func notYet(text string, icon fyne.Resource) *widget.Button {
	b := widget.NewButtonWithIcon(text, icon, nil)
	b.Disable()
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

// newCheckRow is a setting that is on or off, as a whole-width row: a
// stretched widget.Check reacts only on its box and label.
func newCheckRow(text string, on bool, changed func(bool)) *tapRow {
	icon := widget.NewIcon(theme.CheckButtonIcon())
	set := func() {
		if on {
			icon.SetResource(theme.CheckButtonCheckedIcon())
		} else {
			icon.SetResource(theme.CheckButtonIcon())
		}
	}
	set()
	return newTapRow(container.NewBorder(nil, nil, icon, nil, widget.NewLabel(text)), func() {
		on = !on
		set()
		changed(on)
	})
}
