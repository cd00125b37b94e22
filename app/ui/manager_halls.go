package ui

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
)

// hallsSection is the halls of the manager's region with their staff, and
// one person's details and history with their score trend: three panes,
// left to right.
type hallsSection struct {
	m *managerDesk

	// What the manager chose and typed: kept here so that a language switch
	// or a failed call leaves it as it was.
	hallQuery, staffQuery string
	// hallTyping and staffTyping hold back a search until typing pauses.
	hallTyping, staffTyping *time.Timer
	hallID                  string // "" for every hall
	inactive                bool
	personID                string

	halls  []admin.HallRow
	staff  []admin.StaffRow
	person *admin.PersonDetail
	// seq numbers the loads of each list, so that an answer overtaken by a
	// later search is dropped.
	hallSeq, staffSeq, personSeq int

	hallSearch, staffSearch *widget.Entry
	hallList, staffList     *deskList
	hallMsg, staffMsg       *widget.Label
	personPane              *fyne.Container
}

func newHallsSection(m *managerDesk) *hallsSection { return &hallsSection{m: m} }

func (x *hallsSection) label() string       { return lang.X("manager.halls", "Halls and staff") }
func (x *hallsSection) icon() fyne.Resource { return theme.HomeIcon() }

func (x *hallsSection) buildUI() fyne.CanvasObject {
	x.hallSearch = widget.NewEntry()
	x.hallSearch.SetPlaceHolder(lang.X("manager.halls.search", "Search halls by name or code"))
	x.hallSearch.ActionItem = widget.NewIcon(theme.SearchIcon())
	x.hallSearch.SetText(x.hallQuery)
	x.hallSearch.OnChanged = x.onHallSearch
	x.hallMsg = wrapped("")
	x.hallMsg.Hide()
	// Row 0 is every hall; row i is halls[i-1].
	x.hallList = newDeskList(func() int { return len(x.halls) + 1 }, x.hallRow, x.onHall)

	x.staffSearch = widget.NewEntry()
	x.staffSearch.SetPlaceHolder(lang.X("manager.staff.search", "Search by name, employee number or badge"))
	x.staffSearch.ActionItem = widget.NewIcon(theme.SearchIcon())
	x.staffSearch.SetText(x.staffQuery)
	x.staffSearch.OnChanged = x.onStaffSearch
	inactive := widget.NewCheck(lang.X("manager.staff.inactive", "Show people no longer on the roster"), x.onInactive)
	inactive.SetChecked(x.inactive)
	x.staffMsg = wrapped("")
	x.staffMsg.Hide()
	x.staffList = newDeskList(func() int { return len(x.staff) }, x.staffRow, x.onPerson)

	x.personPane = container.NewStack()
	x.showPerson()

	halls := panel(container.NewVBox(heading(lang.X("manager.halls.heading", "Halls")), tall(x.hallSearch), x.hallMsg), x.hallList.list)
	staff := panel(container.NewVBox(heading(lang.X("manager.staff.heading", "Staff")), tall(x.staffSearch), tall(inactive), x.staffMsg), x.staffList.list)
	return container.New(&threePanes{wideFrom: 1400},
		container.NewPadded(halls), container.NewPadded(staff), container.NewPadded(x.personPane),
		widget.NewSeparator(), widget.NewSeparator())
}

// threePanes lays out halls, staff and a person: side by side on a wide
// desk; on a narrower one the halls sit above the staff, so that the
// person's history keeps the width its table needs. Its objects are the
// three panes and two separators.
type threePanes struct{ wideFrom float32 }

func (l *threePanes) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 5 {
		return
	}
	halls, staff, person, sep1, sep2 := objs[0], objs[1], objs[2], objs[3], objs[4]
	t := theme.SeparatorThicknessSize()
	place := func(o fyne.CanvasObject, x, y, w, h float32) {
		o.Move(fyne.NewPos(x, y))
		o.Resize(fyne.NewSize(max(w, 0), max(h, 0)))
	}
	if size.Width >= l.wideFrom {
		hw, sw := size.Width*0.24, size.Width*0.3
		place(halls, 0, 0, hw, size.Height)
		place(sep1, hw, 0, t, size.Height)
		place(staff, hw+t, 0, sw, size.Height)
		place(sep2, hw+t+sw, 0, t, size.Height)
		place(person, hw+sw+2*t, 0, size.Width-hw-sw-2*t, size.Height)
		return
	}
	lw, hh := size.Width*0.38, size.Height*0.4
	place(halls, 0, 0, lw, hh)
	place(sep1, 0, hh, lw, t)
	place(staff, 0, hh+t, lw, size.Height-hh-t)
	place(sep2, lw, 0, t, size.Height)
	place(person, lw+t, 0, size.Width-lw-t, size.Height)
}

