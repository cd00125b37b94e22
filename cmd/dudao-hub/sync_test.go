package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// TestSyncScripts runs the scripts in testdata/sync: the real hub (serve in
// the background, the admin commands beside it) with simulated tablets
// driven by the tablet command.
func TestSyncScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/sync",
		Setup: func(e *testscript.Env) error {
			e.Setenv("XDG_DATA_HOME", e.WorkDir+"/xdg")
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"capture":  captureCmd,
			"waitfile": waitfileCmd,
			"tablet":   tabletCmd,
			"desktop":  desktopCmd,
		},
	})
}

// waitfile FILE waits up to 20 seconds for FILE to exist (a server's ready
// file).
func waitfileCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(ts.MkAbs(args[0])); err == nil && fi.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitfile: %s did not appear", args[0])
}

// tablet DB VERB [ARGS] acts as a tablet whose store is DB, and writes what
// it did to tablet.txt:
//
//	tablet DB enrol INVITE          enrol, then sync master data
//	tablet DB seal HALL [NAME]      seal an inspection of the hall's first
//	                                staff member (and NAME off-roster)
//	tablet DB forge OTHERDB         seal an inspection under the ID of
//	                                OTHERDB's first one, with other content
//	tablet DB sync                  sync; "! tablet DB sync" expects failure
func tabletCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: tablet DB enrol|seal|forge|sync [ARGS]")
	}
	ctx := context.Background()
	db, err := store.Open(ts.MkAbs(args[0]), store.WithLogger(slog.New(slog.DiscardHandler)))
	ts.Check(err)
	defer db.Close()
	var out strings.Builder
	opt := dsync.ClientOptions{Logger: slog.New(slog.DiscardHandler), BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond}
	fail := func(err error) {
		fmt.Fprintf(&out, "error: %v\n", err)
		ts.Check(os.WriteFile(ts.MkAbs("tablet.txt"), []byte(out.String()), 0o600))
		if !neg {
			ts.Fatalf("tablet %s: %v", args[1], err)
		}
	}
	defer func() {
		ts.Check(os.WriteFile(ts.MkAbs("tablet.txt"), []byte(out.String()), 0o600))
	}()
	switch args[1] {
	case "enrol":
		if len(args) != 3 {
			ts.Fatalf("usage: tablet DB enrol INVITE")
		}
		inv, err := dsync.ParseInvite(args[2])
		ts.Check(err)
		c, err := dsync.Enrol(ctx, db, inv, opt)
		if err != nil {
			fail(err)
			return
		}
		fmt.Fprintf(&out, "enrolled as %s\n", c.DeviceID())
		if _, err := c.Sync(ctx); err != nil {
			fail(err)
			return
		}
	case "seal":
		if len(args) < 3 {
			ts.Fatalf("usage: tablet DB seal HALL [OFFROSTER-NAME]")
		}
		h, err := db.ResolveHall(ctx, args[2])
		ts.Check(err)
		staff, err := db.Staff(ctx, store.StaffFilter{HallID: h.ID})
		ts.Check(err)
		users, err := db.Users(ctx)
		ts.Check(err)
		if len(staff) == 0 || len(users) == 0 {
			ts.Fatalf("tablet seal: the tablet has no staff or users for hall %s (sync first)", args[2])
		}
		ins := &inspect.Inspection{HallID: h.ID, SupervisorID: users[0].ID, StandardVersion: 1,
			StartedAt: inspect.Now().Add(-time.Hour),
			People:    []inspect.Person{{StaffID: staff[0].ID, Findings: []inspect.Finding{{ItemID: "A1.1", Outcome: inspect.Nonconform, Note: "未佩戴工牌"}}}}}
		if len(args) > 3 {
			ins.People = append(ins.People, inspect.Person{OffRoster: true, Name: args[3]})
		}
		ts.Check(db.CreateInspection(ctx, ins))
		_, err = db.Seal(ctx, ins.ID, time.Time{})
		ts.Check(err)
		fmt.Fprintf(&out, "sealed %s\n", ins.ID)
	case "forge":
		other, err := store.Open(ts.MkAbs(args[2]), store.WithLogger(slog.New(slog.DiscardHandler)))
		ts.Check(err)
		list, err := other.ListInspections(ctx, store.InspectionFilter{Status: inspect.StatusSealed})
		other.Close()
		ts.Check(err)
		if len(list) == 0 {
			ts.Fatalf("tablet forge: %s has no sealed inspection", args[2])
		}
		src := list[len(list)-1]
		users, err := db.Users(ctx)
		ts.Check(err)
		ins := &inspect.Inspection{ID: src.ID, HallID: src.HallID, SupervisorID: users[0].ID, StandardVersion: 1,
			StartedAt: src.StartedAt, People: []inspect.Person{{OffRoster: true, Name: "另一个人"}}}
		ts.Check(db.CreateInspection(ctx, ins))
		_, err = db.Seal(ctx, ins.ID, time.Time{})
		ts.Check(err)
		fmt.Fprintf(&out, "forged %s\n", ins.ID)
	case "sync":
		c, err := dsync.Open(ctx, db, opt)
		if err != nil {
			fail(err)
			return
		}
		rep, err := c.Sync(ctx)
		if err != nil {
			fail(err)
			return
		}
		if neg {
			ts.Fatalf("tablet sync: unexpected success")
		}
		fmt.Fprintf(&out, "sent: %d\ndelivered: %d\nquarantined: %d\nparked: %d\npending: %d\ndigest ok: %v\n",
			rep.Sent, rep.Delivered, rep.Quarantined, rep.Parked, rep.Pending, rep.DigestOK)
	default:
		ts.Fatalf("tablet: unknown verb %q", args[1])
	}
	if neg && args[1] != "sync" {
		ts.Fatalf("tablet %s: unexpected success", args[1])
	}
}

