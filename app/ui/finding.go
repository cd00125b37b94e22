package ui

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // thumbnails of attached photos
	_ "image/png"
	"io"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
)

// findingScreen is one finding's note and photos.
type findingScreen struct {
	s         *session
	d         *flow.Draft
	personID  string
	st        flow.ItemState
	onChanged func()

	note   *widget.Entry
	saved  string // the note as flow has it
	photos *fyne.Container
	status *widget.Label
}

func newFindingScreen(s *session, d *flow.Draft, personID string, st flow.ItemState, onChanged func()) *findingScreen {
	f := &findingScreen{s: s, d: d, personID: personID, st: st, onChanged: onChanged}
	if st.Finding != nil {
		f.saved = st.Finding.Note
	}
	return f
}

func (f *findingScreen) title() string {
	return lang.X("finding.title", "{{.Clause}} · note & photos", map[string]any{"Clause": f.st.Item.Clause})
}

func (f *findingScreen) buildUI() fyne.CanvasObject {
	item := bold(f.s.text(f.st.Item.Text))
	item.Wrapping = fyne.TextWrapWord
	clause := caption(f.st.Clause.ID + " · " + f.st.Clause.Ref + " · " + f.s.text(f.st.Clause.Summary))
	f.status = widget.NewLabel("")
	f.status.Importance = widget.DangerImportance
	f.showStatus()

	f.note = widget.NewMultiLineEntry()
	f.note.Wrapping = fyne.TextWrapWord
	f.note.SetMinRowsVisible(3)
	f.note.SetPlaceHolder(lang.X("finding.note.placeholder", "What did you see?"))
	f.note.SetText(f.saved)
	save := widget.NewButtonWithIcon(lang.X("finding.note.save", "Save note"), theme.DocumentSaveIcon(), f.onSaveNote)

	phrases := container.NewVBox()
	for _, p := range f.s.wf.QuickPhrases(f.st.Item.ID) {
		text := f.s.text(p)
		row := newTapRow(wrapped(text), func() { f.onPhrase(text) })
		row.tone = toneCard
		phrases.Add(row)
	}

	f.photos = container.NewGridWrap(fyne.NewSize(thumbSize, thumbSize+touchTarget))
	f.fillPhotos()
	add := widget.NewButtonWithIcon(lang.X("finding.photo.add", "Add a photo"), theme.FileImageIcon(), f.onAddPhoto)

	// Photos first: the evidence matters most, and the quick phrases below
	// the note can run long.
	body := container.NewVBox(item, clause, f.status,
		widget.NewSeparator(),
		bold(lang.X("finding.photos", "Photos")), f.photos, tall(add),
		widget.NewSeparator(),
		bold(lang.X("finding.note", "Note")), f.note, tall(save))
	if len(phrases.Objects) > 0 {
		body.Add(caption(lang.X("finding.phrases", "Quick phrases: tap to add")))
		body.Add(phrases)
	}
	return container.NewVScroll(centred(formWidth, container.NewPadded(body)))
}

func (f *findingScreen) showStatus() {
	if f.st.Finding == nil {
		f.status.SetText(lang.X("finding.conforms", "Conforms: adding a photo marks it as not conforming."))
		f.status.Importance = widget.MediumImportance
	} else {
		f.status.SetText(lang.X("item.state.nonconform", "Does not conform"))
		f.status.Importance = widget.DangerImportance
	}
	if f.st.Finding != nil && f.st.Repeats > 0 {
		f.status.SetText(f.status.Text + " · " + repeatHint(f.st.Repeats+1))
	}
	f.status.Refresh()
}

// thumbSize is the side of a photo thumbnail.
const thumbSize = 120

