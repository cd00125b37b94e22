package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settings holds this device's display choices and signing out.
type settings struct {
	s *session
}

func newSettings(s *session) *settings { return &settings{s: s} }

func (st *settings) title() string { return lang.X("settings.title", "Settings") }

func (st *settings) buildUI() fyne.CanvasObject {
	large := newCheckRow(lang.X("settings.large", "Larger text"), st.s.app.Preferences().Bool(prefLargeText), st.onLargeText)

	signOut := widget.NewButtonWithIcon(lang.X("settings.signout", "Sign out"), theme.LogoutIcon(), st.onSignOut)

	body := container.NewVBox(
		bold(lang.X("settings.language", "Language")),
		tall(languageSwitch(st.s)),
		widget.NewSeparator(),
		large,
		caption(lang.X("settings.theme", "Light and dark colours follow the system setting.")),
		widget.NewSeparator(),
		tall(signOut),
	)
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

func (st *settings) onLargeText(on bool) { st.s.setLargeText(on) }

func (st *settings) onSignOut() { st.s.signOut() }
