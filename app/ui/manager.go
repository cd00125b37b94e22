package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/standard"
)

// AdminFor gives the manager's work for a signed-in manager: over the hub
// when this desktop is enrolled with one, on the local database otherwise.
type AdminFor func(ctx context.Context, user flow.User) (admin.Service, error)

// WithAdmin makes the manager's screens reachable for managers. Without
// it, a manager signs in to the supervisor's screens only.
func WithAdmin(f AdminFor) Option { return func(s *session) { s.adminFor = f } }

// errNotManager: someone other than a manager asked for the desk. The home
// screen offers the desk to managers only; this is the second lock.
var errNotManager = fmt.Errorf("open the manager's desk: %w", admin.ErrForbidden)

// canManage reports whether the signed-in user may open the manager's desk
// on this app: a manager, with the manager's screens wired.
func (s *session) canManage() bool { return s.user.Manager && s.adminFor != nil }

// openManagerDesk asks for the manager's service off the UI thread (over
// the hub it may take a moment) and pushes the desk. done, if not nil, runs
// on the UI thread when the attempt is over, whatever its outcome.
func (s *session) openManagerDesk(done func()) {
	finish := func() {
		if done != nil {
			done()
		}
	}
	if !s.canManage() {
		finish()
		showManagerError(s.win, errNotManager)
		return
	}
	user := s.user
	inBackground(func() func() {
		ctx := s.ctx()
		svc, err := s.adminFor(ctx, user)
		var scope admin.Scope
		if err == nil {
			scope, err = svc.Scope(ctx)
		}
		return serialised(func() {
			finish()
			if err != nil {
				showManagerError(s.win, err)
				return
			}
			// The user may have signed out while the hub answered.
			if s.user.ID != user.ID {
				return
			}
			s.nav.push(newManagerDesk(s, svc, scope))
		})
	}, serialisedErr(func(err error) {
		finish()
		showManagerError(s.win, err)
	}))
}

