package report

import (
	"fmt"
	"math"
)

// Charts are drawn with gofpdf's own lines, rectangles and text, so they are
// vectors: crisp at any zoom and on paper, and a few hundred bytes each.

// point is one value of a line chart; ok is false for a gap (a week with no
// inspection), where the line breaks rather than pretending to a value.
// group is printed under the label where it changes from the last label
// printed: the year under "08-24" and where a new year starts, so that no
// date on the axis is without its year.
type point struct {
	label, group string
	v            float64
	ok           bool
}

// lineChart draws values from 0..100 (scores) in a box h mm tall at the
// cursor, advancing it. The y axis starts at the fives below the lowest
// value, so that a trend between 90 and 98 is visible rather than
// flattened; above 100 the plot keeps room for the value labels, so that a
// perfect score neither sits on the box's edge nor has its label cut. The
// x axis labels as many points as fit, each with its group (year) where
// that changes.
func (d *doc) lineChart(pts []point, h float64) {
	d.ensure(h)
	lab := stTiny
	head := lab.lineH() + 1.8         // above the 100 line: value labels
	foot := 2*lab.lineH() + 1.5       // below the plot: labels and their years
	x0, y0 := marginL+10, d.y+head    // plot area, leaving room for axis labels
	w, ph := contentW-12, h-head-foot // the 100 line is at y0, lo at y0+ph
	lo := 100.0
	for _, p := range pts {
		if p.ok {
			lo = min(lo, p.v)
		}
	}
	// At least 15 points of range, so that a point or two is not drawn as a
	// plunge, and a little below the lowest value, so that it does not sit
	// on the axis.
	lo = min(85, max(0, math.Floor((lo-2)/5)*5))
	step := 5.0
	switch {
	case 100-lo > 50:
		step = 20
	case 100-lo > 20:
		step = 10
	}
	yOf := func(v float64) float64 { return y0 + ph - (v-lo)/(100-lo)*ph }
	for v := lo; v <= 100.001; v += step {
		y := yOf(v)
		d.rule(x0, x0+w, y, colRule, 0.15)
		d.textRight(x0-1.5, y-lab.lineH()/2, fmt.Sprintf("%.0f", v), lab)
	}
	n := len(pts)
	if n == 0 {
		d.y += h
		return
	}
	xOf := func(i int) float64 {
		if n == 1 {
			return x0 + w/2
		}
		return x0 + 3 + float64(i)*(w-6)/float64(n-1)
	}
	spacing := w - 6
	if n > 1 {
		spacing = (w - 6) / float64(n-1)
	}

	// Axis labels: as many as fit without touching, evenly, the first always.
	widest := 0.0
	for _, p := range pts {
		widest = max(widest, d.width(p.label, lab))
	}
	every := max(1, int(math.Ceil((widest+2.5)/spacing)))
	base := y0 + ph
	group := ""
	d.stroke(colFaint, 0.2)
	for i, p := range pts {
		if i%every != 0 {
			continue
		}
		x := xOf(i)
		d.pdf.Line(x, base, x, base+0.9)
		d.text(x-d.width(p.label, lab)/2, base+1, p.label, lab)
		if p.group != "" && p.group != group {
			g := lab.emph().with(colText)
			d.text(x-d.width(p.group, g)/2, base+1+lab.lineH(), p.group, g)
			group = p.group
		}
	}

	d.stroke(colAccent, 0.5)
	for i := 1; i < n; i++ {
		if pts[i-1].ok && pts[i].ok {
			d.pdf.Line(xOf(i-1), yOf(pts[i-1].v), xOf(i), yOf(pts[i].v))
		}
	}
	d.fill(colAccent)
	// A gap (no line either side) gets a larger dot, so a lone week is seen.
	for i, p := range pts {
		if !p.ok {
			continue
		}
		r := 0.8
		if (i == 0 || !pts[i-1].ok) && (i == n-1 || !pts[i+1].ok) {
			r = 1.1
		}
		d.pdf.Circle(xOf(i), yOf(p.v), r, "F")
	}
	// Values, when they fit side by side, each where the line is not: above
	// a peak, below a valley, above and to the left on a rise, above and to
	// the right on a fall; else wherever it touches neither the previous
	// label nor the plot's edges.
	if spacing < d.width("100.0", lab)+1.5 && n > 1 {
		d.y += h
		return
	}
	type box struct{ x1, y1, x2, y2 float64 }
	overlaps := func(a, b box) bool { return a.x1 < b.x2+0.5 && b.x1 < a.x2+0.5 && a.y1 < b.y2 && b.y1 < a.y2 }
	var prev *box
	for i, p := range pts {
		if !p.ok {
			continue
		}
		lbl := fmtScore(p.v)
		lw, lh := d.width(lbl, lab), lab.lineH()
		x, y := xOf(i), yOf(p.v)
		above := box{x - lw/2, y - lh - 0.6, x + lw/2, y - 0.6}
		below := box{x - lw/2, y + 0.9, x + lw/2, y + 0.9 + lh}
		left := box{x - lw - 0.8, y - lh - 0.2, x - 0.8, y - 0.2}
		right := box{x + 0.8, y - lh - 0.2, x + lw + 0.8, y - 0.2}
		// How the line leaves the point on either side: -1 down, 1 up, 0 none.
		dir := func(j int) int {
			switch {
			case j < 0 || j >= n || !pts[j].ok || pts[j].v == p.v:
				return 0
			case pts[j].v > p.v:
				return 1
			}
			return -1
		}
		var order []box
		switch l, r := dir(i-1), dir(i+1); {
		case l >= 0 && r >= 0 && l+r > 0: // a valley, or an end the line leaves upwards
			order = []box{below, above, right, left}
		case l == -1 && r == 1: // rising
			order = []box{left, below, above, right}
		case l == 1 && r == -1: // falling
			order = []box{right, below, above, left}
		default: // a peak, level, or alone
			order = []box{above, below, left, right}
		}
		b := order[0]
		for _, c := range order {
			if c.y1 >= d.y && c.y2 <= base && c.x1 >= x0 && c.x2 <= x0+w && (prev == nil || !overlaps(c, *prev)) {
				b = c
				break
			}
		}
		d.text(b.x1, b.y1, lbl, lab.with(colAccent))
		prev = &b
	}
	d.y += h
}

