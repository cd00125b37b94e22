package ui

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// inspectionsPage is how many inspections the list shows at a time: a
// page is one call to the service, small enough to come back at once from
// a hub over a slow link, and about what a manager reads before narrowing
// the filters.
const inspectionsPage = 100

// managerClock is "now" for the manager's screens (the summary's periods).
// Tests fix it (manager_export_test.go).
var managerClock = time.Now

// inspectionsSection lists every tablet's sealed inspections of the
// manager's region, page by page, filtered by hall, person, supervisor,
// period, grade and completeness; a row opens the inspection read-only in
// place of the list.
type inspectionsSection struct {
	m *managerDesk

	// query is the filters on screen (its Offset and Limit stay 0); shown
	// is the query the page on screen answers, offset included, set only
	// when a page comes back, so that a call that fails leaves the pager
	// where the list is.
	query, shown admin.InspectionQuery
	person       string // the chosen person's name, for the picker's button
	page         admin.InspectionPage
	loaded       bool // a page has come back since the screen was opened
	choices      admin.FilterChoices
	// loads are the list's service calls: a newer filter supersedes an
	// older call still running. opens are the inspections asked for: the
	// last row tapped is the one that opens.
	loads, opens latest

	hallSel, supervisorSel, gradeSel, completeSel *widget.Select
	personBtn                                     *widget.Button
	from, to                                      *widget.DateEntry
	total                                         *widget.Label
	busy                                          *widget.Activity
	first, prev, next, last                       *widget.Button
	msg                                           *widget.Label
	list                                          *widget.List
	listView                                      fyne.CanvasObject
	detailView                                    *fyne.Container

	// open is the inspection shown instead of the list, nil while the list
	// shows.
	open *inspectionDetail
	// thumbs are the thumbnails of images already fetched (an image under
	// its SHA-256 never changes), the most recently shown kept.
	thumbs *thumbCache
}

func newInspectionsSection(m *managerDesk) *inspectionsSection {
	return &inspectionsSection{m: m, thumbs: newThumbCache(deskThumbs)}
}

func (x *inspectionsSection) label() string       { return lang.X("manager.inspections", "Inspections") }
func (x *inspectionsSection) icon() fyne.Resource { return theme.ListIcon() }

func (x *inspectionsSection) buildUI() fyne.CanvasObject {
	x.hallSel = widget.NewSelect(nil, nil)
	x.supervisorSel = widget.NewSelect(nil, nil)
	x.gradeSel = widget.NewSelect(nil, nil)
	x.fillChoices()
	x.hallSel.OnChanged = func(string) { x.onHall() }
	x.supervisorSel.OnChanged = func(string) { x.onSupervisor() }
	x.gradeSel.OnChanged = func(string) { x.onGrade() }

	x.completeSel = widget.NewSelect([]string{
		lang.X("manager.inspections.photos.any", "Photos: all"),
		lang.X("manager.inspections.photos.complete", "Every photo received"),
		lang.X("manager.inspections.photos.missing", "Photos missing"),
	}, nil)
	x.completeSel.SetSelectedIndex(slices.Index([]admin.Completeness{admin.AnyCompleteness, admin.Complete, admin.Incomplete}, x.query.Completeness))
	x.completeSel.OnChanged = func(string) { x.onCompleteness() }

	x.personBtn = widget.NewButtonWithIcon("", theme.AccountIcon(), x.onPickPerson)
	x.personBtn.Alignment = widget.ButtonAlignLeading
	x.showPerson()

	x.from = widget.NewDateEntry()
	x.from.SetPlaceHolder(lang.X("history.from", "From date"))
	if !x.query.From.IsZero() {
		t := x.query.From
		x.from.SetDate(&t)
	}
	x.from.OnChanged = x.onFrom
	x.to = widget.NewDateEntry()
	x.to.SetPlaceHolder(lang.X("history.to", "To date"))
	if !x.query.To.IsZero() {
		t := x.query.To
		x.to.SetDate(&t)
	}
	x.to.OnChanged = x.onTo
	clear := widget.NewButtonWithIcon(lang.X("manager.inspections.clear", "Clear filters"), theme.ContentClearIcon(), x.onClear)

	filters := container.NewGridWithColumns(4,
		tall(x.hallSel), tall(x.personBtn), tall(x.supervisorSel), tall(x.gradeSel),
		tall(x.from), tall(x.to), tall(x.completeSel), tall(clear))

	x.total = bold("")
	x.busy = widget.NewActivity()
	x.busy.Hide()
	x.first = widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), x.onFirst)
	x.prev = widget.NewButtonWithIcon(lang.X("manager.inspections.prev", "Previous"), theme.NavigateBackIcon(), x.onPrev)
	x.next = widget.NewButtonWithIcon(lang.X("manager.inspections.next", "Next"), theme.NavigateNextIcon(), x.onNext)
	x.next.IconPlacement = widget.ButtonIconTrailingText
	x.last = widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), x.onLast)
	pager := container.NewHBox(tall(x.first), tall(x.prev), tall(x.next), tall(x.last))
	status := container.NewBorder(nil, nil, container.NewHBox(x.total, x.busy), pager)

	x.msg = wrapped("")
	x.msg.Hide()
	x.list = widget.NewList(func() int { return len(x.page.Rows) }, x.newRow, x.updateRow)
	x.list.OnSelected = x.onRow
	header := inspectionHeader()
	top := container.NewVBox(filters, status, x.msg, header, widget.NewSeparator())
	x.listView = container.NewPadded(container.NewBorder(top, nil, nil, nil, x.list))
	x.detailView = container.NewStack()
	x.showPage()
	if x.open != nil {
		x.showDetail(x.open)
	} else {
		x.detailView.Hide()
	}
	return container.NewStack(x.listView, x.detailView)
}

