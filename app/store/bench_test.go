package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

// reportLatency adds the median and p99 of the per-operation times in ms.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
}

func benchStore(b *testing.B) (*store.DB, string) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := store.Open(path, quiet)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.ImportStandard(ctx, standard.V1(), data.StandardV1); err != nil {
		b.Fatal(err)
	}
	r, err := db.AddRegion(ctx, "昆明")
	if err != nil {
		b.Fatal(err)
	}
	h, err := db.AddHall(ctx, store.Hall{RegionID: r.ID, Code: "B1", Name: "基准营业厅"})
	if err != nil {
		b.Fatal(err)
	}
	return db, h.ID
}

// BenchmarkSaveFinding is one tap of a supervisor: a finding upserted in its
// own durable transaction. Compare with BenchmarkRawInsert.
func BenchmarkSaveFinding(b *testing.B) {
	ctx := context.Background()
	db, hallID := benchStore(b)
	ins := inspect.NewDraft(hallID, "sup", "dev", 1)
	if err := db.CreateInspection(ctx, ins); err != nil {
		b.Fatal(err)
	}
	var people []*inspect.Person
	for i := range 20 {
		p := &inspect.Person{Name: fmt.Sprintf("员工%d", i), OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderMale}
		if err := db.AddPerson(ctx, ins.ID, p); err != nil {
			b.Fatal(err)
		}
		people = append(people, p)
	}
	var checks []standard.Item
	for _, it := range standard.V1().PersonItems(standard.RoleCashier, standard.GenderMale) {
		if it.Kind == standard.KindCheck {
			checks = append(checks, it)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		p := people[i%len(people)]
		f := &inspect.Finding{ItemID: checks[(i/len(people))%len(checks)].ID, Outcome: inspect.Nonconform, Note: "工作时间当众化妆", At: inspect.Now()}
		start := time.Now()
		if err := db.SaveFinding(ctx, ins.ID, p.ID, f); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkRawInsert is the floor: one single-row INSERT in its own
// transaction, with the same driver and pragmas as the store.
func BenchmarkRawInsert(b *testing.B) {
	path := filepath.Join(b.TempDir(), "raw.db")
	raw, err := sql.Open("sqlite3", path+"?_fk=1&_busy_timeout=5000&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(`CREATE TABLE findings (id TEXT PRIMARY KEY, inspection_id TEXT, person_id TEXT, item_id TEXT, outcome TEXT, note TEXT, at INTEGER)`); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO findings VALUES (?, 'ins', 'p', 'A1.1', 'nonconform', '工作时间当众化妆', ?)`, inspect.NewID(), i); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkOpenAndListRecent opens a store holding 100,000 sealed inspections
// and lists the 50 most recent of one hall: what the app does at start.
func BenchmarkOpenAndListRecent(b *testing.B) {
	ctx := context.Background()
	path, halls := store100k(b)
	b.ResetTimer()
	for i := range b.N {
		s, err := store.Open(path, quiet)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := s.ListInspections(ctx, store.InspectionFilter{HallID: halls[i%len(halls)], Limit: 50})
		if err != nil || len(rows) != 50 {
			b.Fatalf("list: %d rows, %v", len(rows), err)
		}
		s.Close()
	}
}

var big struct {
	once  sync.Once
	path  string
	halls []string
}

// store100k builds the 100,000-inspection database once per process: the
// benchmark function runs more than once, and the build takes most of a minute.
func store100k(b *testing.B) (string, []string) {
	big.once.Do(func() {
		dir, err := os.MkdirTemp("", "dudao-bench-")
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		db, err := store.Open(filepath.Join(dir, "big.db"), quiet)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ImportStandard(ctx, standard.V1(), data.StandardV1); err != nil {
			b.Fatal(err)
		}
		r, err := db.AddRegion(ctx, "昆明")
		if err != nil {
			b.Fatal(err)
		}
		for i := range 20 {
			h, err := db.AddHall(ctx, store.Hall{RegionID: r.ID, Code: fmt.Sprintf("H%02d", i), Name: fmt.Sprintf("营业厅%02d", i)})
			if err != nil {
				b.Fatal(err)
			}
			big.halls = append(big.halls, h.ID)
		}
		big.path = db.Path()
		db.Close()
		fill100k(b, big.path, big.halls)
	})
	if big.path == "" {
		b.Fatal("building the 100,000-inspection store failed earlier")
	}
	return big.path, big.halls
}

func mustRegion(b *testing.B, db *store.DB) string {
	rs, err := db.Regions(context.Background())
	if err != nil || len(rs) == 0 {
		b.Fatalf("regions: %v", err)
	}
	return rs[0].ID
}

// fill100k writes 100,000 sealed inspections with two people and a finding
// each, in one transaction. Seal hashes are placeholders: this measures
// listing, not verification.
func fill100k(b *testing.B, path string, halls []string) {
	raw, err := sql.Open("sqlite3", path+"?_fk=1&_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	// Rows go in while the inspection is a draft, then it is sealed: the
	// triggers refuse rows added to a sealed inspection.
	insIns, _ := tx.Prepare(`INSERT INTO inspections (id, hall_id, supervisor_id, device_id, standard_version, started_at, status) VALUES (?, ?, 'sup', 'dev', 1, ?, 'draft')`)
	seal, _ := tx.Prepare(`UPDATE inspections SET status = 'sealed', ended_at = ?, sealed_at = ?, seal_hash = ? WHERE id = ?`)
	insPer, _ := tx.Prepare(`INSERT INTO observed_people (id, inspection_id, position, off_roster, name, role, gender) VALUES (?, ?, ?, 1, '员工', 'cashier', 'female')`)
	insFind, _ := tx.Prepare(`INSERT INTO findings (id, inspection_id, person_id, item_id, outcome, note, at) VALUES (?, ?, ?, 'A3.1', 'nonconform', '穿拖鞋', ?)`)
	start := time.Now().Add(-100000 * time.Hour).UnixMilli()
	hash := fmt.Sprintf("%064x", 0)
	for i := range 100000 {
		id := inspect.NewID()
		at := start + int64(i)*3600_000
		if _, err := insIns.Exec(id, halls[i%len(halls)], at); err != nil {
			b.Fatal(err)
		}
		for pos := range 2 {
			pid := inspect.NewID()
			if _, err := insPer.Exec(pid, id, pos); err != nil {
				b.Fatal(err)
			}
			if pos == 0 {
				if _, err := insFind.Exec(inspect.NewID(), id, pid, at); err != nil {
					b.Fatal(err)
				}
			}
		}
		if _, err := seal.Exec(at+1800_000, at+1800_000, hash, id); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
