package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/standard"
)

// staffPicker is the second step of a new inspection: who is on duty. Those
// ticked at the last visit are ticked again, so a usual shift is one tap on
// Start.
type staffPicker struct {
	s     *session
	hall  flow.Hall
	staff []flow.DutyStaff
	// ticked and extra survive a rebuild (a language switch); loaded is set
	// once the roster's own ticks have been taken over.
	ticked map[string]bool
	extra  []newcomer
	loaded bool

	box   *fyne.Container
	start *widget.Button
}

// newcomer is someone working in the hall who is not on its roster; the
// inspection flags them for a manager.
type newcomer struct {
	name   string
	role   standard.Role
	gender standard.Gender
	ticked bool
}

func newStaffPicker(s *session, h flow.Hall) *staffPicker {
	return &staffPicker{s: s, hall: h, ticked: map[string]bool{}}
}

func (sp *staffPicker) title() string { return sp.hall.Name }

func (sp *staffPicker) buildUI() fyne.CanvasObject {
	staff, err := sp.s.wf.OnDuty(sp.s.ctx(), sp.s.user, sp.hall.ID)
	sp.staff = staff
	if err == nil && !sp.loaded {
		sp.loaded = true
		for _, p := range staff {
			sp.ticked[p.ID] = p.Present
		}
	}

	sp.box = container.NewVBox()
	if err != nil {
		sp.box.Add(errorText(lang.X("staff.error", "Could not read the staff of this hall:") + " " + err.Error()))
	} else if len(staff) == 0 {
		sp.box.Add(wrapped(lang.X("staff.empty", "No staff on this hall's roster. Add the people on duty below.")))
	}
	sp.fill()

	add := widget.NewButtonWithIcon(lang.X("staff.add", "Add someone not on the roster"), theme.ContentAddIcon(), sp.onAdd)
	sp.start = bigButton("", theme.MediaPlayIcon(), sp.onStart)
	sp.updateStart()

	head := container.NewVBox(
		heading(lang.X("staff.heading", "Who is on duty?")),
		caption(lang.X("staff.hint", "Ticks are kept from your last visit. Tap a name to change it.")))
	scroll := container.NewVScroll(container.NewVBox(sp.box, tall(add)))
	body := container.NewBorder(head, tall(sp.start), nil, nil, scroll)
	return centred(listWidth, container.NewPadded(body))
}

// fill makes one row per person, the roster first, then the newcomers.
func (sp *staffPicker) fill() {
	for _, p := range sp.staff {
		info := roleName(p.Role) + " · " + lang.X("staff.badge", "badge {{.Badge}}", map[string]any{"Badge": p.Badge}) + " · " + p.EmployeeNo
		sp.box.Add(sp.row(p.Name, info, false, sp.ticked[p.ID], func(r *tickRow) { sp.onToggle(p.ID, r) }))
	}
	for i := range sp.extra {
		n := &sp.extra[i]
		info := roleName(n.role) + " · " + genderName(n.gender)
		sp.box.Add(sp.row(n.name, info, true, n.ticked, func(r *tickRow) { sp.onToggleNewcomer(i, r) }))
	}
}

// tickRow is a person's row with its tick.
type tickRow struct {
	*tapRow
	icon *widget.Icon
}

func (r *tickRow) set(on bool) {
	if on {
		r.icon.SetResource(theme.CheckButtonCheckedIcon())
		r.setTone(toneSelected)
	} else {
		r.icon.SetResource(theme.CheckButtonIcon())
		r.setTone(toneNone)
	}
}

func (sp *staffPicker) row(name, info string, offRoster, ticked bool, toggle func(*tickRow)) *tapRow {
	icon := widget.NewIcon(theme.CheckButtonIcon())
	segs := []*widget.TextSegment{detail(info)}
	if offRoster {
		segs = append(segs, flag(lang.X("staff.offroster", "not on the roster"), theme.ColorNameWarning))
	}
	r := &tickRow{tapRow: newTapRow(container.NewBorder(nil, nil, icon, nil, lines(name, true, segs...)), nil), icon: icon}
	r.onTapped = func() { toggle(r) }
	r.set(ticked)
	return r.tapRow
}

func (sp *staffPicker) onToggle(id string, r *tickRow) {
	sp.ticked[id] = !sp.ticked[id]
	r.set(sp.ticked[id])
	sp.updateStart()
}

func (sp *staffPicker) onToggleNewcomer(i int, r *tickRow) {
	if i >= len(sp.extra) {
		return
	}
	sp.extra[i].ticked = !sp.extra[i].ticked
	r.set(sp.extra[i].ticked)
	sp.updateStart()
}

