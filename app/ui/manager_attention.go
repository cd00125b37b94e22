package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// attentionSection is what needs a person: records a device sent under an
// ID the hub already holds with another seal (sync conflicts), and people
// observed off the roster, each to link to a roster entry.
type attentionSection struct {
	m *managerDesk

	conflicts []store.Conflict
	people    []store.OffRosterPerson
	// chosen is the off-roster person being linked (inspection and person
	// IDs), kept across reloads; staff is their hall's roster to pick from.
	chosen   offRosterKey
	staff    []admin.StaffRow
	staffFor string // the hall staff was read for
	// staffLoads read a hall's roster: choosing a person of another hall
	// supersedes a read still running, so the roster offered is always
	// that of the person chosen.
	staffLoads latest
	pick       string // the staff ID picked
	linking    bool
	linked     string // what the last link did, said once

	conflictHead, peopleHead *widget.Label
	conflictTable            *deskTable
	conflictMore             *widget.RichText
	peopleList               *deskList
	linkBox                  *fyne.Container
	msg                      *widget.Label
}

type offRosterKey struct{ inspectionID, personID string }

func keyOf(p store.OffRosterPerson) offRosterKey { return offRosterKey{p.InspectionID, p.PersonID} }

func newAttentionSection(m *managerDesk) *attentionSection { return &attentionSection{m: m} }

func (x *attentionSection) label() string       { return lang.X("manager.attention", "Attention") }
func (x *attentionSection) icon() fyne.Resource { return theme.WarningIcon() }

func (x *attentionSection) buildUI() fyne.CanvasObject {
	c := func(i int) store.Conflict { return x.conflicts[i] }
	x.conflictTable = newDeskTable(func() int { return len(x.conflicts) },
		deskColumn{title: lang.X("manager.attention.col.record", "Record"), weight: 2, min: 150, mono: true, text: func(i int) string { return c(i).RecordID }},
		deskColumn{title: lang.X("manager.attention.col.kind", "Kind"), weight: 0.6, min: 60, text: func(i int) string { return recordKind(c(i).Kind) }},
		deskColumn{title: lang.X("manager.attention.col.held", "Seal held"), weight: 1, min: 150, mono: true, text: func(i int) string { return deskHash(c(i).HeldHash) }},
		deskColumn{title: lang.X("manager.attention.col.received", "Seal received"), weight: 1, min: 150, mono: true, text: func(i int) string { return deskHash(c(i).ReceivedHash) }},
		deskColumn{title: lang.X("manager.attention.col.device", "Device"), weight: 1, min: 90, text: func(i int) string { return c(i).DeviceName }},
		deskColumn{title: lang.X("manager.attention.col.attempts", "Attempts"), weight: 0.4, min: 50, text: func(i int) string { return itoa(c(i).Attempts) }},
		deskColumn{title: lang.X("manager.attention.col.last", "Last"), weight: 1, min: 160, text: func(i int) string { return formatTime(c(i).LastAt) }},
	)
	x.conflictTable.onRow = x.onConflict
	x.conflictMore = caption("")
	x.conflictMore.Hide()
	x.conflictHead = bold("")
	x.peopleHead = bold("")
	x.msg = wrapped("")
	x.msg.Hide()
	x.peopleList = newDeskList(func() int { return len(x.people) }, x.personRow, x.onPerson)
	x.linkBox = container.NewVBox()
	x.showCounts()
	x.showLink()

	conflicts := panel(container.NewVBox(x.conflictHead,
		caption(lang.X("manager.attention.conflicts.hint", "A device sent a record under an ID the hub already holds with another seal. The hub keeps the first; the device keeps its copy aside. Compare both before anyone deletes either.")),
		x.conflictMore), x.conflictTable.object())
	people := panel(container.NewVBox(x.peopleHead,
		caption(lang.X("manager.attention.people.hint", "Supervisors observed these people, who were not on the hall's roster on their tablet. Link each to their roster entry so that their history is complete; the sealed record itself does not change."))),
		container.NewHSplit(x.peopleList.list, container.NewVScroll(container.NewPadded(x.linkBox))))
	split := container.NewVSplit(container.NewPadded(conflicts), container.NewPadded(people))
	split.Offset = 0.4
	return container.NewBorder(x.msg, nil, nil, nil, split)
}

