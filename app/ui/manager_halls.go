package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// hallsSection: placeholder until its screen lands.
type hallsSection struct{ m *managerDesk }

func newHallsSection(m *managerDesk) *hallsSection { return &hallsSection{m: m} }

func (x *hallsSection) label() string       { return lang.X("manager.halls", "Halls and staff") }
func (x *hallsSection) icon() fyne.Resource { return theme.HomeIcon() }
func (x *hallsSection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *hallsSection) onShow() {}
