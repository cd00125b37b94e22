package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// inspectionsSection: placeholder until its screen lands.
type inspectionsSection struct{ m *managerDesk }

func newInspectionsSection(m *managerDesk) *inspectionsSection { return &inspectionsSection{m: m} }

func (x *inspectionsSection) label() string       { return lang.X("manager.inspections", "Inspections") }
func (x *inspectionsSection) icon() fyne.Resource { return theme.ListIcon() }
func (x *inspectionsSection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *inspectionsSection) onShow() {}