func (l *threePanes) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (x *hallsSection) onShow() {
	x.loadHalls()
	x.loadStaff()
	if x.personID != "" {
		x.loadPerson(x.personID)
	}
}

func (x *hallsSection) hallRow(i int) deskRow {
	if i == 0 {
		n := 0
		for _, h := range x.halls {
			n += h.ActiveStaff
		}
		r := deskRow{title: lang.X("manager.halls.all", "All halls")}
		if x.hallQuery == "" {
			r.detail = lang.X("manager.halls.all.detail", "{{.Halls}} halls · {{.Staff}} on the roster", map[string]any{"Halls": len(x.halls), "Staff": formatCount(n)})
		} else {
			r.detail = lang.X("manager.halls.all.any", "Staff of every hall")
		}
		return r
	}
	h := x.halls[i-1]
	last := lang.X("manager.halls.never", "never inspected")
	if !h.LastInspection.IsZero() {
		last = lang.X("manager.halls.last", "last inspected {{.Date}}", map[string]any{"Date": formatDate(h.LastInspection)})
	}
	return deskRow{title: h.Name, detail: strings.Join([]string{h.Code,
		lang.X("manager.halls.staff", "{{.Count}} on the roster", map[string]any{"Count": h.ActiveStaff}), last}, " · ")}
}

// selectedHallRow is the list row of the chosen hall.
func (x *hallsSection) selectedHallRow() int {
	if x.hallID == "" {
		return 0
	}
	if i := slices.IndexFunc(x.halls, func(h admin.HallRow) bool { return h.ID == x.hallID }); i >= 0 {
		return i + 1
	}
	return -1
}

func (x *hallsSection) onHallSearch(q string) {
	x.hallQuery = q
	x.hallTyping = afterTyping(x.hallTyping, x.loadHalls)
}

func (x *hallsSection) loadHalls() {
	x.hallSeq++
	seq, q := x.hallSeq, x.hallQuery
	x.m.run(func(ctx context.Context) (func(), error) {
		halls, err := x.m.svc.Halls(ctx, q)
		if err != nil {
			return nil, err
		}
		return func() {
			if seq != x.hallSeq {
				return
			}
			x.halls = halls
			x.hallMsg.Hide()
			if len(halls) == 0 && q != "" {
				x.hallMsg.Importance = widget.MediumImportance
				x.hallMsg.SetText(lang.X("manager.halls.nomatch", "No hall matches {{.Query}}.", map[string]any{"Query": q}))
				x.hallMsg.Show()
			}
			x.hallList.refresh(x.selectedHallRow())
		}, nil
	}, func(err error) {
		x.hallMsg.Importance = widget.DangerImportance
		x.hallMsg.SetText(lang.X("manager.halls.error", "Could not read the halls:") + " " + managerMessage(err) + " " + err.Error())
		x.hallMsg.Show()
	})
}

func (x *hallsSection) onHall(i int) {
	if i == 0 {
		x.hallID = ""
	} else {
		x.hallID = x.halls[i-1].ID
	}
	x.loadStaff()
}

func (x *hallsSection) staffRow(i int) deskRow {
	p := x.staff[i]
	parts := []string{p.EmployeeNo, roleName(p.Role), p.HallName}
	if p.Badge != "" {
		parts = append(parts, lang.X("manager.staff.badge", "badge {{.Badge}}", map[string]any{"Badge": p.Badge}))
	}
	if p.ActiveTo != nil {
		parts = append(parts, lang.X("manager.staff.left", "left {{.Date}}", map[string]any{"Date": formatDate(*p.ActiveTo)}))
	}
	return deskRow{title: p.Name, detail: strings.Join(parts, " · "), muted: p.ActiveTo != nil}
}

func (x *hallsSection) onStaffSearch(q string) {
	x.staffQuery = q
	x.staffTyping = afterTyping(x.staffTyping, x.loadStaff)
}

