package report

import (
	"fmt"
	"io"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/dudao-app/dudao/assets"
)

// ptMM is one typographic point in mm, the page's unit.
const ptMM = 25.4 / 72

// A4 portrait geometry, in mm. The bottom of the content area leaves room for
// the footer with its QR code, which must be large enough to scan from print.
const (
	pageW         = 210.0
	pageH         = 297.0
	marginL       = 15.0
	marginR       = pageW - 15.0
	contentW      = marginR - marginL
	contentTop    = 22.0
	contentBottom = 254.0
)

type rgb struct{ r, g, b int }

var (
	colText    = rgb{33, 37, 41}
	colMuted   = rgb{108, 117, 125}
	colFaint   = rgb{160, 166, 172}
	colRule    = rgb{206, 212, 218}
	colHeadBg  = rgb{241, 243, 245}
	colBandBg  = rgb{231, 240, 247}
	colAccent  = rgb{20, 90, 140}
	colBad     = rgb{192, 41, 43}
	colWarn    = rgb{196, 110, 0}
	colGood    = rgb{30, 130, 76}
	colWhite   = rgb{255, 255, 255}
	colPhotoBg = rgb{236, 238, 240}
)

// style is how a piece of text is set.
type style struct {
	size  float64 // points
	bold  bool
	mono  bool // Courier for the Latin runs: IDs and hashes read better fixed-width
	color rgb
}

// Styles used across reports.
var (
	stBody    = style{size: 9, color: colText}
	stSmall   = style{size: 7.5, color: colMuted}
	stTiny    = style{size: 6.5, color: colMuted}
	stLabel   = style{size: 8, color: colMuted}
	stBold    = style{size: 9, bold: true, color: colText}
	stH1      = style{size: 20, bold: true, color: colText}
	stH2      = style{size: 12, bold: true, color: colAccent}
	stH3      = style{size: 10.5, bold: true, color: colText}
	stMono    = style{size: 7.5, mono: true, color: colText}
	stHeadZH  = style{size: 8, bold: true, color: colText}
	stHeadEN  = style{size: 6.5, color: colMuted}
	stSubhead = style{size: 9, color: colMuted}
)

func (st style) with(c rgb) style      { st.color = c; return st }
func (st style) sized(s float64) style { st.size = s; return st }
func (st style) emph() style           { st.bold = true; return st }
func (st style) lineH() float64        { return st.size * ptMM * 1.5 }
func (st style) baseline(top float64) float64 {
	// Centre the em box in the line, then drop to the baseline (about 0.8 em
	// below the em box's top for both Helvetica and Droid Sans Fallback).
	return top + (st.lineH()-st.size*ptMM)/2 + st.size*ptMM*0.8
}

// doc is one PDF being drawn: a cursor that flows down the content area and
// breaks pages, and text drawing that never loses a character.
type doc struct {
	pdf *gofpdf.Fpdf
	m   *metrics
	y   float64
	// fontKey is the font last selected on the current page; gofpdf writes a
	// font change into the page on every SetFont, even an unchanged one.
	fontKey string
	// onBreak redraws what must repeat at the top of a new page, such as a
	// table's header; nil outside tables.
	onBreak func()
	// freshY is where the content of the current page starts, below what
	// onBreak drew.
	freshY float64
	// rare is set once the full CJK font has been added for a rare rune.
	rare bool
}

func newDoc(m *metrics, created time.Time, title string) *doc {
	pdf := gofpdf.New("P", "mm", "A4", "")
	// Pages are broken by the doc itself, which knows which rows and lines
	// belong together; gofpdf's automatic break would cut through them.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(marginL, contentTop, pageW-marginR)
	pdf.SetCellMargin(0)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCreator("Dudao 督导通", true)
	pdf.SetProducer("Dudao 督导通 (gofpdf)", true)
	pdf.SetTitle(title, true)
	pdf.AddUTF8FontFromBytes(cjkFamily, "", m.cjkFont())
	pdf.SetFont("Helvetica", "", 9)
	d := &doc{pdf: pdf, m: m}
	d.newPage()
	return d
}

