package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// review is the last step of a draft: every finding with each person's
// score and its explanation, the signatures, and the seal.
type review struct {
	s  *session
	d  *flow.Draft
	rv *flow.Review

	summary *fyne.Container
	scroll  *container.Scroll
	panel   *fyne.Container
	pad     *signaturePad
	signed  *widget.RichText
	missing *widget.Label
	seal    *widget.Button
}

func newReview(s *session, d *flow.Draft) *review { return &review{s: s, d: d} }

func (r *review) title() string { return lang.X("review.title", "Review & seal") }

func (r *review) buildUI() fyne.CanvasObject {
	r.summary = container.NewVBox()
	r.pad = newSignaturePad(lang.X("review.sign.hint", "Supervisor, sign here"), r.onStroke)
	clear := widget.NewButtonWithIcon(lang.X("review.sign.clear", "Clear"), theme.ContentClearIcon(), r.onClear)
	clear.Importance = widget.LowImportance
	r.signed = caption("")
	r.missing = widget.NewLabel("")
	r.missing.Importance = widget.WarningImportance
	r.missing.Wrapping = fyne.TextWrapWord
	r.seal = bigButton(lang.X("review.seal", "Seal the inspection"), theme.ConfirmIcon(), r.onSeal)

	r.load()
	r.panel = container.NewVBox(
		container.NewBorder(nil, nil, nil, tall(clear), bold(lang.X("review.sign", "Supervisor's signature"))),
		r.pad, r.signed, r.missing, tall(r.seal))
	r.scroll = container.NewVScroll(centred(listWidth, container.NewPadded(r.summary)))
	return container.New(&sidePanel{}, r.scroll, container.NewPadded(r.panel))
}

func (r *review) load() {
	rv, err := r.s.wf.Review(r.s.ctx(), r.d)
	r.summary.RemoveAll()
	if err != nil {
		r.rv = nil
		r.summary.Add(errorText(lang.X("review.error", "Could not score the inspection:") + " " + err.Error()))
		r.seal.Disable()
		return
	}
	r.rv = rv
	r.summary.Add(summaryView(r.s, r.d, rv, r.onEdit, r.onStaffSign))
	r.showMissing()
	// Lay out again what changed size, rather than wait for the driver.
	if r.scroll != nil {
		r.scroll.Refresh()
		r.panel.Refresh()
	}
}

// showMissing enables Seal only when flow has nothing missing, and says why
// not otherwise.
func (r *review) showMissing() {
	if r.rv == nil {
		return
	}
	var why []string
	for _, key := range r.rv.Missing {
		why = append(why, missingText(key))
	}
	if len(why) == 0 {
		r.missing.Hide()
		r.seal.Enable()
	} else {
		r.missing.SetText(lang.X("review.missing", "Cannot seal yet: {{.Reasons}}", map[string]any{"Reasons": strings.Join(why, "; ")}))
		r.missing.Show()
		r.seal.Disable()
	}
	if signedBy(r.d.Inspection, inspect.SignerSupervisor, r.d.Inspection.SupervisorID) {
		setCaption(r.signed, lang.X("review.sign.saved", "Signature saved. Draw again to replace it, or Clear to withdraw it."))
		r.signed.Show()
	} else {
		r.signed.Hide()
	}
}

// missingText words a Review.Missing key.
func missingText(key string) string {
	switch key {
	case flow.MissingSupervisorSignature:
		return lang.X("review.missing.supervisor_signature", "the supervisor has not signed")
	}
	return key
}

func signedBy(ins *inspect.Inspection, role inspect.SignerRole, personID string) bool {
	for _, s := range ins.Signatures {
		if s.Role == role && s.PersonID == personID && s.Image != nil {
			return true
		}
	}
	return false
}

func (r *review) onShow() { r.load() }

// onStroke saves the signature as drawn so far: each stroke is a change,
// saved like every other.
func (r *review) onStroke() {
	data, err := r.pad.PNG()
	if err != nil || data == nil {
		showError(r.s.win, err)
		return
	}
	if err := r.s.wf.SignSupervisor(r.s.ctx(), r.s.user, r.d, data); err != nil {
		showError(r.s.win, err)
		return
	}
	r.load()
}

// onClear wipes the pad and withdraws the saved signature, so the
// inspection cannot be sealed until the supervisor signs again.
func (r *review) onClear() {
	r.pad.Clear()
	if !signedBy(r.d.Inspection, inspect.SignerSupervisor, r.d.Inspection.SupervisorID) {
		return
	}
	if err := r.s.wf.SignSupervisor(r.s.ctx(), r.s.user, r.d, nil); err != nil {
		showError(r.s.win, err)
	}
	r.load()
}

