package ui

import (
	"fmt"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// jobCounter counts work running off the UI thread, so tests can wait for
// it (export_test.go).
type jobCounter struct{ n atomic.Int64 }

func (c *jobCounter) Add(delta int)  { c.n.Add(int64(delta)) }
func (c *jobCounter) Done()          { c.n.Add(-1) }
func (c *jobCounter) running() int64 { return c.n.Load() }

var jobs jobCounter

// toUI hands f to the UI thread, waiting for it to run when wait is set.
// Every widget change that starts off the UI thread goes through it. The
// app's driver runs f on its main thread; Fyne's test driver would run it
// on the calling goroutine, beside the test's own taps, so tests replace
// toUI with a queue that the test's goroutine runs (export_test.go).
var toUI = func(f func(), wait bool) {
	if wait {
		fyne.DoAndWait(f)
		return
	}
	fyne.Do(f)
}

// uiDo runs f on the UI thread later; the caller goes on.
func uiDo(f func()) { toUI(f, false) }

// uiDoAndWait runs f on the UI thread and returns when it has run.
func uiDoAndWait(f func()) { toUI(f, true) }

// inBackground runs work on its own goroutine, then the function it returns
// on the UI thread: widgets are touched only there. A panic in work becomes
// an error passed to fail (on the UI thread), so a crash in a decoder or the
// renderer cannot take the supervisor's screen down with it.
func inBackground(work func() (apply func()), fail func(error)) {
	jobs.Add(1)
	go func() {
		defer jobs.Done()
		var apply func()
		func() {
			defer func() {
				if r := recover(); r != nil {
					err := fmt.Errorf("unexpected failure: %v", r)
					apply = func() { fail(err) }
				}
			}()
			apply = work()
		}()
		if apply != nil {
			uiDoAndWait(apply)
		}
	}()
}

// busyLine is an activity indicator with a line saying what is going on,
// hidden while idle.
type busyLine struct {
	act  *widget.Activity
	text *widget.Label
	box  *fyne.Container
}

func newBusyLine(text string) *busyLine {
	b := &busyLine{act: widget.NewActivity(), text: widget.NewLabel(text)}
	b.text.Wrapping = fyne.TextWrapWord
	b.box = container.NewBorder(nil, nil, b.act, nil, b.text)
	b.box.Hide()
	return b
}

func (b *busyLine) start() {
	b.box.Show()
	b.act.Start()
}

func (b *busyLine) stop() {
	b.act.Stop()
	b.box.Hide()
}
