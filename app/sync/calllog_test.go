package sync_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// logBuffer collects a hub's log lines; the server logs from its handler
// goroutines.
type logBuffer struct {
	mu  stdsync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// TestRefusedCallLogsDevice checks that a call the hub refuses after
// reading its token is logged with the device the token belongs to.
func TestRefusedCallLogsDevice(t *testing.T) {
	for _, sc := range []struct {
		name string
		opt  dsync.HubOptions
		// refuse makes the tablet's next call fail.
		refuse func(t *testing.T, h *testHub, tb *tablet)
		code   dsync.Code
	}{
		{name: "revoked", code: dsync.CodeRevoked, refuse: func(t *testing.T, h *testHub, tb *tablet) {
			_, err := h.db.RevokeDevice(ctx, tb.client.DeviceID(), "stolen")
			must(t, err)
		}},
		{name: "rate limited", opt: dsync.HubOptions{Rate: 0.001, Burst: 1}, code: dsync.CodeRateLimited,
			refuse: func(t *testing.T, h *testHub, tb *tablet) {}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			var logs logBuffer
			sc.opt.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			h := startHub(t, sc.opt)
			tb := &tablet{name: "被盗", db: newTabletDB(t)}
			c, err := dsync.Enrol(ctx, tb.db, h.invite(t, tb.name, h.region), clientOpts(t))
			must(t, err)
			tb.client = c
			sc.refuse(t, h, tb)
			tok := token(t, tb)
			for range 2 {
				h.rawCall(t, "POST", "/v1/pull", tok, dsync.Version, []byte(`{}`), nil)
			}
			want := "device=" + tb.client.DeviceID()
			for _, l := range logs.lines() {
				if strings.Contains(l, `msg="sync call"`) && strings.Contains(l, "code="+string(sc.code)) {
					if !strings.Contains(l, want) {
						t.Errorf("refused call logged without %s:\n%s", want, l)
					}
					return
				}
			}
			t.Fatalf("no refused call with code %s in the log:\n%s", sc.code, strings.Join(logs.lines(), "\n"))
		})
	}
}

// fullDisk is a hub store whose photo directory has no room left.
type fullDisk struct{ store.HubStore }

func (fullDisk) PutPhotoChunk(context.Context, string, string, int64, []byte) (store.PhotoUpload, error) {
	return store.PhotoUpload{}, fmt.Errorf("store photo chunk at 0: write /srv/dudao/photos/.partial-ab: %w", store.ErrDiskFull)
}

// A hub whose disk is full tells the tablet so, without its paths, and logs
// the cause for its administrator; the tablet keeps the record as sent and
// its photo for the next sync.
func TestHubDiskFull(t *testing.T) {
	var logs logBuffer
	h := startHub(t, dsync.HubOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tb := h.newTablet(t, "平板一", h.region, clientOpts(t))
	h.wrap = func(st store.HubStore) store.HubStore { return fullDisk{st} }
	h.restartOn(h.dbPath)
	tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photoBytes(1, 20<<10))

	_, err := tb.client.Sync(ctx)
	var e *dsync.Error
	if !errors.As(err, &e) || e.Code != dsync.CodeUnavailable || !strings.Contains(e.Message, "disk is full") ||
		strings.Contains(e.Message, "/srv/dudao") {
		t.Errorf("sync error = %#v", err)
	}
	if st := tb.outboxStates(t); st[store.OutboxSent] != 1 {
		t.Errorf("outbox = %v, want the record sent and waiting for its photo", st)
	}
	found := false
	for _, l := range logs.lines() {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, "/srv/dudao/photos") && strings.Contains(l, store.ErrDiskFull.Error()) {
			found = true
		}
	}
	if !found {
		t.Errorf("the hub did not log the full disk:\n%s", strings.Join(logs.lines(), "\n"))
	}
}

// A push holds at most BatchBytes of records, and a record larger than that
// goes alone: the bound that keeps a push within the call's timeout on a
// slow uplink (512 KB by default) is kept however small it is set.
func TestPushBoundedByBytes(t *testing.T) {
	var logs logBuffer
	h := startHub(t, dsync.HubOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	opt := clientOpts(t)
	opt.BatchBytes = 1 // every record is over it
	tb := h.newTablet(t, "慢网", h.region, opt)
	for i := range 3 {
		tb.seal(t, h.halls[0].ID, h.staff[i].ID, h.sup.ID, day.Add(time.Duration(i)*time.Hour))
	}
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 3 {
		t.Fatalf("report = %+v", rep)
	}
	pushes := 0
	for _, l := range logs.lines() {
		if strings.Contains(l, "op=push") {
			pushes++
		}
	}
	if pushes != 3 {
		t.Errorf("%d pushes for 3 records over the byte bound, want one each", pushes)
	}
}
