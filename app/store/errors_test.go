package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

func TestLockedDatabase(t *testing.T) {
	db, path := openDB(t, store.WithBusyTimeout(50*time.Millisecond))
	if err := db.SetSetting(ctx, "k", "before"); err != nil {
		t.Fatal(err)
	}
	// Another program holds the write lock.
	raw := rawDB(t, path)
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	err = db.SetSetting(ctx, "k", "during")
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "save setting k") {
		t.Fatalf("write while locked: error = %v, want ErrLocked naming the operation", err)
	}
	// WAL: reading goes on while another program writes.
	if v, err := db.Setting(ctx, "k"); err != nil || v != "before" {
		t.Errorf("read while locked = %q, %v", v, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "k", "after"); err != nil {
		t.Errorf("write after unlock: %v", err)
	}
}

func TestDiskFull(t *testing.T) {
	f := newFixture(t)
	var pages int
	if err := rawDB(t, f.path).QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The writer connection may not grow the file: as if the disk were full.
	if err := store.ExecWrite(f.db, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("x", 1<<20))
	_, err := f.db.ImportStandard(ctx, &standard.Version{Version: 2, Title: standard.Text{ZH: "大"}}, big)
	if !errors.Is(err, store.ErrDiskFull) || !strings.Contains(err.Error(), "import standard version 2") {
		t.Fatalf("error = %v, want ErrDiskFull naming the operation", err)
	}
	if infos, err := f.db.Standards(ctx); err != nil || len(infos) != 1 {
		t.Errorf("after a full disk: standards %+v, %v", infos, err)
	}
}

// A draft change that meets a full disk is refused with ErrDiskFull naming
// it, and the draft stays exactly as it was saved before.
func TestDiskFullKeepsDraft(t *testing.T) {
	f := newFixture(t)
	ins := f.draft(t, t0, nc("A1"))
	person := ins.People[0].ID
	before, err := f.db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := rawDB(t, f.path).QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := store.ExecWrite(f.db, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	long := nc("A2")
	long.Note = strings.Repeat("记", 1<<19) // 1.5 MB of note: the file must grow
	err = f.db.SaveFinding(ctx, ins.ID, person, &long)
	if !errors.Is(err, store.ErrDiskFull) || !strings.Contains(err.Error(), ins.ID) {
		t.Fatalf("error = %v, want ErrDiskFull naming the inspection", err)
	}
	after, err := f.db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("the draft changed on a full disk:\n%+v\nwant\n%+v", after, before)
	}
}
