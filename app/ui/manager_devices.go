package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/dudao-app/dudao/app/admin"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// devicesSection lists the region's tablets and managers' desktops with
// their last sync and what they have not delivered, enrols a new one (its
// QR code on screen) and revokes one.
type devicesSection struct {
	m *managerDesk

	devices   []admin.DeviceRow
	deviceID  string // the device chosen in the table
	name      string // typed in the enrol form
	reason    string // typed as the revocation's reason
	enrolment *admin.Enrolment
	enroling  bool
	revoking  bool

	table     *deskTable
	msg       *widget.Label
	enrolBox  *fyne.Container
	deviceBox *fyne.Container
}

// errNoReason: Revoke was tapped with no reason typed; a revocation is
// kept with its reason, for whoever wonders later why a tablet stopped.
var errNoReason = fmt.Errorf("revoke a device: no reason given: %w", admin.ErrInvalid)

func newDevicesSection(m *managerDesk) *devicesSection { return &devicesSection{m: m} }

func (x *devicesSection) label() string       { return lang.X("manager.devices", "Devices") }
func (x *devicesSection) icon() fyne.Resource { return theme.ComputerIcon() }

func (x *devicesSection) buildUI() fyne.CanvasObject {
	d := func(i int) admin.DeviceRow { return x.devices[i] }
	x.table = newDeskTable(func() int { return len(x.devices) },
		// The minimum widths fit a six-character name, "经理电脑", a date
		// and time, three-character headers and the states beside the
		// enrolment panel at 1280 px; wider windows share the rest by weight.
		deskColumn{title: lang.X("manager.devices.col.name", "Name"), weight: 2.5, min: 128, text: func(i int) string { return d(i).Name }},
		deskColumn{title: lang.X("manager.devices.col.kind", "Kind"), weight: 1, min: 88, text: func(i int) string { return deviceKind(d(i)) }},
		deskColumn{title: lang.X("manager.devices.col.sync", "Last sync"), weight: 1.2, min: 160, text: func(i int) string { return dateOrNever(d(i).LastSync) }},
		deskColumn{title: lang.X("manager.devices.col.pending", "Pending"), weight: 0.5, min: 76, text: func(i int) string { return pendingText(d(i).Pending) }},
		deskColumn{title: lang.X("manager.devices.col.delivered", "Delivered"), weight: 0.5, min: 76, text: func(i int) string { return formatCount(d(i).Delivered) }},
		deskColumn{title: lang.X("manager.devices.col.state", "State"), weight: 0.6, min: 72, text: func(i int) string { return deviceState(d(i)) }},
	)
	x.table.danger = func(i int) bool { return d(i).Revoked() }
	x.table.onRow = x.onDevice
	x.msg = wrapped("")
	x.msg.Hide()
	x.enrolBox = container.NewVBox()
	x.deviceBox = container.NewVBox()
	x.showEnrol()
	x.showDevice()

	left := panel(container.NewVBox(heading(lang.X("manager.devices.heading", "Devices of the region")), x.msg), x.table.object())
	// The scroll bar is drawn over the content's edge: keep the buttons
	// clear of it.
	right := container.NewVScroll(container.NewBorder(nil, nil, nil, minSize(theme.ScrollBarSize(), 0),
		container.NewVBox(x.enrolBox, widget.NewSeparator(), x.deviceBox)))
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.66
	return split
}

func (x *devicesSection) onShow() { x.load() }

func (x *devicesSection) load() {
	x.m.run(func(ctx context.Context) (func(), error) {
		ds, err := x.m.svc.Devices(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			x.devices = ds
			x.msg.Hide()
			x.table.selected = x.selectedRow()
			x.table.refresh()
			x.showDevice()
		}, nil
	}, func(err error) {
		x.msg.Importance = widget.DangerImportance
		x.msg.SetText(lang.X("manager.devices.error", "Could not read the devices:") + " " + managerMessage(err) + " " + err.Error())
		x.msg.Show()
	})
}

func (x *devicesSection) selectedRow() int {
	return slices.IndexFunc(x.devices, func(d admin.DeviceRow) bool { return d.ID == x.deviceID })
}

func (x *devicesSection) onDevice(i int) {
	if x.deviceID != x.devices[i].ID {
		x.reason = "" // a reason typed for another device does not carry over
	}
	x.deviceID = x.devices[i].ID
	x.showDevice()
}

// deviceKind says whether a device is a tablet or a manager's desktop.
func deviceKind(d admin.DeviceRow) string {
	if d.Manager != "" {
		return lang.X("manager.devices.desktop.short", "Manager's desktop")
	}
	return lang.X("manager.devices.tablet", "Tablet")
}

