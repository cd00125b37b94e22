package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/dudao-app/dudao/assets"
)

var (
	// cjkFont is bundled rather than left to system font fallback: a tablet
	// without Chinese fonts, or a fresh Linux install, would otherwise show
	// hall and staff names as tofu boxes. It is the subset of Droid Sans
	// Fallback made for the UI (assets.UIFont): Fyne 2.7 parses the theme's
	// font anew for every text style it draws (regular, bold...) and keeps
	// each copy, even of the same resource, so a theme cannot make the styles
	// share one; a copy is about 4 MB of heap for the subset, 13.5 MB for the
	// full font. A character outside the subset is looked up in the system's
	// fonts by Fyne, as for any character the theme's fonts lack.
	cjkFont = fyne.NewStaticResource("DroidSansFallbackUI.ttf", assets.UIFont)
	appIcon = fyne.NewStaticResource("icon.png", assets.Icon)
)

// dudaoTheme is Fyne's default theme with the bundled CJK font and sizes made
// for fingers on a tablet. Colours come from the default theme, so the app
// follows the system's light or dark variant.
type dudaoTheme struct {
	fyne.Theme

	// textScale enlarges all text for supervisors who need larger type
	// (the larger-text setting); 1 is the normal size.
	textScale float32
}

// prefLargeText is the preference key of the larger-text setting.
const prefLargeText = "ui.largeText"

// largeTextScale is what the larger-text setting multiplies text by: one
// clear step up, still fitting a checklist row on a phone.
const largeTextScale = 1.25

// touchTarget is the least height (and width, for icon buttons) of anything
// a finger taps: 48 dp, as Android and iOS guidelines ask.
const touchTarget = 48

var _ fyne.Theme = (*dudaoTheme)(nil)

func newTheme() *dudaoTheme {
	return &dudaoTheme{Theme: theme.DefaultTheme(), textScale: 1}
}

// Font returns the CJK font for text styles that carry Chinese. It has no
// Latin letters, so Fyne's glyph fallback still draws Latin text in its own
// Noto fonts. Monospace and symbol text is Latin only (clause IDs, seal
// hashes, icons) and keeps Fyne's fonts: Fyne parses the font once per style,
// and a tablet should not spend that memory on text that never shows a
// Chinese character.
func (t *dudaoTheme) Font(style fyne.TextStyle) fyne.Resource {
	if style.Monospace || style.Symbol {
		return t.Theme.Font(style)
	}
	return cjkFont
}

// Size enlarges text and touch targets: a row or button must be easy to hit
// while walking a hall with the tablet in one hand.
func (t *dudaoTheme) Size(name fyne.ThemeSizeName) float32 {
	scale := t.textScale
	if scale <= 0 {
		scale = 1
	}
	switch name {
	case theme.SizeNameText:
		return 16 * scale
	case theme.SizeNameHeadingText:
		return 26 * scale
	case theme.SizeNameSubHeadingText:
		return 20 * scale
	case theme.SizeNameCaptionText:
		return 14 * scale
	case theme.SizeNameInnerPadding:
		return 12
	case theme.SizeNamePadding:
		return 6
	case theme.SizeNameInlineIcon:
		return 24
	case theme.SizeNameScrollBar:
		return 16
	}
	return t.Theme.Size(name)
}