// bar is one bar of a bar chart.
type bar struct {
	label string
	n     int
	color rgb
}

// columnChart draws vertical bars with their counts above and labels below.
func (d *doc) columnChart(bars []bar, h float64) {
	d.ensure(h)
	top, base := d.y+stTiny.lineH()+1, d.y+h-stSmall.lineH()-1
	most := 1
	for _, b := range bars {
		most = max(most, b.n)
	}
	slot := contentW / float64(max(1, len(bars)))
	bw := min(22, slot*0.6)
	d.rule(marginL, marginR, base, colFaint, 0.3)
	for i, b := range bars {
		cx := marginL + slot*(float64(i)+0.5)
		bh := float64(b.n) / float64(most) * (base - top)
		if b.n > 0 {
			d.rect(cx-bw/2, base-bh, bw, bh, b.color)
		}
		cnt := fmt.Sprint(b.n)
		d.text(cx-d.width(cnt, stBold)/2, base-bh-stBold.lineH(), cnt, stBold)
		lbl := d.fit(b.label, stSmall, slot-2)
		d.text(cx-d.width(lbl, stSmall)/2, base+0.5, lbl, stSmall)
	}
	d.y += h
}

// clauseLabelW is the width of the labels of the clause charts: a clause ID
// and its text, which most often fits on one line.
const clauseLabelW = 100.0

// barPad is the space between the rows of barRows.
const barPad = 1.2

// barRowsH is the height barRows draws.
func (d *doc) barRowsH(bars []bar, labelW float64) float64 {
	h := 0.0
	for _, b := range bars {
		h += float64(len(d.wrap(b.label, stSmall, labelW)))*stSmall.lineH() + barPad
	}
	return h
}

// barRows draws horizontal bars, one row each, label at the left (wrapped,
// never cut) and the count at the end of the bar: for long labels such as
// clause texts. The chart is kept on one page: it starts on the next if it
// does not fit on this one, since bars on two pages cannot be compared.
func (d *doc) barRows(bars []bar, labelW float64) {
	st := stSmall
	most := 1
	for _, b := range bars {
		most = max(most, b.n)
	}
	if h := d.barRowsH(bars, labelW); h <= contentBottom-contentTop {
		d.ensure(h)
	}
	x0 := marginL + labelW + 2
	maxW := marginR - x0 - 10
	for _, b := range bars {
		lines := d.wrap(b.label, st, labelW)
		rowH := float64(len(lines))*st.lineH() + barPad
		d.ensure(rowH)
		for i, ln := range lines {
			d.text(marginL, d.y+barPad/2+float64(i)*st.lineH(), ln, st.with(colText))
		}
		bw := float64(b.n) / float64(most) * maxW
		d.rect(x0, d.y+barPad/2+0.4, max(bw, 0.4), st.lineH()-0.8, b.color)
		d.text(x0+bw+1.5, d.y+barPad/2, fmt.Sprint(b.n), st.emph().with(colText))
		d.y += rowH
	}
}
