package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

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
	msg := wrapped(errorMessage(err))
	detail := caption(err.Error())
	d := dialog.NewCustom(lang.X("error.title", "Could not complete"), lang.X("dialog.ok", "OK"), container.NewVBox(msg, detail), w)
	d.Resize(dialogSize(w))
	d.Show()
}

// dialogSize is a dialog's size: wide enough for a wrapped message, never
// wider than a phone's screen.
func dialogSize(w fyne.Window) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(min(520, s.Width-24), 0)
}
