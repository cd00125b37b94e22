package report

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/charmap"

	"github.com/dudao-app/dudao/assets"
)

// face is the font a rune is drawn with. The bundled CJK font (Droid Sans
// Fallback) has no Latin letters, so Latin text uses PDF core fonts, which
// need no embedding, and every line is drawn as runs of one face each.
type face uint8

const (
	faceLatin   face = iota // Helvetica, or Courier for codes and hashes
	faceCJK                 // the bundled TrueType font, subset into each PDF
	faceCJKRare             // a CJK rune outside the trimmed font (see trim.go)
)

const cjkFamily = "dudaocjk"

// metrics knows which runes each face can draw and how wide they are. It is
// built once per process: reading the 4 MB font's widths per report would
// cost more than the rest of a report, and the widths never change.
type metrics struct {
	cjk     [0x10000]uint16 // advance in 1/1000 em; 0 = no glyph in the CJK font
	helv    [256]uint16     // by Windows-1252 byte
	helvB   [256]uint16
	courier [256]uint16
	// trimmed is the CJK font cut down to the common runes, nil if it could
	// not be made; common marks the runes it has.
	trimmed []byte
	common  [0x10000]bool
}

// cjkFont is the font every report embeds its CJK text from.
func (m *metrics) cjkFont() []byte {
	if m.trimmed != nil {
		return m.trimmed
	}
	return assets.CJKFont
}

var loadMetrics = sync.OnceValues(func() (*metrics, error) {
	m := &metrics{}
	f, err := sfnt.Parse(assets.CJKFont)
	if err != nil {
		return nil, fmt.Errorf("parse CJK font: %w", err)
	}
	// The widths come from gofpdf itself, not from the font file, so that
	// what we measure is exactly what gofpdf writes into the PDF's /W array.
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(cjkFamily, "", assets.CJKFont)
	pdf.SetFont(cjkFamily, "", 10)
	var buf sfnt.Buffer
	for r := rune(0x80); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 { // surrogates are not characters
			continue
		}
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			continue
		}
		w := pdf.GetStringSymbolWidth(string(r))
		m.cjk[r] = uint16(max(w, 1))
	}
	for _, c := range []struct {
		family, style string
		dst           *[256]uint16
	}{{"Helvetica", "", &m.helv}, {"Helvetica", "B", &m.helvB}, {"Courier", "", &m.courier}} {
		pdf.SetFont(c.family, c.style, 10)
		for b := range 256 {
			c.dst[b] = uint16(pdf.GetStringSymbolWidth(string([]byte{byte(b)})))
		}
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("measure fonts: %w", err)
	}
	runes := commonRunes(m)
	// Without the trimmed font reports are only slower, so a failure here
	// falls back to the full font rather than failing every report.
	if ttf, err := trimFont(m, pdf, runes); err == nil {
		m.trimmed = ttf
		for _, r := range runes {
			m.common[r] = true
		}
	}
	return m, nil
})

// faceOf returns the face that draws r. Only runes that passed normalize are
// asked about.
func (m *metrics) faceOf(r rune) face {
	if r >= 0x80 && r < 0x10000 && m.cjk[r] != 0 {
		if m.trimmed != nil && !m.common[r] {
			return faceCJKRare
		}
		return faceCJK
	}
	return faceLatin
}

// drawable reports whether some face has a glyph for r.
func (m *metrics) drawable(r rune) bool {
	if r < 0x80 {
		return r >= 0x20 && r != 0x7f
	}
	if r < 0x10000 && m.cjk[r] != 0 {
		return true
	}
	_, ok := charmap.Windows1252.EncodeRune(r)
	return ok && r >= 0xa0
}

// units is the advance of r in 1/1000 em for a style.
func (m *metrics) units(r rune, st style) int {
	if m.faceOf(r) != faceLatin {
		return int(m.cjk[r])
	}
	b, ok := charmap.Windows1252.EncodeRune(r)
	if !ok {
		b = '?'
	}
	switch {
	case st.mono:
		return int(m.courier[b])
	case st.bold:
		return int(m.helvB[b])
	default:
		return int(m.helv[b])
	}
}

// width is the width of s in mm.
func (m *metrics) width(s string, st style) float64 {
	u := 0
	for _, r := range s {
		u += m.units(r, st)
	}
	return float64(u) * st.size * ptMM / 1000
}

// invisible runes carry no text a reader could see: controls, bidi marks,
// zero-width spaces, variation selectors, a stray BOM. They are dropped
// rather than shown as codes.
func invisible(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2064:
		return true
	case r >= 0xfe00 && r <= 0xfe0f, r == 0xfeff:
		return true
	}
	return false
}

// normalize turns text typed on a tablet into text the faces can draw, so
// that nothing is silently lost on the page: line ends become "\n", tabs a
// space, invisible controls are dropped, and a character no face has (an
// emoji, a rare ideograph outside the font) is written as its code point,
// [U+1F600], instead of a blank box. Invalid UTF-8 becomes [U+FFFD].
func (m *metrics) normalize(s string) string {
	ok := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\r' || r == '\t' || invisible(r) && r != '\n' || !m.drawable(r) && r != '\n' {
			ok = false
			break
		}
		i += n
	}
	if ok {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case invisible(r):
		case m.drawable(r):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "[U+%04X]", r)
		}
	}
	return b.String()
}

// oneLine normalizes a value that belongs on one line (a name, a code).
func (m *metrics) oneLine(s string) string {
	s = m.normalize(s)
	if !strings.ContainsRune(s, '\n') {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' }), " ")
}

// run is a piece of a line drawn in one face.
type run struct {
	face face
	text string
}

// runs splits a line into runs of one face each.
func (m *metrics) runs(s string) []run {
	var out []run
	start := 0
	cur := face(255)
	for i, r := range s {
		f := m.faceOf(r)
		if f != cur && i > start {
			out = append(out, run{cur, s[start:i]})
			start = i
		}
		cur = f
	}
	if start < len(s) {
		out = append(out, run{cur, s[start:]})
	}
	return out
}

// cp1252 encodes a Latin run for a core font, which takes single bytes.
func cp1252(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			c = '?' // unreachable after normalize
		}
		b = append(b, c)
	}
	return string(b)
}

// isSpace is a space where a line may break and which may hang past the end
// of a line. No-break spaces are not.
func isSpace(r rune) bool { return r == ' ' || r == '\u3000' }

// ideographic reports runes between which a line may break with no space:
// CJK ideographs, kana, CJK and full-width punctuation and forms.
func ideographic(r rune) bool {
	switch {
	case r >= 0x2e80 && r <= 0x9fff, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f:
		return true
	case r >= 0xff00 && r <= 0xffef, r >= 0xac00 && r <= 0xd7af, r >= 0x20000 && r <= 0x3ffff:
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// Line-breaking rules (kinsoku): closing punctuation never starts a line,
// opening punctuation never ends one.
const (
	closingPunct = "，。、；：？！）》」』】〕〉〗〙〛〞”’…‥·・～％‰°℃ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ" +
		",.;:?!)]}%" + "，．：；？！）］｝％｡､"
	openingPunct = "（《「『【〔〈〖〘〚〝“‘([{＄￥$¥£€#＃［｛"
)

func isClosing(r rune) bool { return strings.ContainsRune(closingPunct, r) }
func isOpening(r rune) bool { return strings.ContainsRune(openingPunct, r) }
