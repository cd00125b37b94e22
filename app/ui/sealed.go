package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
)

// sealedView shows a sealed inspection read-only, as amended, with its seal
// and amendments. Corrections go through Amend; nothing here edits.
type sealedView struct {
	s *session
	d *flow.Draft
	// justSealed is the hash Seal returned when this view follows sealing:
	// the screen then says so.
	justSealed string

	body *fyne.Container
}

func newSealedView(s *session, d *flow.Draft, justSealed string) *sealedView {
	return &sealedView{s: s, d: d, justSealed: justSealed}
}

// title puts the date and the state under the hall's name: on one line, a
// phone cut both off. The day alone fits a phone with larger text too; the
// seal panel gives the time.
func (sv *sealedView) title() string {
	return sv.d.HallName + "\n" + lang.X("sealed.subtitle", "{{.Date}} · sealed",
		map[string]any{"Date": formatDate(sv.d.Inspection.StartedAt)})
}

func (sv *sealedView) buildUI() fyne.CanvasObject {
	sv.body = container.NewVBox()
	sv.load()

	amend := widget.NewButtonWithIcon(lang.X("sealed.amend", "Amend"), theme.DocumentCreateIcon(), sv.onAmend)
	id := sv.d.Inspection.ID
	pdf := newExportPanel(sv.s, lang.X("sealed.pdf", "Export PDF"), func(ctx context.Context, opt report.Options) ([]byte, string, error) {
		return sv.s.wf.ExportInspection(ctx, id, opt)
	})
	panel := container.NewVBox(sv.sealBox(), tall(amend), widget.NewSeparator(), pdf.box)
	return container.New(&sidePanel{}, container.NewVScroll(centred(listWidth, container.NewPadded(sv.body))), container.NewPadded(panel))
}

// sealBox shows the seal hash in full, selectable, so it can be compared
// with a printed report or read out over the phone.
func (sv *sealedView) sealBox() fyne.CanvasObject {
	box := container.NewVBox()
	if sv.justSealed != "" {
		done := bold(lang.X("sealed.done", "Sealed. The record can no longer change."))
		done.Importance = widget.SuccessImportance
		done.Wrapping = fyne.TextWrapWord
		box.Add(done)
	}
	ins := sv.d.Inspection
	box.Add(caption(lang.X("sealed.at", "Sealed {{.Time}}. Seal (SHA-256):", map[string]any{"Time": formatTime(ins.SealedAt)})))
	hash := widget.NewLabelWithStyle(ins.SealHash, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	hash.Selectable = true
	hash.Wrapping = fyne.TextWrapBreak
	box.Add(hash)
	return box
}

func (sv *sealedView) load() {
	sv.body.RemoveAll()
	rv, err := sv.s.wf.Review(sv.s.ctx(), sv.d)
	if err != nil {
		sv.body.Add(errorText(lang.X("review.error", "Could not score the inspection:") + " " + err.Error()))
		return
	}
	if signedBy(sv.d.Inspection, inspect.SignerSupervisor, sv.d.Inspection.SupervisorID) {
		sv.body.Add(caption(lang.X("sealed.supervisor", "Signed by the supervisor.")))
	}
	for _, a := range sv.d.Amendments {
		sv.body.Add(amendmentNote(a))
	}
	sv.body.Add(summaryView(sv.s, sv.d, rv, nil, nil))
	sv.body.Refresh()
}

// amendmentNote shows that a correction exists: the record below is shown
// as amended, and both stay on file.
func amendmentNote(a inspect.Amendment) fyne.CanvasObject {
	l := wrapped(lang.X("sealed.amendment", "Amended {{.Time}}: {{.Reason}} ({{.Count}} changes, seal {{.Hash}})", map[string]any{
		"Time": formatTime(a.At), "Reason": a.Reason, "Count": len(a.Changes), "Hash": shortHash(a.SealHash),
	}))
	l.Importance = widget.WarningImportance
	return l
}

// onShow reloads the record after an amendment.
func (sv *sealedView) onShow() {
	if d, err := sv.s.wf.Open(sv.s.ctx(), sv.d.Inspection.ID); err == nil {
		sv.d = d
	}
	sv.load()
}

func (sv *sealedView) onAmend() {
	sv.s.nav.push(newAmendScreen(sv.s, sv.d))
}

// shortHashLen is enough of a hash to tell records apart on screen.
const shortHashLen = 8

func shortHash(h string) string {
	if len(h) > shortHashLen {
		return h[:shortHashLen]
	}
	return h
}

// othersDraft shows a draft that another supervisor started on this tablet,
// read-only. Only they may finish, sign and seal it (flow refuses anyone
// else), so the screen says whose it is instead of offering controls that
// would fail.
type othersDraft struct {
	s          *session
	d          *flow.Draft
	supervisor string // their name
}

func newOthersDraft(s *session, d *flow.Draft, supervisor string) *othersDraft {
	return &othersDraft{s: s, d: d, supervisor: supervisor}
}

func (od *othersDraft) title() string {
	return od.d.HallName + "\n" + lang.X("draft.others.subtitle", "{{.Date}} · draft",
		map[string]any{"Date": formatDate(od.d.Inspection.StartedAt)})
}

func (od *othersDraft) buildUI() fyne.CanvasObject {
	whose := wrapped(lang.X("draft.others", "This draft belongs to {{.Supervisor}}. Only they can edit, sign or seal it; here you can only read it.",
		map[string]any{"Supervisor": od.supervisor}))
	whose.Importance = widget.WarningImportance
	body := container.NewVBox(whose)
	if can, err := od.s.wf.CanTakeOver(od.s.ctx(), od.d); err == nil && can {
		body.Add(wrapped(lang.X("draft.takeover.why", "{{.Supervisor}} can no longer sign in on this tablet, so nobody else could finish this draft. You can take it over: it becomes your inspection, you sign and seal it.",
			map[string]any{"Supervisor": od.supervisor})))
		take := widget.NewButtonWithIcon(lang.X("draft.takeover", "Take over this draft"), theme.AccountIcon(), od.onTakeOver)
		take.Importance = widget.HighImportance
		body.Add(tall(take))
	}
	if rv, err := od.s.wf.Review(od.s.ctx(), od.d); err != nil {
		body.Add(errorText(lang.X("review.error", "Could not score the inspection:") + " " + err.Error()))
	} else {
		// No edit and no sign callbacks: nothing on it can be tapped.
		body.Add(summaryView(od.s, od.d, rv, nil, nil))
	}
	return container.NewVScroll(centred(listWidth, container.NewPadded(body)))
}

func (od *othersDraft) onTakeOver() {
	d := dialog.NewConfirm(lang.X("draft.takeover", "Take over this draft"),
		lang.X("draft.takeover.confirm", "Take over the draft of {{.Supervisor}}? It is then recorded as your inspection.", map[string]any{"Supervisor": od.supervisor}),
		func(ok bool) {
			if !ok {
				return
			}
			if err := od.s.wf.TakeOver(od.s.ctx(), od.s.user, od.d); err != nil {
				showError(od.s.win, err)
				return
			}
			od.s.nav.pop()
			od.s.nav.push(newInspection(od.s, od.d))
		}, od.s.win)
	d.SetConfirmText(lang.X("draft.takeover.yes", "Take over"))
	d.SetDismissText(lang.X("dialog.cancel", "Cancel"))
	d.Resize(dialogSize(od.s.win))
	d.Show()
}
