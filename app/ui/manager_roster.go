package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
)

// rosterSection imports an HR roster: the manager picks the file, sees the
// dry run (who would be added, updated, deactivated, and every rejected row
// with its line and reason), and only then applies it.
type rosterSection struct {
	m *managerDesk

	file    admin.RosterFile // Data nil until a file is picked
	plan    *admin.RosterPlan
	outcome *admin.RosterOutcome
	failure error // why the last dry run or apply failed, shown in place
	// uncertain: the last apply's outcome was lost, so the plan on screen
	// may be applied already; only a new dry run may be applied.
	uncertain bool
	busy      bool
	step      string // what the progress bar measures

	choose, again, apply *widget.Button
	encoding             *widget.Select
	fileText             *widget.RichText
	progressBox          *fyne.Container
	progress             *widget.ProgressBar
	progressText         *widget.Label
	result               *fyne.Container
}

func newRosterSection(m *managerDesk) *rosterSection { return &rosterSection{m: m} }

func (x *rosterSection) label() string       { return lang.X("manager.roster", "Roster import") }
func (x *rosterSection) icon() fyne.Resource { return theme.UploadIcon() }

// rosterEncodings are the encodings offered, "" (detect) first.
var rosterEncodings = []string{"", "utf-8", "gbk", "gb18030"}

func (x *rosterSection) encodingName(e string) string {
	if e == "" {
		return lang.X("manager.roster.encoding.auto", "Detect the encoding")
	}
	return strings.ToUpper(e)
}

func (x *rosterSection) buildUI() fyne.CanvasObject {
	x.choose = bigButton(lang.X("manager.roster.choose", "Choose a roster file (CSV or Excel)"), theme.FolderOpenIcon(), x.onChoose)
	x.again = widget.NewButtonWithIcon(lang.X("manager.roster.again", "Dry run again"), theme.ViewRefreshIcon(), x.dryRun)
	x.apply = widget.NewButtonWithIcon(lang.X("manager.roster.apply", "Apply the import"), theme.ConfirmIcon(), x.onApply)
	x.apply.Importance = widget.HighImportance

	names := make([]string, len(rosterEncodings))
	for i, e := range rosterEncodings {
		names[i] = x.encodingName(e)
	}
	x.encoding = widget.NewSelect(names, nil)
	x.encoding.SetSelected(x.encodingName(x.file.Encoding))
	x.encoding.OnChanged = x.onEncoding

	x.fileText = caption("")
	x.progress = widget.NewProgressBar()
	x.progressText = widget.NewLabel("")
	x.progressBox = container.NewVBox(x.progressText, x.progress)
	x.result = container.NewStack()

	top := container.NewVBox(
		container.New(&wrapLayout{}, tall(x.choose), tall(x.encoding), tall(x.again), tall(x.apply)),
		x.fileText, x.progressBox)
	x.refresh()
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, x.result))
}

// onShow has nothing to reload: the dry run on screen is the manager's
// until they pick another file or run it again.
func (x *rosterSection) onShow() {}

func (x *rosterSection) onChoose() {
	openDeskFile(x.m.s.win, []string{".csv", ".xlsx", ".txt"}, func(name string, data []byte, err error) {
		if err != nil {
			showManagerError(x.m.s.win, err)
			return
		}
		x.file = admin.RosterFile{Name: name, Data: data, Encoding: x.file.Encoding}
		x.forgetPlan()
		x.dryRun()
	})
}

func (x *rosterSection) onEncoding(name string) {
	for _, e := range rosterEncodings {
		if x.encodingName(e) == name && e != x.file.Encoding {
			x.file.Encoding = e
			if x.file.Data != nil {
				x.forgetPlan()
				x.dryRun()
			}
			return
		}
	}
}

// forgetPlan drops the dry run on screen: it was of another file (or
// encoding), and must not be applied if this one's dry run fails.
func (x *rosterSection) forgetPlan() {
	x.plan, x.outcome, x.uncertain = nil, nil, false
	x.refresh()
}

// progressFunc feeds the progress bar from the service's goroutine. The
// service counts in units of its own (bytes read, then changes written),
// so the line says how far along it is, not how many rows.
func (x *rosterSection) progressFunc() admin.Progress {
	return func(done, total int) {
		uiDo(func() {
			if total <= 0 {
				return
			}
			x.progress.Max = float64(total)
			x.progress.SetValue(float64(min(done, total)))
			x.progressText.SetText(lang.X("manager.roster.progress", "{{.Step}}: {{.Percent}}%",
				map[string]any{"Step": x.step, "Percent": min(done, total) * 100 / total}))
		})
	}
}

