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

// DeskLocked runs f (a test's typing into a desk's entry) serialised with
// the answers the desk's background calls apply, as the app's main thread
// would: Fyne's test driver applies them on their own goroutines.
func DeskLocked(f func()) {
	deskUI.Lock()
	defer deskUI.Unlock()
	f()
}
