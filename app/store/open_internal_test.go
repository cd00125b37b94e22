package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
)

// TestTemporaryStorageInMemory: the writer keeps SQLite's temporary storage
// (the statement journal of the hub's per-record savepoints) in memory; on a
// file it cost 90 write calls a record. Readers keep the default (a file
// once large), so a big sort can spill.
func TestTemporaryStorageInMemory(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "temp.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		q    querier
		want int
	}{{"writer", db.w, 2}, {"reader", db.r, 0}} {
		var mode int
		if err := c.q.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&mode); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if mode != c.want {
			t.Errorf("%s: temp_store = %d, want %d", c.name, mode, c.want)
		}
	}
}

// A tablet's store reads through fewer connections with a smaller page
// cache each; the default (a hub's) keeps SQLite's 2 MB.
func TestReadPoolOptions(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		opts      []Option
		readers   int
		cacheSize int
	}{
		{"default", nil, defaultReaders, -2000},
		{"tablet", []Option{WithReaders(2), WithReadCache(512)}, 2, -512},
	} {
		db, err := Open(filepath.Join(t.TempDir(), "pool.db"), append([]Option{WithLogger(slog.New(slog.DiscardHandler))}, c.opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		var size int
		if err := db.r.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if got := db.r.Stats().MaxOpenConnections; got != c.readers || size != c.cacheSize {
			t.Errorf("%s: %d readers with cache_size %d, want %d with %d", c.name, got, size, c.readers, c.cacheSize)
		}
		db.Close()
	}
}
