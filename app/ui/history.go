package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
)

// historyPage is how many inspections the history loads at a time. flow
// scores each row it lists, so a page is kept to what fills a screen or two.
const historyPage = 50

// history lists this device's inspections, newest first, with filters.
type history struct {
	s      *session
	filter flow.HistoryFilter
	rows   []flow.Summary
	more   bool // the last page was full, so there may be more

	halls  []flow.Hall
	staff  []flow.StaffMember
	grades []standard.GradeBand // the standard's, and any others seen (see noteGrades)

	list      *widget.List
	msg       *widget.Label
	moreBtn   *widget.Button
	hallSel   *widget.Select
	personSel *widget.Select
	gradeSel  *widget.Select
	stateSel  *widget.Select
	from, to  *widget.DateEntry
	export    *exportPanel // a chosen person's history as a PDF
}

func newHistory(s *session) *history { return &history{s: s} }

func (h *history) title() string { return lang.X("history.title", "History") }

// The states offered in the filter, in order, after "all states".
var historyStates = []flow.SyncState{flow.StateDraft, flow.StateSealed, flow.StateSent, flow.StateDelivered, flow.StateQuarantined}

func (h *history) buildUI() fyne.CanvasObject {
	halls, err := h.s.wf.Halls(h.s.ctx(), h.s.user, "")
	if err != nil {
		fyne.LogError("history halls", err)
	}
	h.halls = halls
	hallNames := []string{lang.X("history.all.halls", "All halls")}
	for _, hl := range halls {
		hallNames = append(hallNames, hl.Name)
	}
	h.hallSel = widget.NewSelect(hallNames, nil)
	h.hallSel.SetSelectedIndex(max(slices.IndexFunc(halls, func(x flow.Hall) bool { return x.ID == h.filter.HallID })+1, 0))
	h.hallSel.OnChanged = func(string) { h.onHall() }

	h.personSel = widget.NewSelect(nil, func(string) { h.onPerson() })
	h.personSel.PlaceHolder = lang.X("history.all.people", "All people")
	h.fillPeople()

	h.gradeSel = widget.NewSelect(nil, nil)
	h.gradeSel.PlaceHolder = lang.X("history.all.grades", "All grades")
	if gs, err := h.s.wf.Grades(h.s.ctx()); err != nil {
		fyne.LogError("history grades", err)
	} else {
		h.grades = gs
	}
	h.gradeOptions()
	h.gradeSel.OnChanged = func(string) { h.onGrade() }

	states := []string{lang.X("history.all.states", "All states")}
	for _, st := range historyStates {
		states = append(states, stateName(st))
	}
	h.stateSel = widget.NewSelect(states, nil)
	h.stateSel.SetSelectedIndex(slices.Index(historyStates, h.filter.State) + 1)
	h.stateSel.OnChanged = func(string) { h.onState() }

	h.from = widget.NewDateEntry()
	h.from.SetPlaceHolder(lang.X("history.from", "From date"))
	if !h.filter.From.IsZero() {
		t := h.filter.From
		h.from.SetDate(&t)
	}
	h.from.OnChanged = h.onFrom
	h.to = widget.NewDateEntry()
	h.to.SetPlaceHolder(lang.X("history.to", "To date"))
	if !h.filter.To.IsZero() {
		t := h.filter.To.AddDate(0, 0, -1)
		h.to.SetDate(&t)
	}
	h.to.OnChanged = h.onTo

	filters := container.NewAdaptiveGrid(3,
		tall(h.hallSel), tall(h.personSel), tall(h.gradeSel),
		tall(h.stateSel), tall(h.from), tall(h.to))

	h.export = newExportPanel(h.s, lang.X("history.export", "Export this person's history (PDF)"), h.exportPerson)
	h.showExport()

	h.msg = wrapped("")
	h.msg.Hide()
	h.list = widget.NewList(func() int { return len(h.rows) }, h.newRow, h.updateRow)
	h.list.OnSelected = h.onRow
	h.moreBtn = widget.NewButtonWithIcon(lang.X("history.more", "Show more"), theme.MoreVerticalIcon(), h.onMore)
	h.moreBtn.Hide()

	h.load()
	top := container.NewVBox(filters, h.export.box, h.msg)
	return centred(listWidth, container.NewPadded(container.NewBorder(top, tall(h.moreBtn), nil, nil, h.list)))
}

// load lists the first page for the current filter.
func (h *history) load() {
	h.rows = nil
	h.fetch()
	h.list.UnselectAll()
	h.list.ScrollToTop()
}

