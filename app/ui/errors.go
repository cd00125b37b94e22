package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
)

// errorMessage says in the UI language what went wrong and what the
// supervisor can do. flow classifies the error (MessageKey); its keys are
// spelled out here so that the translation check sees every one.
func errorMessage(err error) string {
	switch flow.MessageKey(err) {
	case "error.storage_full":
		return lang.X("error.storage_full", "The tablet's storage is full, so this change was not saved. Everything saved before it is safe. Free some space and try again.")
	case "error.busy":
		return lang.X("error.busy", "The database is busy, so this change was not saved. Everything saved before it is safe. Try again in a moment.")
	case "error.sealed":
		return lang.X("error.sealed", "This inspection is sealed and cannot change. Use an amendment to correct it.")
	case "error.unsigned":
		return lang.X("error.unsigned", "The supervisor must sign before sealing.")
	case "error.not_owner":
		return lang.X("error.not_owner", "This draft belongs to another supervisor. Only they can sign or seal it.")
	case "error.bad_photo":
		return lang.X("error.bad_photo", "This file is not a JPEG or PNG photo that can be read. It was not attached.")
	case "error.photo_dir":
		dir := ""
		var pe *flow.PhotoDirError
		if errors.As(err, &pe) {
			dir = pe.Dir
		}
		return lang.X("error.photo_dir", "Photos cannot be saved: the photo folder {{.Dir}} on this tablet cannot be written. Nothing was attached and the draft is as it was. Ask for the tablet to be checked.", map[string]any{"Dir": dir})
	case "error.wrong_pin":
		return lang.X("error.wrong_pin", "Wrong PIN. Try again.")
	case "error.disabled":
		return lang.X("error.disabled", "This account is disabled. Ask a manager.")
	case "error.no_finding":
		return lang.X("error.no_finding", "This item conforms. Mark it as not conforming before adding a note.")
	case "error.not_sealed":
		return lang.X("error.not_sealed", "Only a sealed inspection can be amended.")
	case "error.not_found":
		return lang.X("error.not_found", "This record is no longer on the tablet.")
	case "sync.error.bad_invite":
		return lang.X("sync.error.bad_invite", "This is not a hub's connection code. It starts with dudao://enrol: copy the whole text the hub shows.")
	case "sync.error.unreachable":
		return lang.X("sync.error.unreachable", "The hub cannot be reached. Check the Wi-Fi or network connection and try again; the tablet also tries again by itself.")
	case "sync.error.certificate_changed":
		return lang.X("sync.error.certificate_changed", "The hub's certificate is not the one this tablet trusts, so nothing was sent. Someone may be intercepting the connection, or the hub was replaced: ask the hub's administrator before connecting again.")
	case "sync.error.device_revoked":
		return lang.X("sync.error.device_revoked", "The hub has revoked this tablet, so it can no longer sync. The records not sent stay on the tablet and can be exported as PDF. Ask the hub's administrator.")
	case "sync.error.unauthenticated":
		return lang.X("sync.error.unauthenticated", "The hub does not recognise this tablet. Connect it to the hub again with a new code.")
	case "sync.error.update_required":
		return lang.X("sync.error.update_required", "This version of Dudao is too old for the hub. Please update the app; nothing was sent and nothing was lost.")
	case "sync.error.hub_too_old":
		return lang.X("sync.error.hub_too_old", "The hub runs an older version than this app. Ask for the hub to be updated.")
	case "sync.error.not_hub":
		return lang.X("sync.error.not_hub", "The answer did not come from the hub: the network may need a sign-in page (a captive portal) or a proxy is in the way. Open a browser, sign in to the network, and try again.")
	case "sync.error.enrolment_invalid":
		return lang.X("sync.error.enrolment_invalid", "The hub does not accept this code: it is unknown, already used or expired. Ask for a new one.")
	case "sync.error.bad_receipt":
		return lang.X("sync.error.bad_receipt", "The hub's receipt does not verify, so no record was marked delivered. Ask the hub's administrator.")
	case "sync.error.not_enrolled":
		return lang.X("sync.error.not_enrolled", "This tablet is not connected to a hub. Connect it in the settings.")
	case "sync.error.sync_running":
		return lang.X("sync.error.sync_running", "A sync is already running. Wait for it to finish.")
	case "sync.error.unavailable":
		return lang.X("sync.error.unavailable", "The hub is busy or failed. The tablet tries again by itself later.")
	case "sync.error.forbidden":
		return lang.X("sync.error.forbidden", "The hub refused: this record is outside this tablet's region.")
	case "error.invalid":
		return lang.X("error.invalid", "This is not allowed:")
	}
	return lang.X("error.unexpected", "This did not work, and nothing was changed:")
}

// showError shows err in a dialog over whatever is on screen, which stays as
// it was: the supervisor loses nothing and can try again.
func showError(w fyne.Window, err error) {
	if err == nil {
		return
	}
	message := errorMessage(err)
	d := dialog.NewCustom(lang.X("error.title", "Could not complete"), lang.X("dialog.ok", "OK"),
		container.NewVBox(wrapped(message), errorDetail(message, err)), w)
	d.Resize(dialogSize(w))
	d.Show()
}

// errorDetail is the error's own text, in English and technical, under the
// message. After a message that ends by pointing at it ("This is not
// allowed:") it is shown as it is; after one that says everything the
// supervisor needs, it is folded under Details, for whoever looks after
// the tablet.
func errorDetail(message string, err error) fyne.CanvasObject {
	detail := caption(err.Error())
	if strings.HasSuffix(message, ":") || strings.HasSuffix(message, "：") {
		return detail
	}
	return widget.NewAccordion(widget.NewAccordionItem(lang.X("error.details", "Details"), detail))
}

// dialogSize is a dialog's size: wide enough for a wrapped message, never
// wider than a phone's screen.
func dialogSize(w fyne.Window) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(min(520, s.Width-24), 0)
}
