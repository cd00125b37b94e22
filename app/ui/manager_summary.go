package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// summarySection: placeholder until its screen lands.
type summarySection struct{ m *managerDesk }

func newSummarySection(m *managerDesk) *summarySection { return &summarySection{m: m} }

func (x *summarySection) label() string       { return lang.X("manager.summary", "Summary") }
func (x *summarySection) icon() fyne.Resource { return theme.GridIcon() }
func (x *summarySection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *summarySection) onShow() {}
