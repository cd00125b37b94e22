package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// checklist is one subject's items, grouped by section: a person's (only
// the items for their role and gender) or the hall's. Recording is
// exception-first: everything conforms until tapped.
type checklist struct {
	s         *session
	d         *flow.Draft
	personID  string // hallSubject for the hall
	subject   *flow.Subject
	rows      map[string]*itemRow
	cols      checklistColumns
	box       *fyne.Container
	scroll    *container.Scroll
	onChanged func()
}

func newChecklist(s *session, d *flow.Draft, personID string, onChanged func()) *checklist {
	return &checklist{s: s, d: d, personID: personID, onChanged: onChanged}
}

func (c *checklist) title() string {
	if c.personID == hallSubject {
		return lang.X("inspection.hall", "Hall items")
	}
	for _, p := range c.d.Inspection.People {
		if p.ID == c.personID {
			return p.Name + " · " + roleName(p.Role)
		}
	}
	return ""
}

func (c *checklist) actions() []fyne.CanvasObject {
	if c.personID == hallSubject {
		return nil
	}
	remove := widget.NewButtonWithIcon(lang.X("checklist.remove", "Remove"), theme.DeleteIcon(), c.onRemove)
	remove.Importance = widget.LowImportance
	return []fyne.CanvasObject{remove}
}

func (c *checklist) buildUI() fyne.CanvasObject {
	c.box = container.NewVBox()
	c.load()
	head := container.NewVBox()
	// In a split the top bar shows the inspection's title, so the pane
	// names its subject itself; pushed, the top bar does.
	if c.s.nav.top() != c {
		head.Add(container.NewBorder(nil, nil, nil, c.removeInPane(), heading(c.title())))
	}
	head.Add(caption(c.hint()))
	c.scroll = container.NewVScroll(container.NewPadded(c.box))
	return container.NewBorder(container.NewPadded(head), nil, nil, nil, c.scroll)
}

// hint says what a tap does. On a tally item a second tap counts a second
// miss rather than undoing the first, so a checklist with tally items says
// how to take one back.
func (c *checklist) hint() string {
	if c.subject != nil {
		for _, sec := range c.subject.Sections {
			for _, st := range sec.Items {
				if st.Item.Kind == standard.KindTally {
					return lang.X("checklist.hint.tally", "Tap an item that does not conform; tap it again to undo. On a counted item each tap counts one more miss: take one back with the minus button.")
				}
			}
		}
	}
	return lang.X("checklist.hint", "Tap an item that does not conform. Tap again to undo.")
}

// removeInPane is the Remove button for a checklist shown in a split's
// pane, where the top bar's actions belong to the inspection.
func (c *checklist) removeInPane() fyne.CanvasObject {
	if c.s.nav.top() == c {
		return nil
	}
	objs := c.actions()
	if len(objs) == 0 {
		return nil
	}
	return objs[0]
}

func (c *checklist) load() {
	sub, err := c.s.wf.Checklist(c.s.ctx(), c.d, c.personID)
	c.box.RemoveAll()
	c.rows = map[string]*itemRow{}
	if err != nil {
		c.box.Add(errorText(lang.X("checklist.error", "Could not read the checklist:") + " " + err.Error()))
		return
	}
	c.subject = sub
	c.cols = newChecklistColumns(sub)
	for _, sec := range sub.Sections {
		if len(sec.Items) == 0 {
			continue
		}
		c.box.Add(heading(c.s.text(sec.Section.Title)))
		for _, st := range sec.Items {
			r := newItemRow(c, st)
			c.rows[st.Item.ID] = r
			c.box.Add(r.row)
		}
	}
	c.box.Refresh()
	if c.scroll != nil {
		c.scroll.Refresh()
	}
}

// reload shows the checklist as flow has it now, after another screen
// changed it.
func (c *checklist) reload() {
	if c.box != nil {
		c.load()
	}
}

func (c *checklist) onShow() { c.reload() }

