package ui

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/report"
)

// Charts of the manager's screens. They draw the same figures as the summary
// PDF's charts (app/report/charts.go) and follow the same rules, so that
// screen and paper read alike: a score axis that starts just below the
// lowest value, gaps where a period had no inspection, axis labels thinned
// to what fits, counts written on the bars. They are drawn with canvas
// objects in theme colours, so they scale with the window and follow the
// light and dark variants.
//
// Each chart is a widget whose renderer rebuilds its canvas objects on every
// layout: the positions of everything depend on the size, and a chart has a
// few dozen objects at most.

// chartPoint is one value of a line chart. Missing marks a gap (a week
// without inspections): the line breaks there rather than pretending to a
// value. Group is written under the label where it changes from the last
// label written, the year under "05-12", so that no date on the axis lacks
// its year.
type chartPoint struct {
	Label   string
	Group   string
	Value   float64
	Missing bool
}

// lineChart plots scores (0 to 100) over time, as the summary's trend and a
// person's score history.
type lineChart struct {
	widget.BaseWidget
	points []chartPoint
	// empty is shown in the middle when no point has a value.
	empty string
	// height is the chart's minimum height.
	height float32
}

func newLineChart(points []chartPoint, empty string) *lineChart {
	c := &lineChart{points: points, empty: empty, height: 220}
	c.ExtendBaseWidget(c)
	return c
}

func (c *lineChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{w: c}
	r.draw = c.draw
	r.min = func() fyne.Size { return fyne.NewSize(280, c.height) }
	return r
}

// chartRenderer keeps the objects a draw function made for the last size.
type chartRenderer struct {
	w    fyne.Widget
	draw func(p *chartPen, size fyne.Size)
	min  func() fyne.Size
	size fyne.Size
	objs []fyne.CanvasObject
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	r.redraw()
}

func (r *chartRenderer) MinSize() fyne.Size { return r.min() }

func (r *chartRenderer) Refresh() {
	r.redraw()
	canvas.Refresh(r.w)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) Destroy()                     {}

func (r *chartRenderer) redraw() {
	p := newChartPen(r.w)
	if r.size.Width > 0 && r.size.Height > 0 {
		r.draw(p, r.size)
	}
	r.objs = p.objs
}

// chartPen makes a chart's canvas objects in the widget's theme.
type chartPen struct {
	th   fyne.Theme
	v    fyne.ThemeVariant
	objs []fyne.CanvasObject
	// text is the size of axis labels and values.
	text float32
}

func newChartPen(w fyne.Widget) *chartPen {
	th := theme.Current()
	if b, ok := w.(interface{ Theme() fyne.Theme }); ok {
		th = b.Theme()
	}
	return &chartPen{th: th, v: fyne.CurrentApp().Settings().ThemeVariant(), text: th.Size(theme.SizeNameCaptionText)}
}

func (p *chartPen) colour(n fyne.ThemeColorName) color.Color { return p.th.Color(n, p.v) }

func (p *chartPen) measure(s string, bold bool) fyne.Size {
	return fyne.MeasureText(s, p.text, fyne.TextStyle{Bold: bold})
}

func (p *chartPen) lineH() float32 { return p.measure("0", false).Height }

func (p *chartPen) line(x1, y1, x2, y2 float32, c fyne.ThemeColorName, width float32) {
	l := canvas.NewLine(p.colour(c))
	l.StrokeWidth = width
	l.Position1, l.Position2 = fyne.NewPos(x1, y1), fyne.NewPos(x2, y2)
	p.objs = append(p.objs, l)
}

func (p *chartPen) rect(x, y, w, h float32, c fyne.ThemeColorName) {
	r := canvas.NewRectangle(p.colour(c))
	r.CornerRadius = min(3, w/4)
	r.Move(fyne.NewPos(x, y))
	r.Resize(fyne.NewSize(w, h))
	p.objs = append(p.objs, r)
}

func (p *chartPen) dot(x, y, radius float32, c fyne.ThemeColorName) {
	d := canvas.NewCircle(p.colour(c))
	d.Position1, d.Position2 = fyne.NewPos(x-radius, y-radius), fyne.NewPos(x+radius, y+radius)
	p.objs = append(p.objs, d)
}

