package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
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
	dsync "github.com/dudao-app/dudao/app/sync"
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
// on the UI thread when the attempt is over, whatever its outcome. If the
// user signs out meanwhile, the answer is dropped: no desk, no dialog over
// the next user's screen.
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
	user, signedIn := s.user, s.userContext()
	inBackground(func() func() {
		svc, err := s.adminFor(signedIn, user)
		var scope admin.Scope
		if err == nil {
			scope, err = svc.Scope(signedIn)
		}
		return func() {
			finish()
			if signedIn.Err() != nil {
				return // signed out while the hub answered
			}
			if err != nil {
				showOpenDeskError(s.win, err)
				return
			}
			s.nav.push(newManagerDesk(s, signedIn, svc, scope))
		}
	}, func(err error) {
		finish()
		if signedIn.Err() == nil {
			showOpenDeskError(s.win, err)
		}
	})
}

// showOpenDeskError says why the desk did not open. The desk is not there
// to keep anything on screen, so an unreachable hub gets a message of its
// own rather than the banner's.
func showOpenDeskError(w fyne.Window, err error) {
	if errors.Is(err, admin.ErrUnavailable) {
		showDeskDialog(w, lang.X("manager.hub.unreachable.open", "The hub cannot be reached, so the manager's desk cannot open. Check the network connection and try again."), err)
		return
	}
	showManagerError(w, err)
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

	// ctx is the context of every call the desk makes. It ends when the
	// desk is left (onLeave) or the manager signs out: calls still running
	// are cancelled and their answers dropped, so a late export does not
	// offer its file, nor an error pop up, over someone else's screen.
	ctx    context.Context
	cancel context.CancelFunc

	// bands are the grade bands of the newest standard, best first: a list
	// shows a grade's name rather than its ID (gradeName), the score trend
	// draws their lines. nil until read; a failed read is tried again the
	// next time a section shows.
	bands         []standard.GradeBand
	readingGrades bool

	// alerting is set while a dialog says what stops the whole desk (see
	// deskWide), so that the calls meeting it together show it once. The
	// dialog clears it from wherever it is closed.
	alerting atomic.Bool
}

// newManagerDesk is the desk of the manager signed in; signedIn ends when
// they sign out.
func newManagerDesk(s *session, signedIn context.Context, svc admin.Service, scope admin.Scope) *managerDesk {
	m := &managerDesk{s: s, svc: svc, scope: scope}
	m.ctx, m.cancel = context.WithCancel(signedIn)
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
	m.loadGrades()
}

// onLeave ends the desk's calls: the manager went back to the home screen.
func (m *managerDesk) onLeave() { m.cancel() }

// onRetry reloads the section on screen: the banner's button, once the
// network is back.
func (m *managerDesk) onRetry() {
	m.sections[m.current].onShow()
	m.loadGrades()
}

// run calls the service off the UI thread and applies the result on it.
// When the hub cannot be reached it shows the banner and leaves the screen
// as it was (fail is not called); other errors go to fail, or a dialog
// when fail is nil.
func (m *managerDesk) run(work func(ctx context.Context) (apply func(), err error), fail func(error)) {
	m.runThen(work, fail, nil)
}

// runThen is run with settle called on the UI thread first, whatever the
// outcome (the hub being away included): the place to re-enable a button.
// An answer that arrives after the desk was left (m.ctx ended) is dropped,
// settle included: the desk is no longer on screen.
func (m *managerDesk) runThen(work func(ctx context.Context) (apply func(), err error), fail func(error), settle func()) {
	ctx := m.ctx
	finish := func() {
		if settle != nil {
			settle()
		}
	}
	inBackground(func() func() {
		apply, err := work(ctx)
		return func() {
			if ctx.Err() != nil {
				return
			}
			finish()
			if err != nil {
				m.failed(err, fail)
				return
			}
			m.banner.hide()
			if apply != nil {
				apply()
			}
		}
	}, func(err error) {
		if ctx.Err() != nil {
			return
		}
		finish()
		m.failed(err, fail)
	})
}

// failed shows why a call did not work. The hub being away is the banner,
// over a screen that stays as it was. What no section can do anything
// about (this computer's trust in the hub, the app's or the hub's version,
// the hub refusing this account or computer) is a dialog; anything else
// goes to the section's fail, or a dialog when it has none.
func (m *managerDesk) failed(err error, fail func(error)) {
	switch {
	case errors.Is(err, admin.ErrUnavailable):
		m.banner.show(err)
	case deskWide(err):
		// Every call meets it: one dialog says it, not one per call.
		if !m.alerting.CompareAndSwap(false, true) {
			return
		}
		d := deskDialog(m.s.win, managerMessage(err), err)
		d.SetOnClosed(func() { m.alerting.Store(false) })
		d.Show()
	case fail == nil:
		showManagerError(m.s.win, err)
	default:
		fail(err)
	}
}

