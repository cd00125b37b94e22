package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// periodPreset is a period the summary offers at one tap.
type periodPreset int

const (
	thisMonth periodPreset = iota
	lastMonth
	last90Days
	customPeriod
)

// presetRange is the first and last day of a preset period, as of today.
func presetRange(p periodPreset, today time.Time) (from, to time.Time) {
	today = dayStart(today)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, inspect.HallZone)
	switch p {
	case lastMonth:
		return month.AddDate(0, -1, 0), month.AddDate(0, 0, -1)
	case last90Days:
		return today.AddDate(0, 0, -89), today
	}
	return month, today
}

// summarySection shows a hall or the whole region over a period with the
// figures and charts of the summary PDF, from the same report.SummaryFigures,
// and exports that PDF.
type summarySection struct {
	m *managerDesk

	halls    []store.Hall
	hallID   string // "" for the whole region
	preset   periodPreset
	from, to time.Time // days, both included
	// figures are those on screen and shown the query that computed them:
	// the export prints that query, and is offered only while the controls
	// still say the same (see canExport).
	figures *report.SummaryFigures
	shown   admin.SummaryQuery
	loads   latest
	// loading: a computation is running; loadFailed: the last one failed.
	loading, loadFailed bool

	scopeSel, periodSel *widget.Select
	fromEntry, toEntry  *widget.DateEntry
	busy                *widget.Activity
	msg                 *widget.Label
	body                *fyne.Container
	scroll              *container.Scroll
	export              *managerExport
}

func newSummarySection(m *managerDesk) *summarySection {
	x := &summarySection{m: m}
	x.from, x.to = presetRange(thisMonth, managerClock())
	return x
}

func (x *summarySection) label() string       { return lang.X("manager.summary", "Summary") }
func (x *summarySection) icon() fyne.Resource { return theme.GridIcon() }

func (x *summarySection) buildUI() fyne.CanvasObject {
	x.scopeSel = widget.NewSelect(nil, nil)
	x.fillScopes()
	x.scopeSel.OnChanged = func(string) { x.onScope() }
	x.periodSel = widget.NewSelect([]string{
		lang.X("manager.summary.this_month", "This month"),
		lang.X("manager.summary.last_month", "Last month"),
		lang.X("manager.summary.last_90", "Last 90 days"),
		lang.X("manager.summary.custom", "Custom period"),
	}, nil)
	x.periodSel.SetSelectedIndex(int(x.preset))
	x.periodSel.OnChanged = func(string) { x.onPreset() }
	x.fromEntry = widget.NewDateEntry()
	x.fromEntry.SetPlaceHolder(lang.X("history.from", "From date"))
	x.toEntry = widget.NewDateEntry()
	x.toEntry.SetPlaceHolder(lang.X("history.to", "To date"))
	x.showDates()
	x.fromEntry.OnChanged = x.onFrom
	x.toEntry.OnChanged = x.onTo
	x.busy = widget.NewActivity()
	x.busy.Hide()

	x.export = newManagerExport(x.m, lang.X("manager.summary.export", "Export the summary (PDF)"), true, x.exportPDF)
	x.export.ready = x.canExport
	controls := container.NewGridWithColumns(4, tall(x.scopeSel), tall(x.periodSel), tall(x.fromEntry), tall(x.toEntry))
	x.msg = wrapped("")
	x.msg.Hide()
	top := container.NewVBox(container.NewBorder(nil, nil, nil, x.busy, controls), x.export.row(), x.msg, widget.NewSeparator())

	x.body = container.NewVBox()
	x.showFigures()
	x.scroll = container.NewVScroll(container.NewPadded(x.body))
	x.export.refresh()
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, x.scroll))
}

// onShow loads the halls to choose from, then the figures. A preset
// period is worked out again: the desk may have stayed open past midnight.
func (x *summarySection) onShow() {
	if x.preset != customPeriod {
		x.from, x.to = presetRange(x.preset, managerClock())
		x.showDates()
	}
	m := x.m
	m.runThen(func(ctx context.Context) (func(), error) {
		ch, err := m.svc.FilterChoices(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			x.halls = ch.Halls
			x.fillScopes()
		}, nil
	}, nil, nil)
	x.load()
}

