package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rosterSection: placeholder until its screen lands.
type rosterSection struct{ m *managerDesk }

func newRosterSection(m *managerDesk) *rosterSection { return &rosterSection{m: m} }

func (x *rosterSection) label() string       { return lang.X("manager.roster", "Roster import") }
func (x *rosterSection) icon() fyne.Resource { return theme.UploadIcon() }
func (x *rosterSection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *rosterSection) onShow() {}