func (x *rosterSection) start(step string) {
	x.busy = true
	x.step = step
	x.failure = nil
	x.progress.Max = 1
	x.progress.SetValue(0)
	x.progressText.SetText(step)
	x.refresh()
}

// dryRun plans the picked file: nothing changes until Apply.
func (x *rosterSection) dryRun() {
	if x.busy || x.file.Data == nil {
		return
	}
	file := x.file
	x.start(lang.X("manager.roster.step.plan", "Dry run"))
	progress := x.progressFunc()
	x.m.runThen(func(ctx context.Context) (func(), error) {
		plan, err := x.m.svc.PlanRoster(ctx, file, progress)
		if err != nil {
			return nil, err
		}
		return func() {
			x.plan, x.outcome, x.uncertain = plan, nil, false
			x.refresh()
		}, nil
	}, x.fail, x.done)
}

func (x *rosterSection) onApply() {
	if x.busy || x.plan == nil || x.outcome != nil || x.uncertain {
		return
	}
	p := x.plan
	msg := lang.X("manager.roster.confirm", "Apply {{.File}}? {{.Add}} people will be added, {{.Update}} updated and {{.Deactivate}} deactivated; {{.Rejected}} rejected rows are left out. Every tablet of the region gets the new roster at its next sync.",
		map[string]any{"File": p.File, "Add": len(p.Add), "Update": len(p.Update), "Deactivate": len(p.Deactivate), "Rejected": p.RejectedLines()})
	d := dialog.NewConfirm(lang.X("manager.roster.confirm.title", "Apply the roster import"), msg, func(ok bool) {
		if ok {
			x.applyPlan()
		}
	}, x.m.s.win)
	d.SetConfirmText(lang.X("manager.roster.apply", "Apply the import"))
	d.SetDismissText(lang.X("dialog.cancel", "Cancel"))
	d.Resize(dialogSize(x.m.s.win))
	d.Show()
}

func (x *rosterSection) applyPlan() {
	file, digest := x.file, x.plan.Digest
	x.start(lang.X("manager.roster.step.apply", "Applying"))
	progress := x.progressFunc()
	x.m.runThen(func(ctx context.Context) (func(), error) {
		out, err := x.m.svc.ApplyRoster(ctx, file, digest, progress)
		if err != nil {
			return nil, err
		}
		return func() {
			x.outcome = out
			x.refresh()
		}, nil
	}, x.fail, x.done)
}

func (x *rosterSection) done() {
	x.busy = false
	x.refresh()
}

// fail shows why a dry run or an apply did not work. The hub being away is
// the desk's banner; the plan on screen stays either way.
func (x *rosterSection) fail(err error) {
	if errors.Is(err, admin.ErrOutcomeUnknown) {
		// The import may have been applied: applying the plan again
		// would be refused as stale at best. The manager checks the staff
		// and runs a new dry run, which shows what is left to do.
		x.uncertain = true
		x.refresh()
		showManagerError(x.m.s.win, err)
		return
	}
	if errors.Is(err, admin.ErrStale) {
		x.refresh()
		d := dialog.NewConfirm(lang.X("manager.roster.stale.title", "The roster changed"), managerMessage(err), func(ok bool) {
			if ok {
				x.dryRun()
			}
		}, x.m.s.win)
		d.SetConfirmText(lang.X("manager.roster.again", "Dry run again"))
		d.SetDismissText(lang.X("dialog.cancel", "Cancel"))
		d.Resize(dialogSize(x.m.s.win))
		d.Show()
		return
	}
	x.failure = err
	x.refresh()
}