func (r *review) onEdit(personID string) {
	r.s.nav.push(newChecklist(r.s, r.d, personID, nil))
}

func (r *review) onStaffSign(p inspect.Person) {
	r.s.nav.push(newStaffSign(r.s, r.d, p))
}

func (r *review) onSeal() {
	msg := lang.X("review.seal.confirm", "After sealing, nothing in this inspection can change; corrections become amendments. Seal now?")
	d := dialog.NewConfirm(lang.X("review.seal", "Seal the inspection"), msg, r.onSealConfirmed, r.s.win)
	d.SetConfirmText(lang.X("review.seal.yes", "Seal"))
	d.SetDismissText(lang.X("dialog.cancel", "Cancel"))
	d.Show()
}

func (r *review) onSealConfirmed(ok bool) {
	if !ok {
		return
	}
	hash, err := r.s.wf.Seal(r.s.ctx(), r.s.user, r.d)
	if err != nil {
		showError(r.s.win, err)
		return
	}
	// The draft is now the sealed record; there is nothing to go back to
	// but home.
	r.s.nav.reset(newHome(r.s), newSealedView(r.s, r.d, hash))
	// Off to the hub in the background, if there is one.
	r.s.sync.start(false)
}

// summaryView shows a review: the overall score, then each person with their
// score, explanation, findings and signature, then the hall's findings. With
// onEdit set, a finding opens its checklist; with onSign set, each person
// gets a button to sign or disagree.
func summaryView(s *session, d *flow.Draft, rv *flow.Review, onEdit func(personID string), onSign func(inspect.Person)) fyne.CanvasObject {
	box := container.NewVBox()
	total := heading(lang.X("review.total", "Overall: {{.Score}}", map[string]any{"Score": scoreText(s, rv.Result.Inspection)}))
	box.Add(total)
	for _, line := range capLines(rv.Result.Inspection, s.lang.standardCode()) {
		box.Add(warningText(line))
	}

	for _, pr := range rv.People {
		box.Add(widget.NewSeparator())
		name := bold(pr.Person.Name + " · " + roleName(pr.Person.Role))
		name.SizeName = theme.SizeNameSubHeadingText
		name.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil, nil, bold(scoreText(s, pr.Score)), name))
		if pr.Person.OffRoster {
			flag := widget.NewLabel(lang.X("staff.offroster", "not on the roster"))
			flag.Importance = widget.WarningImportance
			box.Add(flag)
		}
		if why := pr.Score.Explain(s.lang.standardCode()); len(why) > 0 {
			box.Add(caption(strings.Join(why, "\n")))
		}
		for _, st := range pr.Findings {
			box.Add(findingRow(s, st, pr.Person.ID, onEdit))
		}
		box.Add(signatureLine(d, pr, onSign))
	}

	box.Add(widget.NewSeparator())
	hall := bold(lang.X("inspection.hall", "Hall items"))
	hall.SizeName = theme.SizeNameSubHeadingText
	box.Add(container.NewBorder(nil, nil, nil, bold(scoreText(s, rv.Result.Hall)), hall))
	if len(rv.Hall) == 0 {
		box.Add(caption(lang.X("review.hall.none", "No findings on the hall.")))
	}
	for _, st := range rv.Hall {
		box.Add(findingRow(s, st, hallSubject, onEdit))
	}
	return box
}

// capLines is the explanation's last line when the grade was capped: the
// overall score repeats every person's deductions, so only the cap is new.
func capLines(sc inspect.Score, code string) []string {
	if !sc.Capped {
		return nil
	}
	lines := sc.Explain(code)
	return lines[len(lines)-1:]
}

func scoreText(s *session, sc inspect.Score) string {
	if !sc.Scored {
		return lang.X("review.unscored", "not scored")
	}
	return lang.X("review.score", "{{.Score}} points · {{.Grade}}", map[string]any{
		"Score": formatScore(sc.Points), "Grade": s.text(sc.Grade.Name),
	})
}