// apply shows an item's new state after a successful call, or the error
// with the row left as it was.
func (c *checklist) apply(st flow.ItemState, err error) {
	if err != nil {
		showError(c.s.win, err)
		return
	}
	if r, ok := c.rows[st.Item.ID]; ok {
		r.set(st)
		// The row may have grown (a status line, a details button): lay
		// the list out again rather than wait for the driver to notice.
		c.scroll.Refresh()
	}
	if c.onChanged != nil {
		c.onChanged()
	}
}

// onToggle is the tap on a row. Undoing a finding deletes its note and
// photos with it, so that one tap asks first.
func (c *checklist) onToggle(itemID string) {
	if r, ok := c.rows[itemID]; ok && r.st.Item.Kind != standard.KindTally && r.st.Finding != nil &&
		(r.st.Finding.Note != "" || len(r.st.Finding.Photos) > 0) {
		msg := lang.X("checklist.clear.confirm", "Mark this item as conforming? Its note and photos will be deleted.")
		confirmDelete(c.s.win, lang.X("checklist.clear", "Undo the finding"), msg, lang.X("checklist.clear.yes", "Undo"), func() { c.toggle(itemID) })
		return
	}
	c.toggle(itemID)
}

func (c *checklist) toggle(itemID string) {
	c.apply(c.s.wf.ToggleNonconform(c.s.ctx(), c.d, c.personID, itemID))
}

func (c *checklist) onNA(itemID string, na bool) {
	c.apply(c.s.wf.SetNotApplicable(c.s.ctx(), c.d, c.personID, itemID, na))
}

func (c *checklist) onTally(itemID string, observed, failed int) {
	c.apply(c.s.wf.SetTally(c.s.ctx(), c.d, c.personID, itemID, max(observed, 0), max(failed, 0)))
}

func (c *checklist) onDetails(itemID string) {
	r, ok := c.rows[itemID]
	if !ok {
		return
	}
	c.s.nav.push(newFindingScreen(c.s, c.d, c.personID, r.st, c.onChanged))
}

func (c *checklist) onRemove() {
	msg := lang.X("checklist.remove.confirm", "Remove {{.Name}} from this inspection, with everything recorded for them?", map[string]any{"Name": c.title()})
	confirmDelete(c.s.win, lang.X("checklist.remove", "Remove"), msg, lang.X("checklist.remove", "Remove"), func() {
		if err := c.s.wf.RemovePerson(c.s.ctx(), c.d, c.personID); err != nil {
			showError(c.s.win, err)
			return
		}
		if c.s.nav.top() == c {
			c.s.nav.pop()
		} else if in, ok := c.s.nav.top().(*inspection); ok {
			in.onShow()
		}
	})
}

// confirmDelete asks before a change that deletes what was recorded, with
// buttons that say what they do in the UI's language: Fyne's own Yes and
// No are English, and a bare yes is easy to tap without reading.
func confirmDelete(w fyne.Window, title, msg, verb string, do func()) {
	d := dialog.NewConfirm(title, msg, func(ok bool) {
		if ok {
			do()
		}
	}, w)
	d.SetConfirmText(verb)
	d.SetDismissText(lang.X("checklist.keep", "Keep"))
	d.Show()
}

// Least widths of the columns that line the rows up: the clause column, and
// a counter's label and value. Each grows to fit its widest text.
const (
	clauseColumn = 64
	counterLabel = 80
	counterValue = 32
)

// checklistColumns are the columns shared by every row of a checklist.
type checklistColumns struct {
	clause, label, value *column
}