// managerSection is one part of the manager's desk, shown when its entry in
// the side list is chosen.
type managerSection interface {
	label() string
	icon() fyne.Resource
	// buildUI makes the section's widgets; it runs again after a language
	// switch, so what the manager typed or chose lives in the section, not
	// in its widgets.
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

	current int                 // the section shown
	built   []fyne.CanvasObject // each section's UI, nil until first shown
	rows    []*tapRow           // the side list
	content *fyne.Container     // holds the current section's UI

	// grades maps grade band IDs to their names in the UI language, loaded
	// once per desk (see gradeName).
	grades map[string]string
	bands  []standard.GradeBand // best first, for the score trend's lines
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

// actions says where the desk's data lives: a hub, or this computer.
func (m *managerDesk) actions() []fyne.CanvasObject {
	where := lang.X("manager.where.local", "On this computer's database")
	if m.scope.Remote {
		where = lang.X("manager.where.hub", "On the hub {{.URL}}", map[string]any{"URL": m.scope.HubURL})
	}
	region := m.scope.RegionName
	if m.scope.RegionID == "" {
		region = lang.X("manager.region.all", "Every region")
	}
	line := caption(region + " · " + where)
	line.Wrapping = fyne.TextWrapOff
	return []fyne.CanvasObject{container.NewCenter(line)}
}

// sideWidth is the width of the side list of sections.
const sideWidth = 230

func (m *managerDesk) buildUI() fyne.CanvasObject {
	m.banner = newHubBanner(m.onRetry)
	m.built = make([]fyne.CanvasObject, len(m.sections))
	m.rows = make([]*tapRow, len(m.sections))
	side := container.NewVBox()
	for i, sec := range m.sections {
		row := newTapRow(container.NewBorder(nil, nil, widget.NewIcon(sec.icon()), nil, widget.NewLabel(sec.label())), func() { m.onSection(i) })
		m.rows[i] = row
		side.Add(row)
	}
	side.Add(minSize(sideWidth, 0))
	m.content = container.NewStack()
	m.showSection(m.current)
	if m.grades == nil {
		m.loadGrades()
	}
	body := container.NewBorder(nil, nil,
		container.NewHBox(container.NewVScroll(container.NewPadded(side)), widget.NewSeparator()), nil,
		m.content)
	return container.NewBorder(m.banner.box, nil, nil, nil, body)
}

func (m *managerDesk) onSection(i int) {
	if i == m.current && m.built[i] != nil {
		m.sections[i].onShow() // a second tap reloads
		return
	}
	m.showSection(i)
}

// showSection shows section i, building it the first time, and reloads it.
func (m *managerDesk) showSection(i int) {
	m.current = i
	for j, r := range m.rows {
		if j == i {
			r.setTone(toneSelected)
		} else {
			r.setTone(toneNone)
		}
	}
	if m.built[i] == nil {
		m.built[i] = m.sections[i].buildUI()
	}
	m.content.Objects = []fyne.CanvasObject{m.built[i]}
	m.content.Refresh()
	m.sections[i].onShow()
}

// onRetry reloads the section on screen: the banner's button, once the
// network is back.
func (m *managerDesk) onRetry() { m.sections[m.current].onShow() }

// run calls the service off the UI thread and applies the result on it.
// When the hub cannot be reached it shows the banner and leaves the screen
// as it was (fail is not called); other errors go to fail, or a dialog
// when fail is nil.
func (m *managerDesk) run(work func(ctx context.Context) (apply func(), err error), fail func(error)) {
	m.runThen(work, fail, nil)
}

// runThen is run with settle called on the UI thread first, whatever the
// outcome (the hub being away included): the place to re-enable a button.
func (m *managerDesk) runThen(work func(ctx context.Context) (apply func(), err error), fail func(error), settle func()) {
	finish := func() {
		if settle != nil {
			settle()
		}
	}
	inBackground(func() func() {
		apply, err := work(m.s.ctx())
		if err != nil {
			return serialised(func() {
				finish()
				m.failed(err, fail)
			})
		}
		return serialised(func() {
			finish()
			m.banner.hide()
			if apply != nil {
				apply()
			}
		})
	}, serialisedErr(func(err error) {
		finish()
		m.failed(err, fail)
	}))
}

// deskUI serialises what the desk's background calls do to its widgets.
// The app's driver runs them one by one on the main thread, where the lock
// is never contended; Fyne's test driver runs each on the goroutine that
// asks, so without it two answers arriving together would touch the same
// list at once.
var deskUI sync.Mutex

func serialised(f func()) func() {
	return func() {
		deskUI.Lock()
		defer deskUI.Unlock()
		f()
	}
}

func serialisedErr(f func(error)) func(error) {
	return func(err error) {
		deskUI.Lock()
		defer deskUI.Unlock()
		f(err)
	}
}

// onUI runs f on the UI thread, serialised with the answers of run: for
// progress reported from the service's goroutine.
func onUI(f func()) { fyne.Do(serialised(f)) }

func (m *managerDesk) failed(err error, fail func(error)) {
	if errors.Is(err, admin.ErrUnavailable) {
		m.banner.show(err)
		return
	}
	if fail != nil {
		fail(err)
		return
	}
	showManagerError(m.s.win, err)
}

// loadGrades reads the grade bands' names once, so that lists can show a
// grade's name rather than its ID.
func (m *managerDesk) loadGrades() {
	m.grades = map[string]string{}
	m.run(func(ctx context.Context) (func(), error) {
		fc, err := m.svc.FilterChoices(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			m.bands = fc.Grades
			for _, g := range fc.Grades {
				m.grades[g.ID] = m.s.text(g.Name)
			}
		}, nil
	}, func(err error) { fyne.LogError("read the grade bands", err) })
}

// gradeName is a grade band's name, or its ID before the names are known.
func (m *managerDesk) gradeName(id string) string {
	if n, ok := m.grades[id]; ok {
		return n
	}
	return id
}

// hubBanner says the hub cannot be reached, above whatever is on screen.
type hubBanner struct {
	text  *widget.Label
	retry *widget.Button
	box   *fyne.Container
}

func newHubBanner(retry func()) *hubBanner {
	b := &hubBanner{text: widget.NewLabel("")}
	b.text.Wrapping = fyne.TextWrapWord
	b.text.Importance = widget.DangerImportance
	b.retry = widget.NewButtonWithIcon(lang.X("manager.hub.retry", "Try again"), theme.ViewRefreshIcon(), retry)
	row := container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), container.NewCenter(tall(b.retry)), b.text)
	b.box = container.NewVBox(container.NewPadded(row), widget.NewSeparator())
	b.box.Hide()
	return b
}

