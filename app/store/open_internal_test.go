package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
)

// TestTemporaryStorageInMemory: both pools' connections keep SQLite's
// temporary storage (the statement journal of the hub's per-record
// savepoints) in memory; on a file it cost 90 write calls a record.
func TestTemporaryStorageInMemory(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "temp.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for name, q := range map[string]querier{"writer": db.w, "reader": db.r} {
		var mode int
		if err := q.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&mode); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if mode != 2 {
			t.Errorf("%s: temp_store = %d, want 2 (memory)", name, mode)
		}
	}
}
