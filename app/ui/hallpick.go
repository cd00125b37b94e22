package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
)

// hallPicker starts a new inspection: which hall. The hall this device last
// inspected is preselected, since a supervisor mostly covers the same few.
type hallPicker struct {
	s      *session
	halls  []flow.Hall
	last   string // the preselected hall's ID, "" for none
	query  string
	search *widget.Entry
	list   *widget.List
	msg    *widget.Label
	next   *widget.Button
}

func newHallPicker(s *session) *hallPicker { return &hallPicker{s: s} }

func (hp *hallPicker) title() string { return lang.X("halls.title", "Choose the hall") }

func (hp *hallPicker) buildUI() fyne.CanvasObject {
	last, err := hp.s.wf.LastHall(hp.s.ctx(), hp.s.user)
	if err != nil {
		// Only the preselection is lost; the list still works.
		fyne.LogError("last hall", err)
	}
	hp.last = last

	hp.search = widget.NewEntry()
	hp.search.SetPlaceHolder(lang.X("halls.search", "Search by name or code"))
	hp.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	hp.search.SetText(hp.query)
	hp.search.OnChanged = hp.onSearch

	hp.msg = wrapped("")
	hp.msg.Hide()
	hp.list = widget.NewList(hp.count, hp.newRow, hp.updateRow)

	hp.next = bigButton("", theme.NavigateNextIcon(), hp.onNext)
	hp.next.IconPlacement = widget.ButtonIconTrailingText
	hp.next.Hide()

	hp.load()
	top := container.NewVBox(tall(hp.search), hp.msg)
	body := container.NewBorder(top, tall(hp.next), nil, nil, hp.list)
	return centred(listWidth, container.NewPadded(body))
}

func (hp *hallPicker) load() {
	halls, err := hp.s.wf.Halls(hp.s.ctx(), hp.s.user, hp.query)
	hp.halls = halls
	switch {
	case err != nil:
		hp.halls = nil
		hp.msg.Importance = widget.DangerImportance
		hp.msg.SetText(lang.X("halls.error", "Could not read the halls:") + " " + err.Error())
		hp.msg.Show()
	case len(halls) == 0 && hp.query != "":
		hp.msg.Importance = widget.MediumImportance
		hp.msg.SetText(lang.X("halls.nomatch", "No hall matches “{{.Query}}”.", map[string]any{"Query": hp.query}))
		hp.msg.Show()
	case len(halls) == 0:
		hp.msg.Importance = widget.MediumImportance
		hp.msg.SetText(lang.X("halls.empty", "No halls on this device yet. They arrive with the first sync."))
		hp.msg.Show()
	default:
		hp.msg.Hide()
	}
	hp.next.Hide()
	if h, ok := hp.hall(hp.last); ok {
		hp.next.SetText(lang.X("halls.continue", "Continue: {{.Hall}}", map[string]any{"Hall": h.Name}))
		hp.next.Show()
	}
	hp.list.Refresh()
	hp.list.ScrollToTop()
}

func (hp *hallPicker) hall(id string) (flow.Hall, bool) {
	for _, h := range hp.halls {
		if h.ID == id && id != "" {
			return h, true
		}
	}
	return flow.Hall{}, false
}

func (hp *hallPicker) count() int { return len(hp.halls) }

func (hp *hallPicker) newRow() fyne.CanvasObject {
	rt := lines("Hall", false, detail("Code"))
	rt.Wrapping = fyne.TextWrapOff
	rt.Truncation = fyne.TextTruncateEllipsis
	return newTapRow(rt, nil)
}

func (hp *hallPicker) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(hp.halls) {
		return
	}
	h := hp.halls[id]
	row := o.(*tapRow)
	info := h.Code + " · "
	if h.LastVisit.IsZero() {
		info += lang.X("halls.never", "not inspected by you yet")
	} else {
		info += lang.X("halls.last", "your last visit {{.Date}}", map[string]any{"Date": formatDate(h.LastVisit)})
	}
	setLines(row.content.(*widget.RichText), h.Name, info)
	row.onTapped = func() { hp.onHall(h) }
	if h.ID == hp.last {
		row.setTone(toneSelected)
	} else {
		row.setTone(toneNone)
	}
}

func (hp *hallPicker) onSearch(q string) {
	hp.query = q
	hp.load()
}

func (hp *hallPicker) onNext() {
	if h, ok := hp.hall(hp.last); ok {
		hp.onHall(h)
	}
}

func (hp *hallPicker) onHall(h flow.Hall) {
	hp.s.nav.push(newStaffPicker(hp.s, h))
}
