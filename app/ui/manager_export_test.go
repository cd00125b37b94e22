package ui

import "fyne.io/fyne/v2"

// SetDeskFilePicker replaces the file dialog of the manager's imports
// (roster, standard), so a test can hand the desk any file: pick gets the
// extensions offered and returns the file's name and bytes.
func SetDeskFilePicker(pick func(exts []string) (name string, data []byte, err error)) (restore func()) {
	old := pickDeskFile
	pickDeskFile = func(_ fyne.Window, exts []string, _ int, done func(string, []byte, error)) {
		done(pick(exts))
	}
	return func() { pickDeskFile = old }
}