// deviceOwner says whose desktop a manager's desktop is; a tablet is the
// region's.
func deviceOwner(d admin.DeviceRow) string {
	if d.Manager != "" {
		return lang.X("manager.devices.desktop", "Desktop of {{.User}}", map[string]any{"User": d.Manager})
	}
	return lang.X("manager.devices.tablet", "Tablet")
}

func pendingText(n int) string {
	if n < 0 {
		return lang.X("manager.devices.pending.unknown", "not told")
	}
	return formatCount(n)
}

func deviceState(d admin.DeviceRow) string {
	switch {
	case d.Revoked():
		return lang.X("manager.devices.revoked", "Revoked {{.Date}}", map[string]any{"Date": formatDate(*d.RevokedAt)})
	case !d.Enrolled:
		return lang.X("manager.devices.waiting", "Code not used yet")
	}
	return lang.X("manager.devices.active", "Active")
}

// showEnrol is the enrol form, and the QR code of the last enrolment.
func (x *devicesSection) showEnrol() {
	x.enrolBox.RemoveAll()
	x.enrolBox.Add(heading(lang.X("manager.devices.enrol", "Enrol a device")))
	if !x.m.scope.Remote {
		x.enrolBox.Add(wrapped(lang.X("manager.devices.enrol.local", "Tablets enrol with the hub, and this desk works on this computer's own database, without a hub. Enrol devices on the hub (dudao-hub device enrol), or connect this desktop to the hub and open the desk again.")))
		return
	}
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.X("manager.devices.enrol.name", "Name of the new device"))
	name.SetText(x.name)
	name.OnChanged = func(s string) { x.name = s }
	enrol := bigButton(lang.X("manager.devices.enrol.button", "Enrol"), theme.ContentAddIcon(), x.onEnrol)
	enrol.Importance = widget.HighImportance
	enable(enrol, !x.enroling)
	name.OnSubmitted = func(string) { x.onEnrol() }
	x.enrolBox.Add(container.NewBorder(nil, nil, nil, tall(enrol), tall(name)))
	e := x.enrolment
	if e == nil {
		x.enrolBox.Add(caption(lang.X("manager.devices.enrol.hint", "Name it so that it can be told apart, such as 北京路 tablet 1. Enrolling makes a one-time code and its QR code, to scan on the new device.")))
		return
	}
	x.enrolBox.Add(bold(lang.X("manager.devices.enrol.done", "Scan this code on {{.Name}}", map[string]any{"Name": e.Device.Name})))
	if img, err := qrcode.New(e.Invite, qrcode.Medium); err == nil {
		qr := canvas.NewImageFromImage(img.Image(512))
		qr.FillMode = canvas.ImageFillContain
		qr.ScaleMode = canvas.ImageScalePixels
		qr.SetMinSize(fyne.NewSize(280, 280))
		x.enrolBox.Add(container.NewCenter(qr))
	} else {
		x.enrolBox.Add(errorText(err.Error()))
	}
	code := widget.NewLabelWithStyle(e.Code, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	code.SizeName = theme.SizeNameSubHeadingText
	code.Selectable = true
	x.enrolBox.Add(code)
	x.enrolBox.Add(caption(lang.X("manager.devices.enrol.expires", "Code {{.Code}}, valid once, until {{.Time}}. On the tablet (a new one asks at sign-in; later: Settings, Hub), scan the QR code with the camera app and paste its text:",
		map[string]any{"Code": e.Code, "Time": formatTime(e.Expires)})))
	invite := widget.NewLabel(e.Invite)
	invite.Wrapping = fyne.TextWrapBreak
	invite.Selectable = true
	invite.TextStyle.Monospace = true
	x.enrolBox.Add(invite)
	// Where pasting is awkward, the short line is typed instead: address,
	// code and the check of the hub's key.
	if inv, err := dsync.ParseInvite(e.Invite); err == nil {
		x.enrolBox.Add(caption(lang.X("manager.devices.enrol.typed", "Or type this line on the tablet:")))
		typed := widget.NewLabelWithStyle(inv.Typed(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
		typed.Wrapping = fyne.TextWrapWord
		typed.Selectable = true
		x.enrolBox.Add(typed)
	}
}

func (x *devicesSection) onEnrol() {
	name := strings.TrimSpace(x.name)
	if x.enroling || name == "" {
		return
	}
	x.enroling = true
	x.showEnrol()
	x.m.runThen(func(ctx context.Context) (func(), error) {
		e, err := x.m.svc.EnrolDevice(ctx, name)
		if err != nil {
			return nil, err
		}
		return func() {
			x.enrolment = &e
			x.name = "" // the next device gets its own name
			x.showEnrol()
			x.load()
		}, nil
	}, nil, func() {
		x.enroling = false
		x.showEnrol()
	})
}

// showDevice shows the chosen device, and the form to revoke it.
func (x *devicesSection) showDevice() {
	x.deviceBox.RemoveAll()
	i := x.selectedRow()
	if i < 0 {
		x.deviceBox.Add(caption(lang.X("manager.devices.pick", "Choose a device in the list to see it or revoke it.")))
		return
	}
	d := x.devices[i]
	x.deviceBox.Add(heading(d.Name))
	facts := []string{deviceOwner(d), d.RegionName,
		lang.X("manager.devices.created", "made {{.Date}}", map[string]any{"Date": formatDate(d.CreatedAt)})}
	if d.Enrolled {
		facts = append(facts, lang.X("manager.devices.enrolled", "enrolled {{.Date}}", map[string]any{"Date": formatDate(d.EnrolledAt)}))
	}
	x.deviceBox.Add(caption(strings.Join(facts, " · ")))
	x.deviceBox.Add(wrapped(lang.X("manager.devices.sync", "Last sync: {{.Sync}} · last seen: {{.Seen}} · not delivered at its last sync: {{.Pending}} · delivered to the hub: {{.Delivered}}",
		map[string]any{"Sync": dateOrNever(d.LastSync), "Seen": dateOrNever(d.LastSeenAt), "Pending": pendingText(d.Pending), "Delivered": formatCount(d.Delivered)})))
	if d.Revoked() {
		l := wrapped(lang.X("manager.devices.revoked.reason", "Revoked on {{.Time}}: {{.Reason}}", map[string]any{"Time": formatTime(*d.RevokedAt), "Reason": d.RevokeReason}))
		l.Importance = widget.DangerImportance
		x.deviceBox.Add(l)
		return
	}
	reason := widget.NewEntry()
	reason.SetPlaceHolder(lang.X("manager.devices.reason", "Why it is revoked (lost, stolen, replaced)"))
	reason.SetText(x.reason)
	reason.OnChanged = func(s string) { x.reason = s }
	revoke := widget.NewButtonWithIcon(lang.X("manager.devices.revoke", "Revoke"), theme.DeleteIcon(), x.onRevoke)
	revoke.Importance = widget.DangerImportance
	enable(revoke, !x.revoking)
	x.deviceBox.Add(tall(reason))
	x.deviceBox.Add(tall(revoke))
	x.deviceBox.Add(caption(lang.X("manager.devices.revoke.hint", "A revoked device can no longer sync. What it has not sent stays on it and can still be exported as PDF.")))
}

func (x *devicesSection) onRevoke() {
	i := x.selectedRow()
	reason := strings.TrimSpace(x.reason)
	if i < 0 || x.revoking {
		return
	}
	if reason == "" {
		showManagerError(x.m.s.win, errNoReason)
		return
	}
	d := x.devices[i]
	msg := lang.X("manager.devices.revoke.confirm", "Revoke {{.Name}}? It can no longer sync with the hub. Reason: {{.Reason}}", map[string]any{"Name": d.Name, "Reason": reason})
	dlg := dialog.NewConfirm(lang.X("manager.devices.revoke.title", "Revoke the device"), msg, func(ok bool) {
		if ok {
			x.revoke(d.ID, reason)
		}
	}, x.m.s.win)
	dlg.SetConfirmText(lang.X("manager.devices.revoke", "Revoke"))
	dlg.SetDismissText(lang.X("dialog.cancel", "Cancel"))
	dlg.Resize(dialogSize(x.m.s.win))
	dlg.Show()
}

func (x *devicesSection) revoke(id, reason string) {
	x.revoking = true
	x.showDevice()
	x.m.runThen(func(ctx context.Context) (func(), error) {
		row, err := x.m.svc.RevokeDevice(ctx, id, reason)
		if err != nil {
			return nil, err
		}
		return func() {
			if i := slices.IndexFunc(x.devices, func(d admin.DeviceRow) bool { return d.ID == id }); i >= 0 {
				x.devices[i] = row
			}
			x.reason = ""
			x.table.refresh()
			x.showDevice()
			x.load()
		}, nil
	}, nil, func() {
		x.revoking = false
		x.showDevice()
	})
}