// findingRow is one finding in a summary; tapping it opens the checklist
// when the inspection can still change.
func findingRow(s *session, st flow.ItemState, personID string, onEdit func(string)) fyne.CanvasObject {
	state := lang.X("item.state.nonconform", "Does not conform")
	f := st.Finding
	switch {
	case f == nil:
		state = ""
	case f.Outcome == inspect.NotApplicable:
		state = lang.X("item.state.na", "Not applicable / not observed")
	case f.Outcome == inspect.Tallied:
		state = lang.X("review.tally", "failed {{.Failed}} of {{.Observed}}", map[string]any{"Failed": f.Failed, "Observed": f.Observed})
	}
	text := wrapped(st.Item.Clause + "  " + s.text(st.Item.Text))
	box := container.NewVBox(text)
	info := state
	if f != nil && len(f.Photos) > 0 {
		info += " · " + lang.X("item.photos", "photos: {{.Count}}", map[string]any{"Count": len(f.Photos)})
	}
	if f != nil && f.Outcome != inspect.NotApplicable && st.Repeats > 0 {
		info += " · " + repeatHint(st.Repeats+1)
	}
	colour := theme.ColorNameError
	if f != nil && f.Outcome == inspect.NotApplicable {
		colour = theme.ColorNamePlaceHolder
	}
	box.Add(colouredCaption(info, colour))
	if f != nil && f.Note != "" {
		box.Add(caption(f.Note))
	}
	if f != nil && len(f.Photos) > 0 {
		box.Add(photoStrip(s, f.Photos))
	}
	if onEdit == nil {
		return box
	}
	row := newTapRow(container.NewBorder(nil, nil, nil, widget.NewIcon(theme.NavigateNextIcon()), box), func() { onEdit(personID) })
	row.tone = toneCard
	return row
}

// signatureLine says whether a person signed or disagreed, with a button to
// do so while the draft is open.
func signatureLine(d *flow.Draft, pr flow.PersonReview, onSign func(inspect.Person)) fyne.CanvasObject {
	var text string
	colour := theme.ColorNamePlaceHolder
	switch {
	case pr.Signed && pr.Disagree != "":
		text = lang.X("review.signed.disagree", "Signed, disagreeing: {{.Text}}", map[string]any{"Text": pr.Disagree})
		colour = theme.ColorNameWarning
	case pr.Signed:
		text = lang.X("review.signed", "Signed to acknowledge")
		colour = theme.ColorNameSuccess
	case pr.Disagree != "":
		text = lang.X("review.disagree", "Declined to sign: {{.Text}}", map[string]any{"Text": pr.Disagree})
		colour = theme.ColorNameWarning
	case hasSignature(d.Inspection, pr.Person.ID):
		text = lang.X("review.declined", "Declined to sign")
		colour = theme.ColorNameWarning
	default:
		text = lang.X("review.unsigned", "Not signed (optional)")
	}
	var l fyne.CanvasObject = colouredCaption(text, colour)
	if pr.Stale {
		l = container.NewVBox(l, colouredCaption(lang.X("review.signed.stale", "Signed before the last change — ask again"), theme.ColorNameError))
	}
	if onSign == nil {
		return l
	}
	b := widget.NewButtonWithIcon(lang.X("review.staffsign", "Sign or disagree"), theme.DocumentCreateIcon(), func() { onSign(pr.Person) })
	return container.NewBorder(nil, nil, nil, container.NewCenter(b), l)
}

func hasSignature(ins *inspect.Inspection, personID string) bool {
	for _, s := range ins.Signatures {
		if s.Role == inspect.SignerStaff && s.PersonID == personID {
			return true
		}
	}
	return false
}

func warningText(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.WarningImportance
	return l
}

// sidePanel lays out a scrolling main part and a panel of actions: side by
// side on a wide window, the panel under the main part on a narrow one, so
// the actions never scroll out of reach.
type sidePanel struct{}

// sidePanelWidth is the panel's width beside the main part.
const sidePanelWidth = 440

func (sidePanel) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	main, panel := objs[0], objs[1]
	if size.Width >= wideLayout {
		w := min(sidePanelWidth, size.Width/2)
		main.Move(fyne.NewPos(0, 0))
		main.Resize(fyne.NewSize(size.Width-w, size.Height))
		panel.Move(fyne.NewPos(size.Width-w, 0))
		panel.Resize(fyne.NewSize(w, min(panel.MinSize().Height, size.Height)))
		return
	}
	ph := min(panel.MinSize().Height, size.Height*0.6)
	main.Move(fyne.NewPos(0, 0))
	main.Resize(fyne.NewSize(size.Width, size.Height-ph))
	panel.Move(fyne.NewPos(0, size.Height-ph))
	panel.Resize(fyne.NewSize(size.Width, ph))
}

func (sidePanel) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}
