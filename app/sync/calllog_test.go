package sync_test

import (
	"bytes"
	"log/slog"
	"strings"
	stdsync "sync"
	"testing"

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
