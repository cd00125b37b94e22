package ui

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"

	"github.com/dudao-app/dudao/assets"
)

func TestThemeUsesBundledFont(t *testing.T) {
	th := newTheme()
	for name, style := range map[string]fyne.TextStyle{
		"regular":     {},
		"bold":        {Bold: true},
		"italic":      {Italic: true},
		"bold italic": {Bold: true, Italic: true},
	} {
		if got := th.Font(style); got != cjkFont {
			t.Errorf("%s font = %s, want the bundled CJK font", name, got.Name())
		}
	}
	// Latin-only styles keep Fyne's own fonts, saving a parse of the CJK font.
	for name, style := range map[string]fyne.TextStyle{
		"monospace":      {Monospace: true},
		"bold monospace": {Monospace: true, Bold: true},
		"symbol":         {Symbol: true},
	} {
		if got := th.Font(style); got == cjkFont {
			t.Errorf("%s font is the CJK font; it shows only Latin text", name)
		}
	}
}

func TestThemeSizes(t *testing.T) {
	th, def := newTheme(), theme.DefaultTheme()
	for _, name := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNameInnerPadding, theme.SizeNameCaptionText} {
		if th.Size(name) <= def.Size(name) {
			t.Errorf("size %s = %v, want larger than the default %v for touch", name, th.Size(name), def.Size(name))
		}
	}
	th.textScale = 1.5
	if got := th.Size(theme.SizeNameText); got != 24 {
		t.Errorf("text size at scale 1.5 = %v, want 24", got)
	}
	if got := th.Size(theme.SizeNamePadding); got != newTheme().Size(theme.SizeNamePadding) {
		t.Errorf("text scale changed the padding to %v", got)
	}
}

func TestThemeColours(t *testing.T) {
	test.AssertAllColorNamesDefined(t, newTheme(), "dudao")
}

// rareChar is in Droid Sans Fallback but neither in GB 2312 nor in
// 通用规范汉字表, so not in the app's subset (U+4E02, an old variant of 考).
const rareChar = "丂"

func TestThemeFontIsTheSubset(t *testing.T) {
	ui, full := glyphs(t, assets.UIFont), glyphs(t, assets.CJKFont)
	if got := newTheme().Font(fyne.TextStyle{}).Content(); !bytes.Equal(got, assets.UIFont) {
		t.Errorf("theme font is %d bytes, want the %d-byte subset", len(got), len(assets.UIFont))
	}
	if ui(rareChar) || !full(rareChar) {
		t.Fatalf("%q: in the subset %v, in the full font %v; the fallback test needs a character only the full font has", rareChar, ui(rareChar), full(rareChar))
	}
}

func glyphs(t *testing.T, font []byte) func(string) bool {
	t.Helper()
	f, err := sfnt.Parse(font)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	return func(s string) bool {
		for _, r := range s {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				return false
			}
		}
		return true
	}
}

// fallbackChildEnv marks the child process of
// TestRareCharacterFallsBackToSystemFont.
const fallbackChildEnv = "DUDAO_TEST_FONT_FALLBACK_CHILD"

// TestRareCharacterFallsBackToSystemFont checks what the subset relies on: a
// character it lacks is drawn from a system font that has it, as on Android
// or Windows, rather than as U+FFFD. Fyne reads the system's fonts once per
// process, so the check runs in a child process whose font directories
// (XDG_DATA_DIRS) include a copy of the full Droid Sans Fallback; this
// machine's own fonts may have no CJK at all.
func TestRareCharacterFallsBackToSystemFont(t *testing.T) {
	if os.Getenv(fallbackChildEnv) == "" {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "fonts"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "fonts", "DroidSansFallbackFull.ttf"), assets.CJKFont, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestRareCharacterFallsBackToSystemFont$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), fallbackChildEnv+"=1", "XDG_DATA_DIRS="+dir,
			"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestRareCharacterFallsBackToSystemFont") {
			t.Fatalf("child process (err %v):\n%s", err, out)
		}
		return
	}

	a := test.NewTempApp(t)
	draw := func(th fyne.Theme, s string) image.Image {
		a.Settings().SetTheme(th)
		w := test.NewWindow(canvas.NewText(s, color.White))
		defer w.Close()
		w.Resize(fyne.NewSize(120, 60))
		return w.Canvas().Capture()
	}
	// Without the fallback the subset draws U+FFFD in its place.
	if !samePixels(draw(newTheme(), rareChar), draw(fullFontTheme{newTheme()}, rareChar)) {
		t.Errorf("%q is not drawn from the system font as the full font draws it", rareChar)
	}
}

// fullFontTheme draws everything from the full Droid Sans Fallback.
type fullFontTheme struct{ *dudaoTheme }

func (fullFontTheme) Font(fyne.TextStyle) fyne.Resource {
	return fyne.NewStaticResource("DroidSansFallbackFull.ttf", assets.CJKFont)
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
