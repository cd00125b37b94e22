package main

import (
	"context"
	"testing"
)

// On first start the app creates the demo, and the home screen's source
// reads real halls and scored inspections from it; a second start reuses it.
func TestFirstStartOpensOnDemoData(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the demo")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openLocal(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	src := newStoreSource(db)
	halls, err := src.Halls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(halls) != 3 {
		t.Fatalf("%d halls, want the demo's 3", len(halls))
	}
	sealed, drafts := 0, 0
	for _, h := range halls {
		if h.Inspections == 0 || h.LastAt.IsZero() {
			t.Errorf("hall %s: %d inspections, last %v", h.Name, h.Inspections, h.LastAt)
		}
		rows, err := src.RecentInspections(ctx, h.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if i > 0 && r.StartedAt.After(rows[i-1].StartedAt) {
				t.Errorf("hall %s: inspections not newest first", h.Name)
			}
			if r.Sealed {
				sealed++
				if len(r.SealHash) != 64 || r.Grade == "" || r.Score <= 0 || r.Score > 100 {
					t.Errorf("sealed row %+v lacks seal, grade or a sane score", r)
				}
			} else {
				drafts++
			}
		}
	}
	if sealed == 0 || drafts != 1 {
		t.Errorf("%d sealed and %d draft rows, want many and the demo's one draft", sealed, drafts)
	}
	db.Close()

	db, err = openLocal(ctx, dir)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer db.Close()
	again, err := newStoreSource(db).Halls(ctx)
	if err != nil || len(again) != 3 {
		t.Fatalf("second start: %d halls, %v; the demo must not be created twice", len(again), err)
	}
}