func (b *hubBanner) show(err error) {
	b.text.SetText(lang.X("manager.hub.unreachable", "The hub cannot be reached. What is on screen is kept; try again when the network is back.") + "\n" + err.Error())
	b.box.Show()
}

func (b *hubBanner) hide() { b.box.Hide() }

// managerMessage says in the UI language what went wrong with a manager's
// call; errors the supervisor's screens also meet keep their messages.
func managerMessage(err error) string {
	switch {
	case errors.Is(err, errNoReason):
		return lang.X("manager.devices.reason.missing", "Say why the device is revoked.")
	case errors.Is(err, admin.ErrForbidden):
		return lang.X("manager.error.forbidden", "Only a manager's account can open the manager's desk.")
	case errors.Is(err, admin.ErrStale):
		return lang.X("manager.error.stale", "The roster changed since this dry run, so nothing was applied. Run the dry run again and check it.")
	case errors.Is(err, admin.ErrUnavailable):
		return lang.X("manager.hub.unreachable", "The hub cannot be reached. What is on screen is kept; try again when the network is back.")
	case errors.Is(err, admin.ErrNotFound):
		return lang.X("manager.error.not_found", "This is not in your region, or no longer exists. Reload the list.")
	}
	return errorMessage(err)
}

// showManagerError shows err in a dialog over the desk, which stays as it
// was.
func showManagerError(w fyne.Window, err error) {
	if err == nil {
		return
	}
	d := dialog.NewCustom(lang.X("error.title", "Could not complete"), lang.X("dialog.ok", "OK"),
		container.NewVBox(wrapped(managerMessage(err)), caption(err.Error())), w)
	d.Resize(dialogSize(w))
	d.Show()
}

// maxDeskFile bounds what is read from a picked roster or standard file: a
// roster of every hall is a few megabytes.
const maxDeskFile = 64 << 20

// pickDeskFile asks for a file with one of exts (".csv") and calls done with
// its name and bytes, not at all when cancelled. Tests replace it
// (manager_export_test.go) to hand the screen any bytes.
var pickDeskFile = func(w fyne.Window, exts []string, done func(name string, data []byte, err error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			done("", nil, err)
			return
		}
		if r == nil {
			return // cancelled
		}
		defer r.Close()
		name := r.URI().Name()
		data, err := io.ReadAll(io.LimitReader(r, maxDeskFile+1))
		if err == nil && len(data) > maxDeskFile {
			err = fmt.Errorf("read %s: larger than %d MB: %w", name, maxDeskFile>>20, admin.ErrInvalid)
		}
		if err != nil {
			done(name, nil, fmt.Errorf("read %s: %w", name, err))
			return
		}
		done(name, data, nil)
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Resize(w.Canvas().Size())
	d.Show()
}

// deskColumn is a column of a deskTable: its title, its share of the
// table's width (at least min), and the text of a row's cell.
type deskColumn struct {
	title  string
	weight float32
	min    float32
	mono   bool // IDs and hashes, in a fixed-width font
	text   func(row int) string
}

// deskTable is a virtualised table with a header row whose columns share
// the width it is given, so a 1920 px desk and a 1280 px one both use their
// width. A tap chooses a whole row, shown in bold.
type deskTable struct {
	table    *widget.Table
	cols     []deskColumn
	rows     func() int
	selected int // -1: none
	onRow    func(row int)
	// danger, if set, says which rows to show in the error colour (a
	// revoked device).
	danger func(row int) bool
	width  float32
}

