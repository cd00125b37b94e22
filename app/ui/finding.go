package ui

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // thumbnails of attached photos
	_ "image/png"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// findingScreen is one finding's note and photos.
type findingScreen struct {
	s         *session
	d         *flow.Draft
	personID  string
	st        flow.ItemState
	onChanged func()

	note      *widget.Entry
	saved     string           // the note as flow has it
	noteState *widget.RichText // "saved", or why an automatic save failed
	typing    *time.Timer      // the automatic save waiting for typing to pause
	photos    *fyne.Container
	status    *widget.Label

	// attaching is set while a photo is decoded and stored off the UI
	// thread: flow's Draft takes one call at a time, so every control that
	// calls flow waits, and so does leaving the screen (see busy).
	attaching bool
	add, save *widget.Button
	removes   []*widget.Button
	progress  *busyLine
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
	f.note.OnChanged = f.onNoteChanged
	f.noteState = caption("")
	f.noteState.Hide()
	f.save = widget.NewButtonWithIcon(lang.X("finding.note.save", "Save note"), theme.DocumentSaveIcon(), f.onSaveNote)

	phrases := container.NewVBox()
	for _, p := range f.s.wf.QuickPhrases(f.st.Item.ID) {
		text := f.s.text(p)
		row := newTapRow(wrapped(text), func() { f.onPhrase(text) })
		row.tone = toneCard
		phrases.Add(row)
	}

	f.photos = container.NewGridWrap(fyne.NewSize(thumbSize, thumbSize+touchTarget))
	f.fillPhotos()
	f.add = widget.NewButtonWithIcon(lang.X("finding.photo.add", "Add a photo"), theme.FileImageIcon(), f.onAddPhoto)
	f.progress = newBusyLine(lang.X("finding.photo.busy", "Saving the photo…"))

	// Photos first: the evidence matters most, and the quick phrases below
	// the note can run long.
	body := container.NewVBox(item, clause, f.status,
		widget.NewSeparator(),
		bold(lang.X("finding.photos", "Photos")), f.photos, f.progress.box, tall(f.add),
		widget.NewSeparator(),
		bold(lang.X("finding.note", "Note")), f.note, f.noteState, tall(f.save))
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
	f.removes = f.removes[:0]
	for _, p := range f.st.Finding.Photos {
		remove := widget.NewButtonWithIcon(lang.X("finding.photo.remove", "Remove"), theme.DeleteIcon(), func() { f.onRemovePhoto(p.SHA256) })
		remove.Importance = widget.LowImportance
		if f.attaching {
			remove.Disable()
		}
		f.removes = append(f.removes, remove)
		f.photos.Add(container.NewBorder(nil, remove, nil, nil, thumbnail(f.s, p.SHA256)))
	}
	f.photos.Refresh()
}

// thumbnail shows a stored photo, or an icon when it cannot be read.
func thumbnail(s *session, sha string) fyne.CanvasObject {
	data := s.photoBytes(sha)
	if data == nil {
		return container.NewCenter(widget.NewIcon(theme.FileImageIcon()))
	}
	ci := canvas.NewImageFromReader(bytes.NewReader(data), sha+".jpg")
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScaleFastest
	return ci
}

// smallThumbSize is the side of a thumbnail in a summary's finding row.
const smallThumbSize = 72

// photoStrip shows a finding's photos small, in a row that wraps.
func photoStrip(s *session, photos []inspect.PhotoRef) fyne.CanvasObject {
	grid := container.NewGridWrap(fyne.NewSize(smallThumbSize, smallThumbSize))
	for _, p := range photos {
		grid.Add(thumbnail(s, p.SHA256))
	}
	return grid
}

// apply takes a successful call's new state, or shows the error and keeps
// what is on screen.
func (f *findingScreen) apply(st flow.ItemState, err error) bool {
	if err != nil {
		showError(f.s.win, err)
		return false
	}
	before := f.st.Finding
	f.st = st
	if st.Finding != nil {
		f.saved = st.Finding.Note
	} else {
		f.saved = ""
	}
	f.showStatus()
	// A note saved while typing pauses must not decode every thumbnail
	// again.
	if !samePhotos(before, st.Finding) {
		f.fillPhotos()
	}
	if f.onChanged != nil {
		f.onChanged()
	}
	return true
}

func samePhotos(a, b *inspect.Finding) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.EqualFunc(a.Photos, b.Photos, func(x, y inspect.PhotoRef) bool { return x.SHA256 == y.SHA256 })
}

// notePause is how long typing must pause before the note is saved by
// itself: a draft must survive the app being killed at any moment, and a
// write per keystroke would gain nothing over this.
const notePause = 800 * time.Millisecond

func (f *findingScreen) onNoteChanged(string) {
	f.noteState.Hide()
	var t *time.Timer
	t = afterPause(f.typing, notePause, func() { f.onNotePause(t) })
	f.typing = t
}

// onNotePause saves once typing paused. A pause whose save was already
// queued when typing went on, or the screen was left (which saved), is
// stale: the newer timer, or the leaving, has the note.
func (f *findingScreen) onNotePause(fired *time.Timer) {
	if f.typing != fired {
		return
	}
	f.typing = nil
	f.saveNote(true)
}