// refresh shows the state: the buttons, the progress, the file, and the
// dry run or outcome.
func (x *rosterSection) refresh() {
	if x.choose == nil {
		return
	}
	enable(x.choose, !x.busy)
	enable(x.again, !x.busy && x.file.Data != nil)
	enable(x.apply, !x.busy && x.plan != nil && x.outcome == nil && !x.uncertain && len(x.plan.Add)+len(x.plan.Update)+len(x.plan.Deactivate) > 0)
	if x.busy {
		x.encoding.Disable()
		x.progressBox.Show()
	} else {
		x.encoding.Enable()
		x.progressBox.Hide()
	}
	if x.file.Data == nil {
		setCaption(x.fileText, lang.X("manager.roster.none", "No file chosen. Columns: 工号, 姓名, 性别, 岗位, 营业厅, and 服务证号 if badges are used. Nothing changes before you apply."))
	} else {
		setCaption(x.fileText, lang.X("manager.roster.file", "File: {{.Name}} ({{.Size}} bytes)", map[string]any{"Name": x.file.Name, "Size": formatCount(len(x.file.Data))}))
	}

	var parts []fyne.CanvasObject
	if x.uncertain {
		parts = append(parts, warningText(managerMessage(admin.ErrOutcomeUnknown)))
	}
	if x.failure != nil {
		parts = append(parts, errorText(lang.X("manager.roster.error", "The roster could not be read:")+" "+managerMessage(x.failure)+" "+x.failure.Error()))
	}
	if x.outcome != nil {
		o := x.outcome
		l := wrapped(lang.X("manager.roster.outcome", "Applied: {{.Added}} added, {{.Updated}} updated, {{.Deactivated}} deactivated; {{.Rejected}} rejected rows were left out.",
			map[string]any{"Added": o.Added, "Updated": o.Updated, "Deactivated": o.Deactivated, "Rejected": o.Rejected}))
		l.Importance = widget.SuccessImportance
		l.TextStyle.Bold = true
		parts = append(parts, l)
	}
	if x.plan == nil {
		x.result.Objects = []fyne.CanvasObject{container.NewVBox(parts...)}
		x.result.Refresh()
		return
	}
	top, grid := x.planView(x.plan)
	parts = append(parts, top)
	x.result.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(parts...), nil, nil, nil, grid)}
	x.result.Refresh()
}

// planView is the dry run: its counts and notes over four tables.
func (x *rosterSection) planView(p *admin.RosterPlan) (top, tables fyne.CanvasObject) {
	title := lang.X("manager.roster.plan", "Dry run of {{.File}}", map[string]any{"File": p.File})
	if x.outcome != nil {
		title = lang.X("manager.roster.plan.applied", "Dry run of {{.File}} (applied)", map[string]any{"File": p.File})
	}
	read := lang.X("manager.roster.read", "{{.Lines}} lines, {{.Rows}} valid rows, halls: {{.Halls}}",
		map[string]any{"Lines": formatCount(p.Lines), "Rows": formatCount(p.Rows), "Halls": strings.Join(p.Halls, ", ")})
	if p.Encoding != "" {
		read += " · " + lang.X("manager.roster.encoding", "encoding {{.Encoding}}", map[string]any{"Encoding": strings.ToUpper(p.Encoding)})
	}
	counts := lang.X("manager.roster.counts", "To add: {{.Add}} · to update: {{.Update}} · unchanged: {{.Unchanged}} · to deactivate: {{.Deactivate}} · rejected: {{.Rejected}}",
		map[string]any{"Add": len(p.Add), "Update": len(p.Update), "Unchanged": p.Unchanged, "Deactivate": len(p.Deactivate), "Rejected": p.RejectedLines()})
	summary := lines(title, false, detail(read), &widget.TextSegment{Text: counts, Style: widget.RichTextStyleParagraph})
	box := container.NewVBox(summary)
	if p.HeldBack {
		box.Add(colouredCaption(lang.X("manager.roster.heldback", "Nobody will be deactivated: a rejected row could not be tied to a person, and that person might be among those this import would deactivate. Fix the rejected rows and run the dry run again."), theme.ColorNameWarning))
	}
	for _, w := range p.Warnings {
		box.Add(colouredCaption(lang.X("manager.roster.warning", "Warning:")+" "+w, theme.ColorNameWarning))
	}

	rejects := newDeskTable(func() int { return len(p.Rejects) },
		deskColumn{title: lang.X("manager.roster.col.line", "Line"), weight: 0.6, min: 56, text: func(i int) string { return itoa(p.Rejects[i].Line) }},
		deskColumn{title: lang.X("manager.roster.col.reason", "Reason"), weight: 4, min: 160, text: func(i int) string { return p.Rejects[i].Reason }},
		deskColumn{title: lang.X("manager.roster.col.row", "Row"), weight: 2, min: 120, text: func(i int) string { return strings.Join(p.Rejects[i].Row, " | ") }},
	)
	rejects.danger = func(int) bool { return true }
	// The reason is often longer than its column: a tap shows it whole.
	rejectLine := colouredCaption("", theme.ColorNameError)
	rejectLine.Hide()
	rejects.onRow = func(i int) {
		r := p.Rejects[i]
		setCaption(rejectLine, lang.X("manager.roster.reject", "Line {{.Line}}: {{.Reason}} ({{.Row}})",
			map[string]any{"Line": r.Line, "Reason": r.Reason, "Row": strings.Join(r.Row, " | ")}))
		rejectLine.Show()
	}
	add := newDeskTable(func() int { return len(p.Add) }, x.changeColumns(p.Add, false)...)
	update := newDeskTable(func() int { return len(p.Update) }, x.changeColumns(p.Update, true)...)
	deactivate := newDeskTable(func() int { return len(p.Deactivate) },
		deskColumn{title: lang.X("manager.roster.col.employee", "Employee no."), weight: 1, min: 100, text: func(i int) string { return p.Deactivate[i].EmployeeNo }},
		deskColumn{title: lang.X("manager.roster.col.name", "Name"), weight: 1, min: 80, text: func(i int) string { return p.Deactivate[i].Name }},
		deskColumn{title: lang.X("manager.roster.col.hall", "Hall"), weight: 2, min: 120, text: func(i int) string { return p.Deactivate[i].HallName }},
		deskColumn{title: lang.X("manager.roster.col.role", "Role"), weight: 1, min: 110, text: func(i int) string { return roleName(p.Deactivate[i].Role) }},
	)
	// What needs the manager's eye comes first: the rejected rows, wider
	// for their reasons, and who would lose their place on the roster.
	attention := container.NewHSplit(
		x.tablePanel(rejectsTitle(p), len(p.Rejects), rejects, true, rejectLine),
		x.tablePanel(lang.X("manager.roster.deactivate", "To deactivate: {{.Count}}", map[string]any{"Count": len(p.Deactivate)}), len(p.Deactivate), deactivate, true))
	attention.Offset = 0.58
	changes := container.NewHSplit(
		x.tablePanel(lang.X("manager.roster.add", "To add: {{.Count}}", map[string]any{"Count": len(p.Add)}), len(p.Add), add, false),
		x.tablePanel(lang.X("manager.roster.update", "To update: {{.Count}}", map[string]any{"Count": len(p.Update)}), len(p.Update), update, false))
	tables = container.NewVSplit(attention, changes)
	return box, tables
}