func (d *doc) newPage() {
	d.pdf.AddPage()
	d.fontKey = ""
	d.y = contentTop
	if d.onBreak != nil {
		d.onBreak()
	}
	d.freshY = d.y
}

// ensure starts a new page unless h mm fit below the cursor.
func (d *doc) ensure(h float64) bool {
	if d.y+h <= contentBottom {
		return false
	}
	d.newPage()
	return true
}

func (d *doc) left() float64 { return contentBottom - d.y }

func (d *doc) setFont(f face, st style) {
	family, fs := "Helvetica", ""
	switch {
	case f == faceCJK:
		family = cjkFamily
	case f == faceCJKRare:
		family = cjkFullFamily
		if !d.rare {
			d.pdf.AddUTF8FontFromBytes(cjkFullFamily, "", assets.CJKFont)
			d.rare = true
		}
	case st.mono:
		family = "Courier"
	case st.bold:
		fs = "B"
	}
	key := fmt.Sprintf("%s/%s/%.2f", family, fs, st.size)
	if key == d.fontKey {
		return
	}
	d.pdf.SetFont(family, fs, st.size)
	d.fontKey = key
}

// text draws one line of s with its top at y. s must be normalized and fit;
// callers get lines from wrap.
func (d *doc) text(x, y float64, s string, st style) {
	if s == "" {
		return
	}
	base := st.baseline(y)
	d.pdf.SetTextColor(st.color.r, st.color.g, st.color.b)
	for _, rn := range d.m.runs(s) {
		d.setFont(rn.face, st)
		if rn.face != faceLatin {
			if st.bold {
				// The CJK font has no bold; stroking the outline as well as
				// filling it thickens the strokes like a bold cut would.
				d.pdf.SetDrawColor(st.color.r, st.color.g, st.color.b)
				d.pdf.SetLineWidth(st.size * ptMM * 0.04)
				d.pdf.SetTextRenderingMode(2)
			}
			d.pdf.Text(x, base, rn.text)
			if st.bold {
				d.pdf.SetTextRenderingMode(0)
			}
		} else {
			d.pdf.Text(x, base, cp1252(rn.text))
		}
		x += d.m.width(rn.text, st)
	}
}

// textRight draws s ending at x.
func (d *doc) textRight(x, y float64, s string, st style) {
	d.text(x-d.width(s, st), y, s, st)
}

func (d *doc) width(s string, st style) float64 { return d.m.width(s, st) }

// wrap normalizes s and breaks it into lines of at most w mm.
func (d *doc) wrap(s string, st style, w float64) []string {
	s = d.m.normalize(s)
	k := st.size * ptMM / 1000
	return wrapText(s, w, func(r rune) float64 { return float64(d.m.units(r, st)) * k })
}

