package admin_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the fixture is written behind the store's back, for speed

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

// inspectionBenchSize is how many sealed inspections the manager's list is
// measured over.
const inspectionBenchSize = 100_000

// inspectionBenchVersion names the fixture's shape: change it when the
// fixture or the schema changes, and the cached copy is rebuilt.
const inspectionBenchVersion = "2"

// BenchmarkInspectionFilter measures one filter change of the manager's
// inspection list: Local.Inspections for a page of 100 with the total that
// match, over 100,000 sealed inspections in two regions, for each kind of
// filter, as a manager over every region and as the manager of the larger
// region. The target is 200 ms per change.
func BenchmarkInspectionFilter(b *testing.B) {
	path := inspectionBench(b)
	db, err := store.Open(path, store.WithLogger(localQuiet))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if n, err := db.RefreshInspectionIndex(ctx); err != nil || n != 0 {
		b.Fatalf("the cached fixture is not fully graded: %d graded now, %v", n, err)
	}
	users, err := db.Users(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var all, regional, sup store.User
	for _, u := range users {
		switch u.Username {
		case "mgr-all":
			all = u
		case "mgr-km":
			regional = u
		case "sup-00":
			sup = u
		}
	}
	halls, err := db.Halls(ctx)
	if err != nil {
		b.Fatal(err)
	}
	staff, err := db.Staff(ctx, store.StaffFilter{HallID: halls[0].ID})
	if err != nil || len(staff) == 0 {
		b.Fatalf("staff of %s: %v", halls[0].Code, err)
	}
	page, err := admin.NewLocal(db, all, admin.LocalOptions{Logger: localQuiet}).Inspections(ctx, admin.InspectionQuery{Limit: 1})
	if err != nil || page.Total != inspectionBenchSize {
		b.Fatalf("fixture: %d inspections, %v", page.Total, err)
	}
	last := page.Rows[0].StartedAt

	filters := []struct {
		name string
		q    admin.InspectionQuery
	}{
		{"none", admin.InspectionQuery{}},
		{"hall", admin.InspectionQuery{HallID: halls[0].ID}},
		{"person", admin.InspectionQuery{StaffID: staff[0].ID}},
		{"supervisor", admin.InspectionQuery{SupervisorID: sup.ID}},
		{"period", admin.InspectionQuery{From: last.AddDate(0, -1, 0), To: last}},
		{"grade", admin.InspectionQuery{Grade: "excellent"}},
		{"grade-fail", admin.InspectionQuery{Grade: "fail"}},
		{"incomplete", admin.InspectionQuery{Completeness: admin.Incomplete}},
		{"complete", admin.InspectionQuery{Completeness: admin.Complete}},
		{"hall-grade-period", admin.InspectionQuery{HallID: halls[1].ID, Grade: "excellent", From: last.AddDate(-1, 0, 0), To: last}},
		{"page-500", admin.InspectionQuery{Offset: 500 * 100}},
	}
	for _, m := range []struct {
		name string
		u    store.User
	}{{"all-regions", all}, {"region", regional}} {
		l := admin.NewLocal(db, m.u, admin.LocalOptions{Logger: localQuiet})
		for _, f := range filters {
			b.Run(m.name+"/"+f.name, func(b *testing.B) {
				var total int
				for b.Loop() {
					p, err := l.Inspections(ctx, f.q)
					if err != nil {
						b.Fatal(err)
					}
					total = p.Total
				}
				b.ReportMetric(float64(total), "matches")
			})
		}
	}
}

// schemaKey names the schema this build creates, so that a fixture cached
// by a build with other migrations is not reused.
func schemaKey(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "schema.db")
	db, err := store.Open(path, store.WithLogger(localQuiet))
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var schema string
	if err := raw.QueryRow("SELECT group_concat(ifnull(sql, ''), ';') FROM (SELECT sql FROM sqlite_master ORDER BY name)").Scan(&schema); err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf("schema%d-%.12s", store.SchemaVersion(), inspect.HashOf([]byte(schema)))
}

// inspectionBench returns the path of a database with inspectionBenchSize
// sealed inspections, graded. Building it takes a minute or two, so it is
// kept in the temporary directory between runs, named after the fixture's
// version and the schema.
func inspectionBench(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("dudao-admin-bench-v%s-%s", inspectionBenchVersion, schemaKey(b)))
	path := filepath.Join(dir, "hub.db")
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return path
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := buildInspectionBench(path); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("built the %d-inspection fixture in %s (kept in %s)", inspectionBenchSize, time.Since(start).Round(time.Second), dir)
	return path
}

