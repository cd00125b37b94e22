package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// Option configures Create.
type Option func(*session)

// WithSync offers sync with a hub through sy: enrolment in the settings, a
// sync button and the records not delivered on the home screen, and
// automatic sync in the background while the app is open.
func WithSync(sy flow.Syncer) Option { return func(s *session) { s.sync = newSyncCtl(s, sy) } }

// syncInterval is how often the app syncs by itself while it is open.
const syncInterval = 5 * time.Minute

// syncCtl runs syncs off the UI thread, one at a time, and keeps what the
// screens show of them. Its fields are touched only on the UI thread.
type syncCtl struct {
	s  *session
	sy flow.Syncer

	running  bool
	manual   bool // a person asked for the running sync: its errors show in a dialog
	prog     flow.SyncProgress
	records  [2]int   // done, total: the push's, kept through the receipt
	bytes    [2]int64 // done, total: the photos'
	lastErr  error
	lastRep  *flow.SyncReport
	failures int // automatic syncs failed in a row
	retry    *time.Timer

	watchers map[any]func()
	stop     chan struct{}
}

func newSyncCtl(s *session, sy flow.Syncer) *syncCtl {
	return &syncCtl{s: s, sy: sy, watchers: map[any]func(){}, stop: make(chan struct{})}
}

// enabled reports whether the app has a hub to sync with.
func (c *syncCtl) enabled() bool { return c != nil && c.sy != nil }

func (c *syncCtl) enrolled() bool { return c.enabled() && c.sy.Enrolled(context.Background()) }

// watch calls fn (on the UI thread) whenever the sync's state changes;
// key is the screen, so a rebuilt screen replaces its watcher.
func (c *syncCtl) watch(key any, fn func()) { c.watchers[key] = fn }

func (c *syncCtl) changed() {
	for _, fn := range c.watchers {
		fn()
	}
}

// startTimer syncs every syncInterval until the window closes, and once
// now when enrolled.
func (c *syncCtl) startTimer() {
	go func() {
		t := time.NewTicker(syncInterval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				uiDo(func() { c.start(false) })
			}
		}
	}()
	c.start(false)
}

func (c *syncCtl) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	if c.retry != nil {
		c.retry.Stop()
	}
}

// start begins a sync unless one runs; manual says a person asked, so a
// failure is shown in a dialog (an automatic one only on the home screen's
// status line). Nothing waits for it: the screens stay usable.
func (c *syncCtl) start(manual bool) {
	if !c.enabled() {
		return
	}
	if c.running {
		c.manual = c.manual || manual
		return
	}
	if !c.sy.Enrolled(context.Background()) {
		return
	}
	if c.retry != nil {
		c.retry.Stop()
		c.retry = nil
	}
	c.running, c.manual = true, manual
	c.prog, c.records, c.bytes = flow.SyncProgress{}, [2]int{}, [2]int64{}
	c.changed()
	jobs.Add(1)
	go func() {
		defer jobs.Done()
		var rep flow.SyncReport
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("unexpected failure: %v", r)
				}
			}()
			rep, err = c.sy.SyncNow(context.Background(), func(p flow.SyncProgress) {
				uiDo(func() { c.onProgress(p) })
			})
		}()
		uiDoAndWait(func() { c.finished(rep, err) })
	}()
}

func (c *syncCtl) onProgress(p flow.SyncProgress) {
	if !c.running {
		return
	}
	c.prog = p
	switch p.Stage {
	case dsync.StagePush, dsync.StagePhotos:
		c.records = [2]int{p.RecordsDone, p.RecordsTotal}
		c.bytes = [2]int64{p.BytesDone, p.BytesTotal}
	}
	c.changed()
}

func (c *syncCtl) finished(rep flow.SyncReport, err error) {
	manual := c.manual
	c.running, c.manual = false, false
	c.lastErr = err
	if err == nil {
		c.lastRep, c.failures = &rep, 0
		c.prog = flow.SyncProgress{Stage: dsync.StageDone}
	} else {
		fyne.LogError("sync", err)
		c.failures++
		if dsync.Retryable(err) {
			// The client has already retried with backoff; try again
			// sooner than the next tick, backing off further each time.
			wait := min(syncInterval, 30*time.Second<<min(c.failures-1, 4))
			c.retry = time.AfterFunc(wait, func() { uiDo(func() { c.start(false) }) })
		}
	}
	c.changed()
	if err != nil && manual {
		showError(c.s.win, err)
	}
}