func (f *findingScreen) onSaveNote() { f.saveNote(false) }

// saveNote commits the typed note unless flow has it already. quiet reports
// a failure under the note rather than in a dialog: a save that typing set
// off must not pop up over the keyboard every time typing pauses.
func (f *findingScreen) saveNote(quiet bool) {
	f.stopTyping()
	if f.attaching {
		return // saved when the photo is in (see onPhoto)
	}
	if strings.TrimSpace(f.note.Text) != f.saved {
		st, err := f.s.wf.SetNote(f.s.ctx(), f.d, f.personID, f.st.Item.ID, f.note.Text)
		if err != nil && quiet {
			f.showNoteState(lang.X("finding.note.unsaved", "Note not saved:")+" "+errorMessage(err), theme.ColorNameError)
			return
		}
		if !f.apply(st, err) {
			return
		}
	}
	f.showNoteState(lang.X("finding.note.saved", "Note saved"), theme.ColorNamePlaceHolder)
}

func (f *findingScreen) showNoteState(text string, c fyne.ThemeColorName) {
	f.noteState.Segments[0].(*widget.TextSegment).Style.ColorName = c
	setCaption(f.noteState, text)
	f.noteState.Show()
}

// saveHeldNote saves what was typed while a photo was attached, which
// saveNote held back.
func (f *findingScreen) saveHeldNote() {
	if strings.TrimSpace(f.note.Text) != f.saved {
		f.saveNote(true)
	}
}

// stopTyping drops a pending automatic save; the caller saves instead.
func (f *findingScreen) stopTyping() {
	if f.typing != nil && f.typing.Stop() {
		jobs.Done() // the held save will not run
	}
	f.typing = nil
}

// afterPause runs fn on the UI thread once d has passed without another
// call, cancelling what t (may be nil) was holding, and returns the new
// timer. It is afterTyping (manager_typing.go) with a pause of its own; tests'
// WaitBackground waits for the held call.
func afterPause(t *time.Timer, d time.Duration, fn func()) *time.Timer {
	if t != nil && t.Stop() {
		jobs.Done()
	}
	jobs.Add(1)
	return time.AfterFunc(d, func() {
		defer jobs.Done()
		uiDoAndWait(fn)
	})
}

// flush saves a note whose automatic save is still waiting for typing to
// pause.
func (f *findingScreen) flush() {
	if f.typing != nil {
		f.saveNote(true)
	}
}

// onLeave saves a typed note before the screen goes: going back must not
// throw it away, nor wait for typing to pause.
func (f *findingScreen) onLeave() { f.onSaveNote() }

func (f *findingScreen) onPhrase(text string) {
	note := f.note.Text
	if note != "" {
		note += lang.X("finding.phrase.sep", "; ")
	}
	f.note.SetText(note + text)
	f.onSaveNote()
}

// busy holds the navigator on this screen while a photo is being attached.
func (f *findingScreen) busy() bool { return f.attaching }

func (f *findingScreen) onAddPhoto() {
	if f.attaching {
		return
	}
	pickPhoto(f.s.win, f.onPhoto)
}

// setAttaching shows the activity line and holds every control that calls
// flow while a photo is attached.
func (f *findingScreen) setAttaching(on bool) {
	f.attaching = on
	buttons := append([]*widget.Button{f.add, f.save}, f.removes...)
	for _, b := range buttons {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on {
		f.progress.start()
	} else {
		f.progress.stop()
	}
}

// onPhoto attaches a chosen file. flow decodes, shrinks and stores it,
// which for a camera's photo takes a noticeable moment on a tablet, so it
// runs off the UI thread with an activity line; a file flow cannot read is
// refused with ErrBadPhoto and nothing is attached.
func (f *findingScreen) onPhoto(name string, data []byte, err error) {
	if err != nil {
		showError(f.s.win, err)
		return
	}
	if data == nil || f.attaching {
		return // the picker was cancelled, or one is being attached
	}
	var before []string
	if f.st.Finding != nil {
		for _, p := range f.st.Finding.Photos {
			before = append(before, p.SHA256)
		}
	}
	ctx, d, personID, itemID := f.s.ctx(), f.d, f.personID, f.st.Item.ID
	f.setAttaching(true)
	inBackground(func() func() {
		st, err := f.s.wf.AttachPhoto(ctx, d, personID, itemID, name, data)
		thumb := thumbnailBytes(data)
		return func() {
			f.setAttaching(false)
			if err == nil && st.Finding != nil {
				for _, p := range st.Finding.Photos {
					if !slices.Contains(before, p.SHA256) {
						f.s.rememberPhoto(p.SHA256, thumb)
					}
				}
			}
			f.apply(st, err)
			f.saveHeldNote()
		}
	}, func(err error) {
		f.setAttaching(false)
		showError(f.s.win, err)
		f.saveHeldNote()
	})
}

func (f *findingScreen) onRemovePhoto(sha string) {
	if f.attaching {
		return
	}
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