// deskWide reports whether err is about the desk as a whole rather than
// the call that met it.
func deskWide(err error) bool {
	for _, target := range []error{dsync.ErrCertChanged, dsync.ErrUpdateRequired, dsync.ErrHubTooOld, admin.ErrForbidden} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// loadGrades reads the grade bands, unless they are known or being read.
// Sections show grade IDs until then, and are asked to show names once
// the bands come (gradesRead).
func (m *managerDesk) loadGrades() {
	if m.bands != nil || m.readingGrades {
		return
	}
	m.readingGrades = true
	m.runThen(func(ctx context.Context) (func(), error) {
		fc, err := m.svc.FilterChoices(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			m.bands = fc.Grades
			if m.bands == nil {
				m.bands = []standard.GradeBand{} // read: no standard yet
			}
			for i, sec := range m.sections {
				if r, ok := sec.(interface{ gradesRead() }); ok && m.built[i] != nil {
					r.gradesRead()
				}
			}
		}, nil
	}, func(err error) {
		// The lists show grade IDs meanwhile; the next section shown
		// tries again.
		fyne.LogError("read the grade bands", err)
	}, func() { m.readingGrades = false })
}

// gradeName is a grade band's name in the UI language as it is now, or its
// ID before the bands are read.
func (m *managerDesk) gradeName(id string) string {
	for _, b := range m.bands {
		if b.ID == id {
			return m.s.text(b.Name)
		}
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
	var tooLarge *deskFileTooLarge
	switch {
	case errors.Is(err, errNoReason):
		return lang.X("manager.devices.reason.missing", "Say why the device is revoked.")
	case errors.As(err, &tooLarge):
		return lang.X("manager.file.too_large", "{{.Name}} is larger than {{.Limit}} MB, the most a file can be. Nothing was read from it.",
			map[string]any{"Name": tooLarge.name, "Limit": tooLarge.limit >> 20})
	case errors.Is(err, errNotManager):
		return lang.X("manager.error.forbidden", "Only a manager's account can open the manager's desk.")
	case errors.Is(err, dsync.ErrCertChanged):
		return lang.X("manager.error.certificate_changed", "The hub's certificate is not the one this computer trusts, so nothing was sent. Someone may be intercepting the connection, or the hub was replaced: ask the hub's administrator before connecting again.")
	case errors.Is(err, dsync.ErrUpdateRequired):
		return lang.X("manager.error.update_required", "This version of Dudao is too old for the hub. Update the app on this computer; nothing was changed.")
	case errors.Is(err, dsync.ErrRevoked):
		return lang.X("manager.error.revoked", "The hub has revoked this computer, so the manager's desk cannot use the hub. Ask the hub's administrator to enrol this computer again.")
	case errors.Is(err, admin.ErrForbidden):
		// The hub's own words (a disabled account, a computer enrolled for
		// another manager) follow under the message.
		return lang.X("manager.error.refused", "This is not allowed for your account or for this computer:")
	case errors.Is(err, admin.ErrOutcomeUnknown):
		return lang.X("manager.error.outcome_unknown", "The answer to the import was lost, so it is not known whether the roster was changed. Check the staff list before importing again: a new dry run shows what is still to be done.")
	case errors.Is(err, admin.ErrStale):
		return lang.X("manager.error.stale", "The roster changed since this dry run, so nothing was applied. Run the dry run again and check it.")
	case errors.Is(err, admin.ErrUnavailable):
		return lang.X("manager.hub.unreachable", "The hub cannot be reached. What is on screen is kept; try again when the network is back.")
	case errors.Is(err, admin.ErrBusy):
		return lang.X("manager.error.busy", "The hub is busy with other managers' work, so nothing was started. Try again in a minute.")
	case errors.Is(err, dsync.ErrInternal):
		return lang.X("manager.error.hub_failed", "The hub failed while doing this. Try again; if it keeps failing, ask the hub's administrator to look at its log.")
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
	showDeskDialog(w, managerMessage(err), err)
}

// showDeskDialog shows message over the window with err's own text under
// it, in small print, for whoever is asked to help.
func showDeskDialog(w fyne.Window, message string, err error) { deskDialog(w, message, err).Show() }

func deskDialog(w fyne.Window, message string, err error) dialog.Dialog {
	d := dialog.NewCustom(lang.X("error.title", "Could not complete"), lang.X("dialog.ok", "OK"),
		container.NewVBox(wrapped(message), errorDetail(message, err)), w)
	d.Resize(dialogSize(w))
	return d
}

// deskFileTooLarge is a picked file larger than the hub accepts.
type deskFileTooLarge struct {
	name  string
	limit int
}

func (e *deskFileTooLarge) Error() string {
	return fmt.Sprintf("read %s: larger than %d MB", e.name, e.limit>>20)
}

func (e *deskFileTooLarge) Unwrap() error { return admin.ErrInvalid }

// openDeskFile asks for a file with one of exts (".csv") and calls done
// with its name and bytes, not at all when cancelled. A file larger than
// the hub accepts (admin.MaxUploadBytes) is an error that says so.
func openDeskFile(w fyne.Window, exts []string, done func(name string, data []byte, err error)) {
	pickDeskFile(w, exts, admin.MaxUploadBytes, func(name string, data []byte, err error) {
		if err == nil && len(data) > admin.MaxUploadBytes {
			err = &deskFileTooLarge{name: name, limit: admin.MaxUploadBytes}
		}
		if err != nil {
			done(name, nil, err)
			return
		}
		done(name, data, nil)
	})
}

// pickDeskFile shows the file dialog and reads at most limit+1 bytes of the
// file picked, so that openDeskFile can tell a file that is too large.
// Tests replace it (manager_export_test.go) to hand the screen any bytes.
var pickDeskFile = func(w fyne.Window, exts []string, limit int, done func(name string, data []byte, err error)) {
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
		data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
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