func (x *attentionSection) onShow() { x.load() }

func (x *attentionSection) load() {
	x.m.run(func(ctx context.Context) (func(), error) {
		cs, err := x.m.svc.Conflicts(ctx)
		if err != nil {
			return nil, err
		}
		ps, err := x.m.svc.OffRoster(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			x.conflicts, x.people = cs, ps
			x.msg.Hide()
			x.showCounts()
			x.conflictTable.refresh()
			// The first conflict's seals in full: the table has room for
			// their start only.
			if len(cs) > 0 && x.conflictTable.selected < 0 {
				x.conflictTable.selected = 0
				x.conflictTable.refresh()
				x.onConflict(0)
			} else if len(cs) == 0 {
				x.conflictMore.Hide()
			}
			if x.people == nil || !slices.ContainsFunc(x.people, func(p store.OffRosterPerson) bool { return keyOf(p) == x.chosen }) {
				x.chosen = offRosterKey{}
			}
			x.peopleList.refresh(x.chosenRow())
			x.showLink()
		}, nil
	}, func(err error) {
		x.msg.Importance = widget.DangerImportance
		x.msg.SetText(lang.X("manager.attention.error", "Could not read what needs attention:") + " " + managerMessage(err) + " " + err.Error())
		x.msg.Show()
	})
}

func (x *attentionSection) showCounts() {
	x.conflictHead.SetText(lang.X("manager.attention.conflicts", "Sync conflicts: {{.Count}}", map[string]any{"Count": len(x.conflicts)}))
	x.peopleHead.SetText(lang.X("manager.attention.people", "People observed off the roster: {{.Count}}", map[string]any{"Count": len(x.people)}))
	x.conflictHead.Importance = widget.MediumImportance
	if len(x.conflicts) > 0 {
		x.conflictHead.Importance = widget.DangerImportance
	}
	x.conflictHead.Refresh()
}

func recordKind(k store.RecordKind) string {
	if k == store.KindAmendment {
		return lang.X("manager.attention.amendment", "Amendment")
	}
	return lang.X("manager.attention.inspection", "Inspection")
}

// onConflict shows a conflict's two seals in full: the table has room for
// their start only.
func (x *attentionSection) onConflict(i int) {
	c := x.conflicts[i]
	setCaption(x.conflictMore, lang.X("manager.attention.seals", "{{.Kind}} {{.Record}}, first received {{.First}}, last {{.Last}}\nSeal the hub holds: {{.Held}}\nSeal {{.Device}} sent: {{.Received}}",
		map[string]any{"Kind": recordKind(c.Kind), "Record": c.RecordID, "First": formatTime(c.FirstAt), "Last": formatTime(c.LastAt),
			"Held": c.HeldHash, "Received": c.ReceivedHash, "Device": c.DeviceName}))
	x.conflictMore.Show()
}

func (x *attentionSection) chosenRow() int {
	return slices.IndexFunc(x.people, func(p store.OffRosterPerson) bool { return keyOf(p) == x.chosen })
}

func (x *attentionSection) personRow(i int) deskRow {
	p := x.people[i]
	parts := []string{p.HallName, formatDate(p.StartedAt)}
	if p.Role != "" {
		parts = append(parts, roleName(standard.Role(p.Role)))
	}
	if p.Gender != "" {
		parts = append(parts, genderName(standard.Gender(p.Gender)))
	}
	for _, s := range []string{p.EmployeeNo, p.Badge} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return deskRow{title: p.Name, detail: strings.Join(parts, " · ")}
}

func (x *attentionSection) onPerson(i int) {
	p := x.people[i]
	if keyOf(p) != x.chosen {
		x.pick = ""
	}
	x.chosen = keyOf(p)
	x.linked = ""
	x.showLink()
	if x.staffFor != p.HallID {
		x.loadStaff(p.HallID)
	}
}