// rejectsTitle counts the rejected rows, as the outcome will, and the
// reasons when a row has more than one.
func rejectsTitle(p *admin.RosterPlan) string {
	lines := p.RejectedLines()
	if len(p.Rejects) > lines {
		return lang.X("manager.roster.rejects.reasons", "Rejected rows: {{.Count}} ({{.Reasons}} reasons)", map[string]any{"Count": lines, "Reasons": len(p.Rejects)})
	}
	return lang.X("manager.roster.rejects", "Rejected rows: {{.Count}}", map[string]any{"Count": lines})
}

// changeColumns are the columns of people added or updated; an update
// lists its changes ("field: old → new").
func (x *rosterSection) changeColumns(rows []admin.RosterChange, update bool) []deskColumn {
	cols := []deskColumn{
		{title: lang.X("manager.roster.col.line", "Line"), weight: 0.6, min: 56, text: func(i int) string { return itoa(rows[i].Line) }},
		{title: lang.X("manager.roster.col.employee", "Employee no."), weight: 1, min: 100, text: func(i int) string { return rows[i].EmployeeNo }},
		{title: lang.X("manager.roster.col.name", "Name"), weight: 1, min: 80, text: func(i int) string { return rows[i].Name }},
	}
	if update {
		return append(cols, deskColumn{title: lang.X("manager.roster.col.changes", "Changes"), weight: 4, min: 160, text: func(i int) string { return strings.Join(rows[i].Changes, "; ") }})
	}
	return append(cols,
		deskColumn{title: lang.X("manager.roster.col.hall", "Hall"), weight: 2, min: 120, text: func(i int) string { return rows[i].HallName }},
		deskColumn{title: lang.X("manager.roster.col.role", "Role"), weight: 1, min: 80, text: func(i int) string { return roleName(rows[i].Role) }},
		deskColumn{title: lang.X("manager.roster.col.gender", "Gender"), weight: 0.6, min: 50, text: func(i int) string { return genderName(rows[i].Gender) }},
	)
}

// tablePanel is one part of the dry run: a heading (in the error colour
// when it asks for attention) over its table, or a note that it is empty.
func (x *rosterSection) tablePanel(title string, n int, t *deskTable, attention bool, notes ...fyne.CanvasObject) fyne.CanvasObject {
	head := bold(title)
	if attention && n > 0 {
		head.Importance = widget.DangerImportance
	}
	var body fyne.CanvasObject = t.object()
	if n == 0 {
		body = container.NewVBox(caption(lang.X("manager.roster.empty", "None.")))
	}
	return container.NewPadded(panel(container.NewVBox(append([]fyne.CanvasObject{head}, notes...)...), body))
}