// label writes s with its top left at (x, y).
func (p *chartPen) label(x, y float32, s string, c fyne.ThemeColorName, bold bool) {
	t := canvas.NewText(s, p.colour(c))
	t.TextSize = p.text
	t.TextStyle = fyne.TextStyle{Bold: bold}
	t.Move(fyne.NewPos(x, y))
	t.Resize(p.measure(s, bold))
	p.objs = append(p.objs, t)
}

// fit shortens s with an ellipsis to at most w wide.
func (p *chartPen) fit(s string, w float32, bold bool) string {
	if p.measure(s, bold).Width <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; p.measure(t, bold).Width <= w {
			return t
		}
	}
	return ""
}

// wrap breaks s into lines at most w wide: between words, and between any
// two Chinese characters, as Chinese text breaks.
func (p *chartPen) wrap(s string, w float32) []string {
	var out []string
	line := ""
	for _, tok := range wrapTokens(s) {
		try := line + tok
		if line == "" {
			try = strings.TrimLeft(tok, " ")
		}
		if line != "" && p.measure(strings.TrimRight(try, " "), false).Width > w {
			out = append(out, strings.TrimRight(line, " "))
			try = strings.TrimLeft(tok, " ")
		}
		line = try
	}
	if line = strings.TrimRight(line, " "); line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}

// wrapTokens splits text into what a line may break between: a Han
// character alone, otherwise a word with the spaces before it.
func wrapTokens(s string) []string {
	var toks []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	prevSpace := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Po) && r > 0x3000:
			flush()
			toks = append(toks, string(r))
		case r == ' ':
			if !prevSpace {
				flush()
			}
			cur.WriteRune(r)
		default:
			cur.WriteRune(r)
		}
		prevSpace = r == ' '
	}
	flush()
	return toks
}

