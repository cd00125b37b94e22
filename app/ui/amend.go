package ui

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// amendScreen corrects one item of a sealed inspection, with a reason. The
// original stays as sealed; the amendment is sealed on its own.
type amendScreen struct {
	s *session
	d *flow.Draft

	subjects []string // person IDs in the order of the subject choice, hallSubject last
	items    []flow.ItemState

	reason   *widget.Entry
	subject  *widget.Select
	item     *widget.Select
	itemText *widget.RichText // the chosen item in full: a phone cuts the select's text off
	outcome  *widget.RadioGroup
	outcomes *container.ThemeOverride // holds outcome (see roomy)
	note     *widget.Entry

	// The counts of a tally item, shown while its counted outcome is
	// chosen: a tally finding without them would score as one failure
	// whatever the supervisor saw.
	counts             *fyne.Container
	observed, failed   int
	obsValue, failText *widget.Label
	obsLess, failLess  *widget.Button
	obsMore, failMore  *widget.Button
}

func newAmendScreen(s *session, d *flow.Draft) *amendScreen { return &amendScreen{s: s, d: d} }

func (a *amendScreen) title() string { return lang.X("amend.title", "Amend a sealed inspection") }

// The outcomes an amendment can set, in the order offered: conforms, a
// finding (for a tally item, its counts), not applicable.
func (a *amendScreen) outcomeNames() []string {
	finding := lang.X("item.state.nonconform", "Does not conform")
	if a.tally() {
		finding = lang.X("amend.outcome.counted", "Counted")
	}
	return []string{
		lang.X("amend.outcome.conforms", "Conforms"),
		finding,
		lang.X("item.state.na", "Not applicable / not observed"),
	}
}

// chosen is the item chosen, if any.
func (a *amendScreen) chosen() (flow.ItemState, bool) {
	i := a.item.SelectedIndex()
	if i < 0 || i >= len(a.items) {
		return flow.ItemState{}, false
	}
	return a.items[i], true
}

func (a *amendScreen) tally() bool {
	st, ok := a.chosen()
	return ok && st.Item.Kind == standard.KindTally
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
	a.itemText = caption("")
	a.itemText.Hide()
	a.outcome = widget.NewRadioGroup(a.outcomeNames(), func(string) { a.showCounts() })
	a.outcome.Required = true
	a.outcomes = roomy(a.outcome)
	a.note = widget.NewEntry()
	a.note.SetPlaceHolder(lang.X("amend.note.placeholder", "Note on the corrected finding (optional)"))

	a.obsValue, a.failText = widget.NewLabel(""), widget.NewLabel("")
	a.obsLess, a.obsMore = stepButtons(func(d int) { a.onCount(d, 0) })
	a.failLess, a.failMore = stepButtons(func(d int) { a.onCount(0, d) })
	obs, fail := widget.NewLabel(lang.X("item.observed", "Observed")), widget.NewLabel(lang.X("item.failed", "Failed"))
	// One label width for both, so that stacked on a phone the two
	// counters' buttons line up.
	w := max(obs.MinSize().Width, fail.MinSize().Width)
	a.counts = container.New(&wrapLayout{},
		counter(w, obs, a.obsLess, a.obsValue, a.obsMore),
		counter(w, fail, a.failLess, a.failText, a.failMore))
	a.counts.Hide()

	submit := bigButton(lang.X("amend.submit", "Save the amendment"), theme.ConfirmIcon(), a.onSubmit)
	body := container.NewVBox(
		wrapped(lang.X("amend.explain", "The sealed record stays as it is. The amendment is kept beside it with your reason, and reports show both.")),
		bold(lang.X("amend.reason", "Reason")), a.reason,
		bold(lang.X("amend.subject", "Person")), tall(a.subject),
		bold(lang.X("amend.item", "Item")), tall(a.item), a.itemText,
		bold(lang.X("amend.outcome", "Corrected finding")), a.outcomes,
		a.counts,
		tall(a.note),
		tall(submit),
	)
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

// stepButtons are a counter's − and +, each stepping by one.
func stepButtons(step func(int)) (less, more *widget.Button) {
	less = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { step(-1) })
	more = widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { step(1) })
	return less, more
}

// counter is a label labelWidth wide, −, the value and +, as the
// checklist's tally rows show them.
func counter(labelWidth float32, label *widget.Label, less *widget.Button, value *widget.Label, more *widget.Button) fyne.CanvasObject {
	value.Alignment = fyne.TextAlignCenter
	// Room for a count of several digits, so the + does not move.
	digits := widget.NewLabel("000").MinSize().Width
	return container.NewHBox(
		container.NewStack(minSize(labelWidth, 0), label),
		tall(less), container.NewStack(minSize(digits, 0), value), tall(more))
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
	a.itemText.Hide()
	a.showCounts()
}

