package flow_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // a second program holding the database

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/store"
)

// changes are the calls that write to a draft, each on an item or person
// that exists, so that only the store can make them fail.
func changes(t *testing.T, e *env, d *flow.Draft, pid, photoSHA string) map[string]func() error {
	png := signaturePNG(t)
	jpg := encodeJPEG(t, scene(40, 30))
	item := func(st flow.ItemState, err error) error { return err }
	return map[string]func() error{
		"toggle":       func() error { return item(e.flow.ToggleNonconform(ctx, d, pid, "A1.1")) },
		"untoggle":     func() error { return item(e.flow.ToggleNonconform(ctx, d, pid, "A1.2")) },
		"N/A":          func() error { return item(e.flow.SetNotApplicable(ctx, d, pid, "C7.2", true)) },
		"tally":        func() error { return item(e.flow.SetTally(ctx, d, pid, "G1.1", 4, 1)) },
		"note":         func() error { return item(e.flow.SetNote(ctx, d, pid, "A1.2", "另一条备注")) },
		"photo":        func() error { return item(e.flow.AttachPhoto(ctx, d, pid, "A3.1", "p.jpg", jpg)) },
		"remove photo": func() error { return item(e.flow.RemovePhoto(ctx, d, pid, "A1.2", photoSHA)) },
		"hall":         func() error { return item(e.flow.ToggleNonconform(ctx, d, "", "C1.1")) },
		"add":          func() error { _, err := e.flow.AddPerson(ctx, d, e.staff["赵磊"].ID); return err },
		"off roster":   func() error { _, err := e.flow.AddOffRoster(ctx, d, "临时工", "cashier", "male"); return err },
		"remove":       func() error { return e.flow.RemovePerson(ctx, d, pid) },
		"sign":         func() error { return e.flow.SignSupervisor(ctx, e.owner(d), d, png) },
		"staff sign":   func() error { return e.flow.SignStaff(ctx, d, pid, png, "不同意") },
		"seal":         func() error { _, err := e.flow.Seal(ctx, e.owner(d), d); return err },
	}
}

// recorded starts a draft with a finding that has a note and a photo, and
// the supervisor's signature, so every kind of change has something to act on.
func recorded(t *testing.T, e *env) (*flow.Draft, string, string) {
	t.Helper()
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")
	st, err := e.flow.AttachPhoto(ctx, d, pid, "A1.2", "badge.jpg", encodeJPEG(t, scene(50, 50)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.SetNote(ctx, d, pid, "A1.2", "未佩戴服务证"); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SignSupervisor(ctx, e.owner(d), d, signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	return d, pid, st.Finding.Photos[0].SHA256
}

func TestLockedDatabaseLeavesTheDraft(t *testing.T) {
	e := newEnv(t, store.WithBusyTimeout(50*time.Millisecond))
	d, pid, sha := recorded(t, e)
	before := canonical(t, d.Inspection)

	// Another program holds the write lock.
	raw, err := sql.Open("sqlite3", e.path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	for name, call := range changes(t, e, d, pid, sha) {
		err := call()
		if !errors.Is(err, flow.ErrBusy) || !errors.Is(err, store.ErrLocked) {
			t.Errorf("%s: error = %v, want ErrBusy", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "the draft is kept as it was") || flow.MessageKey(err) != "error.busy" {
			t.Errorf("%s: message %q (key %s) does not reassure", name, err, flow.MessageKey(err))
		}
		if got := canonical(t, d.Inspection); got != before || d.ReadOnly {
			t.Errorf("%s: a failed save changed the draft in memory", name)
		}
	}
	if _, err := e.flow.Start(ctx, e.sup, e.halls[hallB].ID, nil); !errors.Is(err, flow.ErrBusy) {
		t.Errorf("start while locked: %v", err)
	}

	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if got := canonical(t, e.stored(d.Inspection.ID)); got != before {
		t.Errorf("the store changed while locked")
	}
	// Nothing was lost: the same calls work once the lock is gone.
	if _, err := e.flow.ToggleNonconform(ctx, d, pid, "A1.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Seal(ctx, e.owner(d), d); err != nil {
		t.Fatal(err)
	}
}

func TestClosedStoreLeavesTheDraft(t *testing.T) {
	e := newEnv(t)
	d, pid, sha := recorded(t, e)
	before := canonical(t, d.Inspection)
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	for name, call := range changes(t, e, d, pid, sha) {
		err := call()
		if err == nil {
			t.Errorf("%s on a closed store succeeded", name)
			continue
		}
		if got := canonical(t, d.Inspection); got != before || d.ReadOnly {
			t.Errorf("%s: a failed save changed the draft in memory", name)
		}
	}
}

func TestMessageKey(t *testing.T) {
	e := newEnv(t)
	_, err := e.flow.SignIn(ctx, "supervisor", "0000")
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{err, "error.wrong_pin"},
		{flow.ErrUnsigned, "error.unsigned"},
		{errors.New("boom"), "error.unexpected"},
		{store.ErrDiskFull, "error.storage_full"},
	} {
		if got := flow.MessageKey(tt.err); got != tt.want {
			t.Errorf("MessageKey(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