// regionName names the manager's whole scope.
func (x *summarySection) regionName() string {
	if x.m.scope.RegionName == "" {
		return lang.X("manager.summary.all_halls", "Every hall")
	}
	return lang.X("manager.summary.region", "The whole region ({{.Region}})", map[string]any{"Region": x.m.scope.RegionName})
}

func (x *summarySection) fillScopes() {
	opts := []string{x.regionName()}
	for _, h := range x.halls {
		opts = append(opts, h.Name)
	}
	setOptions(x.scopeSel, opts, slices.IndexFunc(x.halls, func(h store.Hall) bool { return h.ID == x.hallID })+1)
}

// showDates puts the period in the date entries, which can be edited for a
// custom period only.
func (x *summarySection) showDates() {
	for _, e := range []struct {
		d *widget.DateEntry
		t time.Time
	}{{x.fromEntry, x.from}, {x.toEntry, x.to}} {
		changed := e.d.OnChanged
		e.d.OnChanged = nil
		t := e.t
		e.d.SetDate(&t)
		e.d.OnChanged = changed
	}
}

func (x *summarySection) onScope() {
	i := x.scopeSel.SelectedIndex()
	x.hallID = ""
	if i > 0 && i <= len(x.halls) {
		x.hallID = x.halls[i-1].ID
	}
	x.load()
}

func (x *summarySection) onPreset() {
	x.preset = periodPreset(max(0, x.periodSel.SelectedIndex()))
	if x.preset != customPeriod {
		x.from, x.to = presetRange(x.preset, managerClock())
		x.showDates()
	}
	x.load()
}

// onFrom and onTo make the period a custom one.
func (x *summarySection) onFrom(t *time.Time) {
	if t == nil {
		return
	}
	x.from = dayStart(*t)
	x.custom()
}

func (x *summarySection) onTo(t *time.Time) {
	if t == nil {
		return
	}
	x.to = dayStart(*t)
	x.custom()
}

func (x *summarySection) custom() {
	x.preset = customPeriod
	setOptions(x.periodSel, x.periodSel.Options, int(customPeriod))
	x.load()
}

// query is what the controls on screen ask for.
func (x *summarySection) query() admin.SummaryQuery {
	return admin.SummaryQuery{HallID: x.hallID, From: x.from, To: x.to}
}

// canExport reports whether the figures on screen are those of the
// controls, computed and not being computed again: the PDF then prints
// what the manager sees.
func (x *summarySection) canExport() bool {
	q := x.query()
	return x.figures != nil && !x.loading && !x.loadFailed &&
		q.HallID == x.shown.HallID && q.From.Equal(x.shown.From) && q.To.Equal(x.shown.To)
}

// load computes the figures of the scope and period on screen; a newer
// choice supersedes a computation still running.
func (x *summarySection) load() {
	defer x.export.refresh() // the controls changed, or a computation starts
	if x.to.Before(x.from) {
		x.msg.Importance = widget.WarningImportance
		x.msg.SetText(lang.X("manager.summary.backwards", "The period ends before it starts."))
		x.msg.Show()
		return
	}
	m, q := x.m, x.query()
	x.loading = true
	x.busy.Show()
	x.busy.Start()
	x.loads.run(m, func(ctx context.Context) (func(), error) {
		f, err := m.svc.Summary(ctx, q)
		if err != nil {
			return nil, err
		}
		return func() {
			x.msg.Hide()
			x.figures, x.shown, x.loadFailed = f, q, false
			x.showFigures()
			x.export.refresh()
		}, nil
	}, func() {
		x.loading = false
		x.busy.Stop()
		x.busy.Hide()
		x.export.refresh()
	}, func(err error) {
		x.loadFailed = true
		x.export.refresh()
		x.msg.Importance = widget.DangerImportance
		x.msg.SetText(lang.X("manager.summary.error", "Could not compute the summary:") + " " + err.Error())
		x.msg.Show()
	})
}

