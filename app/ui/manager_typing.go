package ui

import "time"

// searchPause is how long typing must pause before a search goes out. Over
// the hub, a call per keystroke would queue calls that the next keystroke
// makes stale; a pause this short is not felt.
const searchPause = 250 * time.Millisecond

// afterTyping runs search on the UI thread once typing pauses: it cancels
// the search that t (may be nil) was holding and returns the new timer.
func afterTyping(t *time.Timer, search func()) *time.Timer {
	return afterPause(t, searchPause, search)
}