func (c *lineChart) draw(p *chartPen, size fyne.Size) {
	lh := p.lineH()
	head := lh + 6    // above the 100 line: room for value labels
	foot := 2*lh + 10 // under the plot: labels and their years
	yAxis := p.measure("100", false).Width + 10
	x0, y0 := yAxis, head
	w, ph := size.Width-x0-8, size.Height-head-foot
	if w <= 0 || ph <= 0 {
		return
	}
	lo, step := scoreAxis(c.points)
	yOf := func(v float64) float32 { return y0 + ph - float32((v-lo)/(100-lo))*ph }
	for v := lo; v <= 100.001; v += step {
		y := yOf(v)
		p.line(x0, y, x0+w, y, theme.ColorNameSeparator, 1)
		s := strconv.FormatFloat(v, 'f', 0, 64)
		p.label(x0-6-p.measure(s, false).Width, y-lh/2, s, theme.ColorNamePlaceHolder, false)
	}
	n := len(c.points)
	if !hasValue(c.points) {
		if c.empty != "" {
			m := p.measure(c.empty, false)
			p.label(x0+(w-m.Width)/2, y0+(ph-m.Height)/2, p.fit(c.empty, w, false), theme.ColorNamePlaceHolder, false)
		}
		return
	}
	const inset = 10 // the first and last points off the box's edges
	spacing := w - 2*inset
	if n > 1 {
		spacing = (w - 2*inset) / float32(n-1)
	}
	xOf := func(i int) float32 {
		if n == 1 {
			return x0 + w/2
		}
		return x0 + inset + float32(i)*spacing
	}

	// Axis labels: as many as fit without touching, evenly, the first always.
	var widest float32
	for _, pt := range c.points {
		widest = max(widest, p.measure(pt.Label, false).Width)
	}
	every := max(1, int(math.Ceil(float64((widest+10)/spacing))))
	base := y0 + ph
	group := ""
	for i, pt := range c.points {
		if i%every != 0 {
			continue
		}
		x := xOf(i)
		p.line(x, base, x, base+4, theme.ColorNamePlaceHolder, 1)
		p.label(x-p.measure(pt.Label, false).Width/2, base+5, pt.Label, theme.ColorNamePlaceHolder, false)
		if pt.Group != "" && pt.Group != group {
			p.label(x-p.measure(pt.Group, true).Width/2, base+5+lh, pt.Group, theme.ColorNameForeground, true)
			group = pt.Group
		}
	}

	for i := 1; i < n; i++ {
		a, b := c.points[i-1], c.points[i]
		if !a.Missing && !b.Missing {
			p.line(xOf(i-1), yOf(a.Value), xOf(i), yOf(b.Value), theme.ColorNamePrimary, 2.5)
		}
	}
	// A point with no line on either side is drawn larger, so a lone week is
	// seen.
	for i, pt := range c.points {
		if pt.Missing {
			continue
		}
		r := float32(3.5)
		if (i == 0 || c.points[i-1].Missing) && (i == n-1 || c.points[i+1].Missing) {
			r = 5
		}
		p.dot(xOf(i), yOf(pt.Value), r, theme.ColorNamePrimary)
	}

	// Values, when they fit side by side, each where the line is not.
	if n > 1 && spacing < p.measure("100.0", false).Width+6 {
		return
	}
	type box struct{ x1, y1, x2, y2 float32 }
	overlaps := func(a, b box) bool { return a.x1 < b.x2+2 && b.x1 < a.x2+2 && a.y1 < b.y2 && b.y1 < a.y2 }
	var prev *box
	for i, pt := range c.points {
		if pt.Missing {
			continue
		}
		s := report.FormatScore(pt.Value)
		m := p.measure(s, false)
		x, y := xOf(i), yOf(pt.Value)
		above := box{x - m.Width/2, y - m.Height - 4, x + m.Width/2, y - 4}
		below := box{x - m.Width/2, y + 5, x + m.Width/2, y + 5 + m.Height}
		left := box{x - m.Width - 5, y - m.Height - 1, x - 5, y - 1}
		right := box{x + 5, y - m.Height - 1, x + m.Width + 5, y - 1}
		dir := func(j int) int { // how the line leaves the point: -1 down, 1 up, 0 none
			switch {
			case j < 0 || j >= n || c.points[j].Missing || c.points[j].Value == pt.Value:
				return 0
			case c.points[j].Value > pt.Value:
				return 1
			}
			return -1
		}
		var order []box
		switch l, r := dir(i-1), dir(i+1); {
		case l >= 0 && r >= 0 && l+r > 0: // a valley
			order = []box{below, above, right, left}
		case l == -1 && r == 1: // rising
			order = []box{left, below, above, right}
		case l == 1 && r == -1: // falling
			order = []box{right, below, above, left}
		default: // a peak, level, or alone
			order = []box{above, below, left, right}
		}
		b := order[0]
		for _, o := range order {
			if o.y1 >= 0 && o.y2 <= base && o.x1 >= x0 && o.x2 <= x0+w && (prev == nil || !overlaps(o, *prev)) {
				b = o
				break
			}
		}
		p.label(b.x1, b.y1, s, theme.ColorNamePrimary, true)
		prev = &b
	}
}

func hasValue(pts []chartPoint) bool {
	for _, p := range pts {
		if !p.Missing {
			return true
		}
	}
	return false
}

// scoreAxis is the lowest score of the axis and its step: the fives below
// the lowest value, with at least 15 points of range, so that a trend
// between 90 and 98 is visible rather than flattened and a point or two is
// not drawn as a plunge (as the PDF's chart does).
func scoreAxis(pts []chartPoint) (lo, step float64) {
	lo = 100
	for _, p := range pts {
		if !p.Missing {
			lo = min(lo, p.Value)
		}
	}
	lo = min(85, max(0, math.Floor((lo-2)/5)*5))
	switch {
	case 100-lo > 50:
		return lo, 20
	case 100-lo > 20:
		return lo, 10
	}
	return lo, 5
}

// chartBar is one bar of a column or bar chart.
type chartBar struct {
	Label  string
	Count  int
	Colour fyne.ThemeColorName
}

// columnChart draws counts as columns, the count above each and its label
// under it: few bars with short labels, such as grades.
type columnChart struct {
	widget.BaseWidget
	bars   []chartBar
	height float32
}

func newColumnChart(bars []chartBar) *columnChart {
	c := &columnChart{bars: bars, height: 220}
	c.ExtendBaseWidget(c)
	return c
}

func (c *columnChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{w: c}
	r.draw = c.draw
	r.min = func() fyne.Size { return fyne.NewSize(float32(max(1, len(c.bars)))*56, c.height) }
	return r
}

