package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path (SQLite's VACUUM
// INTO, which reads one snapshot while the hub keeps serving) and gives the
// copy a new sync epoch. A hub restored from that copy thus announces
// itself as another epoch, and every tablet knows to re-check what the hub
// holds and to pull master data from the start: the change numbers of a
// restored hub repeat numbers its tablets have already seen. The photo
// directory is not part of the copy; see app/sync/README-restore.md.
func (db *DB) Backup(ctx context.Context, path string) error {
	fail := func(err error) error { return fmt.Errorf("back up database to %s: %w", path, err) }
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail(err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fail(fmt.Errorf("%w: the file exists; choose a new name", ErrConflict))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	// On a connection of its own: VACUUM INTO only reads this database, so
	// the single writer connection stays free for the hub's own writes, but
	// SQLite refuses it on the query-only read pool.
	c, err := sql.Open(driverName, fmt.Sprintf("%s?_busy_timeout=%d", db.path, db.busy.Milliseconds()))
	if err != nil {
		return fail(err)
	}
	_, err = c.ExecContext(ctx, "VACUUM INTO ?", abs)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(abs)
		return fail(translate(err))
	}
	if err := restamp(ctx, abs); err != nil {
		_ = os.Remove(abs)
		return fail(err)
	}
	return nil
}

// restamp gives the copy a fresh epoch and the mark of a restored copy
// (settingRestored: each restore of it takes an epoch of its own), and
// makes it durable.
func restamp(ctx context.Context, path string) error {
	epoch, err := newEpoch()
	if err != nil {
		return err
	}
	c, err := sql.Open(driverName, fmt.Sprintf("%s?_busy_timeout=5000&_synchronous=FULL", path))
	if err != nil {
		return err
	}
	_, err = c.ExecContext(ctx, "UPDATE settings SET value = ? WHERE key = ?", epoch, settingEpoch)
	if err == nil {
		_, err = c.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = '1'", settingRestored)
	}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("set the copy's epoch: %w", translate(err))
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}