func (f *findingScreen) fillPhotos() {
	f.photos.RemoveAll()
	if f.st.Finding == nil {
		return
	}
	for _, p := range f.st.Finding.Photos {
		var img fyne.CanvasObject
		if data := f.s.photoBytes(p.SHA256); data != nil {
			ci := canvas.NewImageFromReader(bytes.NewReader(data), p.SHA256+".jpg")
			ci.FillMode = canvas.ImageFillContain
			ci.ScaleMode = canvas.ImageScaleFastest
			img = ci
		} else {
			img = container.NewCenter(widget.NewIcon(theme.FileImageIcon()))
		}
		remove := widget.NewButtonWithIcon(lang.X("finding.photo.remove", "Remove"), theme.DeleteIcon(), func() { f.onRemovePhoto(p.SHA256) })
		remove.Importance = widget.LowImportance
		f.photos.Add(container.NewBorder(nil, remove, nil, nil, img))
	}
	f.photos.Refresh()
}

// apply takes a successful call's new state, or shows the error and keeps
// what is on screen.
func (f *findingScreen) apply(st flow.ItemState, err error) bool {
	if err != nil {
		showError(f.s.win, err)
		return false
	}
	f.st = st
	if st.Finding != nil {
		f.saved = st.Finding.Note
	} else {
		f.saved = ""
	}
	f.showStatus()
	f.fillPhotos()
	if f.onChanged != nil {
		f.onChanged()
	}
	return true
}

func (f *findingScreen) onSaveNote() {
	if f.note.Text == f.saved {
		return
	}
	f.apply(f.s.wf.SetNote(f.s.ctx(), f.d, f.personID, f.st.Item.ID, f.note.Text))
}

// onLeave saves a typed note that was not saved with the button: going back
// must not throw it away.
func (f *findingScreen) onLeave() { f.onSaveNote() }

func (f *findingScreen) onPhrase(text string) {
	note := f.note.Text
	if note != "" {
		note += lang.X("finding.phrase.sep", "; ")
	}
	f.note.SetText(note + text)
	f.onSaveNote()
}

func (f *findingScreen) onAddPhoto() {
	pickPhoto(f.s.win, f.onPhoto)
}

// onPhoto attaches a chosen file. flow decodes it; a file it cannot read is
// refused with ErrBadPhoto and nothing is attached.
func (f *findingScreen) onPhoto(name string, data []byte, err error) {
	if err != nil {
		showError(f.s.win, err)
		return
	}
	if data == nil {
		return // the picker was cancelled
	}
	var before []string
	if f.st.Finding != nil {
		for _, p := range f.st.Finding.Photos {
			before = append(before, p.SHA256)
		}
	}
	st, err := f.s.wf.AttachPhoto(f.s.ctx(), f.d, f.personID, f.st.Item.ID, name, data)
	if err == nil && st.Finding != nil {
		for _, p := range st.Finding.Photos {
			if !slices.Contains(before, p.SHA256) {
				f.s.rememberPhoto(p.SHA256, thumbnailBytes(data))
			}
		}
	}
	f.apply(st, err)
}

func (f *findingScreen) onRemovePhoto(sha string) {
	f.apply(f.s.wf.RemovePhoto(f.s.ctx(), f.d, f.personID, f.st.Item.ID, sha))
}

// thumbnailBytes keeps a photo for its thumbnail only if it decodes, so a
// thumbnail never shows a broken image.
func thumbnailBytes(data []byte) []byte {
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
		return nil
	}
	return data
}

// maxPhotoFile bounds what is read from a picked file: a camera's photo is a
// few megabytes; anything far larger is not a photo to attach.
const maxPhotoFile = 40 << 20

// pickPhoto asks for a photo file and calls done with its name and bytes,
// with nil data when cancelled. Tests replace it (export_test.go); on a
// phone or tablet Fyne's file dialog reaches the camera and the gallery.
var pickPhoto = func(w fyne.Window, done func(name string, data []byte, err error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			done("", nil, err)
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, maxPhotoFile+1))
		if err == nil && len(data) > maxPhotoFile {
			err = fmt.Errorf("read %s: %w", r.URI().Name(), flow.ErrBadPhoto)
		}
		if err != nil {
			done(r.URI().Name(), nil, err)
			return
		}
		done(r.URI().Name(), data, nil)
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png"}))
	d.Show()
}