func (c *columnChart) draw(p *chartPen, size fyne.Size) {
	lh := p.lineH()
	top, base := lh+8, size.Height-lh-8
	if base <= top || len(c.bars) == 0 {
		return
	}
	most := 1
	for _, b := range c.bars {
		most = max(most, b.Count)
	}
	slot := size.Width / float32(len(c.bars))
	bw := min(72, slot*0.6)
	p.line(0, base, size.Width, base, theme.ColorNamePlaceHolder, 1)
	for i, b := range c.bars {
		cx := slot * (float32(i) + 0.5)
		bh := float32(b.Count) / float32(most) * (base - top)
		if b.Count > 0 {
			p.rect(cx-bw/2, base-bh, bw, bh, b.Colour)
		}
		n := strconv.Itoa(b.Count)
		p.label(cx-p.measure(n, true).Width/2, base-bh-lh-2, n, theme.ColorNameForeground, true)
		l := p.fit(b.Label, slot-4, false)
		p.label(cx-p.measure(l, false).Width/2, base+4, l, theme.ColorNameForeground, false)
	}
}

// barChart draws counts as horizontal bars, one row each, the label at the
// left (wrapped, never cut) and the count at the end of the bar: for long
// labels such as a clause and its text.
type barChart struct {
	widget.BaseWidget
	bars []chartBar
	// labelShare is the labels' part of the width.
	labelShare float32
	// width is the width of the last layout, which decides how labels wrap
	// and so the chart's height (as wrapLayout does).
	width float32
}

func newBarChart(bars []chartBar) *barChart {
	c := &barChart{bars: bars, labelShare: 0.5}
	c.ExtendBaseWidget(c)
	return c
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{w: c}
	r.draw = func(p *chartPen, size fyne.Size) {
		c.width = size.Width
		c.drawRows(p, size.Width, true)
	}
	r.min = func() fyne.Size {
		w := c.width
		if w <= 0 {
			w = 600
		}
		return fyne.NewSize(240, c.drawRows(newChartPen(c), w, false))
	}
	return r
}

// barRowPad is the space between two rows.
const barRowPad = 8

// drawRows lays the rows out in width w, drawing them when paint is set,
// and returns their height.
func (c *barChart) drawRows(p *chartPen, w float32, paint bool) float32 {
	lh := p.lineH()
	// The labels start where a label's text would, in line with the
	// chart's title.
	inset := p.th.Size(theme.SizeNameInnerPadding)
	labelW := w*c.labelShare - inset
	countW := p.measure("0000", true).Width
	x0 := inset + labelW + 12
	maxW := w - x0 - countW - 8
	most := 1
	for _, b := range c.bars {
		most = max(most, b.Count)
	}
	var y float32
	for _, b := range c.bars {
		lines := p.wrap(b.Label, labelW)
		rowH := float32(len(lines)) * lh
		if paint {
			for i, l := range lines {
				p.label(inset, y+float32(i)*lh, l, theme.ColorNameForeground, false)
			}
			bw := max(2, float32(b.Count)/float32(most)*maxW)
			p.rect(x0, y+3, bw, lh-6, b.Colour)
			p.label(x0+bw+6, y, strconv.Itoa(b.Count), theme.ColorNameForeground, true)
		}
		y += rowH + barRowPad
	}
	return max(0, y-barRowPad)
}

// shade is a plain background in a theme colour, repainted when the theme
// changes: behind a card, or where a photo has not come yet.
type shade struct {
	widget.BaseWidget
	colour fyne.ThemeColorName
	rect   *canvas.Rectangle
}

func newShade(c fyne.ThemeColorName) *shade {
	s := &shade{colour: c}
	s.ExtendBaseWidget(s)
	return s
}

func (s *shade) CreateRenderer() fyne.WidgetRenderer {
	s.rect = canvas.NewRectangle(color.Transparent)
	s.rect.CornerRadius = theme.InputRadiusSize()
	s.paint()
	return widget.NewSimpleRenderer(s.rect)
}

func (s *shade) Refresh() {
	s.paint()
	s.BaseWidget.Refresh()
}

func (s *shade) paint() {
	if s.rect == nil {
		return
	}
	s.rect.FillColor = s.Theme().Color(s.colour, fyne.CurrentApp().Settings().ThemeVariant())
	s.rect.Refresh()
}