// desktop DB VERB [ARGS] acts as a manager's desktop whose store is DB, and
// writes what it got to desktop.txt ("error: CODE: MESSAGE" on failure):
//
//	desktop DB enrol INVITE             enrol with the hub
//	desktop DB call USER METHOD [JSON]  call an admin method as USER
//	desktop DB plan USER FILE           plan a roster import (a job) through
//	                                    admin.Remote, as the desktop's screen does
func desktopCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: desktop DB enrol|call|plan ARGS")
	}
	ctx := context.Background()
	db, err := store.Open(ts.MkAbs(args[0]), store.WithLogger(slog.New(slog.DiscardHandler)))
	ts.Check(err)
	defer db.Close()
	opt := dsync.ClientOptions{Logger: slog.New(slog.DiscardHandler)}
	var out strings.Builder
	defer func() { ts.Check(os.WriteFile(ts.MkAbs("desktop.txt"), []byte(out.String()), 0o600)) }()
	fail := func(err error) {
		code := dsync.Code("?")
		var e *dsync.Error
		var re *admin.RemoteError
		switch {
		case errors.As(err, &re):
			code = re.Code
		case errors.As(err, &e):
			code = e.Code
		}
		fmt.Fprintf(&out, "error: %s: %v\n", code, err)
		if !neg {
			ts.Fatalf("desktop %s: %v", args[1], err)
		}
	}
	var c *dsync.Client
	if args[1] == "enrol" {
		inv, err := dsync.ParseInvite(args[2])
		ts.Check(err)
		if c, err = dsync.Enrol(ctx, db, inv, opt); err != nil {
			fail(err)
			return
		}
		fmt.Fprintf(&out, "enrolled as %s\n", c.DeviceID())
	} else if c, err = dsync.Open(ctx, db, opt); err != nil {
		fail(err)
		return
	}
	switch args[1] {
	case "enrol":
	case "call":
		if len(args) < 4 {
			ts.Fatalf("usage: desktop DB call USER METHOD [JSON]")
		}
		var req any
		if len(args) > 4 {
			req = json.RawMessage(args[4])
		}
		var res json.RawMessage
		if err := c.Admin(ctx, args[2], args[3], req, &res); err != nil {
			fail(err)
			return
		}
		fmt.Fprintf(&out, "%s\n", res)
	case "plan":
		if len(args) != 4 {
			ts.Fatalf("usage: desktop DB plan USER FILE")
		}
		data, err := os.ReadFile(ts.MkAbs(args[3]))
		ts.Check(err)
		var calls int
		plan, err := admin.NewRemote(c, args[2], admin.RemoteOptions{PollEvery: 10 * time.Millisecond}).
			PlanRoster(ctx, admin.RosterFile{Name: args[3], Data: data}, func(done, total int) { calls++ })
		if err != nil {
			fail(err)
			return
		}
		fmt.Fprintf(&out, "add %d, update %d, deactivate %d, unchanged %d, rejected %d, progress seen: %v\n",
			len(plan.Add), len(plan.Update), len(plan.Deactivate), plan.Unchanged, len(plan.Rejects), calls > 0)
		for _, r := range plan.Rejects {
			fmt.Fprintf(&out, "reject line %d: %s\n", r.Line, r.Reason)
		}
	default:
		ts.Fatalf("desktop: unknown verb %q", args[1])
	}
	if neg {
		ts.Fatalf("desktop %s: unexpected success", args[1])
	}
}
