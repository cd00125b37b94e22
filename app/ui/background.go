package ui

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// jobs counts work running off the UI thread, so tests can wait for it
// (export_test.go).
var jobs sync.WaitGroup

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
			fyne.DoAndWait(apply)
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
