package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// attentionSection: placeholder until its screen lands.
type attentionSection struct{ m *managerDesk }

func newAttentionSection(m *managerDesk) *attentionSection { return &attentionSection{m: m} }

func (x *attentionSection) label() string       { return lang.X("manager.attention", "Attention") }
func (x *attentionSection) icon() fyne.Resource { return theme.WarningIcon() }
func (x *attentionSection) buildUI() fyne.CanvasObject {
	return widget.NewLabel(x.label())
}
func (x *attentionSection) onShow() {}
