package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settings holds this device's display choices, its connection to a hub,
// and signing out.
type settings struct {
	s *session

	hubBox   *fyne.Container
	invite   *widget.Entry
	connect  *widget.Button
	enrolErr *widget.RichText
	busy     *busyLine
	enroling bool
}

func newSettings(s *session) *settings { return &settings{s: s} }

func (st *settings) title() string { return lang.X("settings.title", "Settings") }

func (st *settings) buildUI() fyne.CanvasObject {
	large := newCheckRow(lang.X("settings.large", "Larger text"), st.s.app.Preferences().Bool(prefLargeText), st.onLargeText)

	signOut := widget.NewButtonWithIcon(lang.X("settings.signout", "Sign out"), theme.LogoutIcon(), st.onSignOut)

	body := container.NewVBox(
		bold(lang.X("settings.language", "Language")),
		tall(languageSwitch(st.s)),
		widget.NewSeparator(),
		large,
		caption(lang.X("settings.theme", "Light and dark colours follow the system setting.")),
		widget.NewSeparator(),
	)
	if st.s.sync.enabled() {
		body.Add(st.hubSection())
		body.Add(widget.NewSeparator())
	}
	body.Add(tall(signOut))
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

// hubSection shows the hub this tablet syncs with, and the form to connect
// it to one. Fyne has no camera API on Android, so the QR code the hub shows
// is read with the tablet's camera app and its text pasted here; where
// nothing can be pasted, its short form (address, code, check) is typed.
func (st *settings) hubSection() fyne.CanvasObject {
	st.hubBox = container.NewVBox()
	st.invite = widget.NewMultiLineEntry()
	st.invite.SetPlaceHolder("dudao://enrol?hub=…&pin=…&code=…\n192.168.1.10:8443  ABCD-EFGH-JKMN  7K3Q-M9PX-2D4F-H8JW")
	st.invite.Wrapping = fyne.TextWrapBreak
	st.invite.SetMinRowsVisible(3)
	st.invite.OnChanged = func(string) { st.enrolErr.Hide() }
	st.connect = bigButton(lang.X("settings.hub.connect", "Connect to hub"), theme.LoginIcon(), st.onConnect)
	st.enrolErr = colouredCaption("", theme.ColorNameError)
	st.enrolErr.Hide()
	st.busy = newBusyLine(lang.X("settings.hub.connecting", "Connecting to the hub…"))
	st.fillHub()
	st.s.sync.watch(st, func() {
		if st.s.nav.top() == st && !st.s.sync.running {
			st.fillHub()
		}
	})
	return st.hubBox
}

func (st *settings) fillHub() {
	ctx := context.Background()
	b := st.hubBox
	b.RemoveAll()
	b.Add(bold(lang.X("settings.hub", "Hub")))
	status, err := st.s.sync.sy.SyncStatus(ctx)
	switch {
	case err != nil:
		b.Add(errorText(lang.X("settings.hub.error", "Could not read the sync settings:") + " " + err.Error()))
	case status.Enrolled:
		b.Add(wrapped(lang.X("settings.hub.enrolled", "Connected to hub {{.Hub}} at {{.URL}}.", map[string]any{"Hub": status.HubID, "URL": status.HubURL})))
		b.Add(caption(lang.X("settings.hub.device", "This tablet: {{.Name}} ({{.ID}})", map[string]any{"Name": status.DeviceName, "ID": status.DeviceID})))
		if status.Revoked != "" {
			b.Add(colouredCaption(lang.X("sync.error.device_revoked", "The hub has revoked this tablet, so it can no longer sync. The records not sent stay on the tablet and can be exported as PDF. Ask the hub's administrator.")+" "+status.Revoked, theme.ColorNameError))
		}
		b.Add(newSyncPanel(st.s.sync, st.hubBox).box)
		b.Add(widget.NewSeparator())
		b.Add(bold(lang.X("settings.hub.other", "Connect to another hub")))
	default:
		b.Add(wrapped(lang.X("settings.hub.none", "This tablet is not connected to a hub: its records stay on the tablet.")))
	}
	b.Add(caption(lang.X("settings.hub.how", "On the hub, run “dudao-hub device enrol”: it shows a QR code, its text and a short line. Scan the QR code with the tablet's camera app, copy the text and paste it here. If you cannot paste, type the short line here instead: the hub's address, the code and the check, separated by spaces.")))
	b.Add(st.invite)
	b.Add(st.enrolErr)
	b.Add(st.busy.box)
	b.Add(tall(st.connect))
	b.Refresh()
}

func (st *settings) onConnect() {
	text := strings.TrimSpace(st.invite.Text)
	if text == "" || st.enroling {
		return
	}
	st.enroling = true
	st.connect.Disable()
	st.enrolErr.Hide()
	st.busy.start()
	sy := st.s.sync.sy
	inBackground(func() func() {
		err := sy.Enrol(context.Background(), text)
		return func() { st.enrolled(err) }
	}, st.enrolled)
}

func (st *settings) enrolled(err error) {
	st.enroling = false
	st.busy.stop()
	st.connect.Enable()
	if err != nil {
		setCaption(st.enrolErr, errorMessage(err)+"\n"+err.Error())
		st.enrolErr.Show()
		return
	}
	st.invite.SetText("")
	st.fillHub()
	// The first sync brings the hub's halls, staff and standards.
	st.s.sync.start(true)
}

func (st *settings) onLargeText(on bool) { st.s.setLargeText(on) }

func (st *settings) onSignOut() { st.s.signOut() }