// fraction is the progress bar's value: records and photo bytes weigh
// half each.
func (c *syncCtl) fraction() float64 {
	if !c.running {
		if c.prog.Stage == dsync.StageDone {
			return 1
		}
		return 0
	}
	part := func(done, total float64) float64 {
		if total <= 0 {
			return 1
		}
		return min(1, done/total)
	}
	switch c.prog.Stage {
	case "", dsync.StagePull:
		return 0
	case dsync.StageReceipt:
		return 0.95
	}
	return 0.9 * (part(float64(c.records[0]), float64(c.records[1]))*0.5 + part(float64(c.bytes[0]), float64(c.bytes[1]))*0.5)
}

// statusText says what the sync is doing, or how the last one ended.
func (c *syncCtl) statusText() string {
	if c.running {
		switch c.prog.Stage {
		case "", dsync.StagePull:
			return lang.X("sync.stage.pull", "Fetching halls, staff and standards from the hub…")
		case dsync.StageReceipt:
			return lang.X("sync.stage.receipt", "Checking the hub's receipt…")
		}
		return lang.X("sync.stage.push", "Records {{.Done}} of {{.Total}} · photos {{.BytesDone}} of {{.BytesTotal}}",
			map[string]any{"Done": c.records[0], "Total": c.records[1],
				"BytesDone": formatBytes(c.bytes[0]), "BytesTotal": formatBytes(c.bytes[1])})
	}
	if c.lastRep != nil && c.lastErr == nil {
		if !c.lastRep.DigestOK {
			return lang.X("sync.done.mismatch", "Synced, but the hub's receipt does not match the records this tablet delivered. Nothing is lost on this tablet; tell the hub's administrator.")
		}
		if c.lastRep.Pending == 0 {
			return lang.X("sync.done.all", "Synced: everything sealed on this tablet is delivered to the hub.")
		}
		return lang.X("sync.done.pending", "Synced: {{.Count}} record(s) not delivered yet.", map[string]any{"Count": c.lastRep.Pending})
	}
	return ""
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// syncPanel is the sync's place on a screen: a button, a progress bar with
// records and bytes, the last result, and the last failure's message.
type syncPanel struct {
	c       *syncCtl
	box     *fyne.Container
	button  *widget.Button
	bar     *widget.ProgressBar
	status  *widget.Label
	failure *widget.RichText
	last    *widget.RichText
}

func newSyncPanel(c *syncCtl, key any) *syncPanel {
	p := &syncPanel{c: c}
	p.button = widget.NewButtonWithIcon(lang.X("sync.now", "Sync now"), theme.ViewRefreshIcon(), func() { c.start(true) })
	p.bar = widget.NewProgressBar()
	p.status = wrapped("")
	p.failure = colouredCaption("", theme.ColorNameError)
	p.last = caption("")
	p.box = container.NewVBox(tall(p.button), p.bar, p.status, p.failure, p.last)
	c.watch(key, p.refresh)
	p.refresh()
	return p
}

func (p *syncPanel) refresh() {
	c := p.c
	enrolled := c.enrolled()
	if c.running || !enrolled {
		p.button.Disable()
	} else {
		p.button.Enable()
	}
	if c.running {
		p.button.SetText(lang.X("sync.running", "Syncing…"))
	} else {
		p.button.SetText(lang.X("sync.now", "Sync now"))
	}
	if c.running || c.prog.Stage == dsync.StageDone {
		p.bar.SetValue(c.fraction())
		p.bar.Show()
	} else {
		p.bar.Hide()
	}
	if t := c.statusText(); t != "" {
		p.status.SetText(t)
		p.status.Show()
	} else {
		p.status.Hide()
	}
	if c.lastErr != nil && !c.running {
		setCaption(p.failure, syncFailure(c.lastErr))
		p.failure.Show()
	} else {
		p.failure.Hide()
	}
	if !enrolled {
		setCaption(p.last, lang.X("sync.not_enrolled", "This tablet is not connected to a hub. Connect it in the settings."))
		p.last.Show()
	} else if st, err := c.sy.SyncStatus(context.Background()); err == nil && !st.LastSync.IsZero() {
		setCaption(p.last, lang.X("sync.last", "Last complete sync: {{.Time}}", map[string]any{"Time": formatTime(st.LastSync)}))
		p.last.Show()
	} else {
		p.last.Hide()
	}
}

// syncFailure is the line a failed sync leaves: what happened, and that
// nothing on the tablet was lost.
func syncFailure(err error) string {
	return errorMessage(err) + " " + lang.X("sync.kept", "Nothing on this tablet was lost; the records wait for the next sync.")
}