func (x *attentionSection) loadStaff(hallID string) {
	x.staffLoads.run(x.m, func(ctx context.Context) (func(), error) {
		staff, err := x.m.svc.Staff(ctx, admin.StaffQuery{HallID: hallID, IncludeInactive: true})
		if err != nil {
			return nil, err
		}
		return func() {
			x.staff, x.staffFor = staff, hallID
			x.showLink()
		}, nil
	}, nil, nil)
}

func staffChoice(p admin.StaffRow) string {
	s := p.Name + " · " + p.EmployeeNo + " · " + roleName(p.Role)
	if p.ActiveTo != nil {
		s += " · " + lang.X("manager.staff.left", "left {{.Date}}", map[string]any{"Date": formatDate(*p.ActiveTo)})
	}
	return s
}

// showLink is the chosen off-roster person with the roster of their hall
// to pick the entry they are.
func (x *attentionSection) showLink() {
	x.linkBox.RemoveAll()
	if x.linked != "" {
		l := wrapped(x.linked)
		l.Importance = widget.SuccessImportance
		x.linkBox.Add(l)
	}
	i := x.chosenRow()
	if i < 0 {
		if len(x.people) == 0 {
			x.linkBox.Add(caption(lang.X("manager.attention.people.none", "Everyone observed is on the roster.")))
		} else {
			x.linkBox.Add(caption(lang.X("manager.attention.people.pick", "Choose a person to link them to a roster entry.")))
		}
		return
	}
	p := x.people[i]
	x.linkBox.Add(heading(p.Name))
	x.linkBox.Add(caption(x.personRow(i).detail))
	if x.staffFor != p.HallID {
		x.linkBox.Add(caption(lang.X("manager.attention.staff.loading", "Reading the roster of {{.Hall}}", map[string]any{"Hall": p.HallName})))
		return
	}
	options := make([]string, len(x.staff))
	for j, s := range x.staff {
		options[j] = staffChoice(s)
	}
	sel := widget.NewSelect(options, nil)
	sel.PlaceHolder = lang.X("manager.attention.staff.pick", "Who on the roster of {{.Hall}} is this?", map[string]any{"Hall": p.HallName})
	if j := slices.IndexFunc(x.staff, func(s admin.StaffRow) bool { return s.ID == x.pick }); j >= 0 {
		sel.SetSelectedIndex(j)
	}
	link := widget.NewButtonWithIcon(lang.X("manager.attention.link", "Link to this roster entry"), theme.ConfirmIcon(), x.onLink)
	link.Importance = widget.HighImportance
	enable(link, x.pick != "" && !x.linking)
	sel.OnChanged = func(string) {
		if j := sel.SelectedIndex(); j >= 0 && j < len(x.staff) {
			x.pick = x.staff[j].ID
			enable(link, !x.linking)
		}
	}
	x.linkBox.Add(tall(sel))
	x.linkBox.Add(tall(link))
}

func (x *attentionSection) onLink() {
	i := x.chosenRow()
	j := slices.IndexFunc(x.staff, func(s admin.StaffRow) bool { return s.ID == x.pick })
	if i < 0 || j < 0 || x.linking {
		return
	}
	p, s := x.people[i], x.staff[j]
	x.linking = true
	x.showLink()
	x.m.runThen(func(ctx context.Context) (func(), error) {
		if err := x.m.svc.LinkOffRoster(ctx, p.InspectionID, p.PersonID, s.ID); err != nil {
			return nil, err
		}
		return func() {
			x.linked = lang.X("manager.attention.linked", "{{.Name}} of the inspection of {{.Date}} is now linked to {{.Staff}}.",
				map[string]any{"Name": p.Name, "Date": formatDate(p.StartedAt), "Staff": staffChoice(s)})
			x.chosen, x.pick = offRosterKey{}, ""
			x.load()
		}, nil
	}, nil, func() {
		x.linking = false
		x.showLink()
	})
}
