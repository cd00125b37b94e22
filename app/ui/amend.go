package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// amendScreen corrects one item of a sealed inspection, with a reason. The
// original stays as sealed; the amendment is sealed on its own.
type amendScreen struct {
	s *session
	d *flow.Draft

	subjects []string // person IDs in the order of the subject choice, hallSubject last
	items    []flow.ItemState

	reason  *widget.Entry
	subject *widget.Select
	item    *widget.Select
	outcome *widget.RadioGroup
	note    *widget.Entry
}

func newAmendScreen(s *session, d *flow.Draft) *amendScreen { return &amendScreen{s: s, d: d} }

func (a *amendScreen) title() string { return lang.X("amend.title", "Amend a sealed inspection") }

// The outcomes an amendment can set, in the order offered.
func (a *amendScreen) outcomes() []string {
	return []string{
		lang.X("amend.outcome.conforms", "Conforms"),
		lang.X("item.state.nonconform", "Does not conform"),
		lang.X("item.state.na", "Not applicable / not observed"),
	}
}

func (a *amendScreen) buildUI() fyne.CanvasObject {
	a.reason = widget.NewMultiLineEntry()
	a.reason.Wrapping = fyne.TextWrapWord
	a.reason.SetMinRowsVisible(2)
	a.reason.SetPlaceHolder(lang.X("amend.reason.placeholder", "Why the record must change"))

	var names []string
	a.subjects = nil
	for _, p := range a.d.Inspection.People {
		a.subjects = append(a.subjects, p.ID)
		names = append(names, p.Name+" · "+roleName(p.Role))
	}
	a.subjects = append(a.subjects, hallSubject)
	names = append(names, lang.X("inspection.hall", "Hall items"))
	a.subject = widget.NewSelect(names, func(string) { a.onSubject() })
	a.subject.PlaceHolder = lang.X("amend.subject.placeholder", "Whose finding?")
	a.item = widget.NewSelect(nil, func(string) { a.onItem() })
	a.item.PlaceHolder = lang.X("amend.item.placeholder", "Which item?")
	a.item.Disable()
	a.outcome = widget.NewRadioGroup(a.outcomes(), nil)
	a.outcome.Required = true
	a.note = widget.NewEntry()
	a.note.SetPlaceHolder(lang.X("amend.note.placeholder", "Note on the corrected finding (optional)"))

	submit := bigButton(lang.X("amend.submit", "Save the amendment"), theme.ConfirmIcon(), a.onSubmit)
	body := container.NewVBox(
		wrapped(lang.X("amend.explain", "The sealed record stays as it is. The amendment is kept beside it with your reason, and reports show both.")),
		bold(lang.X("amend.reason", "Reason")), a.reason,
		bold(lang.X("amend.subject", "Person")), tall(a.subject),
		bold(lang.X("amend.item", "Item")), tall(a.item),
		bold(lang.X("amend.outcome", "Corrected finding")), a.outcome,
		a.note,
		tall(submit),
	)
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

func (a *amendScreen) personID() (string, bool) {
	i := a.subject.SelectedIndex()
	if i < 0 || i >= len(a.subjects) {
		return "", false
	}
	return a.subjects[i], true
}

// onSubject lists the chosen subject's items, each with its finding as
// sealed (and amended).
func (a *amendScreen) onSubject() {
	id, ok := a.personID()
	if !ok {
		return
	}
	sub, err := a.s.wf.Checklist(a.s.ctx(), a.d, id)
	if err != nil {
		showError(a.s.win, err)
		return
	}
	a.items = a.items[:0]
	var opts []string
	for _, sec := range sub.Sections {
		for _, st := range sec.Items {
			a.items = append(a.items, st)
			text := st.Item.Clause + " " + a.s.text(st.Item.Text)
			if st.Finding != nil {
				text += " [" + outcomeName(st.Finding) + "]"
			}
			opts = append(opts, text)
		}
	}
	a.item.ClearSelected()
	a.item.SetOptions(opts)
	a.item.Enable()
}

// onItem starts the correction from the item's current finding.
func (a *amendScreen) onItem() {
	i := a.item.SelectedIndex()
	if i < 0 || i >= len(a.items) {
		return
	}
	f := a.items[i].Finding
	opts := a.outcomes()
	switch {
	case f == nil:
		a.outcome.SetSelected(opts[0])
	case f.Outcome == inspect.NotApplicable:
		a.outcome.SetSelected(opts[2])
	default:
		a.outcome.SetSelected(opts[1])
	}
	if f != nil {
		a.note.SetText(f.Note)
	} else {
		a.note.SetText("")
	}
}

func (a *amendScreen) onSubmit() {
	personID, ok := a.personID()
	i := a.item.SelectedIndex()
	if !ok || i < 0 || i >= len(a.items) {
		showError(a.s.win, errAmendIncomplete())
		return
	}
	st := a.items[i]
	c := inspect.Change{PersonID: personID, ItemID: st.Item.ID}
	opts := a.outcomes()
	switch a.outcome.Selected {
	case opts[1]:
		c.Finding = &inspect.Finding{ItemID: st.Item.ID, Outcome: inspect.Nonconform, Note: a.note.Text}
		if st.Finding != nil && st.Finding.Outcome != inspect.NotApplicable {
			// Keep the evidence and the counts of what is still a deviation.
			f := *st.Finding
			f.ID, f.At, f.Note = "", st.Finding.At, a.note.Text
			if f.Outcome == inspect.Tallied && f.Failed == 0 {
				f.Outcome = inspect.Nonconform
			}
			c.Finding = &f
		}
	case opts[2]:
		c.Finding = &inspect.Finding{ItemID: st.Item.ID, Outcome: inspect.NotApplicable, Note: a.note.Text}
	}
	if _, err := a.s.wf.Amend(a.s.ctx(), a.s.user, a.d.Inspection.ID, a.reason.Text, []inspect.Change{c}); err != nil {
		showError(a.s.win, err)
		return
	}
	a.s.nav.pop()
}

func outcomeName(f *inspect.Finding) string {
	switch {
	case f.Outcome == inspect.NotApplicable:
		return lang.X("item.state.na", "Not applicable / not observed")
	case f.Outcome == inspect.Tallied && f.Failed == 0:
		return lang.X("item.state.tallied", "Counted, no failure")
	case f.Outcome == inspect.Tallied:
		return lang.X("review.tally", "failed {{.Failed}} of {{.Observed}}", map[string]any{"Failed": f.Failed, "Observed": f.Observed})
	}
	return lang.X("item.state.nonconform", "Does not conform")
}

func errAmendIncomplete() error {
	return fmt.Errorf("%w: %s", flow.ErrInvalid, lang.X("amend.incomplete", "choose the person and the item to correct"))
}
