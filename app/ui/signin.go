package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
)

// prefLastUser remembers who signed in last, so the tablet's usual
// supervisor finds the PIN pad already open.
const prefLastUser = "ui.lastUser"

// signIn is the first screen: the people who can sign in on this device, and
// the PIN pad for the one picked.
type signIn struct {
	s     *session
	users []flow.User
	rows  []*tapRow
	split *split
}

func newSignIn(s *session) *signIn { return &signIn{s: s} }

func (si *signIn) title() string { return lang.X("signin.title", "Sign in") }

func (si *signIn) actions() []fyne.CanvasObject {
	return []fyne.CanvasObject{languageSwitch(si.s)}
}

func (si *signIn) buildUI() fyne.CanvasObject {
	users, err := si.s.wf.Users(si.s.ctx())
	si.users = users
	hint := lang.X("signin.pick", "Tap your name to sign in.")
	if err == nil && len(users) == 0 {
		hint = lang.X("signin.pick.none", "Connect the tablet to the hub first: its users then appear in the list.")
	}
	si.split = newSplit(si.s.nav, centred(formWidth, container.NewPadded(wrapped(hint))))

	list := container.NewVBox()
	switch {
	case err != nil:
		list.Add(errorText(lang.X("signin.error.users", "Could not read the users of this device:") + " " + err.Error()))
	case len(users) == 0:
		list.Add(wrapped(lang.X("signin.empty", "No one can sign in on this device yet. Users come from the hub when the tablet is enrolled.")))
		switch {
		case si.s.sync.enrolled():
			// Connected, before the first sync has brought the users. The
			// form is not offered here: connecting to another hub is for
			// someone signed in.
			list.Add(caption(lang.X("signin.waiting", "This tablet is connected to the hub; its users arrive with the first sync.")))
			si.s.sync.watch(si, si.afterSync)
		case si.s.sync.enabled():
			// A new tablet: connecting it to the hub is the only way on,
			// so the form is here rather than behind a sign-in.
			list.Add(widget.NewSeparator())
			list.Add(newSettings(si.s).hubSection())
			si.s.sync.watch(si, si.afterSync)
		}
	}
	si.rows = make([]*tapRow, len(users))
	last := si.s.app.Preferences().String(prefLastUser)
	for i, u := range users {
		role := lang.X("signin.role.supervisor", "Supervisor")
		if u.Manager {
			role = lang.X("signin.role.manager", "Manager")
		}
		row := newTapRow(lines(u.Name, true, detail(role+" · "+u.Username)), func() { si.onUser(i) })
		row.tone = toneCard
		si.rows[i] = row
		list.Add(row)
	}
	master := container.NewBorder(
		container.NewPadded(heading(lang.X("signin.who", "Who is inspecting?"))), nil, nil, nil,
		container.NewVScroll(container.NewPadded(list)))
	ui := si.split.build(centred(formWidth, master))

	for i, u := range users {
		if u.Username == last || len(users) == 1 {
			// Shown in the detail pane only: a narrow window keeps the
			// list, so someone else can still pick their name.
			si.choose(i)
			si.split.show(newPinPad(si.s, u))
			break
		}
	}
	return ui
}

// afterSync shows the users the first sync of a new tablet brought.
func (si *signIn) afterSync() {
	if si.s.nav.top() != si || si.s.sync.running {
		return
	}
	if users, err := si.s.wf.Users(si.s.ctx()); err == nil && len(users) > 0 {
		si.s.nav.reset(newSignIn(si.s))
	}
}

func (si *signIn) onUser(i int) {
	if i >= len(si.users) {
		return
	}
	si.choose(i)
	si.split.open(newPinPad(si.s, si.users[i]))
}

func (si *signIn) choose(i int) {
	for j, r := range si.rows {
		if j == i {
			r.setTone(toneSelected)
		} else {
			r.setTone(toneCard)
		}
	}
}

// pinPad asks one user for their PIN, with a large keypad for fingers and an
// entry for a keyboard.
type pinPad struct {
	s     *session
	user  flow.User
	entry *widget.Entry
	msg   *widget.Label
}

func newPinPad(s *session, u flow.User) *pinPad { return &pinPad{s: s, user: u} }

func (p *pinPad) title() string { return p.user.Name }

// keypadKey is the height of a keypad key: larger than the usual target,
// since the PIN is typed standing, often with a thumb.
const keypadKey = 64

func (p *pinPad) buildUI() fyne.CanvasObject {
	p.entry = widget.NewPasswordEntry()
	p.entry.SetPlaceHolder(lang.X("signin.pin", "PIN"))
	p.entry.OnSubmitted = func(string) { p.onSubmit() }
	p.msg = widget.NewLabel("")
	p.msg.Importance = widget.DangerImportance
	p.msg.Wrapping = fyne.TextWrapWord
	p.msg.Hide()

	keys := container.NewGridWithColumns(3)
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		keys.Add(p.key(d))
	}
	del := widget.NewButtonWithIcon(lang.X("signin.delete", "Delete"), theme.ContentClearIcon(), p.onDelete)
	del.Importance = widget.LowImportance
	keys.Add(container.New(minHeightLayout{keypadKey}, del))
	keys.Add(p.key("0"))
	ok := widget.NewButtonWithIcon(lang.X("signin.ok", "Sign in"), theme.ConfirmIcon(), p.onSubmit)
	ok.Importance = widget.HighImportance
	keys.Add(container.New(minHeightLayout{keypadKey}, ok))

	body := container.NewVBox(wrapped(lang.X("signin.prompt", "Enter your PIN")), tall(p.entry), p.msg, keys)
	if p.s.nav.top() != p {
		// Beside the list the top bar says "Sign in"; pushed, it names the user.
		body.Objects = append([]fyne.CanvasObject{heading(p.user.Name)}, body.Objects...)
	}
	return container.NewVScroll(centred(420, container.NewPadded(body)))
}

func (p *pinPad) key(d string) fyne.CanvasObject {
	b := widget.NewButton(d, func() { p.onDigit(d) })
	return container.New(minHeightLayout{keypadKey}, b)
}

func (p *pinPad) onDigit(d string) {
	p.entry.SetText(p.entry.Text + d)
}

func (p *pinPad) onDelete() {
	if t := []rune(p.entry.Text); len(t) > 0 {
		p.entry.SetText(string(t[:len(t)-1]))
	}
}

func (p *pinPad) onSubmit() {
	u, err := p.s.wf.SignIn(p.s.ctx(), p.user.Username, p.entry.Text)
	if err != nil {
		// A wrong PIN is said on the pad, where the eyes are; the entry is
		// cleared for the next try.
		p.entry.SetText("")
		if errors.Is(err, flow.ErrWrongPIN) {
			p.msg.SetText(errorMessage(err))
		} else {
			p.msg.SetText(errorMessage(err) + " " + err.Error())
		}
		p.msg.Show()
		return
	}
	p.s.app.Preferences().SetString(prefLastUser, u.Username)
	p.s.user = u
	p.s.nav.reset(newHome(p.s))
}

// errorText is a message in the error colour, in place of content that could
// not be loaded.
func errorText(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.DangerImportance
	return l
}

// languageSwitch is the 中文 / English choice, offered where someone who
// cannot read the current language may need it: sign-in and settings.
func languageSwitch(s *session) fyne.CanvasObject {
	names := make([]string, len(languageOrder))
	for i, l := range languageOrder {
		names[i] = languageNames[l]
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelected(languageNames[s.lang])
	sel.OnChanged = func(name string) {
		for l, n := range languageNames {
			if n == name {
				s.setLanguage(l)
				return
			}
		}
	}
	return sel
}
