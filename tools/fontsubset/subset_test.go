package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

const fullFontPath = "../../assets/fonts/DroidSansFallbackFull.ttf"

func readFull(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(fullFontPath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sampleRunes mixes common and rare hanzi, name characters, punctuation and
// a character drawn from composite glyphs in Droid Sans Fallback.
var sampleRunes = []rune("督导通营业厅员工一乙二十丁堃犇琤赟喆昇燊旸淼鑫龘齉，。、：；？！（）【】《》“”‘’…—·０９ＡＺ\uFFFD")

func TestSubsetDrawsLikeTheFullFont(t *testing.T) {
	data := readFull(t)
	f, err := parseFont(data)
	if err != nil {
		t.Fatal(err)
	}
	var runes []rune
	full, err := sfnt.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, r := range sampleRunes {
		if gi, err := full.GlyphIndex(&buf, r); err == nil && gi != 0 {
			runes = append(runes, r)
		}
	}
	if len(runes) < len(sampleRunes)-12 {
		t.Fatalf("the full font has only %d of the %d sample runes", len(runes), len(sampleRunes))
	}
	out, err := subset(f, runes)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := sfnt.Parse(out)
	if err != nil {
		t.Fatalf("parse subset: %v", err)
	}
	if got := checksum(out); got != 0xB1B0AFBA {
		t.Errorf("whole-file checksum %#x, want 0xB1B0AFBA", got)
	}
	composite := 0
	for _, r := range runes {
		want := glyphOf(t, full, r)
		got := glyphOf(t, sub, r)
		if got.advance != want.advance {
			t.Errorf("%q: advance %v, full font %v", r, got.advance, want.advance)
		}
		if !slices.Equal(got.segments, want.segments) {
			t.Errorf("%q: outline differs from the full font's", r)
		}
		gi, _ := full.GlyphIndex(&buf, r)
		if g, _ := f.glyph(int(gi)); len(g) >= 2 && int16(binary.BigEndian.Uint16(g)) < 0 {
			composite++
		}
	}
	if composite == 0 {
		t.Error("no sample rune is a composite glyph, so component renumbering went untested")
	}
	for _, r := range "丂丄乚" { // in the full font, not asked for
		if gi, err := sub.GlyphIndex(&buf, r); err != nil || gi != 0 {
			t.Errorf("%q: subset maps it to glyph %d (err %v), want none", r, gi, err)
		}
	}

	sf, err := parseFont(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range keptTables {
		if !bytes.Equal(sf.tables[tag], f.tables[tag]) {
			t.Errorf("table %q was not copied unchanged", tag)
		}
	}
	for _, tag := range []string{"GSUB", "vmtx", "vhea"} {
		if sf.tables[tag] != nil {
			t.Errorf("table %q kept; its glyph IDs would be stale", tag)
		}
	}
	if n, want := sf.numGlyphs(), len(runes)+1; n < want || n > 3*want {
		t.Errorf("subset has %d glyphs for %d runes", n, len(runes))
	}
}

type drawn struct {
	advance  fixed.Int26_6
	segments []sfnt.Segment
}

func glyphOf(t *testing.T, f *sfnt.Font, r rune) drawn {
	t.Helper()
	var buf sfnt.Buffer
	gi, err := f.GlyphIndex(&buf, r)
	if err != nil || gi == 0 {
		t.Fatalf("%q: no glyph (err %v)", r, err)
	}
	ppem := fixed.I(64)
	adv, err := f.GlyphAdvance(&buf, gi, ppem, font.HintingNone)
	if err != nil {
		t.Fatalf("%q: advance: %v", r, err)
	}
	segs, err := f.LoadGlyph(&buf, gi, ppem, nil)
	if err != nil {
		t.Fatalf("%q: outline: %v", r, err)
	}
	return drawn{adv, slices.Clone(segs)}
}

func TestSubsetRefusesMissingRune(t *testing.T) {
	f, err := parseFont(readFull(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := subset(f, []rune("督A")); err == nil || !strings.Contains(err.Error(), "'A'") {
		t.Errorf("subset with a Latin letter the font lacks: err %v, want one naming 'A'", err)
	}
}

func TestParseFontRejectsCFF(t *testing.T) {
	otto := append([]byte("OTTO"), make([]byte, 8)...)
	if _, err := parseFont(otto); err == nil {
		t.Error("parseFont accepted a CFF (OTTO) font")
	}
}

// TestCommittedSubsetIsCurrent runs the go:generate line of assets/assets.go
// and compares its output with the committed subset, so a change to the
// tool, the lists or the texts that would change the font cannot go
// unnoticed.
func TestCommittedSubsetIsCurrent(t *testing.T) {
	src, err := os.ReadFile("../../assets/assets.go")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for line := range strings.Lines(string(src)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//go:generate go run ../tools/fontsubset "); ok {
			args = strings.Fields(rest)
		}
	}
	if args == nil {
		t.Fatal("assets.go has no go:generate line running ../tools/fontsubset")
	}
	var full, out string
	var lists, texts []string
	for i := 0; i+1 < len(args); i += 2 {
		p := filepath.Join("../../assets", args[i+1])
		switch args[i] {
		case "-full":
			full = p
		case "-out":
			out = p
		case "-chars":
			lists = append(lists, p)
		case "-text":
			texts = append(texts, p)
		default:
			t.Fatalf("go:generate line has flag %q this test does not know", args[i])
		}
	}
	tmp := filepath.Join(t.TempDir(), "subset.ttf")
	if err := run(io.Discard, full, tmp, lists, texts); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Errorf("%s is stale (%d bytes, regenerated %d): run go generate ./assets", out, len(committed), len(got))
	}
}