// buildInspectionBench writes master data through the store, then the
// inspections straight into the tables in one transaction, as the store's
// own 100,000-inspection benchmarks do (the triggers still index them),
// and grades them through the store. Seal hashes are placeholders: only
// listing is measured.
//
// Two regions: 昆明 with 15 halls and 大理 with 5; 10 cashiers a hall; 12
// supervisors (8 of 昆明). Each inspection, one an hour backwards from now,
// observes two of its hall's staff; its findings make one in ten fail (a
// critical item), two in ten good and the rest excellent; one in four has
// a photo, and one in fifty of those has not arrived.
func buildInspectionBench(path string) error {
	ctx := context.Background()
	db, err := store.Open(path, store.WithLogger(localQuiet))
	if err != nil {
		return err
	}
	type hall struct {
		id, region string
		staff      []string
	}
	var halls []hall
	var sups [2][]string // by region
	err = func() error {
		if _, err := db.ImportStandard(ctx, standard.V1(), data.StandardV1); err != nil {
			return err
		}
		var users []store.UserRecord
		for ri, spec := range []struct {
			name  string
			halls int
			sups  int
		}{{"昆明", 15, 8}, {"大理", 5, 4}} {
			r, err := db.AddRegion(ctx, spec.name)
			if err != nil {
				return err
			}
			if ri == 0 {
				users = append(users, store.UserRecord{PinHash: "x", User: store.User{ID: inspect.NewID(), Name: "昆明经理",
					Username: "mgr-km", Role: store.RoleManager, RegionID: r.ID}})
			}
			for i := range spec.halls {
				h, err := db.AddHall(ctx, store.Hall{RegionID: r.ID, Code: fmt.Sprintf("R%d-%02d", ri, i), Name: fmt.Sprintf("%s营业厅%02d", spec.name, i)})
				if err != nil {
					return err
				}
				hl := hall{id: h.ID, region: r.ID}
				for k := range 10 {
					s, err := db.UpsertStaff(ctx, store.Staff{EmployeeNo: fmt.Sprintf("E%d%02d%02d", ri, i, k), Name: fmt.Sprintf("员工%d-%02d-%02d", ri, i, k),
						Gender: standard.GenderFemale, Role: standard.RoleCashier, HallID: h.ID})
					if err != nil {
						return err
					}
					hl.staff = append(hl.staff, s.ID)
				}
				halls = append(halls, hl)
			}
			for range spec.sups {
				u := store.User{ID: inspect.NewID(), Name: fmt.Sprintf("督导%02d", len(users)), Username: fmt.Sprintf("sup-%02d", len(sups[0])+len(sups[1])),
					Role: store.RoleSupervisor, RegionID: r.ID}
				users = append(users, store.UserRecord{User: u, PinHash: "x"})
				sups[ri] = append(sups[ri], u.ID)
			}
		}
		users = append(users, store.UserRecord{PinHash: "x", User: store.User{ID: inspect.NewID(), Name: "总经理",
			Username: "mgr-all", Role: store.RoleManager}})
		return db.ApplyMaster(ctx, store.MasterBatch{Users: users}, false, nil)
	}()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	raw, err := sql.Open("sqlite3", path+"?_fk=1&_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	tx, err := raw.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		s, perr := tx.Prepare(q)
		if perr != nil && err == nil {
			err = perr
		}
		return s
	}
	insIns := prep(`INSERT INTO inspections (id, hall_id, supervisor_id, device_id, standard_version, started_at, status)
		VALUES (?, ?, ?, 'bench-tablet', 1, ?, 'draft')`)
	insPer := prep(`INSERT INTO observed_people (id, inspection_id, position, staff_id, off_roster, employee_no, name, role, gender)
		VALUES (?, ?, ?, ?, 0, '', '', 'cashier', 'female')`)
	insFind := prep(`INSERT INTO findings (id, inspection_id, person_id, item_id, outcome, note, at) VALUES (?, ?, ?, ?, 'nonconform', '', ?)`)
	insPhoto := prep(`INSERT INTO finding_photos (finding_id, position, sha256, size, type) VALUES (?, 0, ?, 1000, 'image/jpeg')`)
	held := prep(`INSERT INTO photos (sha256, size, type, stored_at) VALUES (?, 1000, 'image/jpeg', 0)`)
	seal := prep(`UPDATE inspections SET status = 'sealed', ended_at = ?, sealed_at = ?, seal_hash = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	// Findings on female cashiers' items: their weights sum to about 190 a
	// person, and a score pools the two people and the hall (about 385). A
	// critical item fails; 36 lost by each person is good; 15 or 2 lost by
	// one stays excellent.
	byBand := [][]string{
		{"G8.2"},
		{"A1.1", "A1.2", "A2.1", "A2.2", "A3.2", "A4.1", "A4.2", "G2.1", "G3.1", "G4.1"},
		{"A1.1", "A1.2", "A2.1", "A2.2"},
		{"A3.1"},
	}
	band := []int{0, 1, 1, 2, 2, 2, 3, 3, 3, 3}
	hash := fmt.Sprintf("%064x", 0)
	now := time.Now().UnixMilli()
	for i := range inspectionBenchSize {
		h := halls[(i*7)%len(halls)]
		ri := 0
		if h.region != halls[0].region {
			ri = 1
		}
		sup := sups[ri][(i/3)%len(sups[ri])]
		id := inspect.NewID()
		at := now - int64(i)*3600_000
		if _, err := insIns.Exec(id, h.id, sup, at); err != nil {
			return err
		}
		b := band[(i*3)%len(band)]
		items := byBand[b]
		for pos := range 2 {
			pid := inspect.NewID()
			if _, err := insPer.Exec(pid, id, pos, h.staff[(i+pos*3)%len(h.staff)]); err != nil {
				return err
			}
			if pos == 1 && b != 1 {
				continue
			}
			for k, item := range items {
				fid := inspect.NewID()
				if _, err := insFind.Exec(fid, id, pid, item, at+int64(k)); err != nil {
					return err
				}
				if k == 0 && pos == 0 && i%4 == 0 {
					sha := inspect.HashOf(fmt.Appendf(nil, "bench photo %d", i))
					if _, err := insPhoto.Exec(fid, sha); err != nil {
						return err
					}
					if i%200 != 0 {
						if _, err := held.Exec(sha); err != nil {
							return err
						}
					}
				}
			}
		}
		if _, err := seal.Exec(at+1800_000, at+1800_000, hash, id); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if err := raw.Close(); err != nil {
		return err
	}

	db, err = store.Open(path, store.WithLogger(localQuiet))
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.RefreshInspectionIndex(ctx)
	if err != nil {
		return err
	}
	if n != inspectionBenchSize {
		return fmt.Errorf("graded %d inspections, want %d", n, inspectionBenchSize)
	}
	return nil
}