// onItem starts the correction from the item's current finding.
func (a *amendScreen) onItem() {
	st, ok := a.chosen()
	if !ok {
		return
	}
	setCaption(a.itemText, a.item.Selected)
	a.itemText.Show()
	f := st.Finding
	opts := a.outcomeNames()
	// The options name the item's kind of finding. RadioGroup makes new
	// items for them, which the theme override must reach again.
	a.outcome.Options = opts
	a.outcomes.Refresh()
	// A tally starts from its counts, or from the one failed observation
	// that a finding without counts scores as.
	a.observed, a.failed = 1, 1
	switch {
	case f == nil:
		a.outcome.SetSelected(opts[0])
	case f.Outcome == inspect.NotApplicable:
		a.outcome.SetSelected(opts[2])
	default:
		if f.Observed > 0 {
			a.observed, a.failed = f.Observed, f.Failed
		}
		a.outcome.SetSelected(opts[1])
	}
	if f != nil {
		a.note.SetText(f.Note)
	} else {
		a.note.SetText("")
	}
	a.showCounts()
}

// showCounts shows the counters while a tally item's counted outcome is
// chosen.
func (a *amendScreen) showCounts() {
	if a.counts == nil {
		return
	}
	if !a.tally() || a.outcome.Selected != a.outcomeNames()[1] {
		a.counts.Hide()
		return
	}
	a.obsValue.SetText(itoa(a.observed))
	a.failText.SetText(itoa(a.failed))
	// The steps stop where flow would refuse the counts: at least one
	// observation, and no more failures than observations.
	enable(a.obsLess, a.observed > 1)
	enable(a.obsMore, a.observed < inspect.MaxTallyCount)
	enable(a.failLess, a.failed > 0)
	enable(a.failMore, a.failed < a.observed)
	a.counts.Show()
}

// onCount steps the counts; fewer observations than failures take the
// failures down with them.
func (a *amendScreen) onCount(dObserved, dFailed int) {
	a.observed = min(max(a.observed+dObserved, 1), inspect.MaxTallyCount)
	a.failed = min(max(a.failed+dFailed, 0), a.observed)
	a.showCounts()
}

func (a *amendScreen) onSubmit() {
	personID, ok := a.personID()
	st, chosen := a.chosen()
	if !ok || !chosen {
		showError(a.s.win, errAmendIncomplete())
		return
	}
	c := inspect.Change{PersonID: personID, ItemID: st.Item.ID}
	opts := a.outcomeNames()
	switch a.outcome.Selected {
	case opts[1]:
		f := inspect.Finding{ItemID: st.Item.ID, Outcome: inspect.Nonconform}
		if st.Finding != nil && st.Finding.Outcome != inspect.NotApplicable {
			// Keep the evidence of what is still a finding.
			f = *st.Finding
			f.ID = ""
		}
		f.Note = a.note.Text
		if st.Item.Kind == standard.KindTally {
			f.Outcome, f.Observed, f.Failed = inspect.Tallied, a.observed, a.failed
		}
		c.Finding = &f
	case opts[2]:
		c.Finding = &inspect.Finding{ItemID: st.Item.ID, Outcome: inspect.NotApplicable, Note: a.note.Text}
	}
	if _, err := a.s.wf.Amend(a.s.ctx(), a.s.user, a.d.Inspection.ID, a.reason.Text, []inspect.Change{c}); err != nil {
		showError(a.s.win, err)
		return
	}
	a.s.nav.pop()
	// Off to the hub in the background, as a sealed inspection goes.
	a.s.sync.start(false)
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

// roomy gives o's radio items, entries and selects a touch target's height
// where tall cannot: Fyne sizes a RadioGroup's items to their text plus the
// inner padding whatever room the group has, and a Form sizes its rows to
// their widgets (and validates only widgets it is given unwrapped). More
// inner padding for o alone makes them taller.
func roomy(o fyne.CanvasObject) *container.ThemeOverride {
	return container.NewThemeOverride(o, roomyTheme{})
}

// roomyTheme is the app's theme, read at each call so that a theme change
// (larger text, the test themes) reaches the group, with the inner padding
// that makes a line of text a touch target high.
type roomyTheme struct{}

var _ fyne.Theme = roomyTheme{}

// appTheme is the app's theme, not theme.Current(), which inside the
// override would be roomyTheme itself.
func appTheme() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (roomyTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return appTheme().Color(n, v)
}

func (roomyTheme) Font(s fyne.TextStyle) fyne.Resource { return appTheme().Font(s) }

func (roomyTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return appTheme().Icon(n) }

func (roomyTheme) Size(n fyne.ThemeSizeName) float32 {
	th := appTheme()
	s := th.Size(n)
	if n == theme.SizeNameInnerPadding {
		line := fyne.MeasureText("国A", th.Size(theme.SizeNameText), fyne.TextStyle{}).Height
		s = max(s, float32(math.Ceil(float64(touchTarget-line)/2)))
	}
	return s
}
