package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// TestDeviceListExpiredCode checks that a device whose code ran out unused
// is listed as such, with when the code was issued and how to get a new one,
// and that a code still within its validity is listed as waiting.
func TestDeviceListExpiredCode(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hub.db")
	now := time.Now()
	clock := now.Add(-48 * time.Hour)
	db, err := store.Open(path, store.WithLogger(slog.New(slog.DiscardHandler)), store.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.AddRegion(ctx, "昆明")
	if err != nil {
		t.Fatal(err)
	}
	issued := map[string]time.Time{"过期平板": now.Add(-48 * time.Hour), "刚过期": now.Add(-time.Hour), "新平板": now}
	for _, name := range []string{"过期平板", "刚过期", "新平板"} {
		clock = issued[name]
		if _, err := dsync.NewDeviceEnrolment(ctx, db, store.Device{Name: name, RegionID: r.ID}, clock.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"device", "list", "--db", path}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("device list: exit %d\n%s", code, stderr.String())
	}
	for name, want := range map[string]string{
		"过期平板": "code expired unused, issued " + stamp(issued["过期平板"]),
		"刚过期":  "code expired unused, issued " + stamp(issued["刚过期"]),
		"新平板":  "waiting for its code until " + stamp(now.Add(15*time.Minute)),
	} {
		var line string
		for l := range strings.Lines(stdout.String()) {
			if strings.Contains(l, name) {
				line = l
			}
		}
		if !strings.Contains(line, want) {
			t.Errorf("%s listed as %q, want %q", name, strings.TrimSpace(line), want)
		}
	}
	if hint := "issue a new one with dudao-hub device enrol --name NAME"; !strings.Contains(stderr.String(), hint) {
		t.Errorf("stderr = %q, want a hint containing %q", stderr.String(), hint)
	}
}
