package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// signaturePad is a drawing pad for a signature. It records strokes as the
// finger drags, draws them with line segments, and exports them as a PNG
// (black ink on a transparent background, whatever the theme) for the
// record.
type signaturePad struct {
	widget.BaseWidget

	// OnStroke runs when a stroke ends: the moment to save the signature.
	OnStroke func()
	hint     string

	strokes [][]fyne.Position
	drawing bool
}

var (
	_ fyne.Draggable = (*signaturePad)(nil)
	_ fyne.Widget    = (*signaturePad)(nil)
)

// Pad dimensions: the height leaves room for a Chinese name written large.
const (
	padMinWidth  = 240
	padMinHeight = 160
	inkWidth     = 3
	// exportScale renders the PNG at twice the pad's size, for print.
	exportScale = 2
)

func newSignaturePad(hint string, onStroke func()) *signaturePad {
	p := &signaturePad{hint: hint, OnStroke: onStroke}
	p.ExtendBaseWidget(p)
	return p
}

// Dragged extends the current stroke, starting one where the drag began.
func (p *signaturePad) Dragged(ev *fyne.DragEvent) {
	at := p.clamp(ev.Position)
	if !p.drawing {
		p.drawing = true
		p.strokes = append(p.strokes, []fyne.Position{p.clamp(ev.Position.Subtract(ev.Dragged))})
	}
	last := len(p.strokes) - 1
	p.strokes[last] = append(p.strokes[last], at)
	p.Refresh()
}

func (p *signaturePad) DragEnd() {
	if !p.drawing {
		return
	}
	p.drawing = false
	if p.OnStroke != nil {
		p.OnStroke()
	}
}

func (p *signaturePad) clamp(at fyne.Position) fyne.Position {
	s := p.Size()
	return fyne.NewPos(min(max(at.X, 0), s.Width), min(max(at.Y, 0), s.Height))
}

// Clear removes every stroke.
func (p *signaturePad) Clear() {
	p.strokes = nil
	p.drawing = false
	p.Refresh()
}

// Empty reports whether nothing has been drawn.
func (p *signaturePad) Empty() bool { return len(p.strokes) == 0 }

// PNG renders the strokes, or returns nil when nothing is drawn.
func (p *signaturePad) PNG() ([]byte, error) {
	if p.Empty() {
		return nil, nil
	}
	size := p.Size()
	if size.Width <= 0 || size.Height <= 0 {
		size = p.MinSize()
	}
	w, h := int(math.Ceil(float64(size.Width*exportScale))), int(math.Ceil(float64(size.Height*exportScale)))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ink := color.NRGBA{A: 0xff}
	r := float64(inkWidth*exportScale) / 2
	for _, s := range p.strokes {
		for i := range s {
			a, b := s[i], s[i]
			if i > 0 {
				a = s[i-1]
			}
			stampLine(img, float64(a.X*exportScale), float64(a.Y*exportScale), float64(b.X*exportScale), float64(b.Y*exportScale), r, ink)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// stampLine draws a round-ended line by stamping discs along it, half a
// pixel apart: simple, and smooth enough for handwriting.
func stampLine(img *image.NRGBA, x0, y0, x1, y1, r float64, c color.NRGBA) {
	steps := int(math.Ceil(math.Hypot(x1-x0, y1-y0) * 2))
	for i := 0; i <= steps; i++ {
		t := 0.0
		if steps > 0 {
			t = float64(i) / float64(steps)
		}
		cx, cy := x0+(x1-x0)*t, y0+(y1-y0)*t
		for y := int(cy - r); y <= int(cy+r)+1; y++ {
			for x := int(cx - r); x <= int(cx+r)+1; x++ {
				if (float64(x)+0.5-cx)*(float64(x)+0.5-cx)+(float64(y)+0.5-cy)*(float64(y)+0.5-cy) <= r*r {
					if image.Pt(x, y).In(img.Rect) {
						img.SetNRGBA(x, y, c)
					}
				}
			}
		}
	}
}

func (p *signaturePad) MinSize() fyne.Size {
	return fyne.NewSize(padMinWidth, padMinHeight)
}

func (p *signaturePad) CreateRenderer() fyne.WidgetRenderer {
	r := &padRenderer{p: p,
		bg:   canvas.NewRectangle(color.Transparent),
		base: canvas.NewLine(color.Transparent),
		hint: canvas.NewText(p.hint, color.Transparent),
	}
	r.Refresh()
	return r
}

// padRenderer draws the pad: a framed area with a baseline, the hint while
// empty, and the strokes.
type padRenderer struct {
	p     *signaturePad
	bg    *canvas.Rectangle
	base  *canvas.Line
	hint  *canvas.Text
	lines []fyne.CanvasObject
}

func (r *padRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	y := size.Height * 0.75
	pad := theme.Padding() * 3
	r.base.Position1 = fyne.NewPos(pad, y)
	r.base.Position2 = fyne.NewPos(size.Width-pad, y)
	hs := r.hint.MinSize()
	r.hint.Move(fyne.NewPos((size.Width-hs.Width)/2, y-hs.Height-theme.Padding()))
	r.hint.Resize(hs)
}

func (r *padRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *padRenderer) Refresh() {
	th := r.p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.bg.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	r.bg.StrokeWidth = 2
	r.bg.CornerRadius = theme.InputRadiusSize()
	r.base.StrokeColor = th.Color(theme.ColorNamePlaceHolder, v)
	r.base.StrokeWidth = 1
	r.hint.Text = r.p.hint
	r.hint.Color = th.Color(theme.ColorNamePlaceHolder, v)
	r.hint.TextSize = th.Size(theme.SizeNameCaptionText)
	r.hint.Hidden = !r.p.Empty()

	ink := th.Color(theme.ColorNameForeground, v)
	r.lines = r.lines[:0]
	for _, s := range r.p.strokes {
		for i := 1; i < len(s); i++ {
			l := canvas.NewLine(ink)
			l.StrokeWidth = inkWidth
			l.Position1, l.Position2 = s[i-1], s[i]
			r.lines = append(r.lines, l)
		}
	}
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}

func (r *padRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg, r.base, r.hint}, r.lines...)
}

func (r *padRenderer) Destroy() {}