func newDeskTable(rows func() int, cols ...deskColumn) *deskTable {
	d := &deskTable{cols: cols, rows: rows, selected: -1}
	d.table = widget.NewTableWithHeaders(
		func() (int, int) { return d.rows(), len(d.cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		d.updateCell)
	d.table.ShowHeaderColumn = false
	d.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	d.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(d.cols) {
			o.(*widget.Label).SetText(d.cols[id.Col].title)
		}
	}
	d.table.OnSelected = func(id widget.TableCellID) {
		d.table.UnselectAll()
		if d.onRow == nil || id.Row < 0 || id.Row >= d.rows() {
			return
		}
		d.selected = id.Row
		d.table.Refresh()
		d.onRow(id.Row)
	}
	return d
}

func (d *deskTable) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= d.rows() || id.Col >= len(d.cols) {
		l.SetText("")
		return
	}
	l.TextStyle.Bold = id.Row == d.selected
	l.TextStyle.Monospace = d.cols[id.Col].mono
	l.Importance = widget.MediumImportance
	if d.danger != nil && d.danger(id.Row) {
		l.Importance = widget.DangerImportance
	}
	l.SetText(d.cols[id.Col].text(id.Row))
}

// refresh shows the rows again, after the data changed.
func (d *deskTable) refresh() {
	if d.selected >= d.rows() {
		d.selected = -1
	}
	d.table.Refresh()
}

// object is the table to put on screen.
func (d *deskTable) object() fyne.CanvasObject {
	return container.New(deskTableLayout{d}, d.table)
}

// fit shares width among the columns by weight.
func (d *deskTable) fit(width float32) {
	if width == d.width {
		return
	}
	d.width = width
	var total, mins float32
	for _, c := range d.cols {
		total += c.weight
		mins += c.min
	}
	// The vertical scroll bar and the separators between cells.
	avail := width - theme.ScrollBarSize() - float32(len(d.cols))*theme.Padding()
	// Every column gets its minimum, and the rest of the width is shared
	// by weight.
	extra := max(avail-mins, 0)
	for i, c := range d.cols {
		w := c.min
		if total > 0 {
			w += extra * c.weight / total
		}
		d.table.SetColumnWidth(i, w)
	}
}

type deskTableLayout struct{ d *deskTable }

func (l deskTableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.d.fit(size.Width)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l deskTableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, c := range l.d.cols {
		w += c.min
	}
	// A header and three rows at least.
	return fyne.NewSize(min(w, 320), 4*touchTarget)
}

// deskRow is what a deskList shows of one row.
type deskRow struct {
	title, detail string
	muted         bool // an inactive person, a revoked device
}

// deskList is a virtualised list of tappable rows, each a title and a line
// of detail, with the chosen one highlighted.
type deskList struct {
	list     *widget.List
	count    func() int
	row      func(i int) deskRow
	onTap    func(i int)
	selected int // -1: none
}

func newDeskList(count func() int, row func(i int) deskRow, onTap func(i int)) *deskList {
	d := &deskList{count: count, row: row, onTap: onTap, selected: -1}
	d.list = widget.NewList(count, func() fyne.CanvasObject {
		rt := lines("Title", false, detail("Detail"))
		rt.Wrapping = fyne.TextWrapOff
		rt.Truncation = fyne.TextTruncateEllipsis
		return newTapRow(rt, nil)
	}, d.update)
	return d
}

func (d *deskList) update(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= d.count() {
		return
	}
	r := d.row(id)
	row := o.(*tapRow)
	setLines(row.content.(*widget.RichText), r.title, r.detail)
	row.onTapped = func() { d.tap(id) }
	switch {
	case id == d.selected:
		row.setTone(toneSelected)
	case r.muted:
		row.setTone(toneMuted)
	default:
		row.setTone(toneNone)
	}
}

func (d *deskList) tap(i int) {
	if i >= d.count() {
		return
	}
	d.selected = i
	d.list.Refresh()
	if d.onTap != nil {
		d.onTap(i)
	}
}

// refresh shows the rows again; sel is the row to highlight (-1: none).
func (d *deskList) refresh(sel int) {
	d.selected = sel
	d.list.Refresh()
}

// panel is a titled part of a section: a heading over its content.
func panel(title fyne.CanvasObject, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(title, nil, nil, nil, content)
}

// deskHint says what an empty pane will show, at its top.
func deskHint(text string) fyne.CanvasObject {
	return container.NewVBox(container.NewPadded(caption(text)))
}

// deskHash is the start of a seal hash, longer than the tablet's
// shortHash: a manager compares two hashes of one record.
func deskHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

// dateOrNever shows a date, or that there is none yet.
func dateOrNever(t time.Time) string {
	if t.IsZero() {
		return lang.X("manager.never", "never")
	}
	return formatTime(t)
}
