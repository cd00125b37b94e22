package ui

import "fyne.io/fyne/v2"

// SetPhotoPicker replaces the file dialog that picks a photo, so a test can
// hand the screen any bytes; it returns the function that restores it.
func SetPhotoPicker(pick func(done func(name string, data []byte, err error))) (restore func()) {
	old := pickPhoto
	pickPhoto = func(_ fyne.Window, done func(string, []byte, error)) { pick(done) }
	return func() { pickPhoto = old }
}