func newChecklistColumns(sub *flow.Subject) checklistColumns {
	cols := checklistColumns{
		clause: &column{least: clauseColumn},
		label: &column{least: counterLabel, texts: []columnText{
			{lang.X("item.observed", "Observed"), theme.SizeNameText, fyne.TextStyle{}},
			{lang.X("item.failed", "Failed"), theme.SizeNameText, fyne.TextStyle{}},
		}},
		value: &column{least: counterValue, texts: []columnText{{"00", theme.SizeNameText, fyne.TextStyle{}}}},
	}
	critical := false
	for _, sec := range sub.Sections {
		for _, st := range sec.Items {
			cols.clause.texts = append(cols.clause.texts, columnText{st.Item.Clause, theme.SizeNameText, fyne.TextStyle{Bold: true, Monospace: true}})
			critical = critical || st.Item.Critical
		}
	}
	if critical {
		cols.clause.texts = append(cols.clause.texts, columnText{lang.X("item.critical", "critical"), theme.SizeNameCaptionText, fyne.TextStyle{}})
	}
	return cols
}

// column is the width of one column of a checklist's rows: that of its
// widest text at the current text size, so that the rows line up and
// nothing in the column wraps in mid-word, as "critical" did in a fixed
// width in English or with larger text.
type column struct {
	least float32
	texts []columnText

	// The width, and the text size and padding it was measured at: the
	// larger-text setting changes the theme under a built checklist.
	w  float32
	at [2]float32
}

type columnText struct {
	text  string
	size  fyne.ThemeSizeName
	style fyne.TextStyle
}

func (c *column) width() float32 {
	at := [2]float32{theme.TextSize(), theme.InnerPadding()}
	if c.w > 0 && c.at == at {
		return c.w
	}
	var widest float32
	for _, t := range c.texts {
		widest = max(widest, fyne.MeasureText(t.text, theme.Size(t.size), t.style).Width)
	}
	// A label insets its text by the inner padding on both sides; rounding
	// up keeps a text that fits exactly from wrapping.
	c.w = max(c.least, float32(math.Ceil(float64(widest+2*at[1]))))
	c.at = at
	return c.w
}

// in puts objs in the column, one over the other in its whole width.
func (c *column) in(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(columnLayout{c}, objs...)
}

type columnLayout struct{ c *column }

func (l columnLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l columnLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.c.width(), 0)
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s
}

// itemRow is one checklist item. The whole row toggles nonconform; the N/A
// button, the tally counters and the details button are separate targets.
type itemRow struct {
	row *tapRow
	c   *checklist
	st  flow.ItemState

	status  *widget.RichText // the outcome, then the repeat hint
	note    *widget.RichText
	na      *widget.Button
	details *widget.Button
	tally   *fyne.Container
	obs     *widget.Label
	fail    *widget.Label
}

func newItemRow(c *checklist, st flow.ItemState) *itemRow {
	r := &itemRow{c: c}
	id := st.Item.ID

	clause := widget.NewLabelWithStyle(st.Item.Clause, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Monospace: true})
	text := wrapped(c.s.text(st.Item.Text))
	r.status = widget.NewRichText(
		&widget.TextSegment{Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameWarning, TextStyle: fyne.TextStyle{Bold: true}}})
	r.status.Wrapping = fyne.TextWrapWord
	r.note = caption("")

	r.na = widget.NewButton(lang.X("item.na", "N/A"), func() { r.c.onNA(id, !r.isNA()) })
	r.details = widget.NewButtonWithIcon(lang.X("item.details", "Note & photos"), theme.DocumentCreateIcon(), func() { r.c.onDetails(id) })
	r.details.Importance = widget.LowImportance

	r.obs, r.fail = widget.NewLabel("0"), widget.NewLabel("0")
	counter := func(label string, value *widget.Label, step func(int)) fyne.CanvasObject {
		minus := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { step(-1) })
		plus := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { step(1) })
		value.Alignment = fyne.TextAlignCenter
		return container.NewHBox(c.cols.label.in(widget.NewLabel(label)), minus, c.cols.value.in(value), plus)
	}
	// Side by side where they fit, one under the other on a phone.
	r.tally = container.New(&wrapLayout{},
		counter(lang.X("item.observed", "Observed"), r.obs, func(d int) { r.onTally(d, 0) }),
		counter(lang.X("item.failed", "Failed"), r.fail, func(d int) { r.onTally(0, d) }))
	if st.Item.Kind != standard.KindTally {
		r.tally.Hide()
	}

	head := container.NewVBox(clause)
	if st.Item.Critical {
		head.Add(colouredCaption(lang.X("item.critical", "critical"), theme.ColorNameError))
	}
	body := container.NewVBox(text, r.status, r.note)
	top := container.NewBorder(nil, nil, c.cols.clause.in(head), container.NewVBox(r.na), body)
	// The counters and the details button run under the N/A button too: on
	// a phone the text column alone is too narrow for two counters.
	under := container.NewBorder(nil, nil, c.cols.clause.in(), nil, container.NewVBox(r.tally, container.NewHBox(r.details)))
	r.row = newTapRow(container.NewVBox(top, under), func() { r.c.onToggle(id) })
	r.set(st)
	return r
}