// exportPDF exports the figures on screen: the query that computed them,
// taken now, on the UI thread.
func (x *summarySection) exportPDF(opt report.Options) exportJob {
	svc, q := x.m.svc, x.shown
	return func(ctx context.Context, progress admin.Progress) ([]byte, string, error) {
		return svc.ExportSummary(ctx, q, opt, progress)
	}
}

// showFigures draws the figures as the PDF has them: the headline, the
// trend, the grades, the most violated clauses and the people.
func (x *summarySection) showFigures() {
	x.body.RemoveAll()
	f := x.figures
	if f == nil {
		x.body.Refresh()
		return
	}
	x.body.Add(heading(fmt.Sprintf("%s · %s – %s", x.scopeName(f), formatDate(f.From), formatDate(f.To))))
	x.body.Add(x.headline(f))
	if f.Inspections == 0 {
		x.body.Add(wrapped(lang.X("manager.summary.empty", "There are no sealed inspections of this scope in this period, so there are no scores, trends or rankings.")))
		x.body.Refresh()
		return
	}
	trend := newLineChart(x.trendPoints(f.Trend), lang.X("manager.summary.trend.none", "No scored inspections in this period."))
	grades := newColumnChart(x.gradeBars(f))
	charts := container.New(&columnsLayout{cols: []columnSpec{{min: 320, weight: 3}, {min: 260, weight: 2}}},
		chartCard(x.trendTitle(f.Trend.Unit), trend),
		chartCard(lang.X("manager.summary.grades", "Grades"), grades))
	x.body.Add(charts)

	if len(f.TopClauses) == 0 {
		x.body.Add(chartCard(lang.X("manager.summary.clauses", "Most violated clauses"),
			wrapped(lang.X("manager.summary.clauses.none", "No nonconformities in this period."))))
	} else {
		var bars []chartBar
		for _, c := range f.TopClauses {
			bars = append(bars, chartBar{Label: c.ClauseID + "  " + x.m.s.text(c.Text), Count: c.Count, Colour: theme.ColorNameError})
		}
		x.body.Add(chartCard(lang.X("manager.summary.clauses", "Most violated clauses"), container.NewVBox(
			newBarChart(bars),
			caption(lang.X("manager.summary.clauses.note", "Counts are nonconformities and tallies with failures, amendments applied.")))))
	}
	if len(f.Halls) > 1 {
		x.body.Add(chartCard(lang.X("manager.summary.halls", "By hall"), hallsTable(f.Halls)))
	}
	x.body.Add(chartCard(lang.X("manager.summary.people", "People"), x.peopleTable(f.PeopleRows)))
	x.body.Add(caption(lang.X("manager.summary.people.note", "Repeated items: items a person failed twice or more in the period, with the count.")))
	x.body.Add(caption(lang.X("manager.summary.digest", "Digest of the inspections covered (SHA-256), as the PDF prints it: {{.Digest}}", map[string]any{"Digest": f.Digest})))
	x.body.Refresh()
	if x.scroll != nil {
		x.scroll.ScrollToTop()
	}
}

// allRegionsScope is the scope name admin.Local gives the summary of every
// region together (its allRegionsScope), a name in Chinese for the PDF;
// the screen shows it in the UI language.
const allRegionsScope = "全部区域"

// scopeName names the figures' scope: a hall with its code, a region, or
// every region together.
func (x *summarySection) scopeName(f *report.SummaryFigures) string {
	switch {
	case f.ScopeCode != "":
		return f.Scope + " (" + f.ScopeCode + ")"
	case f.Region && f.Scope == allRegionsScope && x.shown.HallID == "" && x.m.scope.RegionID == "":
		return lang.X("manager.region.all", "Every region")
	}
	return f.Scope
}

// headline is the four figures at the top: inspections, average score,
// people observed, amendments.
func (x *summarySection) headline(f *report.SummaryFigures) fyne.CanvasObject {
	avg := "—"
	if f.Scored > 0 {
		avg = report.FormatScore(f.Average)
	}
	return container.NewGridWithColumns(4,
		figureTile(formatCount(f.Inspections), lang.X("manager.summary.inspections", "Inspections, {{.Amended}} amended", map[string]any{"Amended": f.Amended})),
		figureTile(avg, lang.X("manager.summary.average", "Average score")),
		figureTile(formatCount(f.People), lang.X("manager.summary.people_observed", "People observed")),
		figureTile(formatCount(f.Amendments), lang.X("manager.summary.amendments", "Amendments")),
	)
}

