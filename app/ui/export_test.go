package ui

import "fyne.io/fyne/v2"

// SetPhotoPicker replaces the file dialog that picks a photo, so a test can
// hand the screen any bytes; it returns the function that restores it.
func SetPhotoPicker(pick func(done func(name string, data []byte, err error))) (restore func()) {
	old := pickPhoto
	pickPhoto = func(_ fyne.Window, done func(string, []byte, error)) { pick(done) }
	return func() { pickPhoto = old }
}

// SetSaveFile replaces the save dialog of exports: save gets the suggested
// name and the bytes, and what it returns is shown as the dialog's outcome.
func SetSaveFile(save func(name string, data []byte) error) (restore func()) {
	old := saveFile
	saveFile = func(_ fyne.Window, name string, data []byte, done func(string, error)) {
		done(name, save(name, data))
	}
	return func() { saveFile = old }
}

// WaitBackground waits for work started off the UI thread (photo attaching,
// exports) to finish and show its result.
func WaitBackground() { jobs.Wait() }

// WriteFileAtomic is writeFileAtomic, for its test.
var WriteFileAtomic = writeFileAtomic
