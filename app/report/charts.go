package report

import (
	"fmt"
	"math"
)

// Charts are drawn with gofpdf's own lines, rectangles and text, so they are
// vectors: crisp at any zoom and on paper, and a few hundred bytes each.

// point is one value of a line chart; ok is false for a gap (a week with no
// inspection), where the line breaks rather than pretending to a value.
type point struct {
	label string
	v     float64
	ok    bool
}

// lineChart draws values from 0..100 (scores) in a box at the cursor,
// advancing it. The y axis starts at the tens below the lowest value, so
// that a trend between 80 and 95 is visible rather than flattened.
func (d *doc) lineChart(pts []point, h float64) {
	d.ensure(h)
	x0, y0 := marginL+10, d.y+2 // plot area, leaving room for axis labels
	w, ph := contentW-12, h-10
	lo := 100.0
	for _, p := range pts {
		if p.ok {
			lo = min(lo, p.v)
		}
	}
	lo = max(0, math.Floor(lo/10)*10-10)
	if lo > 80 {
		lo = 80
	}
	step := 10.0
	if 100-lo > 50 {
		step = 20
	}
	yOf := func(v float64) float64 { return y0 + ph - (v-lo)/(100-lo)*ph }
	for v := lo; v <= 100.001; v += step {
		y := yOf(v)
		d.rule(x0, x0+w, y, colRule, 0.15)
		lbl := fmt.Sprintf("%.0f", v)
		d.textRight(x0-1.5, y-stTiny.lineH()/2, lbl, stTiny)
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
	// Label at most ~14 points on the x axis, evenly.
	every := max(1, int(math.Ceil(float64(n)/14)))
	for i, p := range pts {
		if i%every == 0 || i == n-1 && n <= 14 {
			lw := d.width(p.label, stTiny)
			d.text(xOf(i)-lw/2, y0+ph+1, p.label, stTiny)
		}
	}
	d.stroke(colAccent, 0.5)
	for i := 1; i < n; i++ {
		if pts[i-1].ok && pts[i].ok {
			d.pdf.Line(xOf(i-1), yOf(pts[i-1].v), xOf(i), yOf(pts[i].v))
		}
	}
	d.fill(colAccent)
	for i, p := range pts {
		if !p.ok {
			continue
		}
		d.pdf.Circle(xOf(i), yOf(p.v), 0.8, "F")
		if n <= 16 {
			lbl := fmtScore(p.v)
			d.text(xOf(i)-d.width(lbl, stTiny)/2, yOf(p.v)-stTiny.lineH()-0.8, lbl, stTiny.with(colAccent))
		}
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

// barRows draws horizontal bars, one row each, label at the left (wrapped,
// never cut) and the count at the end of the bar: for long labels such as
// clause texts.
func (d *doc) barRows(bars []bar, labelW float64) {
	st := stSmall
	most := 1
	for _, b := range bars {
		most = max(most, b.n)
	}
	x0 := marginL + labelW + 2
	maxW := marginR - x0 - 10
	for _, b := range bars {
		lines := d.wrap(b.label, st, labelW)
		rowH := float64(len(lines))*st.lineH() + 1.6
		d.ensure(rowH)
		for i, ln := range lines {
			d.text(marginL, d.y+0.8+float64(i)*st.lineH(), ln, st.with(colText))
		}
		bw := float64(b.n) / float64(most) * maxW
		d.rect(x0, d.y+1.2, max(bw, 0.4), st.lineH()-0.8, b.color)
		d.text(x0+bw+1.5, d.y+0.8, fmt.Sprint(b.n), st.emph().with(colText))
		d.y += rowH
	}
}
