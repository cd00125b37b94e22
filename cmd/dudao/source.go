package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/store"
)

// tabletStoreOptions size the database's read side for one person's
// screens on a device short of memory: two readers (a list and a count at
// once), each with 512 KiB of page cache instead of SQLite's 2 MB.
var tabletStoreOptions = []store.Option{store.WithReaders(2), store.WithReadCache(512)}

// openLocal opens the device's database in dir, creating it. With withDemo,
// a database that holds no hall yet is filled with the demo, so a first
// start has something real to show; without it (a tablet in service) the
// app starts empty and asks to be connected to the hub, since the demo's
// users have published PINs, a manager among them. $DUDAO_DB overrides the
// path.
func openLocal(ctx context.Context, dir string, withDemo bool) (*store.DB, error) {
	path := os.Getenv("DUDAO_DB")
	if path == "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create app storage %s: %w", dir, err)
		}
		path = filepath.Join(dir, "dudao.db")
	}
	db, err := store.Open(path, tabletStoreOptions...)
	if err != nil {
		return nil, err
	}
	halls, err := db.Halls(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(halls) == 0 && withDemo {
		slog.Info("empty database: creating the demo data", "path", path)
		sum, err := demo.Generate(ctx, db, demo.Options{})
		if err != nil && !errors.Is(err, demo.ErrNotEmpty) {
			db.Close()
			return nil, fmt.Errorf("create demo data: %w", err)
		}
		if sum != nil {
			slog.Info("demo data ready", "inspections", sum.Inspections, "elapsed", sum.Elapsed)
		}
	}
	return db, nil
}
