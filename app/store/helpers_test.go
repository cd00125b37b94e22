package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // raw access to the file, behind the store's back

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

var ctx = context.Background()

var quiet = store.WithLogger(slog.New(slog.DiscardHandler))

// t0 is a fixed instant at millisecond precision.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

func openDB(t *testing.T, opts ...store.Option) (*store.DB, string) {
	t.Helper()
	path := t.TempDir() + "/dudao.db"
	opts = append([]store.Option{quiet}, opts...)
	db, err := store.Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db, path
}

// rawDB opens the database file directly with database/sql, bypassing the
// store: what someone with the file and a SQLite shell could do.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return raw
}

type fixture struct {
	db         *store.DB
	path       string
	region     store.Region
	hall       store.Hall
	otherHall  store.Hall
	alice, bob store.Staff // cashier (female), shift leader (male) in hall
	sup        store.User
	sup2       store.User
}

const stdRaw = "version: 1\ntitle: {zh: 服务规范}\n"

func newFixture(t *testing.T, opts ...store.Option) *fixture {
	t.Helper()
	db, path := openDB(t, opts...)
	f := &fixture{db: db, path: path}
	var err error
	must := func(e error) {
		t.Helper()
		if e != nil {
			t.Fatal(e)
		}
	}
	f.region, err = db.AddRegion(ctx, "市区")
	must(err)
	f.hall, err = db.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "H01", Name: "人民路营业厅"})
	must(err)
	f.otherHall, err = db.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "H02", Name: "解放路营业厅"})
	must(err)
	f.alice, err = db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E001", Name: "王丽", Gender: standard.GenderFemale,
		Role: standard.RoleCashier, Badge: "017", HallID: f.hall.ID, ActiveFrom: t0})
	must(err)
	f.bob, err = db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E002", Name: "李强", Gender: standard.GenderMale,
		Role: standard.RoleShiftLeader, Badge: "001", HallID: f.hall.ID, ActiveFrom: t0})
	must(err)
	f.sup, err = db.AddUser(ctx, store.User{Name: "张督导", Username: "zhang", Role: store.RoleSupervisor, RegionID: f.region.ID}, "2580")
	must(err)
	f.sup2, err = db.AddUser(ctx, store.User{Name: "陈督导", Username: "chen", Role: store.RoleSupervisor}, "1357")
	must(err)
	_, err = db.ImportStandard(ctx, &standard.Version{Version: 1}, []byte(stdRaw))
	must(err)
	return f
}

// photo stores a small distinct photo.
func (f *fixture) photo(t *testing.T, content string) inspect.PhotoRef {
	t.Helper()
	ref, err := f.db.PutPhoto(ctx, bytes.NewReader([]byte(content)), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// draft creates a draft in the fixture's hall with alice observed and one
// finding on her.
func (f *fixture) draft(t *testing.T, started time.Time, findings ...inspect.Finding) *inspect.Inspection {
	t.Helper()
	ins := &inspect.Inspection{
		HallID: f.hall.ID, SupervisorID: f.sup.ID, DeviceID: "dev-1", StandardVersion: 1, StartedAt: started,
		People: []inspect.Person{{StaffID: f.alice.ID, Findings: findings}},
	}
	if err := f.db.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	return ins
}

// sealed creates and seals an inspection in which staff member s has the
// given findings.
func (f *fixture) sealed(t *testing.T, s store.Staff, started time.Time, findings ...inspect.Finding) *inspect.Inspection {
	t.Helper()
	ins := &inspect.Inspection{
		HallID: f.hall.ID, SupervisorID: f.sup.ID, DeviceID: "dev-1", StandardVersion: 1, StartedAt: started,
		People: []inspect.Person{{StaffID: s.ID, Findings: findings}},
	}
	if err := f.db.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Seal(ctx, ins.ID, started.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func nc(item string) inspect.Finding {
	return inspect.Finding{ItemID: item, Outcome: inspect.Nonconform, Note: "未执行 " + item}
}

func tally(item string, observed, failed int) inspect.Finding {
	return inspect.Finding{ItemID: item, Outcome: inspect.Tallied, Observed: observed, Failed: failed}
}

func na(item string) inspect.Finding {
	return inspect.Finding{ItemID: item, Outcome: inspect.NotApplicable}
}

func sha(s string) string { return fmt.Sprintf("%064x", s) }