func (r *itemRow) isNA() bool {
	return r.st.Finding != nil && r.st.Finding.Outcome == inspect.NotApplicable
}

func (r *itemRow) onTally(dObserved, dFailed int) {
	var o, f int
	if r.st.Finding != nil {
		o, f = r.st.Finding.Observed, r.st.Finding.Failed
	}
	r.c.onTally(r.st.Item.ID, o+dObserved, f+dFailed)
}

// set shows st: colour, status words, repeat hint, counts.
func (r *itemRow) set(st flow.ItemState) {
	r.st = st
	f := st.Finding
	marked := f != nil && (f.Outcome == inspect.Nonconform || (f.Outcome == inspect.Tallied && f.Failed > 0))

	status, colour := "", theme.ColorNameForeground
	switch {
	case f == nil:
		r.row.setTone(toneNone)
	case f.Outcome == inspect.NotApplicable:
		r.row.setTone(toneMuted)
		status, colour = lang.X("item.state.na", "Not applicable / not observed"), theme.ColorNamePlaceHolder
	case marked:
		r.row.setTone(toneDanger)
		status, colour = lang.X("item.state.nonconform", "Does not conform"), theme.ColorNameError
	default:
		r.row.setTone(toneNone)
		status, colour = lang.X("item.state.tallied", "Counted, no failure"), theme.ColorNameSuccess
	}
	repeat := ""
	if marked && st.Repeats > 0 {
		repeat = "  " + repeatHint(st.Repeats+1)
	}
	seg := r.status.Segments[0].(*widget.TextSegment)
	seg.Text, seg.Style.ColorName = status, colour
	r.status.Segments[1].(*widget.TextSegment).Text = repeat
	r.status.Refresh()
	if status == "" {
		r.status.Hide()
	} else {
		r.status.Show()
	}

	if r.isNA() {
		r.na.Importance = widget.HighImportance
	} else {
		r.na.Importance = widget.MediumImportance
	}
	r.na.Refresh()

	if f != nil && f.Outcome != inspect.NotApplicable {
		r.details.SetText(detailsText(f))
		r.details.Show()
	} else {
		r.details.Hide()
	}
	if f != nil && f.Note != "" {
		setCaption(r.note, f.Note)
		r.note.Show()
	} else {
		r.note.Hide()
	}

	var o, n int
	if f != nil {
		o, n = f.Observed, f.Failed
	}
	r.obs.SetText(itoa(o))
	r.fail.SetText(itoa(n))
	r.row.Refresh()
}

// detailsText is the details button's label, with what is already there.
func detailsText(f *inspect.Finding) string {
	t := lang.X("item.details", "Note & photos")
	if len(f.Photos) > 0 {
		t += " · " + lang.X("item.photos", "photos: {{.Count}}", map[string]any{"Count": len(f.Photos)})
	}
	return t
}

// repeatHint is "第3次 / 90天内", "3rd time in 90 days": nth counts this
// finding itself.
func repeatHint(nth int) string {
	return lang.X("item.repeat", "{{.Ordinal}} time in {{.Days}} days", map[string]any{
		"Count": nth, "Ordinal": englishOrdinal(nth), "Days": int(flow.RepeatWindow.Hours() / 24),
	})
}

func englishOrdinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return itoa(n) + suffix
}