func (x *hallsSection) onInactive(on bool) {
	if on == x.inactive {
		return
	}
	x.inactive = on
	x.loadStaff()
}

func (x *hallsSection) loadStaff() {
	x.staffSeq++
	seq := x.staffSeq
	q := admin.StaffQuery{HallID: x.hallID, Text: x.staffQuery, IncludeInactive: x.inactive}
	x.m.run(func(ctx context.Context) (func(), error) {
		staff, err := x.m.svc.Staff(ctx, q)
		if err != nil {
			return nil, err
		}
		return func() {
			if seq != x.staffSeq {
				return
			}
			x.staff = staff
			x.staffMsg.Hide()
			if len(staff) == 0 {
				x.staffMsg.Importance = widget.MediumImportance
				x.staffMsg.SetText(lang.X("manager.staff.none", "Nobody matches."))
				x.staffMsg.Show()
			}
			x.staffList.refresh(slices.IndexFunc(staff, func(p admin.StaffRow) bool { return p.ID == x.personID }))
			x.hallList.refresh(x.selectedHallRow())
			x.staffList.list.ScrollToTop()
		}, nil
	}, func(err error) {
		x.staffMsg.Importance = widget.DangerImportance
		x.staffMsg.SetText(lang.X("manager.staff.error", "Could not read the staff:") + " " + managerMessage(err) + " " + err.Error())
		x.staffMsg.Show()
	})
}

func (x *hallsSection) onPerson(i int) {
	x.personID = x.staff[i].ID
	x.loadPerson(x.personID)
}

func (x *hallsSection) loadPerson(id string) {
	x.personSeq++
	seq := x.personSeq
	x.m.run(func(ctx context.Context) (func(), error) {
		p, err := x.m.svc.Person(ctx, id)
		if err != nil {
			return nil, err
		}
		return func() {
			if seq != x.personSeq {
				return
			}
			x.person = p
			x.showPerson()
		}, nil
	}, nil)
}

// gradesRead draws the person's history again with the grades' names and
// the score trend's grade lines, which the desk has just read.
func (x *hallsSection) gradesRead() { x.showPerson() }

// showPerson fills the right pane with the chosen person, or says how to
// choose one.
func (x *hallsSection) showPerson() {
	p := x.person
	if p == nil {
		x.personPane.Objects = []fyne.CanvasObject{deskHint(lang.X("manager.person.pick", "Choose a person to see their details and history."))}
		x.personPane.Refresh()
		return
	}
	facts := []string{p.EmployeeNo, roleName(p.Role), genderName(p.Gender), p.HallName}
	if p.Badge != "" {
		facts = append(facts, lang.X("manager.staff.badge", "badge {{.Badge}}", map[string]any{"Badge": p.Badge}))
	}
	since := lang.X("manager.person.since", "On the roster since {{.Date}}", map[string]any{"Date": formatDate(p.ActiveFrom)})
	if p.ActiveTo != nil {
		since = lang.X("manager.person.left", "On the roster from {{.From}} to {{.To}}", map[string]any{"From": formatDate(p.ActiveFrom), "To": formatDate(*p.ActiveTo)})
	}
	if p.Linked > 0 {
		since += " · " + lang.X("manager.person.linked", "{{.Count}} observations off the roster linked to this person", map[string]any{"Count": p.Linked})
	}
	header := container.NewVBox(heading(p.Name), caption(strings.Join(facts, " · ")), caption(since))

	var points []trendPoint
	for _, in := range slices.Backward(p.Inspections) {
		if in.Scored {
			points = append(points, trendPoint{at: in.StartedAt, score: in.Score})
		}
	}
	var guides []trendGuide
	for _, b := range x.m.bands {
		if b.MinScore > 0 && b.MinScore < 100 {
			guides = append(guides, trendGuide{score: b.MinScore, label: formatScore(b.MinScore) + " " + x.m.s.text(b.Name)})
		}
	}
	chart := newScoreTrend(points, guides)

	rows := p.Inspections
	table := newDeskTable(func() int { return len(rows) },
		deskColumn{title: lang.X("manager.person.col.date", "Date"), weight: 1, min: 160, text: func(i int) string { return formatTime(rows[i].StartedAt) }},
		deskColumn{title: lang.X("manager.person.col.hall", "Hall"), weight: 3, min: 100, text: func(i int) string { return rows[i].HallName }},
		deskColumn{title: lang.X("manager.person.col.supervisor", "Supervisor"), weight: 1.5, min: 70, text: func(i int) string { return rows[i].Supervisor }},
		deskColumn{title: lang.X("manager.person.col.score", "Score"), weight: 1, min: 56, text: func(i int) string {
			if !rows[i].Scored {
				return lang.X("manager.person.na", "N/A")
			}
			return formatScore(rows[i].Score)
		}},
		deskColumn{title: lang.X("manager.person.col.grade", "Grade"), weight: 1, min: 56, text: func(i int) string {
			if !rows[i].Scored {
				return ""
			}
			return x.m.gradeName(rows[i].Grade)
		}},
		deskColumn{title: lang.X("manager.person.col.offences", "Offences"), weight: 1, min: 56, text: func(i int) string { return itoa(rows[i].Offences) }},
		deskColumn{title: lang.X("manager.person.col.amended", "Amended"), weight: 0.5, min: 72, text: func(i int) string {
			if rows[i].Amended {
				return lang.X("manager.person.amended", "amended")
			}
			return ""
		}},
	)
	history := bold(lang.X("manager.person.history", "Inspections: {{.Count}}", map[string]any{"Count": len(rows)}))
	var body fyne.CanvasObject = table.object()
	if len(rows) == 0 {
		body = container.NewVBox(caption(lang.X("manager.person.none", "Not observed in any sealed inspection yet.")))
	}
	top := container.NewVBox(header, widget.NewSeparator(),
		bold(lang.X("manager.person.trend", "Score trend")), chart, history)
	x.personPane.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, body)}
	x.personPane.Refresh()
}

