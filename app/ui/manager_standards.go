package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// standardsSection: placeholder until its screen lands.
type standardsSection struct{ m *managerDesk }

func newStandardsSection(m *managerDesk) *standardsSection { return &standardsSection{m: m} }

func (x *standardsSection) label() string       { return lang.X("manager.standards", "Standards") }
func (x *standardsSection) icon() fyne.Resource { return theme.DocumentIcon() }
func (x *standardsSection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *standardsSection) onShow() {}
