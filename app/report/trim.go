package report

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The bundled CJK font has 30,000 glyphs, and gofpdf reads all of them for
// every document and again when it subsets the font on output: about 45 ms
// of a report's 150 ms budget. Nearly all text is in the 7,000 characters of
// GB 2312, so reports embed from a copy of the font cut down to those, which
// gofpdf reads in a third of the time. A character outside it (a rare
// character in a name) is drawn from the full font, added to that one
// document only when it is met, so no character is ever lost to the cut.

const cjkFullFamily = "dudaocjkfull"

// commonRunes are the characters of GB 2312 (hanzi, punctuation, symbols,
// full-width forms, kana) that the font has.
func commonRunes(m *metrics) []rune {
	var out []rune
	dec := simplifiedchinese.GBK.NewDecoder()
	for hi := 0xA1; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			for _, r := range string(s) {
				if r >= 0x80 && r < 0x10000 && m.cjk[r] != 0 {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// fontStream finds the embedded TrueType font file in gofpdf's output: the
// only stream with a /Length1, which putfonts writes with this exact layout.
var fontStream = regexp.MustCompile(`<</Length (\d+)\n/Filter /FlateDecode\n/Length1 (\d+)\n>>\nstream\n`)

// trimFont cuts the CJK font down to runes with gofpdf's own subsetter: it
// writes a throwaway document that uses every rune and takes the embedded
// font file back out. pdf is a fresh document with the full font loaded as
// cjkFamily and no page. The cut font is checked glyph by glyph against the
// full one before it is used.
func trimFont(m *metrics, pdf *gofpdf.Fpdf, runes []rune) ([]byte, error) {
	pdf.SetFont(cjkFamily, "", 10)
	pdf.AddPage()
	for i := 0; i < len(runes); i += 64 {
		pdf.Text(10, 10, string(runes[i:min(i+64, len(runes))]))
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("subset font: %w", err)
	}
	out := buf.Bytes()
	loc := fontStream.FindSubmatchIndex(out)
	if loc == nil {
		return nil, errors.New("subset font: no font file in gofpdf's output")
	}
	n, _ := strconv.Atoi(string(out[loc[2]:loc[3]]))
	size, _ := strconv.Atoi(string(out[loc[4]:loc[5]]))
	if loc[1]+n > len(out) {
		return nil, errors.New("subset font: font stream runs past the end")
	}
	zr, err := zlib.NewReader(bytes.NewReader(out[loc[1] : loc[1]+n]))
	if err != nil {
		return nil, fmt.Errorf("subset font: %w", err)
	}
	ttf, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("subset font: %w", err)
	}
	if len(ttf) != size {
		return nil, fmt.Errorf("subset font: %d bytes, want %d", len(ttf), size)
	}
	if err := checkTrimmed(m, ttf, runes); err != nil {
		return nil, err
	}
	return ttf, nil
}

// checkTrimmed makes sure the cut font has a glyph for every rune and that
// gofpdf reads the same width for it as from the full font, which the layout
// measured with.
func checkTrimmed(m *metrics, ttf []byte, runes []rune) error {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return fmt.Errorf("check subset font: %w", err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(cjkFamily, "", ttf)
	pdf.SetFont(cjkFamily, "", 10)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("check subset font: %w", err)
	}
	var buf sfnt.Buffer
	for _, r := range runes {
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			return fmt.Errorf("check subset font: no glyph for %q", r)
		}
		if w := pdf.GetStringSymbolWidth(string(r)); uint16(max(w, 1)) != m.cjk[r] {
			return fmt.Errorf("check subset font: %q is %d wide, %d in the full font", r, w, m.cjk[r])
		}
	}
	return nil
}