// trendPoint is one scored inspection of a person.
type trendPoint struct {
	at    time.Time
	score float64
}

// trendGuide is a horizontal guide line of the chart: a grade band's
// threshold.
type trendGuide struct {
	score float64
	label string
}

// scoreTrend is a small line chart of a person's scores over time, on the
// 0 to 100 scale, with the grade bands' thresholds as guide lines.
type scoreTrend struct {
	widget.BaseWidget
	points []trendPoint // oldest first
	guides []trendGuide
}

func newScoreTrend(points []trendPoint, guides []trendGuide) *scoreTrend {
	c := &scoreTrend{points: points, guides: guides}
	c.ExtendBaseWidget(c)
	return c
}

// floor is the score at the chart's foot: 0, or a round ten below the
// lowest score and the lowest band line above it, so that a person who
// always scores in the nineties shows their ups and downs rather than a
// flat line at the top.
func (c *scoreTrend) floor() float64 {
	lo := 100.0
	for _, p := range c.points {
		lo = min(lo, p.score)
	}
	lo = math.Floor((lo-5)/10) * 10
	return min(max(lo, 0), 80)
}

// scoreTrendHeight is the chart's height: enough to tell the bands apart.
const scoreTrendHeight = 170

func (c *scoreTrend) MinSize() fyne.Size { return fyne.NewSize(240, scoreTrendHeight) }

func (c *scoreTrend) CreateRenderer() fyne.WidgetRenderer {
	r := &scoreTrendRenderer{c: c}
	r.build()
	return r
}

type scoreTrendRenderer struct {
	c *scoreTrend

	grid      []*canvas.Line
	gridText  []*canvas.Text
	gridScore []float64
	segs      []*canvas.Line
	dots      []*canvas.Circle
	from, to  *canvas.Text
	empty     *canvas.Text
	objs      []fyne.CanvasObject
}

