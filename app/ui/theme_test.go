package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
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