// onShow loads the filter choices and the page on screen again: tablets
// may have synced since.
func (x *inspectionsSection) onShow() {
	m := x.m
	m.runThen(func(ctx context.Context) (func(), error) {
		ch, err := m.svc.FilterChoices(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			x.choices = ch
			x.fillChoices()
		}, nil
	}, nil, nil)
	x.turnTo(x.shown.Offset)
}

// gradesRead shows the grades' names the desk has just read in place of
// their IDs.
func (x *inspectionsSection) gradesRead() { x.list.Refresh() }

// fillChoices offers the halls, supervisors and grades, each after "all",
// keeping what is chosen.
func (x *inspectionsSection) fillChoices() {
	halls := []string{lang.X("history.all.halls", "All halls")}
	for _, h := range x.choices.Halls {
		halls = append(halls, h.Name)
	}
	setOptions(x.hallSel, halls, slices.IndexFunc(x.choices.Halls, func(h store.Hall) bool { return h.ID == x.query.HallID })+1)
	sups := []string{lang.X("manager.inspections.all.supervisors", "All supervisors")}
	for _, u := range x.choices.Supervisors {
		sups = append(sups, u.Name)
	}
	setOptions(x.supervisorSel, sups, slices.IndexFunc(x.choices.Supervisors, func(u store.User) bool { return u.ID == x.query.SupervisorID })+1)
	grades := []string{lang.X("history.all.grades", "All grades")}
	for _, g := range x.choices.Grades {
		grades = append(grades, x.m.s.text(g.Name))
	}
	setOptions(x.gradeSel, grades, slices.IndexFunc(x.choices.Grades, func(g standard.GradeBand) bool { return g.ID == x.query.Grade })+1)
}

// setOptions replaces a select's options and selection without calling its
// OnChanged: the filter has not changed.
func setOptions(s *widget.Select, opts []string, selected int) {
	changed := s.OnChanged
	s.OnChanged = nil
	defer func() { s.OnChanged = changed }()
	s.SetOptions(opts)
	s.SetSelectedIndex(max(selected, 0))
}

// load fetches the first page of the current filters.
func (x *inspectionsSection) load() { x.fetch(0) }

// fetch asks for the page of the filters on screen at offset. A call still running for an older
// filter is superseded: its result is dropped, so what the list shows
// always matches the filters on screen.
func (x *inspectionsSection) fetch(offset int) {
	m, q := x.m, x.query
	q.Offset, q.Limit = offset, inspectionsPage
	x.busy.Show()
	x.busy.Start()
	x.loads.run(m, func(ctx context.Context) (func(), error) {
		page, err := m.svc.Inspections(ctx, q)
		if err != nil {
			return nil, err
		}
		return func() {
			x.page, x.shown, x.loaded = page, q, true
			x.showPage()
			x.list.UnselectAll()
			x.list.ScrollToTop()
		}, nil
	}, func() {
		x.busy.Stop()
		x.busy.Hide()
	}, func(err error) {
		x.msg.Importance = widget.DangerImportance
		x.msg.SetText(lang.X("manager.inspections.error", "Could not list the inspections:") + " " + err.Error())
		x.msg.Show()
	})
}

