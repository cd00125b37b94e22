package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/flow"
)

// AdminFor gives the manager's work for a signed-in manager: over the hub
// when this desktop is enrolled with one, on the local database otherwise.
type AdminFor func(ctx context.Context, user flow.User) (admin.Service, error)

// WithAdmin makes the manager's screens reachable for managers. Without
// it, a manager signs in to the supervisor's screens only.
func WithAdmin(f AdminFor) Option { return func(s *session) { s.adminFor = f } }

// managerSection is one part of the manager's desk, shown when its entry in
// the side list is chosen.
type managerSection interface {
	label() string
	icon() fyne.Resource
	// buildUI makes the section's widgets; it runs again after a language
	// switch.
	buildUI() fyne.CanvasObject
	// onShow reloads what the section shows; it keeps what is on screen when
	// the hub cannot be reached.
	onShow()
}

// managerDesk is the manager's screen: sections down the side (halls and
// staff, roster import, standards, inspections, summary, devices,
// attention), a banner when the hub cannot be reached.
type managerDesk struct {
	s        *session
	svc      admin.Service
	scope    admin.Scope
	sections []managerSection
	banner   *hubBanner
	tabs     *container.AppTabs
}

func newManagerDesk(s *session, svc admin.Service, scope admin.Scope) *managerDesk {
	m := &managerDesk{s: s, svc: svc, scope: scope}
	m.sections = []managerSection{
		newHallsSection(m),
		newRosterSection(m),
		newStandardsSection(m),
		newInspectionsSection(m),
		newSummarySection(m),
		newDevicesSection(m),
		newAttentionSection(m),
	}
	return m
}

func (m *managerDesk) title() string {
	return lang.X("manager.title", "Manager: {{.Name}}", map[string]any{"Name": m.scope.Name})
}

func (m *managerDesk) buildUI() fyne.CanvasObject {
	m.banner = newHubBanner()
	m.tabs = container.NewAppTabs()
	for _, sec := range m.sections {
		m.tabs.Append(container.NewTabItemWithIcon(sec.label(), sec.icon(), sec.buildUI()))
	}
	m.tabs.SetTabLocation(container.TabLocationLeading)
	m.tabs.OnSelected = func(*container.TabItem) { m.sections[m.tabs.SelectedIndex()].onShow() }
	m.sections[0].onShow()
	return container.NewBorder(m.banner.box, nil, nil, nil, m.tabs)
}

// run calls the service off the UI thread and applies the result on it.
// When the hub cannot be reached it shows the banner and leaves the screen
// as it was (fail is not called); other errors go to fail.
func (m *managerDesk) run(work func(ctx context.Context) (apply func(), err error), fail func(error)) {
	inBackground(func() func() {
		apply, err := work(m.s.ctx())
		if err != nil {
			return func() { m.failed(err, fail) }
		}
		return func() {
			m.banner.hide()
			if apply != nil {
				apply()
			}
		}
	}, func(err error) { m.failed(err, fail) })
}

func (m *managerDesk) failed(err error, fail func(error)) {
	if errors.Is(err, admin.ErrUnavailable) {
		m.banner.show(err)
		return
	}
	if fail != nil {
		fail(err)
		return
	}
	showError(m.s.win, err)
}

// hubBanner says the hub cannot be reached, above whatever is on screen.
type hubBanner struct {
	text *widget.Label
	box  *fyne.Container
}

func newHubBanner() *hubBanner {
	b := &hubBanner{text: widget.NewLabel("")}
	b.text.Wrapping = fyne.TextWrapWord
	b.text.Importance = widget.DangerImportance
	b.box = container.NewVBox(b.text, widget.NewSeparator())
	b.box.Hide()
	return b
}

func (b *hubBanner) show(err error) {
	b.text.SetText(lang.X("manager.hub.unreachable", "The hub cannot be reached. What is on screen is kept; try again when the network is back.") + "\n" + err.Error())
	b.box.Show()
}

func (b *hubBanner) hide() { b.box.Hide() }