func (sp *staffPicker) count() int {
	n := 0
	for _, p := range sp.staff {
		if sp.ticked[p.ID] {
			n++
		}
	}
	for _, e := range sp.extra {
		if e.ticked {
			n++
		}
	}
	return n
}

func (sp *staffPicker) updateStart() {
	sp.start.SetText(lang.X("staff.start", "Start the inspection (people: {{.Count}})", map[string]any{"Count": sp.count()}))
}

func (sp *staffPicker) onAdd() { askNewcomer(sp.s.win, sp.onNewcomer) }

// askNewcomer asks for the name, role and gender of someone not on the
// roster: the role and gender decide which checklist items apply to them.
func askNewcomer(w fyne.Window, done func(newcomer)) {
	name := widget.NewEntry()
	name.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(lang.X("staff.add.noname", "Enter a name"))
		}
		return nil
	}
	roles := make([]string, len(standard.Roles))
	for i, r := range standard.Roles {
		roles[i] = roleName(r)
	}
	role := widget.NewSelect(roles, nil)
	role.SetSelectedIndex(1) // cashiers are the most numerous
	gender := widget.NewRadioGroup([]string{genderName(standard.GenderFemale), genderName(standard.GenderMale)}, nil)
	gender.Horizontal = true
	gender.Required = true
	gender.SetSelected(genderName(standard.GenderFemale))

	// The entry stays the form item's own widget, not wrapped to make it
	// taller: the form validates only the widgets it is given. The whole
	// form is made roomy instead, entry, select and radio items alike.
	form := widget.NewForm(
		widget.NewFormItem(lang.X("staff.add.name", "Name"), name),
		widget.NewFormItem(lang.X("staff.add.role", "Role"), role),
		widget.NewFormItem(lang.X("staff.add.gender", "Gender"), gender),
	)
	var d *dialog.CustomDialog
	cancel := widget.NewButtonWithIcon(lang.X("dialog.cancel", "Cancel"), theme.CancelIcon(), func() { d.Hide() })
	add := bigButton(lang.X("dialog.add", "Add"), theme.ConfirmIcon(), func() {
		d.Hide()
		g := standard.GenderFemale
		if gender.Selected == genderName(standard.GenderMale) {
			g = standard.GenderMale
		}
		done(newcomer{name: strings.TrimSpace(name.Text), role: standard.Roles[max(role.SelectedIndex(), 0)], gender: g, ticked: true})
	})
	enable(add, form.Validate() == nil)
	form.SetOnValidationChanged(func(err error) { enable(add, err == nil) })

	d = dialog.NewCustomWithoutButtons(lang.X("staff.add.title", "Someone not on the roster"), roomy(form), w)
	d.SetButtons([]fyne.CanvasObject{tall(cancel), tall(add)})
	d.Resize(dialogSize(w))
	d.Show()
}

func (sp *staffPicker) onNewcomer(n newcomer) {
	sp.extra = append(sp.extra, n)
	sp.box.RemoveAll()
	sp.fill()
	sp.updateStart()
}

// onStart creates the draft and replaces the two set-up screens with it:
// going back from the inspection leads home, not into a finished set-up.
func (sp *staffPicker) onStart() {
	var ids []string
	for _, p := range sp.staff {
		if sp.ticked[p.ID] {
			ids = append(ids, p.ID)
		}
	}
	d, err := sp.s.wf.Start(sp.s.ctx(), sp.s.user, sp.hall.ID, ids)
	if err != nil {
		showError(sp.s.win, err)
		return
	}
	ins := newInspection(sp.s, d)
	sp.s.nav.reset(newHome(sp.s), ins)
	for _, n := range sp.extra {
		if !n.ticked {
			continue
		}
		if _, err := sp.s.wf.AddOffRoster(sp.s.ctx(), d, n.name, n.role, n.gender); err != nil {
			showError(sp.s.win, err)
		}
	}
	ins.onShow()
}

// roleName is a role as the hall calls it.
func roleName(r standard.Role) string {
	switch r {
	case standard.RoleShiftLeader:
		return lang.X("role.shift_leader", "Shift leader")
	case standard.RoleCashier:
		return lang.X("role.cashier", "Cashier")
	case standard.RolePromoter:
		return lang.X("role.promoter", "Promoter")
	case standard.RoleSupervisor:
		return lang.X("role.supervisor", "Floor supervisor")
	case standard.RoleHotline:
		return lang.X("role.hotline", "96396 hotline")
	}
	return string(r)
}

func genderName(g standard.Gender) string {
	if g == standard.GenderMale {
		return lang.X("gender.male", "Male")
	}
	return lang.X("gender.female", "Female")
}
