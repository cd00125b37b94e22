package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// staffSign hands the tablet to the person observed: they sign to
// acknowledge the findings, or write down that they disagree, or decline.
type staffSign struct {
	s      *session
	d      *flow.Draft
	person inspect.Person

	pad      *signaturePad
	disagree *widget.Entry
	msg      *widget.Label
}

func newStaffSign(s *session, d *flow.Draft, p inspect.Person) *staffSign {
	return &staffSign{s: s, d: d, person: p}
}

func (ss *staffSign) title() string {
	return lang.X("staffsign.title", "{{.Name}}: acknowledge", map[string]any{"Name": ss.person.Name})
}

func (ss *staffSign) buildUI() fyne.CanvasObject {
	ss.pad = newSignaturePad(lang.X("staffsign.hint", "Sign here"), nil)
	clear := widget.NewButtonWithIcon(lang.X("review.sign.clear", "Clear"), theme.ContentClearIcon(), ss.pad.Clear)
	clear.Importance = widget.LowImportance
	ss.disagree = widget.NewMultiLineEntry()
	ss.disagree.Wrapping = fyne.TextWrapWord
	ss.disagree.SetMinRowsVisible(3)
	ss.disagree.SetPlaceHolder(lang.X("staffsign.disagree.placeholder", "If you disagree, say why in your own words"))
	ss.msg = errorText("")
	ss.msg.Hide()

	sign := bigButton(lang.X("staffsign.sign", "Sign"), theme.ConfirmIcon(), ss.onSign)
	decline := widget.NewButtonWithIcon(lang.X("staffsign.decline", "Decline to sign"), theme.CancelIcon(), ss.onDecline)

	body := container.NewVBox(
		wrapped(lang.X("staffsign.explain", "{{.Name}}, please check your findings with the supervisor. Sign to acknowledge them. You may write that you disagree, with or without signing.", map[string]any{"Name": ss.person.Name})),
		ss.findings(),
		widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, tall(clear), bold(lang.X("staffsign.signature", "Signature"))),
		ss.pad,
		bold(lang.X("staffsign.disagree", "Disagreement (optional)")),
		ss.disagree,
		ss.msg,
		tall(sign),
		tall(decline),
	)
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

// findings shows what the person is asked to sign for, as the review
// shows it but read-only: the tablet is in their hands, and they must see
// what they acknowledge or dispute.
func (ss *staffSign) findings() fyne.CanvasObject {
	box := container.NewVBox(bold(lang.X("staffsign.findings", "Your findings")))
	rv, err := ss.s.wf.Review(ss.s.ctx(), ss.d)
	if err != nil {
		box.Add(errorText(lang.X("staffsign.findings.error", "Could not read the findings:") + " " + err.Error()))
		return box
	}
	for _, pr := range rv.People {
		if pr.Person.ID != ss.person.ID {
			continue
		}
		if len(pr.Findings) == 0 {
			box.Add(caption(lang.X("staffsign.findings.none", "Nothing was recorded against you.")))
		}
		for _, st := range pr.Findings {
			box.Add(findingRow(ss.s, st, pr.Person.ID, nil))
		}
	}
	return box
}

func (ss *staffSign) onSign() {
	if ss.pad.Empty() {
		ss.msg.SetText(lang.X("staffsign.empty", "Draw a signature first, or choose Decline to sign."))
		ss.msg.Show()
		return
	}
	data, err := ss.pad.PNG()
	if err != nil {
		showError(ss.s.win, err)
		return
	}
	ss.save(data)
}

// onDecline records that the person did not sign, keeping any disagreement
// they wrote.
func (ss *staffSign) onDecline() { ss.save(nil) }

func (ss *staffSign) save(png []byte) {
	if err := ss.s.wf.SignStaff(ss.s.ctx(), ss.d, ss.person.ID, png, ss.disagree.Text); err != nil {
		showError(ss.s.win, err)
		return
	}
	ss.s.nav.pop()
}