// build makes the objects for the current data and theme.
func (r *scoreTrendRenderer) build() {
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNamePlaceHolder, v)
	lineColour := th.Color(theme.ColorNamePrimary, v)
	gridColour := withAlpha(th.Color(theme.ColorNameForeground, v), 0x30)
	small := th.Size(theme.SizeNameCaptionText)

	r.grid, r.gridText, r.gridScore, r.segs, r.dots = nil, nil, nil, nil, nil
	r.objs = nil
	lo := r.c.floor()
	guides := append([]trendGuide{{100, "100"}}, r.c.guides...)
	if !slices.ContainsFunc(guides, func(g trendGuide) bool { return g.score == lo }) {
		guides = append(guides, trendGuide{lo, formatScore(lo)})
	}
	for _, g := range guides {
		l := canvas.NewLine(gridColour)
		l.StrokeWidth = 1
		t := canvas.NewText(g.label, fg)
		t.TextSize = small
		r.grid = append(r.grid, l)
		r.gridText = append(r.gridText, t)
		r.gridScore = append(r.gridScore, g.score)
		r.objs = append(r.objs, l, t)
	}
	for i := range r.c.points {
		if i > 0 {
			s := canvas.NewLine(lineColour)
			s.StrokeWidth = 2
			r.segs = append(r.segs, s)
			r.objs = append(r.objs, s)
		}
	}
	for range r.c.points {
		d := canvas.NewCircle(lineColour)
		d.StrokeColor = lineColour
		r.dots = append(r.dots, d)
		r.objs = append(r.objs, d)
	}
	r.from = canvas.NewText("", fg)
	r.to = canvas.NewText("", fg)
	r.from.TextSize, r.to.TextSize = small, small
	r.to.Alignment = fyne.TextAlignTrailing
	r.empty = canvas.NewText(lang.X("manager.person.trend.none", "No scored inspection yet"), fg)
	r.empty.TextSize = small
	r.empty.Alignment = fyne.TextAlignCenter
	if n := len(r.c.points); n > 0 {
		r.from.Text = formatDate(r.c.points[0].at)
		if n > 1 {
			r.to.Text = formatDate(r.c.points[n-1].at)
		}
		r.empty.Hide()
	}
	r.objs = append(r.objs, r.from, r.to, r.empty)
}

func (r *scoreTrendRenderer) Layout(size fyne.Size) {
	labelW := float32(0)
	for _, t := range r.gridText {
		labelW = max(labelW, t.MinSize().Width)
	}
	textH := r.from.MinSize().Height
	left := labelW + theme.Padding()
	top := textH / 2
	bottom := size.Height - textH - theme.Padding()
	right := size.Width - 10
	plotW := max(right-left, 1)
	lo := r.c.floor()
	y := func(score float64) float32 {
		s := min(max(score, lo), 100)
		return bottom - float32((s-lo)/(100-lo))*(bottom-top)
	}
	for i, l := range r.grid {
		score := r.gridScore[i]
		visible := score >= lo
		l.Hidden, r.gridText[i].Hidden = !visible, !visible
		yy := y(score)
		l.Position1 = fyne.NewPos(left, yy)
		l.Position2 = fyne.NewPos(right, yy)
		t := r.gridText[i]
		t.Move(fyne.NewPos(0, yy-textH/2))
		t.Resize(fyne.NewSize(labelW, textH))
	}
	pts := r.c.points
	x := func(i int) float32 {
		if len(pts) < 2 {
			return left + plotW/2
		}
		span := pts[len(pts)-1].at.Sub(pts[0].at)
		if span <= 0 {
			return left + plotW*float32(i)/float32(len(pts)-1)
		}
		return left + plotW*float32(pts[i].at.Sub(pts[0].at))/float32(span)
	}
	const dot = 7
	for i, p := range pts {
		px, py := x(i), y(p.score)
		r.dots[i].Move(fyne.NewPos(px-dot/2, py-dot/2))
		r.dots[i].Resize(fyne.NewSize(dot, dot))
		if i > 0 {
			s := r.segs[i-1]
			s.Position1 = fyne.NewPos(x(i-1), y(pts[i-1].score))
			s.Position2 = fyne.NewPos(px, py)
		}
	}
	r.from.Move(fyne.NewPos(left, bottom+theme.Padding()))
	r.from.Resize(fyne.NewSize(plotW/2, textH))
	r.to.Move(fyne.NewPos(left+plotW/2, bottom+theme.Padding()))
	r.to.Resize(fyne.NewSize(plotW/2, textH))
	r.empty.Move(fyne.NewPos(left, (top+bottom-textH)/2))
	r.empty.Resize(fyne.NewSize(plotW, textH))
}

func (r *scoreTrendRenderer) MinSize() fyne.Size { return r.c.MinSize() }

func (r *scoreTrendRenderer) Refresh() {
	r.build()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *scoreTrendRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *scoreTrendRenderer) Destroy()                     {}
