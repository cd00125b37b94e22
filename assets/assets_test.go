package assets_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"maps"
	"slices"
	"testing"
	"unicode"

	"golang.org/x/image/font/sfnt"

	"github.com/dudao-app/dudao/assets"
)

// TestCJKFontIsTrueType guards the reason this font was chosen: gofpdf embeds
// only TrueType outlines, so a CFF-flavoured (OTTO) replacement would break
// the PDF reports even though Fyne would still render it.
func TestCJKFontIsTrueType(t *testing.T) {
	tables := sfntTables(t, assets.CJKFont)
	for _, tag := range []string{"glyf", "loca", "cmap", "head", "hmtx"} {
		if !tables[tag] {
			t.Errorf("font has no %q table; tables: %v", tag, slices.Sorted(maps.Keys(tables)))
		}
	}
	if tables["CFF "] {
		t.Error("font has CFF outlines, which gofpdf cannot embed")
	}

	f, err := sfnt.Parse(assets.CJKFont)
	if err != nil {
		t.Fatalf("parse font: %v", err)
	}
	var buf sfnt.Buffer
	for _, r := range "督导通营业厅员工收银值班长" {
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			t.Errorf("font has no glyph for %q (index %d, err %v)", r, gi, err)
		}
	}
}

// sfntTables reads the table directory of an sfnt file (OpenType spec,
// "Organization of an OpenType font").
func sfntTables(t *testing.T, font []byte) map[string]bool {
	t.Helper()
	if len(font) < 12 {
		t.Fatalf("font is %d bytes, too short for an sfnt header", len(font))
	}
	if v := binary.BigEndian.Uint32(font); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		t.Fatalf("sfnt version %#08x is not TrueType", v)
	}
	n := int(binary.BigEndian.Uint16(font[4:]))
	if len(font) < 12+16*n {
		t.Fatalf("font too short for %d table records", n)
	}
	tables := make(map[string]bool, n)
	for i := range n {
		rec := font[12+16*i:]
		tables[string(rec[:4])] = true
	}
	return tables
}

func TestIcon(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(assets.Icon))
	if err != nil {
		t.Fatalf("decode icon: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
}

// TestTranslationsMatch keeps the languages in step: a key missing from one
// file would show the English fallback to a Chinese supervisor, or the reverse.
func TestTranslationsMatch(t *testing.T) {
	en := loadTranslation(t, "en.json")
	zh := loadTranslation(t, "zh_Hans.json")
	if len(en) == 0 {
		t.Fatal("en.json has no keys")
	}
	for key := range en {
		if _, ok := zh[key]; !ok {
			t.Errorf("zh_Hans.json lacks key %q", key)
		}
	}
	for key := range zh {
		if _, ok := en[key]; !ok {
			t.Errorf("en.json lacks key %q", key)
		}
	}
}

// TestFontCoversTranslations makes sure no Chinese UI string can render as
// tofu boxes, whatever fonts the tablet has.
func TestFontCoversTranslations(t *testing.T) {
	f, err := sfnt.Parse(assets.CJKFont)
	if err != nil {
		t.Fatalf("parse font: %v", err)
	}
	var buf sfnt.Buffer
	for key, forms := range loadTranslation(t, "zh_Hans.json") {
		for _, s := range forms {
			for _, r := range s {
				if r < 0x2000 || unicode.IsSpace(r) { // Latin and punctuation come from Fyne's own font
					continue
				}
				if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
					t.Errorf("%s: font has no glyph for %q in %q", key, r, s)
				}
			}
		}
	}
}

// loadTranslation reads a fyne lang file, whose values are either a string or,
// for plurals, an object of CLDR forms ("one", "other"...). It returns every
// key with its non-empty forms and fails the test on an empty value.
func loadTranslation(t *testing.T, name string) map[string][]string {
	t.Helper()
	data, err := assets.Translations.ReadFile("translation/" + name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	out := make(map[string][]string, len(raw))
	for key, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			if s == "" {
				t.Errorf("%s: %q is empty", name, key)
			}
			out[key] = []string{s}
			continue
		}
		var plural map[string]string
		if err := json.Unmarshal(v, &plural); err != nil {
			t.Errorf("%s: %q is neither a string nor plural forms: %v", name, key, err)
			continue
		}
		if plural["other"] == "" {
			t.Errorf("%s: %q has no \"other\" plural form", name, key)
		}
		for form, s := range plural {
			if s == "" {
				t.Errorf("%s: %q form %q is empty", name, key, form)
			}
			out[key] = append(out[key], s)
		}
	}
	return out
}
