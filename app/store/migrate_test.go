package store_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// sampleSealed is an inspection that the sample rows below describe.
func sampleSealed() *inspect.Inspection {
	ins := &inspect.Inspection{
		ID: "0190f000-0000-7000-8000-000000000001", HallID: "hall-1", SupervisorID: "user-1", DeviceID: "dev-1",
		StandardVersion: 1, StartedAt: t0, EndedAt: t0.Add(3600e9), SealedAt: t0.Add(3601e9), Status: inspect.StatusSealed,
		People: []inspect.Person{{ID: "person-1", StaffID: "staff-1", EmployeeNo: "E001", Name: "王丽", Badge: "017",
			Role: standard.RoleCashier, Gender: standard.GenderFemale,
			Findings: []inspect.Finding{{ID: "finding-1", ItemID: "A1", Outcome: inspect.Nonconform, Note: "未佩戴工牌", At: t0.Add(60e9)}}}},
		Signatures: []inspect.Signature{{Role: inspect.SignerSupervisor, PersonID: "user-1", Name: "张督导", At: t0.Add(3601e9)}},
	}
	ins.SealHash, _ = inspect.ComputeSeal(ins)
	return ins
}

// insertSample writes rows valid for every schema version from 1 on, as an
// older release would have.
func insertSample(t *testing.T, path string) {
	t.Helper()
	ins := sampleSealed()
	ms := func(d int64) int64 { return t0.UnixMilli() + d }
	raw := rawDB(t, path)
	for _, s := range []struct {
		q    string
		args []any
	}{
		{"INSERT INTO regions (id, name) VALUES ('region-1', '市区')", nil},
		{"INSERT INTO halls (id, region_id, code, name, created_at) VALUES ('hall-1', 'region-1', 'H01', '人民路营业厅', ?)", []any{ms(0)}},
		{`INSERT INTO staff (id, employee_no, name, gender, role, badge, hall_id, active_from)
			VALUES ('staff-1', 'E001', '王丽', 'female', 'cashier', '017', 'hall-1', ?)`, []any{ms(0)}},
		{`INSERT INTO users (id, name, username, role, pin_hash, created_at) VALUES ('user-1', '张督导', 'zhang', 'supervisor', 'x', 0)`, nil},
		{"INSERT INTO standards (version, hash, body, imported_at) VALUES (1, 'h', ?, 0)", []any{[]byte(stdRaw)}},
		{`INSERT INTO inspections (id, hall_id, supervisor_id, device_id, standard_version, started_at, ended_at, status)
			VALUES (?, 'hall-1', 'user-1', 'dev-1', 1, ?, ?, 'draft')`, []any{ins.ID, ms(0), ms(3600e3)}},
		{`INSERT INTO observed_people (id, inspection_id, position, staff_id, off_roster, employee_no, name, badge, role, gender)
			VALUES ('person-1', ?, 1, 'staff-1', 0, 'E001', '王丽', '017', 'cashier', 'female')`, []any{ins.ID}},
		{`INSERT INTO findings (id, inspection_id, person_id, item_id, outcome, note, at)
			VALUES ('finding-1', ?, 'person-1', 'A1', 'nonconform', '未佩戴工牌', ?)`, []any{ins.ID, ms(60e3)}},
		{`INSERT INTO signatures (inspection_id, role, person_id, name, at) VALUES (?, 'supervisor', 'user-1', '张督导', ?)`,
			[]any{ins.ID, ms(3601e3)}},
		{`UPDATE inspections SET status = 'sealed', sealed_at = ?, seal_hash = ? WHERE id = ?`, []any{ms(3601e3), ins.SealHash, ins.ID}},
	} {
		if _, err := raw.Exec(s.q, s.args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMigrations(t *testing.T) {
	latest := store.SchemaVersion()
	if latest < 2 {
		t.Fatalf("SchemaVersion = %d: want at least two migrations", latest)
	}
	for k := 0; k < latest; k++ {
		t.Run(fmt.Sprintf("from_v%d", k), func(t *testing.T) {
			path := t.TempDir() + "/old.db"
			old, err := store.Open(path, store.WithMigrationLimit(k), store.WithAppVersion("old"), quiet)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := old.Version(ctx); err != nil || v != k {
				t.Fatalf("old schema version = %d, %v; want %d", v, err, k)
			}
			if err := old.Close(); err != nil {
				t.Fatal(err)
			}
			if k >= 1 {
				insertSample(t, path)
			}

			db, err := store.Open(path, store.WithAppVersion("new"), quiet)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if v, err := db.Version(ctx); err != nil || v != latest {
				t.Fatalf("schema version after migrating = %d, %v; want %d", v, err, latest)
			}
			var apps []string
			rows, err := rawDB(t, path).Query("SELECT app_version FROM schema_migrations ORDER BY version")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var a string
				rows.Scan(&a)
				apps = append(apps, a)
			}
			rows.Close()
			if len(apps) != latest || (k > 0 && apps[k-1] != "old") || apps[latest-1] != "new" {
				t.Errorf("schema_migrations app versions = %v", apps)
			}
			if k == 0 {
				return
			}

			hall, err := db.ResolveHall(ctx, "H01")
			if err != nil || hall.Name != "人民路营业厅" {
				t.Errorf("hall after migration = %+v, %v", hall, err)
			}
			if s, err := db.StaffByEmployeeNo(ctx, "E001"); err != nil || s.HallID != "hall-1" || !s.Active() {
				t.Errorf("staff after migration = %+v, %v", s, err)
			}
			want := sampleSealed()
			got, err := db.Inspection(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("inspection after migration:\n got %+v\nwant %+v", got, want)
			}
			if res, err := db.Verify(ctx, want.ID); err != nil || !res.OK() {
				t.Errorf("Verify after migration = %+v, %v", res, err)
			}
			// Schema 7 indexes what was sealed before it, to be graded.
			if r, err := db.SealedInspection(ctx, want.ID); err != nil || r.RegionID != "region-1" || r.HallName != "人民路营业厅" ||
				r.Graded || !r.StartedAt.Equal(want.StartedAt) || r.PhotosExpected != 0 {
				t.Errorf("index row after migration = %+v, %v", r, err)
			}
			if n, err := db.RefreshInspectionIndex(ctx); err != nil || n != 1 {
				t.Errorf("RefreshInspectionIndex after migration = %d, %v", n, err)
			}
			if devs, err := db.Devices(ctx); err != nil || len(devs) != 0 {
				t.Errorf("Devices after migration = %+v, %v", devs, err)
			}
			// Whatever the schema it was sealed under, it is protected now.
			if err := db.SaveFinding(ctx, want.ID, "person-1", &inspect.Finding{ItemID: "A1", Outcome: inspect.NotApplicable}); !errors.Is(err, store.ErrSealed) {
				t.Errorf("SaveFinding on a migrated sealed inspection: %v", err)
			}
			if _, err := rawDB(t, path).Exec("UPDATE findings SET note = 'x'"); err == nil {
				t.Error("raw UPDATE of a migrated sealed finding succeeded")
			}
		})
	}
}

func TestNewerSchema(t *testing.T) {
	db, path := openDB(t)
	if v, err := db.Version(ctx); err != nil || v != store.SchemaVersion() {
		t.Fatalf("Version = %d, %v", v, err)
	}
	future := store.SchemaVersion() + 1
	if _, err := rawDB(t, path).Exec("INSERT INTO schema_migrations (version, applied_at, app_version) VALUES (?, 0, 'future')", future); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(path, quiet)
	want := fmt.Sprintf("database schema %d is newer than this app (%d): update Dudao", future, store.SchemaVersion())
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want ErrSchemaTooNew with %q", err, want)
	}
	// Reopening did not touch the database.
	if v, err := db.Version(ctx); err != nil || v != future {
		t.Errorf("Version after refused open = %d, %v", v, err)
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", t.TempDir() + "/a?b.db", t.TempDir() + "/missing-dir/x.db"} {
		if db, err := store.Open(p, quiet); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

// Two programs (the app and the hub CLI, say) opening the same new file at
// once must both end up with a migrated database, not "table already exists".
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	for i := range 10 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("race%d.db", i))
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				db, err := store.Open(path, quiet)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
	}
}

