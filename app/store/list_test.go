package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

func TestListInspections(t *testing.T) {
	f := newFixture(t)
	db := f.db
	h := time.Hour
	a := f.sealed(t, f.alice, t0, nc("A1"), nc("B1"))
	b := f.draft(t, t0.Add(2*h), nc("A1"))
	c := f.sealed(t, f.bob, t0.Add(h))
	d := &inspect.Inspection{HallID: f.otherHall.ID, SupervisorID: f.sup2.ID, StandardVersion: 1, StartedAt: t0.Add(3 * h),
		People:       []inspect.Person{{StaffID: f.alice.ID}, {StaffID: f.bob.ID, Findings: []inspect.Finding{nc("A1")}}},
		HallFindings: []inspect.Finding{nc("H1")}}
	if err := db.CreateInspection(ctx, d); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		filter store.InspectionFilter
		want   []string
	}{
		{"all newest first", store.InspectionFilter{}, []string{d.ID, b.ID, c.ID, a.ID}},
		{"hall", store.InspectionFilter{HallID: f.hall.ID}, []string{b.ID, c.ID, a.ID}},
		{"other hall", store.InspectionFilter{HallID: f.otherHall.ID}, []string{d.ID}},
		{"supervisor", store.InspectionFilter{SupervisorID: f.sup2.ID}, []string{d.ID}},
		{"staff alice", store.InspectionFilter{StaffID: f.alice.ID}, []string{d.ID, b.ID, a.ID}},
		{"staff bob in hall", store.InspectionFilter{StaffID: f.bob.ID, HallID: f.hall.ID}, []string{c.ID}},
		{"sealed", store.InspectionFilter{Status: inspect.StatusSealed}, []string{c.ID, a.ID}},
		{"drafts", store.InspectionFilter{Status: inspect.StatusDraft}, []string{d.ID, b.ID}},
		{"from inclusive", store.InspectionFilter{From: t0.Add(h)}, []string{d.ID, b.ID, c.ID}},
		{"to exclusive", store.InspectionFilter{To: t0.Add(h)}, []string{a.ID}},
		{"window", store.InspectionFilter{From: t0.Add(h), To: t0.Add(3 * h)}, []string{b.ID, c.ID}},
		{"limit", store.InspectionFilter{Limit: 2}, []string{d.ID, b.ID}},
		{"page 2", store.InspectionFilter{Limit: 2, Offset: 2}, []string{c.ID, a.ID}},
		{"past the end", store.InspectionFilter{Limit: 2, Offset: 4}, nil},
		{"nothing", store.InspectionFilter{StaffID: "nobody"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := db.ListInspections(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range list {
				ids = append(ids, s.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("got %v, want %v", ids, tc.want)
			}
			n, err := db.CountInspections(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if tc.filter.Limit == 0 && n != len(tc.want) {
				t.Errorf("CountInspections = %d, want %d", n, len(tc.want))
			}
		})
	}

	list, err := db.ListInspections(ctx, store.InspectionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := store.InspectionSummary{ID: d.ID, HallID: f.otherHall.ID, HallName: "解放路营业厅", SupervisorID: f.sup2.ID,
		SupervisorName: "陈督导", StartedAt: t0.Add(3 * h), Status: inspect.StatusDraft, People: 2, Findings: 2}
	if list[0] != want {
		t.Errorf("summary = %+v, want %+v", list[0], want)
	}
	if s := list[3]; s.ID != a.ID || s.SealHash != a.SealHash || s.Status != inspect.StatusSealed || s.People != 1 || s.Findings != 2 {
		t.Errorf("sealed summary = %+v", s)
	}
}

// TestListInspectionsScale checks that listing stays index-backed with
// 100,000 inspections: a page is read through an index in order, without a
// sort of the whole table.
func TestListInspectionsScale(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 100,000 inspections")
	}
	f := newFixture(t)
	const n = 100_000
	raw := rawDB(t, f.path)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	// Inserted as drafts (the triggers refuse people in a sealed one), sealed
	// all at once below.
	ins, err := tx.Prepare(`INSERT INTO inspections (id, hall_id, supervisor_id, device_id, standard_version,
		started_at, ended_at, status) VALUES (?, ?, ?, 'd', 1, ?, ?, 'draft')`)
	if err != nil {
		t.Fatal(err)
	}
	person, err := tx.Prepare(`INSERT INTO observed_people (id, inspection_id, position, staff_id, off_roster) VALUES (?, ?, 1, ?, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	halls := []string{f.hall.ID, f.otherHall.ID}
	sups := []string{f.sup.ID, f.sup2.ID}
	hash := strings.Repeat("a", 64)
	for i := range n {
		id := uuid.NewString()
		at := t0.Add(time.Duration(i) * time.Minute).UnixMilli()
		if _, err := ins.Exec(id, halls[i%2], sups[i%3%2], at, at+1); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			if _, err := person.Exec(uuid.NewString(), id, f.alice.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := tx.Exec("UPDATE inspections SET status = 'sealed', sealed_at = ended_at, seal_hash = ?", hash); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// No ANALYZE: a tablet never runs it, so the plan must be right without
	// statistics.

	for _, tc := range []struct {
		name   string
		filter store.InspectionFilter
	}{
		{"all", store.InspectionFilter{Limit: 50}},
		{"hall", store.InspectionFilter{HallID: f.hall.ID, Limit: 50}},
		{"hall and window", store.InspectionFilter{HallID: f.hall.ID, From: t0.Add(1000 * time.Hour), To: t0.Add(1200 * time.Hour), Limit: 50}},
		{"status", store.InspectionFilter{Status: inspect.StatusSealed, Limit: 50, Offset: 50}},
		{"supervisor", store.InspectionFilter{SupervisorID: f.sup2.ID, Limit: 50}},
		{"staff", store.InspectionFilter{StaffID: f.alice.ID, Limit: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, args := store.ListQuery(tc.filter)
			plan := queryPlan(t, raw, q, args)
			if strings.Contains(plan, "SCAN i\n") || strings.Contains(plan, "SCAN inspections\n") ||
				(tc.filter.StaffID == "" && strings.Contains(plan, "TEMP B-TREE")) {
				t.Errorf("query plan scans or sorts inspections:\n%s", plan)
			}
			start := time.Now()
			list, err := f.db.ListInspections(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Errorf("took %v\n%s", took, plan)
			}
			if len(list) != 50 {
				t.Errorf("got %d rows, want 50", len(list))
			}
			if !slices.IsSortedFunc(list, func(a, b store.InspectionSummary) int { return b.StartedAt.Compare(a.StartedAt) }) {
				t.Error("not newest first")
			}
		})
	}
	start := time.Now()
	if c, err := f.db.CountInspections(ctx, store.InspectionFilter{HallID: f.hall.ID}); err != nil || c != n/2 {
		t.Errorf("CountInspections = %d, %v", c, err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("count took %v", took)
	}
}

func queryPlan(t *testing.T, db *sql.DB, q string, args []any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, detail)
	}
	return b.String()
}
