package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// devicesSection: placeholder until its screen lands.
type devicesSection struct{ m *managerDesk }

func newDevicesSection(m *managerDesk) *devicesSection { return &devicesSection{m: m} }

func (x *devicesSection) label() string       { return lang.X("manager.devices", "Devices") }
func (x *devicesSection) icon() fyne.Resource { return theme.ComputerIcon() }
func (x *devicesSection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *devicesSection) onShow() {}
