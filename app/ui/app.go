// Package ui is Dudao's Fyne user interface: screens and widgets only. It is
// the one package under app/ that imports Fyne; it reads data through small
// interfaces declared next to the screens that use them (HomeSource) and
// holds no business rules.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// Create sets a up for Dudao (theme, icon, UI language) and returns its main
// window showing the home screen, fed by src (not nil). The caller sizes and
// shows it.
func Create(a fyne.App, src HomeSource) fyne.Window {
	a.Settings().SetTheme(newTheme())
	a.SetIcon(appIcon)
	s := &shell{app: a, win: a.NewWindow(""), src: src}
	// Closing the main window quits, even if a later report window is open.
	s.win.SetMaster()
	s.show(preferredLanguage(a.Preferences()))
	return s.win
}

// shell owns the main window's content, and rebuilds it when the language
// changes: strings are looked up when widgets are built, so a rebuild is the
// one way to switch every screen at once.
type shell struct {
	app fyne.App
	win fyne.Window
	src HomeSource
}

func (s *shell) show(l language) {
	useLanguage(l)
	s.win.SetTitle(lang.X("app.title", "Dudao"))
	s.win.SetContent(newHome(s.src, l, s.onLanguageChanged).buildUI())
}

func (s *shell) onLanguageChanged(l language) {
	s.app.Preferences().SetString(prefLanguage, string(l))
	s.show(l)
}