// figureTile is one headline figure, large, with what it counts under it.
func figureTile(value, what string) fyne.CanvasObject {
	v := widget.NewLabelWithStyle(value, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	v.SizeName = theme.SizeNameHeadingText
	w := widget.NewLabelWithStyle(what, fyne.TextAlignCenter, fyne.TextStyle{})
	w.Wrapping = fyne.TextWrapWord
	return container.NewStack(newShade(theme.ColorNameInputBackground), container.NewVBox(v, w))
}

// chartCard is a chart under its title, on a tile.
func chartCard(title string, content fyne.CanvasObject) fyne.CanvasObject {
	t := bold(title)
	t.Wrapping = fyne.TextWrapWord
	return container.NewStack(newShade(theme.ColorNameInputBackground),
		container.NewPadded(container.NewBorder(t, nil, nil, nil, content)))
}

func (x *summarySection) trendTitle(unit string) string {
	switch unit {
	case report.TrendMonth:
		return lang.X("manager.summary.trend.month", "Average score by month")
	case report.TrendQuarter:
		return lang.X("manager.summary.trend.quarter", "Average score by quarter")
	}
	return lang.X("manager.summary.trend.week", "Average score by week")
}

// trendPoints labels the trend's buckets in the UI language, the year under
// the first label of each year.
func (x *summarySection) trendPoints(t report.Trend) []chartPoint {
	pts := make([]chartPoint, len(t.Points))
	for i, p := range t.Points {
		start := p.Start.In(inspect.HallZone)
		label := p.Label
		switch t.Unit {
		case report.TrendWeek:
			label = start.Format("01-02")
		case report.TrendMonth:
			label = monthName(start.Month())
		case report.TrendQuarter:
			label = lang.X("manager.summary.quarter", "Q{{.Quarter}}", map[string]any{"Quarter": int(start.Month()-1)/3 + 1})
		}
		pts[i] = chartPoint{Label: label, Group: itoa(start.Year()), Value: p.Average, Missing: p.Count == 0}
	}
	return pts
}

// monthName is a month's short name in the UI language, for a chart's
// axis.
func monthName(m time.Month) string {
	switch m {
	case time.January:
		return lang.X("manager.month.1", "Jan")
	case time.February:
		return lang.X("manager.month.2", "Feb")
	case time.March:
		return lang.X("manager.month.3", "Mar")
	case time.April:
		return lang.X("manager.month.4", "Apr")
	case time.May:
		return lang.X("manager.month.5", "May")
	case time.June:
		return lang.X("manager.month.6", "Jun")
	case time.July:
		return lang.X("manager.month.7", "Jul")
	case time.August:
		return lang.X("manager.month.8", "Aug")
	case time.September:
		return lang.X("manager.month.9", "Sep")
	case time.October:
		return lang.X("manager.month.10", "Oct")
	case time.November:
		return lang.X("manager.month.11", "Nov")
	}
	return lang.X("manager.month.12", "Dec")
}

// gradeBars counts the inspections of each grade, best first, and those
// without a score, coloured from good to bad as the PDF's are.
func (x *summarySection) gradeBars(f *report.SummaryFigures) []chartBar {
	var bars []chartBar
	n := len(f.Grades)
	for i, g := range f.Grades {
		bars = append(bars, chartBar{Label: x.m.s.text(g.Grade.Name), Count: g.Count, Colour: gradeColour(i, n)})
	}
	if unscored := f.Inspections - f.Scored; unscored > 0 {
		bars = append(bars, chartBar{Label: lang.X("review.unscored", "not scored"), Count: unscored, Colour: theme.ColorNamePlaceHolder})
	}
	return bars
}

// gradeColour is the colour of the i-th of n grades, best first.
func gradeColour(i, n int) fyne.ThemeColorName {
	switch {
	case n <= 1:
		return theme.ColorNamePrimary
	case i == 0:
		return theme.ColorNameSuccess
	case i == n-1:
		return theme.ColorNameError
	case float64(i)/float64(n-1) <= 0.5:
		return theme.ColorNamePrimary
	}
	return theme.ColorNameWarning
}

// The people table's columns.
var peopleColumnSpecs = []columnSpec{
	{min: 110, weight: 2}, // name
	{min: 90},             // employee number
	{min: 100, weight: 1}, // role
	{min: 120, weight: 2}, // halls
	{min: 70},             // visits
	{min: 80},             // average
	{min: 80},             // offences
	{min: 120, weight: 2}, // items failed twice or more
}

// peopleTable is the PDF's people table: everyone observed in the period,
// how often, their average, their offences and the items they failed twice
// or more.
func (x *summarySection) peopleTable(rows []report.PersonFigure) fyne.CanvasObject {
	row := func(bold bool, texts ...string) fyne.CanvasObject {
		objs := make([]fyne.CanvasObject, len(texts))
		for i, t := range texts {
			l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
			if peopleColumnSpecs[i].weight == 0 {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.Truncation = fyne.TextTruncateEllipsis
			objs[i] = l
		}
		return container.New(&columnsLayout{cols: peopleColumnSpecs}, objs...)
	}
	box := container.NewVBox(row(true,
		lang.X("manager.summary.col.person", "Person"),
		lang.X("manager.summary.col.employee_no", "Employee no."),
		lang.X("manager.summary.col.role", "Role"),
		lang.X("manager.inspections.col.hall", "Hall"),
		lang.X("manager.summary.col.visits", "Visits"),
		lang.X("manager.summary.col.average", "Average"),
		lang.X("manager.summary.col.offences", "Offences"),
		lang.X("manager.summary.col.repeated", "Repeated items"),
	), widget.NewSeparator())
	// A list of names: "、" between Chinese names, ", " in English.
	sep := lang.X("manager.list.separator", ", ")
	for _, r := range rows {
		name := r.Name
		if r.OffRoster {
			name += " (" + lang.X("staff.offroster", "not on the roster") + ")"
		}
		avg := "—"
		if r.Scored > 0 {
			avg = report.FormatScore(r.Average)
		}
		var repeated []string
		for _, it := range r.Repeated {
			repeated = append(repeated, it.ItemID+"×"+itoa(it.Count))
		}
		box.Add(row(false, name, dashIfEmpty(r.EmployeeNo), roleName(standard.Role(r.Role)), strings.Join(r.Halls, sep),
			itoa(r.Visits), avg, itoa(r.Offences), dashIfEmpty(strings.Join(repeated, "  "))))
	}
	return box
}

// The by-hall table's columns.
var hallColumnSpecs = []columnSpec{{min: 200, weight: 3}, {min: 110, weight: 1}, {min: 110, weight: 1}}

// hallsTable is the PDF's by-hall table: each hall's inspections and
// average score.
func hallsTable(halls []report.HallFigure) fyne.CanvasObject {
	row := func(bold bool, texts ...string) fyne.CanvasObject {
		objs := make([]fyne.CanvasObject, len(texts))
		for i, t := range texts {
			l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
			if i > 0 {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.Truncation = fyne.TextTruncateEllipsis
			objs[i] = l
		}
		return container.New(&columnsLayout{cols: hallColumnSpecs}, objs...)
	}
	box := container.NewVBox(row(true,
		lang.X("manager.inspections.col.hall", "Hall"),
		lang.X("manager.summary.col.inspections", "Inspections"),
		lang.X("manager.summary.col.average", "Average")), widget.NewSeparator())
	for _, h := range halls {
		avg := "—"
		if h.Scored > 0 {
			avg = report.FormatScore(h.Average)
		}
		box.Add(row(false, h.Name, itoa(h.Inspections), avg))
	}
	return box
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// managerExport is a PDF export of the manager's screens: a "redacted"
// check, the button, and while the PDF renders a progress bar fed by the
// service's progress (or an activity line when it reports none); then the
// save dialog. It runs through managerDesk.run, so an unreachable hub shows
// the banner.
type managerExport struct {
	m *managerDesk
	// start takes what to export from the screen, on the UI thread, and
	// returns the work that renders it off the UI thread.
	start func(opt report.Options) exportJob
	// ready, if set, says whether there is something to export now; the
	// button is offered only then (see refresh).
	ready    func() bool
	running  bool
	redact   *widget.Check
	button   *widget.Button
	bar      *widget.ProgressBar
	busy     *busyLine
	hint     *widget.RichText
	progress bool
	// runs counts exports, so that a late progress call of an earlier one
	// does not move the bar.
	runs int
}

// exportJob renders a PDF: its bytes and a suggested file name.
type exportJob func(ctx context.Context, progress admin.Progress) (pdf []byte, name string, err error)

func newManagerExport(m *managerDesk, label string, progress bool, start func(opt report.Options) exportJob) *managerExport {
	e := &managerExport{m: m, start: start, progress: progress}
	e.redact = widget.NewCheck(lang.X("export.redact", "Redacted copy"), nil)
	hint := caption(lang.X("export.redact.hint", "For wider distribution: no photos, badge numbers instead of names."))
	e.button = widget.NewButtonWithIcon(label, theme.DocumentPrintIcon(), e.onExport)
	e.bar = widget.NewProgressBar()
	e.bar.Hide()
	e.busy = newBusyLine(lang.X("export.busy", "Preparing the PDF…"))
	e.hint = hint
	return e
}

// column puts the export's parts one under the other, for a side panel.
func (e *managerExport) column() fyne.CanvasObject {
	return container.NewVBox(tall(e.redact), e.hint, tall(e.button), e.bar, e.busy.box)
}

// row puts the button at the end of a line, the redaction check at its
// start and the progress between them, for the top of a screen.
func (e *managerExport) row() fyne.CanvasObject {
	e.hint.Wrapping = fyne.TextWrapOff
	e.hint.Truncation = fyne.TextTruncateEllipsis
	progress := container.NewVBox(layout.NewSpacer(), e.bar, e.busy.box, layout.NewSpacer())
	return container.NewBorder(nil, nil, tall(e.redact), tall(e.button), container.NewStack(e.hint, progress))
}

// refresh offers the button when no export runs and there is something to
// export.
func (e *managerExport) refresh() {
	enable(e.button, !e.running && (e.ready == nil || e.ready()))
}

func (e *managerExport) onExport() {
	if e.running || e.ready != nil && !e.ready() {
		return // a second tap while one renders, or nothing to export
	}
	s := e.m.s
	job := e.start(report.Options{Lang: s.lang.standardCode(), Redact: e.redact.Checked})
	e.runs++
	run := e.runs
	e.running = true
	e.refresh()
	e.hint.Hide() // the progress shows in its place
	if e.progress {
		e.bar.Max = 1
		e.bar.SetValue(0)
		e.bar.Show()
	} else {
		e.busy.start()
	}
	progress := func(done, total int) {
		uiDo(func() {
			if run != e.runs || total <= 0 {
				return
			}
			e.bar.Max = float64(total)
			e.bar.SetValue(float64(min(done, total)))
		})
	}
	e.m.runThen(func(ctx context.Context) (func(), error) {
		data, name, err := job(ctx, progress)
		if err != nil {
			return nil, err
		}
		return func() { e.save(name, data) }, nil
	}, nil, func() {
		e.bar.Hide()
		e.busy.stop()
		e.hint.Show()
		e.running = false
		e.refresh()
	})
}

// save offers the PDF to save; a file is written atomically (writeURI).
func (e *managerExport) save(name string, data []byte) {
	w := e.m.s.win
	saveFile(w, name, data, func(where string, err error) {
		if err != nil {
			showError(w, err)
			return
		}
		msg := wrapped(lang.X("export.saved", "The report was saved as {{.Name}}.", map[string]any{"Name": where}))
		d := dialog.NewCustom(lang.X("export.saved.title", "PDF saved"), lang.X("dialog.ok", "OK"), msg, w)
		d.Resize(dialogSize(w))
		d.Show()
	})
}
