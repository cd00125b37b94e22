package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Migrations are numbered SQL files applied in order, each in its own
// transaction. A shipped migration is never edited: devices in the field have
// already run it, so a fix is a new, higher-numbered file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations in order and checks that the
// numbering has no gaps or duplicates, a mistake that would otherwise only
// show on a device.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(name, "-")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN-name.sql", name)
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	// fs.ReadDir sorts by name and the numbers are zero-padded.
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion returns the latest schema version this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// Version returns the schema version of the open database.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	if err := db.r.QueryRowContext(ctx, "SELECT ifnull(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", translate(err))
	}
	return v, nil
}

func (db *DB) migrate(ctx context.Context) error {
	all, err := loadMigrations()
	if err != nil {
		return err
	}
	want := all
	if db.maxMigration >= 0 && db.maxMigration < len(all) {
		want = all[:db.maxMigration]
	}

	// One pinned connection for the whole run, because foreign_keys is a
	// per-connection setting that cannot change inside a transaction. With it
	// off, a migration may rebuild a table (SQLite's 12-step ALTER); the
	// foreign_key_check before each commit still catches a broken reference.
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", translate(err))
	}
	defer conn.Close()

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version     INTEGER PRIMARY KEY,
		applied_at  INTEGER NOT NULL,
		app_version TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", translate(err))
	}
	var current int
	if err := conn.QueryRowContext(ctx, "SELECT ifnull(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", translate(err))
	}
	if current > len(all) {
		return schemaTooNewError{db: current, app: len(all)}
	}
	if current >= len(want) {
		return nil
	}

	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("migrate: %w", translate(err))
	}
	defer func() {
		// A connection left with foreign keys off would silently stop
		// enforcing them for every later write; drop it from the pool instead.
		if _, err := conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()

	for _, m := range want[current:] {
		if err := db.apply(ctx, conn, m); err != nil {
			return err
		}
		db.log.Debug("migration done", "path", db.path, "migration", m.name)
	}
	return nil
}

func (db *DB) apply(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply migration %s: %w", m.name, translate(err))
	}
	defer func() { _ = tx.Rollback() }()
	// Another process may have opened the same file and migrated it between
	// our reading the version and taking the write lock (BEGIN IMMEDIATE);
	// what counts is the version seen under the lock.
	var done int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&done); err != nil {
		return fmt.Errorf("apply migration %s: read schema version: %w", m.name, translate(err))
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("apply migration %s: %w", m.name, translate(err))
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, applied_at, app_version) VALUES (?, ?, ?)",
		m.version, db.now().UnixMilli(), db.appVersion); err != nil {
		return fmt.Errorf("apply migration %s: record version: %w", m.name, translate(err))
	}
	if err := foreignKeyCheck(ctx, tx); err != nil {
		return fmt.Errorf("apply migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("apply migration %s: commit: %w", m.name, translate(err))
	}
	db.log.Info("applied database migration", "path", db.path, "migration", m.name)
	return nil
}

func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign key check: %w", translate(err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("%s row %d -> %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", translate(err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("foreign key check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// schemaTooNewError says the database was written by a newer Dudao. Opening it
// anyway could write rows an old schema cannot describe, so we stop.
type schemaTooNewError struct{ db, app int }

func (e schemaTooNewError) Error() string {
	return fmt.Sprintf("database schema %d is newer than this app (%d): update Dudao", e.db, e.app)
}

func (e schemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }
