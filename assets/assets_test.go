package assets_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/dudao-app/dudao/assets"
	"github.com/dudao-app/dudao/data"
)

// TestCJKFontIsTrueType guards the reason this font was chosen: gofpdf embeds
// only TrueType outlines, so a CFF-flavoured (OTTO) replacement would break
// the PDF reports even though Fyne would still render it.
func TestCJKFontIsTrueType(t *testing.T) {
	for name, font := range map[string][]byte{"CJKFont": assets.CJKFont, "UIFont": assets.UIFont} {
		tables := sfntTables(t, font)
		for _, tag := range []string{"glyf", "loca", "cmap", "head", "hmtx"} {
			if !tables[tag] {
				t.Errorf("%s has no %q table; tables: %v", name, tag, slices.Sorted(maps.Keys(tables)))
			}
		}
		if tables["CFF "] {
			t.Errorf("%s has CFF outlines, which gofpdf cannot embed", name)
		}

		f, err := sfnt.Parse(font)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		var buf sfnt.Buffer
		for _, r := range "督导通营业厅员工收银值班长" {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				t.Errorf("%s has no glyph for %q (index %d, err %v)", name, r, gi, err)
			}
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
// tofu boxes, whatever fonts the tablet has. The app draws from UIFont; the
// reports from CJKFont, which has every glyph UIFont has
// (TestUIFontIsCutFromCJKFont). A failure here after adding text means
// running `go generate ./assets`.
func TestFontCoversTranslations(t *testing.T) {
	has := glyphSet(t, assets.UIFont)
	for key, forms := range loadTranslation(t, "zh_Hans.json") {
		for _, s := range forms {
			for _, r := range s {
				if needsCJKFont(r) && !has(r) {
					t.Errorf("%s: UIFont has no glyph for %q in %q", key, r, s)
				}
			}
		}
	}
}

// needsCJKFont is false for Latin letters, Latin-1 punctuation and spaces,
// which Fyne draws from its own Noto Sans and the reports from core fonts.
func needsCJKFont(r rune) bool { return r >= 0x2000 && !unicode.IsSpace(r) }

// glyphSet returns whether font maps a rune to a glyph.
func glyphSet(t *testing.T, font []byte) func(rune) bool {
	t.Helper()
	f, err := sfnt.Parse(font)
	if err != nil {
		t.Fatalf("parse font: %v", err)
	}
	var buf sfnt.Buffer
	return func(r rune) bool {
		gi, err := f.GlyphIndex(&buf, r)
		return err == nil && gi != 0
	}
}

// TestUIFontCoversAppText checks the other text the app shows from its own
// files: the standard and quick phrases (data/) and the demo's halls, staff,
// users and notes (app/demo, read from its source so that this package needs
// no database).
func TestUIFontCoversAppText(t *testing.T) {
	has := glyphSet(t, assets.UIFont)
	sources := map[string]string{}
	yamls, err := fs.Glob(data.FS, "*.yaml")
	if err != nil || len(yamls) == 0 {
		t.Fatalf("no yaml files in data.FS (err %v)", err)
	}
	for _, name := range yamls {
		b, err := data.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources["data/"+name] = string(b)
	}
	demo, err := filepath.Glob("../app/demo/*.go")
	if err != nil || len(demo) == 0 {
		t.Fatalf("no demo sources (err %v)", err)
	}
	for _, path := range demo {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sources[path] = string(b)
	}
	for name, text := range sources {
		missing := map[rune]bool{}
		for _, r := range text {
			if needsCJKFont(r) && !has(r) && unicode.Is(unicode.Han, r) {
				missing[r] = true
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: UIFont lacks %q; run go generate ./assets", name, string(slices.Sorted(maps.Keys(missing))))
		}
	}
}

// nameChars are characters of real names: the hundred most common surnames
// and compound surnames, frequent given-name characters, and ones that are
// rarer but popular in names given since the 1990s (the kind a supervisor
// will meet on a roster). All of them are in the Table of General Standard
// Chinese Characters.
const nameChars = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤" +
	"欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文轩辕令狐" +
	"伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉华红梅凤云飞鹏辉斌宇浩然轩涵萱梓睿博文子怡欣佳琪琳瑶婷雪晨曦昊天泽宸铭瑞祥" +
	"堃犇琤赟喆昇燊旸淼鑫垚珺玥䶮㛃镕瑀昱晟煜炜玮珏琦瑾璇瑛琨璐婕妍嫣婧彧珩瑜祎翊骞"

// TestUIFontCoversNames: a staff or hall name must never show as U+FFFD.
// Besides the sample above, every character of 通用规范汉字表 that the full
// font has must be in UIFont.
func TestUIFontCoversNames(t *testing.T) {
	has, full := glyphSet(t, assets.UIFont), glyphSet(t, assets.CJKFont)
	for _, r := range nameChars {
		if !has(r) {
			t.Errorf("UIFont has no glyph for the name character %q (%U)", r, r)
		}
	}
	list, err := os.ReadFile("fonts/tongyong-8105.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(list)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, r := range strings.TrimSpace(line) {
			n++
			if full(r) && !has(r) {
				t.Errorf("UIFont lacks %q (%U) of 通用规范汉字表", r, r)
			}
		}
	}
	if n != 8105 {
		t.Errorf("fonts/tongyong-8105.txt has %d characters, want 8105", n)
	}
}

// TestUIFontIsCutFromCJKFont: every glyph of UIFont is the full font's
// glyph for the same character, with the same advance and outline, so the
// app and the reports draw text alike and the cut lost nothing; and UIFont
// has every character of the full font that is not a Han ideograph. The
// space matters most: Fyne shapes a space between two ideographs with the
// ideographs' font, and draws U+FFFD for it if that font has no space.
func TestUIFontIsCutFromCJKFont(t *testing.T) {
	ui, err := sfnt.Parse(assets.UIFont)
	if err != nil {
		t.Fatal(err)
	}
	full, err := sfnt.Parse(assets.CJKFont)
	if err != nil {
		t.Fatal(err)
	}
	var ubuf, fbuf sfnt.Buffer
	ppem := fixed.I(32)
	n := 0
	for r := rune(0x20); r < 0x10000; r++ {
		ugi, uerr := ui.GlyphIndex(&ubuf, r)
		fgi, ferr := full.GlyphIndex(&fbuf, r)
		inUI, inFull := uerr == nil && ugi != 0, ferr == nil && fgi != 0
		if inFull && !inUI && !unicode.Is(unicode.Han, r) {
			t.Errorf("%q (%U) is in CJKFont but not in UIFont, which should keep every character but the ideographs", r, r)
		}
		if !inUI {
			continue
		}
		n++
		if !inFull {
			t.Errorf("%q (%U) is in UIFont but not in CJKFont", r, r)
			continue
		}
		uadv, err1 := ui.GlyphAdvance(&ubuf, ugi, ppem, font.HintingNone)
		fadv, err2 := full.GlyphAdvance(&fbuf, fgi, ppem, font.HintingNone)
		if err1 != nil || err2 != nil || uadv != fadv {
			t.Errorf("%q: advance %v in UIFont, %v in CJKFont (%v, %v)", r, uadv, fadv, err1, err2)
		}
		useg, err1 := ui.LoadGlyph(&ubuf, ugi, ppem, nil)
		fseg, err2 := full.LoadGlyph(&fbuf, fgi, ppem, nil)
		if err1 != nil || err2 != nil || !slices.Equal(useg, fseg) {
			t.Errorf("%q: outline differs between UIFont and CJKFont (%v, %v)", r, err1, err2)
		}
	}
	if n < 8000 {
		t.Errorf("UIFont has %d characters, want at least the 8,000 or so of GB 2312 and 通用规范汉字表", n)
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
