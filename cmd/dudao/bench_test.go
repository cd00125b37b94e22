package main

// The start-up figures of the README: how long the app takes, on a database
// holding 100,000 sealed inspections, from opening the file to a usable hall
// list. The database is the demo (halls, staff, users, this device) plus
// 100,000 sealed inspections bulk-inserted with raw SQL, built once per
// process and only when a benchmark runs.
//
// TestWrite100kDB writes the same database to $DUDAO_BENCH_DB, for
// scripts/measure-startup.sh to start the real app on.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/app/ui"
)

// bulkInspections is how many sealed inspections build100k adds to the demo.
const bulkInspections = 100_000

var big struct {
	once sync.Once
	path string
	dir  string // the temporary directory to remove, "" when reused
	err  error
}

// TestMain removes the 100,000-inspection database a benchmark built.
func TestMain(m *testing.M) {
	code := m.Run()
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// db100k returns the path of the 100,000-inspection database: the one at
// $DUDAO_BENCH_DB if it exists (written by TestWrite100kDB), else one built
// in a temporary directory on first use (under a minute).
func db100k(b *testing.B) string {
	b.Helper()
	big.once.Do(func() {
		if p := os.Getenv("DUDAO_BENCH_DB"); p != "" {
			if _, err := os.Stat(p); err == nil {
				big.path = p
				return
			}
		}
		dir, err := os.MkdirTemp("", "dudao-startup-bench-")
		if err != nil {
			big.err = err
			return
		}
		big.dir, big.path = dir, filepath.Join(dir, "dudao.db")
		start := time.Now()
		big.err = build100k(big.path)
		b.Logf("built the %d-inspection database in %v", bulkInspections, time.Since(start).Round(time.Millisecond))
	})
	if big.err != nil {
		b.Fatalf("build the 100,000-inspection database: %v", big.err)
	}
	return big.path
}

// TestWrite100kDB writes the benchmark's database to $DUDAO_BENCH_DB, which
// must not exist yet; without the variable it does nothing.
func TestWrite100kDB(t *testing.T) {
	path := os.Getenv("DUDAO_BENCH_DB")
	if path == "" {
		t.Skip("set DUDAO_BENCH_DB to the path of the database to write")
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("%s exists; remove it (and %s.photos) first", path, path)
	}
	start := time.Now()
	if err := build100k(path); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s in %v", path, time.Since(start).Round(time.Millisecond))
}

// build100k generates the demo into a new database at path, then adds
// bulkInspections sealed inspections in one transaction, the way
// app/store's fill100k does: each in one of the demo's halls, by one of its
// supervisors (nine in ten by the demo supervisor, who signs in), on this
// device, with two of the hall's staff observed and one or two findings.
// They are dated one every 45 minutes backwards from the demo's first
// inspection, so the demo's own records stay the newest. Seal hashes are
// placeholders: only listing is measured, never verification.
func build100k(path string) error {
	ctx := context.Background()
	db, err := store.Open(path)
	if err != nil {
		return err
	}
	if _, err := demo.Generate(ctx, db, demo.Options{}); err != nil {
		db.Close()
		return fmt.Errorf("generate the demo: %w", err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	return fillInspections(path, bulkInspections)
}

type benchStaff struct {
	id, no, name, badge string
	role                standard.Role
	gender              standard.Gender
	items               []string // check items that apply to the person
}

func fillInspections(path string, n int) (err error) {
	raw, err := sql.Open("sqlite3", path+"?_fk=1&_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := raw.Close(); err == nil {
			err = cerr
		}
	}()
	raw.SetMaxOpenConns(1)

	// What the demo made: the device, the supervisors, the halls with their
	// active staff, and the date of its first inspection.
	var device string
	if err := raw.QueryRow(`SELECT id FROM devices ORDER BY id LIMIT 1`).Scan(&device); err != nil {
		return fmt.Errorf("the demo's device: %w", err)
	}
	var first int64
	var version int
	if err := raw.QueryRow(`SELECT min(started_at), max(standard_version) FROM inspections`).Scan(&first, &version); err != nil {
		return fmt.Errorf("the demo's inspections: %w", err)
	}
	var sup, sup2 string
	if err := raw.QueryRow(`SELECT id FROM users WHERE username = ?`, demo.SupervisorUsername).Scan(&sup); err != nil {
		return fmt.Errorf("the demo supervisor: %w", err)
	}
	if err := raw.QueryRow(`SELECT id FROM users WHERE role = 'supervisor' AND id <> ? ORDER BY username LIMIT 1`, sup).Scan(&sup2); err != nil {
		sup2 = sup
	}
	std := standard.V1()
	staffOf := map[string][]benchStaff{}
	rows, err := raw.Query(`SELECT id, employee_no, name, badge, role, gender, hall_id FROM staff WHERE active_to IS NULL ORDER BY employee_no`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s benchStaff
		var role, gender, hall string
		if err := rows.Scan(&s.id, &s.no, &s.name, &s.badge, &role, &gender, &hall); err != nil {
			rows.Close()
			return err
		}
		s.role, s.gender = standard.Role(role), standard.Gender(gender)
		for _, it := range std.PersonItems(s.role, s.gender) {
			if it.Kind == standard.KindCheck {
				s.items = append(s.items, it.ID)
			}
		}
		if len(s.items) == 0 {
			continue
		}
		staffOf[hall] = append(staffOf[hall], s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var halls []string
	if err := func() error {
		rows, err := raw.Query(`SELECT id FROM halls ORDER BY code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if len(staffOf[id]) >= 2 {
				halls = append(halls, id)
			}
		}
		return rows.Err()
	}(); err != nil {
		return err
	}
	if len(halls) == 0 {
		return errors.New("the demo has no hall with two active staff")
	}

	tx, err := raw.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.Prepare(q)
		return st
	}
	// Rows go in while the inspection is a draft, then it is sealed: the
	// triggers refuse rows added to a sealed inspection.
	insIns := prep(`INSERT INTO inspections (id, hall_id, supervisor_id, device_id, standard_version, started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'draft')`)
	insPer := prep(`INSERT INTO observed_people (id, inspection_id, position, staff_id, off_roster, employee_no, name, badge, role, gender) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`)
	insFind := prep(`INSERT INTO findings (id, inspection_id, person_id, item_id, outcome, note, at) VALUES (?, ?, ?, ?, 'nonconform', '工牌未佩戴', ?)`)
	seal := prep(`UPDATE inspections SET status = 'sealed', ended_at = ?, sealed_at = ?, seal_hash = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	hash := fmt.Sprintf("%064x", 0)
	const step = 45 * 60 * 1000 // ms between inspections
	for i := range n {
		id := inspect.NewID()
		hall := halls[i%len(halls)]
		staff := staffOf[hall]
		by := sup
		if i%10 == 9 {
			by = sup2
		}
		at := first - int64(i+1)*step
		if _, err := insIns.Exec(id, hall, by, device, version, at); err != nil {
			return err
		}
		for pos := range 2 {
			s := staff[(i/len(halls)+pos)%len(staff)]
			pid := inspect.NewID()
			if _, err := insPer.Exec(pid, id, pos, s.id, s.no, s.name, s.badge, string(s.role), string(s.gender)); err != nil {
				return err
			}
			if pos == 0 || i%3 == 0 {
				item := s.items[i%len(s.items)]
				if _, err := insFind.Exec(inspect.NewID(), id, pid, item, at+int64(pos+1)*60_000); err != nil {
					return err
				}
			}
		}
		if _, err := seal.Exec(at+1_800_000, at+1_800_000, hash, id); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// startupSteps is what the app does from launch to a usable hall list, less
// the window: open the store (migrations check, demo check), the workflow,
// the sign-in screen's user list, then after signing in (interactive, not
// timed) the home screen's drafts and the hall picker's last hall and list.
type startupSteps struct {
	open, users, drafts, lastHall, halls time.Duration
}

func runStartup(b *testing.B, ctx context.Context, dir string) startupSteps {
	var st startupSteps
	t0 := time.Now()
	db, err := openLocal(ctx, dir, true)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	wf, err := flow.New(db)
	if err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	users, err := wf.Users(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var u flow.User
	for _, x := range users {
		if x.Username == demo.SupervisorUsername {
			u = x
		}
	}
	if u.ID == "" {
		b.Fatalf("no %s among %d users", demo.SupervisorUsername, len(users))
	}
	t2 := time.Now()
	drafts, err := wf.Drafts(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	if len(drafts) != 1 {
		b.Fatalf("%d drafts; want the demo's one", len(drafts))
	}
	t3 := time.Now()
	if _, err := wf.LastHall(ctx, u); err != nil {
		b.Fatal(err)
	}
	t4 := time.Now()
	halls, err := wf.Halls(ctx, u, "")
	if err != nil {
		b.Fatal(err)
	}
	if len(halls) == 0 || halls[0].LastVisit.IsZero() {
		b.Fatalf("%d halls, first never visited: the hall list is not what the app shows", len(halls))
	}
	t5 := time.Now()
	st.open, st.users, st.drafts, st.lastHall, st.halls = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t5.Sub(t4)
	return st
}

func reportSteps(b *testing.B, sum startupSteps) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(ms(sum.open), "open-ms")
	b.ReportMetric(ms(sum.users), "users-ms")
	b.ReportMetric(ms(sum.drafts), "drafts-ms")
	b.ReportMetric(ms(sum.lastHall), "lasthall-ms")
	b.ReportMetric(ms(sum.halls), "halls-ms")
}

// BenchmarkStartup is the data side of a start on 100,000 inspections:
// openLocal → flow.New → Users → (sign in) → Drafts → LastHall → Halls. The
// target is ≤ 1 s per op; the per-step metrics show where the time goes.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	path := db100k(b)
	b.Setenv("DUDAO_DB", path)
	dir := b.TempDir()
	var sum startupSteps
	b.ResetTimer()
	for range b.N {
		st := runStartup(b, ctx, dir)
		sum.open += st.open
		sum.users += st.users
		sum.drafts += st.drafts
		sum.lastHall += st.lastHall
		sum.halls += st.halls
	}
	b.StopTimer()
	reportSteps(b, sum)
}

// BenchmarkStartupWindow adds the window: openLocal → flow.New → ui.Create
// on a fresh fyne test app → the sign-in screen laid out at 1280x800 and
// rendered to an image by the software painter. It stops at the sign-in
// screen (the PIN is the supervisor's); BenchmarkStartup times the calls of
// the screens behind it.
func BenchmarkStartupWindow(b *testing.B) {
	ctx := context.Background()
	path := db100k(b)
	b.Setenv("DUDAO_DB", path)
	dir := b.TempDir()
	b.ResetTimer()
	for range b.N {
		db, err := openLocal(ctx, dir, true)
		if err != nil {
			b.Fatal(err)
		}
		wf, err := flow.New(db)
		if err != nil {
			b.Fatal(err)
		}
		a := test.NewTempApp(b)
		w := ui.Create(a, wf)
		w.Resize(fyne.NewSize(1280, 800))
		w.Show()
		if img := w.Canvas().Capture(); img.Bounds().Dx() == 0 {
			b.Fatal("the first screen rendered empty")
		}
		w.Close()
		db.Close()
	}
}
