package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// uiQueue holds what background work hands to the UI thread. Fyne's test
// driver would run it on the goroutine that hands it over, at the same time
// as the test's own taps and reads; queued here, it runs on the test's
// goroutine when the test waits (WaitBackground) or looks (RunPending), one
// call after another as on the app's main thread.
var uiQueue = struct {
	sync.Mutex
	fns   []func()
	ready chan struct{}
}{ready: make(chan struct{}, 1)}

func init() {
	toUI = func(f func(), wait bool) {
		if !wait {
			enqueueUI(f)
			return
		}
		done := make(chan struct{})
		enqueueUI(func() {
			defer close(done)
			f()
		})
		<-done
	}
}

func enqueueUI(f func()) {
	uiQueue.Lock()
	uiQueue.fns = append(uiQueue.fns, f)
	uiQueue.Unlock()
	select {
	case uiQueue.ready <- struct{}{}:
	default:
	}
}

// RunPending runs, on the caller's goroutine, what background work has
// handed to the UI thread so far, in the order it was handed over.
func RunPending() {
	for {
		uiQueue.Lock()
		fns := uiQueue.fns
		uiQueue.fns = nil
		uiQueue.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

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
// exports) to finish, running what it hands to the UI thread meanwhile.
func WaitBackground() {
	for {
		RunPending()
		if jobs.running() == 0 {
			RunPending()
			return
		}
		select {
		case <-uiQueue.ready:
		case <-time.After(time.Millisecond):
		}
	}
}

// WriteFileAtomic is writeFileAtomic, for its test.
var WriteFileAtomic = writeFileAtomic