// showPage shows the page held, its range and total, and which page
// buttons apply.
func (x *inspectionsSection) showPage() {
	p, off := x.page, x.shown.Offset
	switch {
	case !x.loaded:
		x.total.SetText("")
	case p.Total == 0:
		x.total.SetText(lang.X("manager.inspections.none", "No inspections"))
	default:
		x.total.SetText(lang.X("manager.inspections.range", "{{.From}}–{{.To}} of {{.Total}}", map[string]any{
			"From": formatCount(off + 1), "To": formatCount(off + len(p.Rows)), "Total": formatCount(p.Total),
		}))
	}
	x.msg.Hide()
	if x.loaded && p.Total == 0 {
		x.msg.Importance = widget.MediumImportance
		x.msg.SetText(lang.X("history.empty", "No inspection matches these filters."))
		x.msg.Show()
	}
	atStart, atEnd := off == 0, off+len(p.Rows) >= p.Total
	for _, b := range []*widget.Button{x.first, x.prev} {
		enable(b, !atStart)
	}
	for _, b := range []*widget.Button{x.next, x.last} {
		enable(b, !atEnd)
	}
	x.list.Refresh()
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// formatCount writes a count with thousands separators: 100,000.
func formatCount(n int) string {
	s := itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// The pager moves from the page shown. When the filters on screen are not
// those of the page shown (their list could not be read), it starts their
// list from its first page: the shown page's offsets do not apply to it.
func (x *inspectionsSection) onFirst() { x.fetch(0) }
func (x *inspectionsSection) onPrev()  { x.turnTo(x.shown.Offset - inspectionsPage) }
func (x *inspectionsSection) onNext()  { x.turnTo(x.shown.Offset + inspectionsPage) }
func (x *inspectionsSection) onLast() {
	x.turnTo((x.page.Total - 1) / inspectionsPage * inspectionsPage)
}

func (x *inspectionsSection) turnTo(offset int) {
	filters, shown := x.query, x.shown
	filters.Offset, filters.Limit, shown.Offset, shown.Limit = 0, 0, 0, 0
	if !x.loaded || filters != shown {
		offset = 0
	}
	x.fetch(max(0, offset))
}

// The columns of the list: fixed widths for times and counts, the rest
// shared by the names.
var inspectionColumnSpecs = []columnSpec{
	{min: 120},            // started: the day over the time
	{min: 220, weight: 3}, // the hall over its supervisor and device
	{min: 80},             // people
	{min: 100},            // findings
	{min: 150, weight: 1}, // score and grade
	{min: 110},            // amendments
	{min: 90},             // photos
}

// inspectionHeader is the list's header: column titles in the rows'
// columns.
func inspectionHeader() *fyne.Container {
	titles := []string{
		lang.X("manager.inspections.col.time", "Started"),
		lang.X("manager.inspections.col.who", "Hall · supervisor · device"),
		lang.X("manager.inspections.col.people", "People"),
		lang.X("manager.inspections.col.findings", "Findings"),
		lang.X("manager.inspections.col.score", "Score"),
		lang.X("manager.inspections.col.amendments", "Amended"),
		lang.X("manager.inspections.col.photos", "Photos"),
	}
	objs := make([]fyne.CanvasObject, len(titles))
	for i, t := range titles {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		if inspectionColumnSpecs[i].weight == 0 && i > 0 {
			l.Alignment = fyne.TextAlignTrailing
		}
		objs[i] = l
	}
	return container.New(&columnsLayout{cols: inspectionColumnSpecs}, objs...)
}

// newRow is a row of the list: when and where in two lines each, then the
// counts, cut with an ellipsis where too long.
func (x *inspectionsSection) newRow() fyne.CanvasObject {
	twoLines := func() *widget.RichText {
		rt := lines("Title", false, detail("Detail"))
		rt.Wrapping = fyne.TextWrapOff
		rt.Truncation = fyne.TextTruncateEllipsis
		return rt
	}
	count := func() *widget.Label {
		l := widget.NewLabelWithStyle("0", fyne.TextAlignTrailing, fyne.TextStyle{})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	score := widget.NewLabel("100 · Grade")
	score.Truncation = fyne.TextTruncateEllipsis
	cols := container.New(&columnsLayout{cols: inspectionColumnSpecs},
		twoLines(), twoLines(), count(), count(), score, count(), count())
	return container.NewStack(minSize(0, touchTarget), cols)
}

func (x *inspectionsSection) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(x.page.Rows) {
		return
	}
	r := x.page.Rows[id]
	cols := o.(*fyne.Container).Objects[1].(*fyne.Container).Objects
	set := func(i int, text string, imp widget.Importance) {
		l := cols[i].(*widget.Label)
		l.Importance = imp
		l.SetText(text)
	}
	at := r.StartedAt.In(inspect.HallZone)
	setLines(cols[0].(*widget.RichText), at.Format(time.DateOnly), at.Format("15:04"))
	setLines(cols[1].(*widget.RichText), r.HallName, strings.Join(nonEmpty(r.SupervisorName, r.DeviceName), " · "))
	plain := widget.MediumImportance
	set(2, itoa(r.People), plain)
	// Findings include N/A items and tallies, so a count is not a fault
	// count: it stays plain; the score says how it went.
	set(3, itoa(r.Findings), plain)
	score := lang.X("review.unscored", "not scored")
	if r.Scored {
		score = formatScore(r.Score) + " · " + x.m.gradeName(r.Grade)
	}
	set(4, score, plain)
	amended := plain
	if r.Amendments > 0 {
		amended = widget.WarningImportance
	}
	set(5, itoa(r.Amendments), amended)
	photos := plain
	if !r.Complete() {
		photos = widget.WarningImportance
	}
	set(6, itoa(r.PhotosPresent)+" / "+itoa(r.PhotosExpected), photos)
}

func (x *inspectionsSection) onRow(id widget.ListItemID) {
	x.list.Unselect(id)
	if id < len(x.page.Rows) {
		x.openInspection(x.page.Rows[id].ID)
	}
}

func (x *inspectionsSection) onHall() {
	i := x.hallSel.SelectedIndex()
	x.query.HallID = ""
	if i > 0 && i <= len(x.choices.Halls) {
		x.query.HallID = x.choices.Halls[i-1].ID
	}
	x.load()
}

func (x *inspectionsSection) onSupervisor() {
	i := x.supervisorSel.SelectedIndex()
	x.query.SupervisorID = ""
	if i > 0 && i <= len(x.choices.Supervisors) {
		x.query.SupervisorID = x.choices.Supervisors[i-1].ID
	}
	x.load()
}

func (x *inspectionsSection) onGrade() {
	i := x.gradeSel.SelectedIndex()
	x.query.Grade = ""
	if i > 0 && i <= len(x.choices.Grades) {
		x.query.Grade = x.choices.Grades[i-1].ID
	}
	x.load()
}

func (x *inspectionsSection) onCompleteness() {
	x.query.Completeness = []admin.Completeness{admin.AnyCompleteness, admin.Complete, admin.Incomplete}[max(0, x.completeSel.SelectedIndex())]
	x.load()
}

// onFrom and onTo take whole days in the halls' zone, both included.
func (x *inspectionsSection) onFrom(t *time.Time) {
	x.query.From = time.Time{}
	if t != nil {
		x.query.From = dayStart(*t)
	}
	x.load()
}

func (x *inspectionsSection) onTo(t *time.Time) {
	x.query.To = time.Time{}
	if t != nil {
		x.query.To = dayStart(*t)
	}
	x.load()
}

// onClear drops every filter at once, with one load rather than one per
// filter.
func (x *inspectionsSection) onClear() {
	x.query = admin.InspectionQuery{}
	x.person = ""
	x.showPerson()
	x.fillChoices()
	setOptions(x.completeSel, x.completeSel.Options, 0)
	for _, d := range []*widget.DateEntry{x.from, x.to} {
		changed := d.OnChanged
		d.OnChanged = nil
		d.SetDate(nil)
		d.OnChanged = changed
	}
	x.load()
}

func (x *inspectionsSection) showPerson() {
	if x.query.StaffID == "" {
		x.personBtn.SetText(lang.X("history.all.people", "All people"))
		return
	}
	x.personBtn.SetText(x.person)
}

// onPickPerson offers the region's staff, searched by name, employee number
// or badge as the manager types, including those who have left: their
// inspections stay on file.
func (x *inspectionsSection) onPickPerson() {
	m := x.m
	var rows []admin.StaffRow
	search := widget.NewEntry()
	search.SetPlaceHolder(lang.X("manager.inspections.person.search", "Name, employee number or badge"))
	list := widget.NewList(func() int { return len(rows) + 1 },
		func() fyne.CanvasObject {
			return container.NewStack(minSize(0, touchTarget), lines("Name", false, detail("Hall")))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			rt := o.(*fyne.Container).Objects[1].(*widget.RichText)
			if id == 0 {
				setLines(rt, lang.X("history.all.people", "All people"), "")
				return
			}
			if id > len(rows) {
				return
			}
			r := rows[id-1]
			name := r.Name
			if r.ActiveTo != nil && !r.ActiveTo.After(managerClock()) {
				name = lang.X("history.person.left", "{{.Name}} (left)", map[string]any{"Name": name})
			}
			setLines(rt, name, strings.Join(nonEmpty(r.EmployeeNo, roleName(r.Role), r.HallName), " · "))
		})
	var d dialog.Dialog
	lookups := &latest{}
	find := func(text string) {
		q := admin.StaffQuery{HallID: x.query.HallID, Text: strings.TrimSpace(text), IncludeInactive: true}
		lookups.run(m, func(ctx context.Context) (func(), error) {
			got, err := m.svc.Staff(ctx, q)
			if err != nil {
				return nil, err
			}
			return func() {
				rows = got
				list.Refresh()
			}, nil
		}, nil, nil)
	}
	search.OnChanged = find
	list.OnSelected = func(id widget.ListItemID) {
		switch {
		case id == 0:
			x.query.StaffID, x.person = "", ""
		case id <= len(rows):
			x.query.StaffID, x.person = rows[id-1].ID, rows[id-1].Name
		default:
			return
		}
		d.Hide()
		x.showPerson()
		x.load()
	}
	content := container.NewBorder(tall(search), nil, nil, nil, list)
	d = dialog.NewCustom(lang.X("manager.inspections.person.title", "Inspections of a person"), lang.X("dialog.cancel", "Cancel"), content, m.s.win)
	size := m.s.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(640, size.Width-24), min(640, size.Height-24)))
	d.Show()
	m.s.win.Canvas().Focus(search)
	find("")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// openInspection loads one inspection and shows it in place of the list.
// A row tapped while another is loading supersedes it: the last tapped
// opens, however the answers arrive.
func (x *inspectionsSection) openInspection(id string) {
	m := x.m
	x.busy.Show()
	x.busy.Start()
	x.opens.run(m, func(ctx context.Context) (func(), error) {
		d, err := m.svc.Inspection(ctx, id)
		if err != nil {
			return nil, err
		}
		return func() { x.showDetail(&inspectionDetail{x: x, d: d}) }, nil
	}, func() {
		x.busy.Stop()
		x.busy.Hide()
	}, nil)
}

func (x *inspectionsSection) showDetail(v *inspectionDetail) {
	x.open = v
	x.detailView.Objects = []fyne.CanvasObject{v.buildUI()}
	x.detailView.Refresh()
	x.listView.Hide()
	x.detailView.Show()
}

// closeDetail returns to the list as it was: page, scroll and filters.
func (x *inspectionsSection) closeDetail() {
	x.open = nil
	x.detailView.Hide()
	x.detailView.Objects = nil
	x.listView.Show()
}

// inspectionDetail is one sealed inspection opened read-only: its facts,
// the effective (amended) score of each person with the reasons, the
// findings with their clauses, notes and photos, the signatures and
// disagreements, the amendments with their reasons; and the seal check and
// the PDF.
type inspectionDetail struct {
	x *inspectionsSection
	d *admin.InspectionDetail

	verify *fyne.Container
}

func (v *inspectionDetail) buildUI() fyne.CanvasObject {
	s, d := v.x.m.s, v.d
	ins := d.Inspection
	back := widget.NewButtonWithIcon(lang.X("manager.inspection.back", "All inspections"), theme.NavigateBackIcon(), v.x.closeDetail)
	back.Importance = widget.LowImportance
	title := heading(lang.X("manager.inspection.title", "{{.Hall}} · {{.Time}}", map[string]any{"Hall": d.HallName, "Time": formatTime(ins.StartedAt)}))
	top := container.NewVBox(container.NewBorder(nil, nil, tall(back), nil, title), widget.NewSeparator())

	body := container.NewVBox(v.facts())
	total := heading(lang.X("review.total", "Overall: {{.Score}}", map[string]any{"Score": scoreText(s, d.Result.Inspection)}))
	body.Add(total)
	for _, line := range capLines(d.Result.Inspection, s.lang.standardCode()) {
		body.Add(warningText(line))
	}
	for _, a := range d.Amendments {
		body.Add(v.amendment(a))
	}
	eff := d.Effective
	if eff == nil {
		eff = ins
	}
	for _, p := range eff.People {
		body.Add(widget.NewSeparator())
		body.Add(v.person(p))
	}
	body.Add(widget.NewSeparator())
	hall := bold(lang.X("inspection.hall", "Hall items"))
	hall.SizeName = theme.SizeNameSubHeadingText
	body.Add(container.NewBorder(nil, nil, nil, bold(scoreText(s, d.Result.Hall)), hall))
	if len(eff.HallFindings) == 0 {
		body.Add(caption(lang.X("review.hall.none", "No findings on the hall.")))
	}
	for _, f := range eff.HallFindings {
		body.Add(v.finding(f))
	}
	body.Add(widget.NewSeparator())
	body.Add(v.supervisorSignature())

	v.verify = container.NewVBox()
	verify := widget.NewButtonWithIcon(lang.X("manager.inspection.verify", "Verify the seal"), theme.ConfirmIcon(), v.onVerify)
	id := ins.ID
	m := v.x.m
	pdf := newManagerExport(m, lang.X("sealed.pdf", "Export PDF"), false, func(opt report.Options) exportJob {
		return func(ctx context.Context, _ admin.Progress) ([]byte, string, error) {
			return m.svc.ExportInspection(ctx, id, opt)
		}
	})
	actions := container.NewVBox(v.seal(), tall(verify), v.verify, widget.NewSeparator(), pdf.column())
	main := container.NewVScroll(container.NewPadded(body))
	return container.NewBorder(top, nil, nil, nil, container.New(&sidePanel{}, main, container.NewPadded(actions)))
}

// facts are the inspection's header: when, who, on which device, under
// which standard, and whether every photo has reached this side.
func (v *inspectionDetail) facts() fyne.CanvasObject {
	d := v.d
	ins := d.Inspection
	row := func(k, val string) []fyne.CanvasObject {
		key := widget.NewLabelWithStyle(k, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		return []fyne.CanvasObject{key, wrapped(val)}
	}
	when := formatTime(ins.StartedAt)
	if !ins.EndedAt.IsZero() {
		when += " – " + ins.EndedAt.In(inspect.HallZone).Format("15:04")
	}
	var objs []fyne.CanvasObject
	objs = append(objs, row(lang.X("manager.inspection.when", "When"), when)...)
	objs = append(objs, row(lang.X("manager.inspections.col.hall", "Hall"), d.HallName)...)
	objs = append(objs, row(lang.X("manager.inspections.col.supervisor", "Supervisor"), d.Supervisor)...)
	objs = append(objs, row(lang.X("manager.inspections.col.device", "Device"), d.DeviceName)...)
	objs = append(objs, row(lang.X("manager.inspection.standard", "Standard"), lang.X("manager.inspection.version", "version {{.Version}}", map[string]any{"Version": ins.StandardVersion}))...)
	if !d.ReceivedAt.IsZero() {
		objs = append(objs, row(lang.X("manager.inspection.received", "Received by the hub"), formatTime(d.ReceivedAt))...)
	}
	photos := lang.X("manager.inspection.photos", "{{.Present}} of {{.Expected}} received", map[string]any{"Present": d.PhotosPresent, "Expected": d.PhotosExpected})
	objs = append(objs, row(lang.X("manager.inspections.col.photos", "Photos"), photos)...)
	grid := container.New(&formLayout{}, objs...)
	if d.PhotosPresent < d.PhotosExpected {
		return container.NewVBox(grid, warningText(lang.X("manager.inspection.photos.missing", "Some photos have not reached the hub yet: the tablet sends them at its next sync.")))
	}
	return grid
}

// seal shows the seal hash in full, selectable, to compare with a printed
// report.
func (v *inspectionDetail) seal() fyne.CanvasObject {
	ins := v.d.Inspection
	hash := widget.NewLabelWithStyle(ins.SealHash, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	hash.Selectable = true
	hash.Wrapping = fyne.TextWrapBreak
	return container.NewVBox(caption(lang.X("sealed.at", "Sealed {{.Time}}. Seal (SHA-256):", map[string]any{"Time": formatTime(ins.SealedAt)})), hash)
}

// person is one person as amended: name and role, the effective score
// with its explanation, each finding, and their signature or disagreement.
func (v *inspectionDetail) person(p inspect.Person) fyne.CanvasObject {
	s := v.x.m.s
	box := container.NewVBox()
	name := bold(strings.Join(nonEmpty(p.Name, roleName(p.Role), p.EmployeeNo), " · "))
	name.SizeName = theme.SizeNameSubHeadingText
	name.Wrapping = fyne.TextWrapWord
	sc := v.d.Result.People[p.ID]
	box.Add(container.NewBorder(nil, nil, nil, bold(scoreText(s, sc)), name))
	if p.OffRoster {
		box.Add(warningText(lang.X("staff.offroster", "not on the roster")))
	}
	if why := sc.Explain(s.lang.standardCode()); len(why) > 0 {
		box.Add(caption(strings.Join(why, "\n")))
	}
	for _, f := range p.Findings {
		box.Add(v.finding(f))
	}
	box.Add(v.staffSignature(p))
	return box
}

// finding is one finding: its clause and item, what was found, the note
// and the photos.
func (v *inspectionDetail) finding(f inspect.Finding) fyne.CanvasObject {
	s := v.x.m.s
	clause, text := f.ItemID, f.ItemID
	if v.d.Standard != nil {
		if it, ok := v.d.Standard.Item(f.ItemID); ok {
			clause, text = it.Clause, s.text(it.Text)
		}
	}
	colour := theme.ColorNameError
	if f.Outcome == inspect.NotApplicable || f.Outcome == inspect.Tallied && f.Failed == 0 {
		colour = theme.ColorNamePlaceHolder // nothing was wrong
	}
	segs := []*widget.TextSegment{flag(findingState(f), colour)}
	if f.Note != "" {
		segs = append(segs, detail(f.Note))
	}
	box := container.NewVBox(lines(clause+"  "+text, false, segs...))
	if len(f.Photos) > 0 {
		grid := container.NewGridWrap(fyne.NewSize(thumbSide, thumbSide))
		for _, ph := range f.Photos {
			grid.Add(v.x.photo(ph.SHA256, thumbSide, thumbSide))
		}
		box.Add(grid)
	}
	return container.NewStack(newShade(theme.ColorNameInputBackground), container.NewPadded(box))
}

// findingState words what a finding says about its item.
func findingState(f inspect.Finding) string {
	switch f.Outcome {
	case inspect.NotApplicable:
		return lang.X("item.state.na", "Not applicable / not observed")
	case inspect.Tallied:
		return lang.X("review.tally", "failed {{.Failed}} of {{.Observed}}", map[string]any{"Failed": f.Failed, "Observed": f.Observed})
	}
	return lang.X("item.state.nonconform", "Does not conform")
}

// thumbSide is the side of a photo in the detail: big enough to see what
// the supervisor photographed on a desktop screen.
const thumbSide = 120

// staffSignature is a person's signature (its image) and disagreement.
func (v *inspectionDetail) staffSignature(p inspect.Person) fyne.CanvasObject {
	for _, sg := range v.d.Inspection.Signatures {
		if sg.Role == inspect.SignerStaff && sg.PersonID == p.ID {
			return v.signature(sg)
		}
	}
	return colouredCaption(lang.X("manager.inspection.unsigned", "Did not sign"), theme.ColorNamePlaceHolder)
}

func (v *inspectionDetail) supervisorSignature() fyne.CanvasObject {
	ins := v.d.Inspection
	for _, sg := range ins.Signatures {
		if sg.Role == inspect.SignerSupervisor && sg.PersonID == ins.SupervisorID {
			return container.NewVBox(bold(lang.X("review.sign", "Supervisor's signature")), v.signature(sg))
		}
	}
	return caption(lang.X("manager.inspection.supervisor.unsigned", "The supervisor's signature is missing."))
}

// signature shows a signature's image with its time, and any disagreement
// in the signer's own words.
func (v *inspectionDetail) signature(sg inspect.Signature) fyne.CanvasObject {
	box := container.NewVBox()
	var text string
	colour := theme.ColorNameSuccess
	switch {
	case sg.Image != nil && sg.Disagreement != "":
		text = lang.X("review.signed.disagree", "Signed, disagreeing: {{.Text}}", map[string]any{"Text": sg.Disagreement})
		colour = theme.ColorNameWarning
	case sg.Image != nil:
		text = lang.X("manager.inspection.signed", "Signed {{.Time}}", map[string]any{"Time": formatTime(sg.At)})
	case sg.Disagreement != "":
		text = lang.X("review.disagree", "Declined to sign: {{.Text}}", map[string]any{"Text": sg.Disagreement})
		colour = theme.ColorNameWarning
	default:
		text = lang.X("review.declined", "Declined to sign")
		colour = theme.ColorNameWarning
	}
	box.Add(colouredCaption(text, colour))
	if sg.Image != nil {
		box.Add(container.NewGridWrap(fyne.NewSize(2*thumbSide, thumbSide), v.x.photo(sg.Image.SHA256, 2*thumbSide, thumbSide)))
	}
	return box
}

// amendment is a correction: when, why, and what it changed.
func (v *inspectionDetail) amendment(a inspect.Amendment) fyne.CanvasObject {
	box := container.NewVBox(amendmentNote(a))
	var changes []string
	for _, c := range a.Changes {
		changes = append(changes, v.change(c))
	}
	if len(changes) > 0 {
		box.Add(caption(strings.Join(changes, "\n")))
	}
	return box
}

// change words one change of an amendment: whose item, and what it now says.
func (v *inspectionDetail) change(c inspect.Change) string {
	s := v.x.m.s
	who := lang.X("inspection.hall", "Hall items")
	for _, p := range v.d.Inspection.People {
		if p.ID == c.PersonID && c.PersonID != "" {
			who = p.Name
		}
	}
	item := c.ItemID
	if v.d.Standard != nil {
		if it, ok := v.d.Standard.Item(c.ItemID); ok {
			item = it.Clause + " " + s.text(it.Text)
		}
	}
	now := lang.X("manager.inspection.change.conforms", "conforms")
	if c.Finding != nil {
		now = findingState(*c.Finding)
	}
	return lang.X("manager.inspection.change", "{{.Who}}, {{.Item}}: now {{.Now}}", map[string]any{"Who": who, "Item": item, "Now": now})
}

// onVerify re-checks the seal, photos and amendments and says what it
// found.
func (v *inspectionDetail) onVerify() {
	m, id := v.x.m, v.d.Inspection.ID
	v.verify.Objects = []fyne.CanvasObject{caption(lang.X("manager.inspection.verifying", "Checking the seal…"))}
	v.verify.Refresh()
	m.runThen(func(ctx context.Context) (func(), error) {
		res, err := m.svc.Verify(ctx, id)
		if err != nil {
			return nil, err
		}
		return func() { v.showVerify(res) }, nil
	}, nil, func() {
		v.verify.Objects = nil
		v.verify.Refresh()
	})
}

func (v *inspectionDetail) showVerify(r store.VerifyResult) {
	var objs []fyne.CanvasObject
	if r.OK() {
		ok := bold(lang.X("manager.inspection.verify.ok", "Seal verified: the record is exactly as sealed; {{.Photos}} photos and {{.Amendments}} amendments check out.", map[string]any{
			"Photos": len(r.Photos), "Amendments": len(r.Amendments),
		}))
		ok.Importance = widget.SuccessImportance
		ok.Wrapping = fyne.TextWrapWord
		objs = append(objs, ok)
	} else {
		bad := bold(lang.X("manager.inspection.verify.failed", "The check failed:"))
		bad.Importance = widget.DangerImportance
		objs = append(objs, bad)
		if !r.SealOK {
			objs = append(objs, errorText(lang.X("manager.inspection.verify.seal", "The record does not match its seal: sealed as {{.Stored}}, it now hashes to {{.Computed}}.", map[string]any{
				"Stored": shortHash(r.StoredHash), "Computed": shortHash(r.ComputedHash),
			})))
		}
		for _, p := range r.Photos {
			if !p.OK {
				problem := p.Problem
				if problem == "missing" { // the store's word for a file it does not hold
					problem = lang.X("manager.photo.missing", "Not received yet")
				}
				objs = append(objs, errorText(lang.X("manager.inspection.verify.photo", "Photo {{.Hash}}: {{.Problem}}", map[string]any{"Hash": shortHash(p.SHA256), "Problem": problem})))
			}
		}
		for _, a := range r.Amendments {
			if !a.OK {
				objs = append(objs, errorText(lang.X("manager.inspection.verify.amendment", "Amendment {{.ID}}: {{.Problem}}", map[string]any{"ID": shortHash(a.ID), "Problem": a.Problem})))
			}
		}
	}
	v.verify.Objects = objs
	v.verify.Refresh()
}

// thumbDensity is how many image pixels a thumbnail has per unit of the
// screen's size: sharp on a desktop scaled up to 200 %.
const thumbDensity = 2

// photo is an image by SHA-256 as the service holds it, w×h on screen,
// fetched and made a thumbnail off the UI thread: a placeholder first, the
// thumbnail when it comes, and a note in place of it when it has not
// reached the hub yet or cannot be read.
func (x *inspectionsSection) photo(sha string, w, h float32) fyne.CanvasObject {
	box := container.NewStack()
	show := func(thumb []byte) {
		if len(thumb) > 0 {
			img := canvas.NewImageFromReader(bytes.NewReader(thumb), sha)
			img.FillMode = canvas.ImageFillContain
			img.ScaleMode = canvas.ImageScaleSmooth
			box.Objects = []fyne.CanvasObject{img}
		} else {
			box.Objects = []fyne.CanvasObject{photoPlaceholder(lang.X("manager.photo.unreadable", "Cannot be shown"))}
		}
		box.Refresh()
	}
	maxW, maxH := int(w*thumbDensity), int(h*thumbDensity)
	key := thumbKey(sha, maxW, maxH)
	if thumb, ok := x.thumbs.get(key); ok {
		show(thumb)
		return box
	}
	box.Objects = []fyne.CanvasObject{photoPlaceholder("")}
	m := x.m
	m.runThen(func(ctx context.Context) (func(), error) {
		data, err := m.svc.Photo(ctx, sha)
		if err != nil {
			return nil, err
		}
		thumb, err := deskThumbnail(data, maxW, maxH)
		if err != nil {
			fyne.LogError("thumbnail of "+sha, err)
			thumb = []byte{} // cannot be shown; not worth fetching again
		}
		return func() {
			x.thumbs.put(key, thumb)
			show(thumb)
		}, nil
	}, func(err error) {
		text := lang.X("manager.photo.unreadable", "Cannot be shown")
		if errors.Is(err, admin.ErrNotFound) {
			text = lang.X("manager.photo.missing", "Not received yet")
		}
		box.Objects = []fyne.CanvasObject{photoPlaceholder(text)}
		box.Refresh()
	}, nil)
	return box
}

// photoPlaceholder stands where a photo is not (yet) shown.
func photoPlaceholder(text string) fyne.CanvasObject {
	bg := newShade(theme.ColorNameDisabledButton)
	icon := widget.NewIcon(theme.FileImageIcon())
	if text == "" {
		return container.NewStack(bg, container.NewCenter(icon))
	}
	note := widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{})
	note.Wrapping = fyne.TextWrapWord
	note.SizeName = theme.SizeNameCaptionText
	return container.NewStack(bg, container.NewVBox(container.NewCenter(icon), note))
}

// columnSpec is a column of columnsLayout: at least min wide, and a share
// (weight) of what is left when the row is wider than the columns' minimum.
type columnSpec struct {
	min, weight float32
}

// columnsLayout lays its objects side by side in columns, so that a list's
// header and its rows line up.
type columnsLayout struct{ cols []columnSpec }

func (l *columnsLayout) widths(w float32) []float32 {
	out := make([]float32, len(l.cols))
	var fixed, weights float32
	for i, c := range l.cols {
		out[i] = c.min
		fixed += c.min
		weights += c.weight
	}
	fixed += theme.Padding() * float32(len(l.cols)-1)
	if extra := w - fixed; extra > 0 && weights > 0 {
		for i, c := range l.cols {
			out[i] += extra * c.weight / weights
		}
	}
	return out
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var x float32
	for i, w := range l.widths(size.Width) {
		if i >= len(objs) {
			return
		}
		objs[i].Move(fyne.NewPos(x, 0))
		objs[i].Resize(fyne.NewSize(w, size.Height))
		x += w + theme.Padding()
	}
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, c := range l.cols {
		s.Width += c.min
		if i < len(objs) {
			s.Height = max(s.Height, objs[i].MinSize().Height)
		}
	}
	s.Width += theme.Padding() * float32(len(l.cols)-1)
	return s
}

// formLayout is two columns, keys and values: the keys as wide as the
// widest, the values the rest.
type formLayout struct{}

func (formLayout) keyWidth(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

func (l formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	kw := l.keyWidth(objs)
	var y float32
	for i := 0; i+1 < len(objs); i += 2 {
		k, v := objs[i], objs[i+1]
		v.Resize(fyne.NewSize(size.Width-kw-theme.Padding(), v.MinSize().Height))
		h := max(k.MinSize().Height, v.MinSize().Height)
		k.Move(fyne.NewPos(0, y))
		k.Resize(fyne.NewSize(kw, h))
		v.Move(fyne.NewPos(kw+theme.Padding(), y))
		v.Resize(fyne.NewSize(size.Width-kw-theme.Padding(), h))
		y += h
	}
}

func (l formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	kw := l.keyWidth(objs)
	var s fyne.Size
	for i := 0; i+1 < len(objs); i += 2 {
		k, v := objs[i].MinSize(), objs[i+1].MinSize()
		s.Width = max(s.Width, kw+theme.Padding()+v.Width)
		s.Height += max(k.Height, v.Height)
	}
	return s
}

// errSuperseded ends a call that a newer one replaced; nobody shows it.
var errSuperseded = errors.New("superseded by a newer request")

// latest runs calls of which only the newest counts. Starting one cancels
// the context of any still running and drops its result, so results never
// arrive out of order: the list always matches the last filter chosen.
// Use it on the UI thread only.
type latest struct {
	gen    int
	cancel context.CancelFunc
}

func (l *latest) run(m *managerDesk, work func(ctx context.Context) (func(), error), end func(), fail func(error)) {
	if l.cancel != nil {
		l.cancel()
	}
	l.gen++
	gen := l.gen
	mine, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	current := func() bool { return gen == l.gen }
	m.runThen(func(ctx context.Context) (func(), error) {
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		defer context.AfterFunc(mine, stop)()
		apply, err := work(ctx)
		if mine.Err() != nil {
			return nil, errSuperseded
		}
		if err != nil || apply == nil {
			return nil, err
		}
		return func() {
			if current() {
				apply()
			}
		}, nil
	}, func(err error) {
		if !current() || errors.Is(err, errSuperseded) {
			return
		}
		if fail != nil {
			fail(err)
			return
		}
		showManagerError(m.s.win, err)
	}, func() {
		if current() && end != nil {
			end()
		}
	})
}