// Schema 11 brings delivered marks written by a tablet's own clock to the
// hub's, by the offset each record was queued with.
func TestMigrationDatesDeliveredByHubClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tablet.db")
	old, err := store.Open(path, store.WithMigrationLimit(10), quiet)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	raw := rawDB(t, path)
	const deviceMS, offsetMS = 1_750_000_000_000, 3 * 3600 * 1000
	for _, row := range []struct {
		id     string
		offset any
	}{{"ahead", offsetMS}, {"unmeasured", nil}} {
		if _, err := raw.Exec(`INSERT INTO sync_outbox (id, kind, seal_hash, state, clock_offset_ms, queued_at, updated_at, delivered_at)
			VALUES (?, 'inspection', ?, 'delivered', ?, 0, 0, ?)`, row.id, strings.Repeat("a", 64), row.offset, deviceMS); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items, err := db.Outbox(ctx, store.OutboxDelivered)
	if err != nil || len(items) != 2 {
		t.Fatalf("outbox = %+v, %v", items, err)
	}
	for _, it := range items {
		want := int64(deviceMS)
		if it.Key.ID == "ahead" {
			want -= offsetMS
		}
		if got := it.DeliveredAt.UnixMilli(); got != want {
			t.Errorf("%s delivered at %d, want %d", it.Key.ID, got, want)
		}
	}
}