func (h *history) fetch() {
	f := h.filter
	f.Limit, f.Offset = historyPage, len(h.rows)
	rows, err := h.s.wf.History(h.s.ctx(), f)
	h.msg.Hide()
	switch {
	case err != nil:
		h.msg.Importance = widget.DangerImportance
		h.msg.SetText(lang.X("history.error", "Could not read the history:") + " " + err.Error())
		h.msg.Show()
	case len(rows) == 0 && len(h.rows) == 0:
		h.msg.Importance = widget.MediumImportance
		h.msg.SetText(lang.X("history.empty", "No inspection matches these filters."))
		h.msg.Show()
	}
	h.rows = append(h.rows, rows...)
	h.more = err == nil && len(rows) == historyPage
	if h.more {
		h.moreBtn.Show()
	} else {
		h.moreBtn.Hide()
	}
	h.noteGrades(rows)
	h.list.Refresh()
}

// noteGrades adds the grades of listed rows to the grade filter that the
// newest standard does not have (an older version's).
func (h *history) noteGrades(rows []flow.Summary) {
	changed := false
	for _, r := range rows {
		if r.Scored && r.Grade.ID != "" && !slices.ContainsFunc(h.grades, func(g standard.GradeBand) bool { return g.ID == r.Grade.ID }) {
			h.grades = append(h.grades, r.Grade)
			changed = true
		}
	}
	if !changed {
		return
	}
	sel := h.gradeSel.OnChanged
	h.gradeSel.OnChanged = nil
	defer func() { h.gradeSel.OnChanged = sel }()
	h.gradeOptions()
}

// gradeOptions offers the grades seen, best first.
func (h *history) gradeOptions() {
	slices.SortFunc(h.grades, func(a, b standard.GradeBand) int {
		switch {
		case a.MinScore > b.MinScore:
			return -1
		case a.MinScore < b.MinScore:
			return 1
		}
		return 0
	})
	opts := []string{lang.X("history.all.grades", "All grades")}
	for _, g := range h.grades {
		opts = append(opts, h.s.text(g.Name))
	}
	h.gradeSel.SetOptions(opts)
	h.gradeSel.SetSelectedIndex(slices.IndexFunc(h.grades, func(g standard.GradeBand) bool { return g.ID == h.filter.Grade }) + 1)
}

func (h *history) newRow() fyne.CanvasObject {
	// When and who, then the counts, on lines of their own: one line cut
	// the counts off on a phone.
	text := lines("Hall", false, detail("When"), detail("Counts"), flag("State", theme.ColorNameSuccess))
	text.Wrapping = fyne.TextWrapOff
	text.Truncation = fyne.TextTruncateEllipsis
	score := widget.NewLabelWithStyle("100", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	grade := widget.NewLabelWithStyle("Grade", fyne.TextAlignTrailing, fyne.TextStyle{})
	return container.NewStack(minSize(0, touchTarget),
		container.NewBorder(nil, nil, nil, container.NewVBox(score, grade), text))
}

func (h *history) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(h.rows) {
		return
	}
	r := h.rows[id]
	c := o.(*fyne.Container).Objects[1].(*fyne.Container)
	text, side := c.Objects[0].(*widget.RichText), c.Objects[1].(*fyne.Container)
	state := stateName(r.State)
	colour := theme.ColorNameSuccess
	if r.State == flow.StateDraft {
		colour = theme.ColorNameWarning
	} else if r.SealHash != "" {
		state += " " + shortHash(r.SealHash)
	}
	text.Segments[3].(*widget.TextSegment).Style.ColorName = colour
	setLines(text, r.HallName,
		lang.X("history.row.when", "{{.Time}} · {{.Supervisor}}", map[string]any{"Time": formatTime(r.StartedAt), "Supervisor": r.Supervisor}),
		lang.X("history.row.counts", "people: {{.People}} · findings: {{.Findings}}", map[string]any{"People": r.People, "Findings": r.Findings}),
		state)
	score, grade := side.Objects[0].(*widget.Label), side.Objects[1].(*widget.Label)
	if r.Scored {
		score.SetText(lang.X("history.points", "{{.Score}} points", map[string]any{"Score": formatScore(r.Score)}))
		grade.SetText(h.s.text(r.Grade.Name))
	} else {
		score.SetText("")
		grade.SetText(lang.X("review.unscored", "not scored"))
	}
}

func (h *history) onRow(id widget.ListItemID) {
	h.list.Unselect(id)
	if id >= len(h.rows) {
		return
	}
	d, err := h.s.wf.Open(h.s.ctx(), h.rows[id].ID)
	if err != nil {
		showError(h.s.win, err)
		return
	}
	switch {
	case d.ReadOnly:
		h.s.nav.push(newSealedView(h.s, d, ""))
	case !d.OwnedBy(h.s.user):
		// Another supervisor's draft on this tablet: theirs to finish,
		// sign and seal, so it is only shown.
		h.s.nav.push(newOthersDraft(h.s, d, h.rows[id].Supervisor))
	default:
		h.s.nav.push(newInspection(h.s, d))
	}
}

