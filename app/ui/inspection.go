package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// hallSubject is the key of the hall's own checklist among the people's.
const hallSubject = ""

// inspection is a draft being recorded: the people observed as large tiles,
// the hall's own items, and the way to review and seal. On a wide window the
// chosen tile's checklist sits beside the tiles.
type inspection struct {
	s       *session
	d       *flow.Draft
	split   *split
	tiles   *fyne.Container
	current string // the subject in the detail pane; see hasCurrent
	// hasCurrent is false until a subject is chosen (there may be nobody).
	hasCurrent bool
	list       *checklist
}

func newInspection(s *session, d *flow.Draft) *inspection { return &inspection{s: s, d: d} }

// title puts the start under the hall's name: on one line a phone cut the
// time off.
func (in *inspection) title() string {
	return in.d.HallName + "\n" + lang.X("inspection.subtitle", "Started {{.Time}}",
		map[string]any{"Time": formatTime(in.d.Inspection.StartedAt)})
}

func (in *inspection) buildUI() fyne.CanvasObject {
	in.split = newSplit(in.s.nav, centred(formWidth, container.NewPadded(wrapped(lang.X("inspection.pick", "Tap a person to record what you see.")))))
	in.tiles = container.NewVBox()
	in.fillTiles()

	add := widget.NewButtonWithIcon(lang.X("inspection.add", "Add a person"), theme.ContentAddIcon(), in.onAddPerson)
	review := bigButton(lang.X("inspection.review", "Review & seal"), theme.ConfirmIcon(), in.onReview)
	saved := caption(lang.X("inspection.saved", "Every tap is saved at once."))
	master := container.NewBorder(nil, container.NewVBox(saved, tall(review)), nil, nil,
		container.NewVScroll(container.NewVBox(in.tiles, tall(add))))
	ui := in.split.build(container.NewPadded(master))

	// The first person's checklist is open beside the tiles, so a wide
	// screen starts recording without a tap.
	switch {
	case in.hasCurrent:
		in.showSubject(in.current)
	case len(in.d.Inspection.People) > 0:
		in.showSubject(in.d.Inspection.People[0].ID)
	}
	return ui
}

// fillTiles makes a tile per person, then the hall's tile.
func (in *inspection) fillTiles() {
	in.tiles.RemoveAll()
	in.tiles.Add(heading(lang.X("inspection.people", "People observed")))
	if len(in.d.Inspection.People) == 0 {
		in.tiles.Add(caption(lang.X("inspection.nobody", "Nobody added yet.")))
	}
	for _, p := range in.d.Inspection.People {
		in.tiles.Add(in.personTile(p))
	}
	in.tiles.Add(widget.NewSeparator())
	in.tiles.Add(in.hallTile())
	in.tiles.Refresh()
}

func (in *inspection) personTile(p inspect.Person) fyne.CanvasObject {
	info := roleName(p.Role)
	if p.Badge != "" {
		info += " · " + lang.X("staff.badge", "badge {{.Badge}}", map[string]any{"Badge": p.Badge})
	}
	segs := []*widget.TextSegment{detail(info)}
	if p.OffRoster {
		segs = append(segs, flag(lang.X("staff.offroster", "not on the roster"), theme.ColorNameWarning))
	}
	text := lines(p.Name, true, segs...)
	t := newTapRow(container.NewBorder(nil, nil, nil, countLabel(findingCount(p.Findings)), text), func() { in.onPerson(p.ID) })
	t.tone = in.tileTone(p.ID)
	return t
}

func (in *inspection) hallTile() fyne.CanvasObject {
	text := lines(lang.X("inspection.hall", "Hall items"), true, detail(lang.X("inspection.hall.hint", "Opening checks, equipment, the hall as a whole")))
	t := newTapRow(container.NewBorder(nil, nil, nil, countLabel(findingCount(in.d.Inspection.HallFindings)), text), in.onHall)
	t.tone = in.tileTone(hallSubject)
	return t
}

func (in *inspection) tileTone(subject string) tone {
	if in.hasCurrent && in.current == subject && !in.split.narrow() {
		return toneSelected
	}
	return toneCard
}