// fit shortens a one-line value to w mm with an ellipsis. Only for running
// headers, where the full value is printed elsewhere on the page.
func (d *doc) fit(s string, st style, w float64) string {
	s = d.m.oneLine(s)
	if d.width(s, st) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && d.width(string(rs)+"…", st) > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// para flows text down the page at x, breaking pages between lines.
func (d *doc) para(x, w float64, s string, st style) {
	for _, ln := range d.wrap(s, st, w) {
		d.ensure(st.lineH())
		d.text(x, d.y, ln, st)
		d.y += st.lineH()
	}
}

func (d *doc) fill(c rgb) { d.pdf.SetFillColor(c.r, c.g, c.b) }

func (d *doc) stroke(c rgb, w float64) {
	d.pdf.SetDrawColor(c.r, c.g, c.b)
	d.pdf.SetLineWidth(w)
}

func (d *doc) rule(x1, x2, y float64, c rgb, w float64) {
	d.stroke(c, w)
	d.pdf.Line(x1, y, x2, y)
}

func (d *doc) rect(x, y, w, h float64, c rgb) {
	d.fill(c)
	d.pdf.Rect(x, y, w, h, "F")
}

// furniture is what every page of a report carries: a running header
// saying what the report is and of what, and a footer with the page number,
// the identity of what is reported on and a SHA-256 that pins it down, also
// as a QR code so that a printed page can be checked against the hub.
type furniture struct {
	title, right    string
	idLabel, id     string
	hashLabel, hash string
	qrNote          string
	qr              qrPath
	redact          bool
}

// Footer geometry: the QR code is 26 mm square, which scans from paper
// with an ordinary phone camera.
const (
	footerTop = 257.5
	qrSize    = 26.0
)

func (d *doc) furnish(f furniture, page, pages int) {
	d.text(marginL, 9, f.title, stSmall.emph())
	right := f.right
	if f.redact {
		right = "脱敏版 REDACTED  ·  " + right
	}
	right = d.fit(right, stSmall, contentW*0.6)
	d.textRight(marginR, 9, right, stSmall)
	d.rule(marginL, marginR, 15, colRule, 0.3)

	d.rule(marginL, marginR, footerTop, colRule, 0.3)
	d.pdf.RawWriteStr(f.qr.ops)
	x := marginL + qrSize + 5
	y := footerTop + 2
	d.text(x, y, fmt.Sprintf("第 %d / %d 页    Page %d/%d", page, pages, page, pages), stBold.sized(8.5))
	y += 5.2
	d.text(x, y, f.idLabel, stTiny)
	y += stTiny.lineH()
	d.text(x, y, d.fit(f.id, stMono, marginR-x), stMono)
	y += stMono.lineH() + 0.6
	d.text(x, y, f.hashLabel, stTiny)
	y += stTiny.lineH()
	d.text(x, y, f.hash, stMono)
	y += stMono.lineH() + 0.6
	d.text(x, y, f.qrNote, stTiny)
	if f.redact {
		d.textRight(marginR, footerTop+2, "脱敏版 Redacted copy", stSmall.emph().with(colBad))
	}
}

// section starts a part of the report with a bilingual heading, keeping the
// heading on the same page as at least keep mm of what follows.
func (d *doc) section(zh, en string, keep float64) {
	h := stH2.lineH() + 2.5
	if d.y > d.freshY+0.01 {
		d.y += 4
	}
	d.ensure(h + keep)
	d.text(marginL, d.y, zh, stH2)
	d.text(marginL+d.width(zh, stH2)+3, d.y+(stH2.lineH()-stSubhead.lineH())*0.7, en, stSubhead)
	d.y += stH2.lineH() + 0.5
	d.rule(marginL, marginR, d.y, colAccent, 0.4)
	d.y += 2
}

// block is one unbreakable piece of a table cell (a line of text, a row of
// photos) that can be drawn at any position.
type block struct {
	h    float64
	draw func(x, y float64)
}

// lines turns text into one block per wrapped line.
func (d *doc) lines(s string, st style, w float64) []block {
	var out []block
	for _, ln := range d.wrap(s, st, w) {
		out = append(out, block{h: st.lineH(), draw: func(x, y float64) { d.text(x, y, ln, st) }})
	}
	return out
}

func gap(h float64) block { return block{h: h, draw: func(float64, float64) {}} }

func blocksH(bs []block) float64 {
	h := 0.0
	for _, b := range bs {
		h += b.h
	}
	return h
}

// column of a table: a bilingual heading and a width in mm.
type column struct {
	zh, en string
	w      float64
}

const (
	cellPadX = 1.6
	cellPadY = 1.4
	// minSlice is the least height worth starting a row in at the bottom of
	// a page; anything less moves the row to the next page.
	minSlice = 14.0
	// keepRow is the tallest row that is kept whole, moved to the next page
	// rather than split; a taller one is split across pages.
	keepRow = 60.0
)

// table draws rows of cells (one []block per column). A row grows with its
// contents; a row taller than what is left of the page continues on the next
// one, each column resuming where it stopped, under a repeated header. No
// block is ever dropped.
type table struct {
	d       *doc
	cols    []column
	caption string // repeated above the header on continuation pages
}

func (t *table) header() {
	d := t.d
	h := stHeadZH.lineH() + stHeadEN.lineH() + 2*cellPadY
	d.rect(marginL, d.y, contentW, h, colHeadBg)
	x := marginL
	for _, c := range t.cols {
		d.text(x+cellPadX, d.y+cellPadY, c.zh, stHeadZH)
		d.text(x+cellPadX, d.y+cellPadY+stHeadZH.lineH(), c.en, stHeadEN)
		x += c.w
	}
	d.y += h
}

func (t *table) headerH() float64 { return stHeadZH.lineH() + stHeadEN.lineH() + 2*cellPadY }

// keepH is how much of a row of content height h must fit below the cursor
// for the row to start there: all of it when it is kept whole, else a slice.
func keepH(h float64) float64 {
	if h+2*cellPadY <= keepRow {
		return h + 2*cellPadY
	}
	return minSlice
}

// rowH is the content height of a row: its tallest cell.
func rowH(cells [][]block) float64 {
	h := 0.0
	for _, c := range cells {
		h = max(h, blocksH(c))
	}
	return h
}

// start draws the header, keeping it on the same page as the first row,
// whose content height is firstRowH (rowH).
func (t *table) start(firstRowH float64) {
	d := t.d
	d.ensure(t.headerH() + keepH(firstRowH))
	t.header()
	d.onBreak = func() {
		if t.caption != "" {
			d.text(marginL, d.y, t.caption+"（续 continued）", stSmall)
			d.y += stSmall.lineH()
		}
		t.header()
	}
}

func (t *table) end() { t.d.onBreak = nil }

func (t *table) row(cells [][]block, bg *rgb) {
	d := t.d
	next := make([]int, len(cells))
	full := 0.0
	for _, c := range cells {
		full = max(full, blocksH(c))
	}
	if full == 0 {
		return // nothing to draw, and nothing would ever be placed
	}
	// A row that would fit on a page of its own is not split: a page that
	// ends with the first lines of a finding and a page that starts with its
	// last line, under a repeated header, read worse than a shorter page.
	// Only a row taller than keepRow (a long note) is split, and only where
	// a useful part of it fits.
	if d.left() < keepH(full) && d.y > d.freshY+0.01 {
		d.newPage()
	}
	for {
		avail := d.left() - 2*cellPadY
		fresh := d.y <= d.freshY+0.01
		sliceH := 0.0
		take := make([]int, len(cells))
		placed := false
		for i, c := range cells {
			h := 0.0
			j := next[i]
			for j < len(c) && (h+c[j].h <= avail || fresh && j == next[i]) {
				// On a fresh page the first block is placed even if it
				// does not fit, so that an outsized block cannot loop.
				h += c[j].h
				j++
			}
			take[i] = j
			if j > next[i] {
				placed = true
			}
			sliceH = max(sliceH, h)
		}
		if !placed {
			d.newPage()
			continue
		}
		if bg != nil {
			d.rect(marginL, d.y, contentW, sliceH+2*cellPadY, *bg)
		}
		x := marginL
		for i, c := range cells {
			y := d.y + cellPadY
			for _, b := range c[next[i]:take[i]] {
				b.draw(x+cellPadX, y)
				y += b.h
			}
			next[i] = take[i]
			x += t.cols[i].w
		}
		d.y += sliceH + 2*cellPadY
		done := true
		for i, c := range cells {
			if next[i] < len(c) {
				done = false
			}
		}
		d.rule(marginL, marginR, d.y, colRule, 0.2)
		if done {
			return
		}
		d.newPage()
	}
}

// finish draws the running header and footer on every page, now that the
// page count is known, and writes the PDF. gofpdf's {nb} alias is not used:
// it is replaced by plain search in the page streams, so a note that happens
// to contain the alias text would have it changed.
func (d *doc) finish(w io.Writer, decorate func(page, pages int)) error {
	n := d.pdf.PageCount()
	for p := 1; p <= n; p++ {
		d.pdf.SetPage(p)
		// gofpdf tracks one font and colour state for the document, but each
		// page's stream has its own: set them afresh so that nothing is
		// drawn in whatever colour another page ended with.
		d.fontKey = ""
		d.fill(colWhite)
		d.stroke(colText, 0.2)
		decorate(p, n)
	}
	// gofpdf closes and counts pages from the current page: return to the last.
	d.pdf.SetPage(n)
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("draw pdf: %w", err)
	}
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}