// onShow reloads: a draft opened from here may have been sealed.
func (h *history) onShow() { h.load() }

func (h *history) onMore() { h.fetch() }

func (h *history) onHall() {
	i := h.hallSel.SelectedIndex()
	h.filter.HallID = ""
	if i > 0 && i <= len(h.halls) {
		h.filter.HallID = h.halls[i-1].ID
	}
	h.fillPeople()
	if !slices.ContainsFunc(h.staff, func(p flow.StaffMember) bool { return p.ID == h.filter.StaffID }) {
		h.filter.StaffID = ""
	}
	h.showExport()
	h.load()
}

// fillPeople offers the chosen hall's staff, or every hall's, including
// those who have left: their inspections stay on file.
func (h *history) fillPeople() {
	sel := h.personSel.OnChanged
	h.personSel.OnChanged = nil
	defer func() { h.personSel.OnChanged = sel }()
	staff, err := h.s.wf.Staff(h.s.ctx(), h.filter.HallID)
	if err != nil {
		fyne.LogError("history staff", err)
	}
	h.staff = staff
	opts := []string{lang.X("history.all.people", "All people")}
	for _, p := range staff {
		name := p.Name
		if h.filter.HallID == "" && p.HallName != "" {
			name += " · " + p.HallName
		}
		if p.Left {
			name = lang.X("history.person.left", "{{.Name}} (left)", map[string]any{"Name": name})
		}
		opts = append(opts, name)
	}
	h.personSel.SetOptions(opts)
	h.personSel.SetSelectedIndex(slices.IndexFunc(staff, func(p flow.StaffMember) bool { return p.ID == h.filter.StaffID }) + 1)
}

func (h *history) onPerson() {
	i := h.personSel.SelectedIndex()
	h.filter.StaffID = ""
	if i > 0 && i <= len(h.staff) {
		h.filter.StaffID = h.staff[i-1].ID
	}
	h.showExport()
	h.load()
}

// showExport offers the PDF of a person's history once one is chosen.
func (h *history) showExport() {
	if h.filter.StaffID == "" {
		h.export.box.Hide()
	} else {
		h.export.box.Show()
	}
}

// historyExportDays is the period of a person's history when the date
// filters leave it open.
const historyExportDays = 90

// exportPerson renders the chosen person's history over the filter's dates;
// an open end is today, an open start historyExportDays before the end.
func (h *history) exportPerson(ctx context.Context, opt report.Options) ([]byte, string, error) {
	to := time.Now().In(inspect.HallZone)
	if !h.filter.To.IsZero() {
		to = h.filter.To.AddDate(0, 0, -1) // the filter's To is exclusive
	}
	from := to.AddDate(0, 0, -historyExportDays)
	if !h.filter.From.IsZero() {
		from = h.filter.From
	}
	return h.s.wf.ExportPersonHistory(ctx, h.filter.StaffID, from, to, opt)
}

func (h *history) onGrade() {
	i := h.gradeSel.SelectedIndex()
	h.filter.Grade = ""
	if i > 0 && i <= len(h.grades) {
		h.filter.Grade = h.grades[i-1].ID
	}
	h.load()
}

func (h *history) onState() {
	i := h.stateSel.SelectedIndex()
	h.filter.State = ""
	if i > 0 && i <= len(historyStates) {
		h.filter.State = historyStates[i-1]
	}
	h.load()
}

// onFrom and onTo take whole days in the halls' zone; To is exclusive in
// the filter, so the chosen last day is included.
func (h *history) onFrom(t *time.Time) {
	h.filter.From = time.Time{}
	if t != nil {
		h.filter.From = dayStart(*t)
	}
	h.load()
}

func (h *history) onTo(t *time.Time) {
	h.filter.To = time.Time{}
	if t != nil {
		h.filter.To = dayStart(*t).AddDate(0, 0, 1)
	}
	h.load()
}

func dayStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, inspect.HallZone)
}

func stateName(s flow.SyncState) string {
	switch s {
	case flow.StateDraft:
		return lang.X("state.draft", "Draft")
	case flow.StateSealed:
		return lang.X("state.sealed", "Sealed")
	case flow.StateSent:
		return lang.X("state.sent", "Sent to the hub")
	case flow.StateDelivered:
		return lang.X("state.delivered", "Delivered")
	case flow.StateQuarantined:
		return lang.X("state.quarantined", "Held back by the hub")
	}
	return string(s)
}