// findingCount is what a tile shows: the items found not conforming (N/A
// and clean tallies are not deviations).
func findingCount(fs []inspect.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Outcome == inspect.Nonconform || (f.Outcome == inspect.Tallied && f.Failed > 0) {
			n++
		}
	}
	return n
}

func countLabel(n int) fyne.CanvasObject {
	if n == 0 {
		c := caption(lang.X("inspection.clean", "no findings"))
		c.Wrapping = fyne.TextWrapOff
		return container.NewCenter(c)
	}
	l := widget.NewLabelWithStyle(lang.X("inspection.count", "findings: {{.Count}}", map[string]any{"Count": n}), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	l.Importance = widget.DangerImportance
	return container.NewCenter(l)
}

func (in *inspection) onPerson(id string) { in.open(id) }

func (in *inspection) onHall() { in.open(hallSubject) }

func (in *inspection) open(subject string) {
	in.current, in.hasCurrent = subject, true
	list := newChecklist(in.s, in.d, subject, in.onChanged)
	in.list = list
	in.split.open(list)
	in.fillTiles()
}

// showSubject puts a checklist in the detail pane without pushing it.
func (in *inspection) showSubject(subject string) {
	in.current, in.hasCurrent = subject, true
	in.list = newChecklist(in.s, in.d, subject, in.onChanged)
	in.split.show(in.list)
	in.fillTiles()
}

// onChanged runs after every recorded change: the tiles' counts follow.
func (in *inspection) onChanged() { in.fillTiles() }

// onShow runs when a pushed screen (a checklist, a finding, the review) is
// popped: anything may have changed there. flow keeps the draft up to date
// in place, so it is shown again, not read again.
func (in *inspection) onShow() {
	if in.hasCurrent && !in.personExists(in.current) {
		in.hasCurrent = false
		in.list = nil
		in.split.detail.Objects = nil
		in.split.detail.Refresh()
	}
	in.fillTiles()
	if in.list != nil && !in.split.narrow() {
		in.list.reload()
	}
}

func (in *inspection) personExists(id string) bool {
	if id == hallSubject {
		return true
	}
	for _, p := range in.d.Inspection.People {
		if p.ID == id {
			return true
		}
	}
	return false
}

func (in *inspection) onReview() {
	in.s.nav.push(newReview(in.s, in.d))
}

// onAddPerson adds someone who came on duty after the start: from the
// roster, or not on it.
func (in *inspection) onAddPerson() {
	staff, err := in.s.wf.OnDuty(in.s.ctx(), in.s.user, in.d.Inspection.HallID)
	if err != nil {
		showError(in.s.win, err)
		return
	}
	present := map[string]bool{}
	for _, p := range in.d.Inspection.People {
		present[p.StaffID] = true
	}
	var choices []flow.DutyStaff
	var names []string
	for _, p := range staff {
		if !present[p.ID] {
			choices = append(choices, p)
			names = append(names, p.Name+" · "+roleName(p.Role))
		}
	}
	var d dialog.Dialog
	pick := widget.NewSelect(names, nil)
	pick.PlaceHolder = lang.X("inspection.add.pick", "From the roster")
	pick.OnChanged = func(string) {
		i := pick.SelectedIndex()
		if i < 0 || i >= len(choices) {
			return
		}
		d.Hide()
		if _, err := in.s.wf.AddPerson(in.s.ctx(), in.d, choices[i].ID); err != nil {
			showError(in.s.win, err)
		}
		in.onShow()
	}
	other := widget.NewButtonWithIcon(lang.X("staff.add", "Add someone not on the roster"), theme.ContentAddIcon(), func() {
		d.Hide()
		askNewcomer(in.s.win, in.onNewcomer)
	})
	content := container.NewVBox(tall(pick), tall(other))
	if len(choices) == 0 {
		pick.Disable()
	}
	d = dialog.NewCustom(lang.X("inspection.add", "Add a person"), lang.X("dialog.cancel", "Cancel"), content, in.s.win)
	d.Resize(dialogSize(in.s.win))
	d.Show()
}

func (in *inspection) onNewcomer(n newcomer) {
	if _, err := in.s.wf.AddOffRoster(in.s.ctx(), in.d, n.name, n.role, n.gender); err != nil {
		showError(in.s.win, err)
	}
	in.onShow()
}
