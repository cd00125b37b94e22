package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSealedQueryPlans checks with EXPLAIN QUERY PLAN that each filter of
// the manager's list is read through the index meant for it, in order (no
// sort of the matches for a page), and counted without a scan of the table.
// SQLite has no statistics on these tables, so its choice is the same on an
// empty database as on a full one.
func TestSealedQueryPlans(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "plans.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	from, to := time.Now().AddDate(0, -1, 0), time.Now()
	for _, c := range []struct {
		name  string
		f     SealedFilter
		index string
	}{
		{"none", SealedFilter{}, "inspection_index_started"},
		{"period", SealedFilter{From: from, To: to}, "inspection_index_started"},
		{"region", SealedFilter{RegionID: "r"}, "inspection_index_region"},
		{"region and period", SealedFilter{RegionID: "r", From: from, To: to}, "inspection_index_region"},
		{"hall", SealedFilter{HallID: "h", RegionID: "r"}, "inspection_index_hall"},
		{"hall and grade", SealedFilter{HallID: "h", Grade: "good", RegionID: "r", From: from}, "inspection_index_hall"},
		{"person", SealedFilter{StaffID: "s"}, "graded_people_staff"},
		{"person in a region", SealedFilter{StaffID: "s", RegionID: "r", From: from}, "graded_people_staff"},
		{"person and hall", SealedFilter{StaffID: "s", HallID: "h", RegionID: "r"}, "graded_people_staff"},
		{"supervisor", SealedFilter{SupervisorID: "u", RegionID: "r"}, "inspection_index_supervisor"},
		{"grade", SealedFilter{Grade: "good"}, "inspection_index_grade"},
		{"grade in a region", SealedFilter{Grade: "good", RegionID: "r"}, "inspection_index_region_grade"},
		{"incomplete", SealedFilter{Completeness: Incomplete, RegionID: "r"}, "inspection_index_incomplete"},
		{"complete", SealedFilter{Completeness: Complete, RegionID: "r"}, "inspection_index_region"},
	} {
		f := c.f
		f.Limit = 100
		plan := func(q string, args []any) string {
			rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var lines []string
			if err := eachRow(rows, func() error {
				var id, parent, unused int
				var detail string
				err := rows.Scan(&id, &parent, &unused, &detail)
				lines = append(lines, detail)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return strings.Join(lines, "\n")
		}
		page, args := sealedPageQuery(f)
		p := plan(page, args)
		// The page's own rows come first, up to the outer query's joins.
		inner, _, _ := strings.Cut(p, "SCAN p")
		if !strings.Contains(inner, c.index) || strings.Contains(inner, "TEMP B-TREE") {
			t.Errorf("%s: the page is read\n%s\nwant through %s, in order", c.name, inner, c.index)
		}
		sq := sealedQuery(f)
		from := sq.from
		if sq.alone {
			from = "graded_people g"
		}
		cp := plan("SELECT count(*) FROM "+from+sq.where, sq.args)
		if strings.Contains(cp, "SCAN x\n") || strings.HasSuffix(cp, "SCAN x") {
			t.Errorf("%s: counted by a scan of the table:\n%s", c.name, cp)
		}
	}
}
