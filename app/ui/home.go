package ui

import (
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// home is where a signed-in user lands: for a manager, the way to the
// manager's desk first; then drafts to resume (an interrupted visit is the
// likeliest reason to open the app), a new inspection and the history.
type home struct {
	s        *session
	drafts   []flow.Summary
	draftBox *fyne.Container
	pending  *widget.Button // nil without sync
	panel    *syncPanel
	manager  *widget.Button // nil for a supervisor
}

func newHome(s *session) *home { return &home{s: s} }

func (h *home) title() string {
	return lang.X("home.title", "Hello, {{.Name}}", map[string]any{"Name": h.s.user.Name})
}

func (h *home) actions() []fyne.CanvasObject {
	settings := widget.NewButtonWithIcon(lang.X("home.settings", "Settings"), theme.SettingsIcon(), h.onSettings)
	settings.Importance = widget.LowImportance
	return []fyne.CanvasObject{settings}
}

func (h *home) buildUI() fyne.CanvasObject {
	h.draftBox = container.NewVBox()
	h.loadDrafts()

	newInsp := bigButton(lang.X("home.new", "New inspection"), theme.ContentAddIcon(), h.onNew)
	history := widget.NewButtonWithIcon(lang.X("home.history", "History"), theme.HistoryIcon(), h.onHistory)

	body := container.NewVBox()
	// A manager's desktop opens on the same home screen: the desk comes
	// first, and a manager may still inspect. A supervisor never sees it.
	if h.s.canManage() {
		h.manager = bigButton(lang.X("home.manager", "Manager's desk"), theme.AccountIcon(), h.onManager)
		body.Add(heading(lang.X("home.manager.heading", "Manage the region")))
		body.Add(tall(h.manager))
		body.Add(widget.NewSeparator())
	}
	body.Add(heading(lang.X("home.drafts", "Continue an inspection")))
	body.Add(h.draftBox)
	body.Add(widget.NewSeparator())
	body.Add(tall(newInsp))
	body.Add(tall(history))
	if h.s.sync.enabled() {
		h.pending = widget.NewButtonWithIcon(lang.X("home.pending", "Not delivered to the hub"), theme.UploadIcon(), h.onPending)
		body.Add(widget.NewSeparator())
		body.Add(heading(lang.X("home.sync", "Sync with the hub")))
		h.panel = newSyncPanel(h.s.sync, h)
		h.s.sync.watch(h, h.panelChanged)
		h.panelChanged()
		body.Add(h.panel.box)
		body.Add(tall(h.pending))
	}
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

func (h *home) onShow() {
	h.loadDrafts()
	if h.panel != nil {
		h.panelChanged()
	}
}

// panelChanged refreshes the sync panel and the count of records not
// delivered.
func (h *home) panelChanged() {
	h.panel.refresh()
	// Counted off the UI thread: a tablet that has not synced for months
	// holds thousands of records, and the home screen must not wait on them.
	sy, ctx := h.s.sync.sy, h.s.ctx()
	inBackground(func() func() {
		n, err := sy.PendingCount(ctx)
		if err != nil {
			fyne.LogError("count records not delivered", err)
			return nil
		}
		return func() {
			h.pending.SetText(lang.X("home.pending.count", "Not delivered to the hub: {{.Count}}", map[string]any{"Count": n}))
		}
	}, func(err error) { fyne.LogError("count records not delivered", err) })
}

func (h *home) onPending() { h.s.nav.push(newPending(h.s)) }

func (h *home) loadDrafts() {
	drafts, err := h.s.wf.Drafts(h.s.ctx(), h.s.user)
	h.drafts = drafts
	h.draftBox.RemoveAll()
	switch {
	case err != nil:
		h.draftBox.Add(errorText(lang.X("home.error.drafts", "Could not read the drafts:") + " " + err.Error()))
	case len(drafts) == 0:
		h.draftBox.Add(caption(lang.X("home.drafts.none", "No inspection in progress.")))
	}
	for i, d := range drafts {
		text := lines(d.HallName, true, detail(lang.X("home.draft.detail", "Started {{.Time}} · people: {{.People}} · findings: {{.Findings}}",
			map[string]any{"Time": formatTime(d.StartedAt), "People": d.People, "Findings": d.Findings})))
		resume := widget.NewButtonWithIcon(lang.X("home.resume", "Resume"), theme.NavigateNextIcon(), func() { h.onResume(i) })
		resume.Importance = widget.HighImportance
		row := newTapRow(container.NewBorder(nil, nil, nil, container.NewCenter(resume), text), func() { h.onResume(i) })
		row.tone = toneCard
		h.draftBox.Add(row)
	}
	h.draftBox.Refresh()
}

func (h *home) onResume(i int) {
	if i >= len(h.drafts) {
		return
	}
	d, err := h.s.wf.Open(h.s.ctx(), h.drafts[i].ID)
	if err != nil {
		showError(h.s.win, err)
		return
	}
	h.s.nav.push(newInspection(h.s, d))
}

// onManager opens the manager's desk; the button waits while the hub
// answers, so a second tap does not open it twice.
func (h *home) onManager() {
	if h.manager.Disabled() {
		return
	}
	h.manager.Disable()
	h.s.openManagerDesk(h.manager.Enable)
}

func (h *home) onNew()      { h.s.nav.push(newHallPicker(h.s)) }
func (h *home) onHistory()  { h.s.nav.push(newHistory(h.s)) }
func (h *home) onSettings() { h.s.nav.push(newSettings(h.s)) }

// formatTime shows a time in the halls' zone, to the minute.
func formatTime(t time.Time) string {
	return t.In(inspect.HallZone).Format("2006-01-02 15:04")
}

func formatDate(t time.Time) string {
	return t.In(inspect.HallZone).Format(time.DateOnly)
}

// formatScore shows at most one decimal: scores are weighted sums, and more
// digits would suggest a precision the observation does not have.
func formatScore(s float64) string {
	return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64)
}
