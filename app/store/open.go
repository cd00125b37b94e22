package store

// This is the only file that knows the SQLite driver: its import, its DSN and
// its error codes. Everything else speaks database/sql and this package's
// sentinel errors, so that another back end only has to replace this file's
// job.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

const (
	driverName = "sqlite3"
	// writerDriver is go-sqlite3 with the connection's temporary storage in
	// memory (see init); the single writer uses it.
	writerDriver = "dudao-sqlite3-writer"

	defaultBusyTimeout  = 5 * time.Second
	defaultMaxPhotoSize = 20 << 20
	defaultReaders      = 4
)

// SQLite keeps a statement journal (the pages a savepoint or a statement
// may have to restore) in a temporary file once it outgrows 64 KB. The hub
// receives each record in its own savepoint, so that one refused record does
// not undo the batch, and the journal of the pages each record touches went
// through the file: 90 writes and 180 KB per record, 1.8 GB of write calls
// for 10,000 records. The writer keeps it in memory: the same work without
// the system calls, a journal living for one record. The readers keep the
// default, so a large sort can still spill to disk. A migration that rewrites
// most of a large table in one statement journals it in memory too: it
// should set PRAGMA temp_store = FILE for the time it runs.
func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec("PRAGMA temp_store = MEMORY", nil); err != nil {
			return fmt.Errorf("keep temporary storage in memory: %w", err)
		}
		return nil
	}})
}

// writeDSN configures the single writer. synchronous=FULL makes a commit in
// WAL mode durable: a sealed inspection that was acknowledged survives a power
// cut. _txlock=immediate takes the write lock at BEGIN, so a transaction that
// reads and then writes never fails half-way with SQLITE_BUSY.
// _recursive_triggers makes the rows an INSERT OR REPLACE removes fire their
// DELETE triggers, without which REPLACE would slip past the triggers that
// keep sealed records immutable.
func writeDSN(path string, busy time.Duration) string {
	return fmt.Sprintf("%s?_fk=1&_busy_timeout=%d&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_recursive_triggers=1&_stmt_cache_size=64",
		path, busy.Milliseconds())
}

// readDSN configures the read pool. query_only makes a write through it an
// error instead of a second writer competing for the lock. cacheKiB, when
// positive, bounds each reader's page cache (SQLite's default is 2 MB).
func readDSN(path string, busy time.Duration, cacheKiB int) string {
	dsn := fmt.Sprintf("%s?_fk=1&_busy_timeout=%d&_query_only=1&_stmt_cache_size=64", path, busy.Milliseconds())
	if cacheKiB > 0 {
		dsn += fmt.Sprintf("&_cache_size=-%d", cacheKiB)
	}
	return dsn
}

// DB is the SQLite store of one device or hub, with its photo directory.
type DB struct {
	w, r         *sql.DB // w has exactly one connection: SQLite has one writer
	path         string
	photoDir     string
	maxPhoto     int64
	busy         time.Duration
	now          func() time.Time
	appVersion   string
	log          *slog.Logger
	maxMigration int // apply at most this many migrations; -1 for all (tests only)
	readers      int // connections of the read pool
	readCacheKiB int // page cache of each reader; 0 for SQLite's default

	photoNotes photoNotes

	// restoreChecked is set once HubIdentity has looked for the mark of a
	// restored backup (settingRestored).
	restoreChecked atomic.Bool

	// index serialises RefreshInspectionIndex, which the hub may run in
	// the background while a manager's call runs it too; standards caches
	// the versions it scores with (a version never changes once imported).
	index struct {
		sync.Mutex
		stdMu     sync.Mutex // the refresh grades on several goroutines
		standards map[int]*standard.Version
	}
}

// Option configures Open.
type Option func(*DB)

// WithPhotoDir stores photos in dir instead of "<path>.photos".
func WithPhotoDir(dir string) Option { return func(db *DB) { db.photoDir = dir } }

// WithMaxPhotoSize limits the size of one photo (default 20 MB).
func WithMaxPhotoSize(n int64) Option { return func(db *DB) { db.maxPhoto = n } }

// WithBusyTimeout sets how long a write waits for another process holding
// the database lock before it fails with ErrLocked (default 5s).
func WithBusyTimeout(d time.Duration) Option { return func(db *DB) { db.busy = d } }

// WithClock replaces the clock used for creation and import times.
func WithClock(now func() time.Time) Option { return func(db *DB) { db.now = now } }

// WithAppVersion is recorded with each migration applied (default: the
// module version from the build info).
func WithAppVersion(v string) Option { return func(db *DB) { db.appVersion = v } }

// WithReaders sets how many connections read at once (default 4), each with
// its own page cache and prepared statements.
func WithReaders(n int) Option { return func(db *DB) { db.readers = n } }

// WithReadCache bounds each reader's page cache to kib KiB (SQLite's
// default: 2 MB). A tablet reads one screen's worth at a time, and pages
// read again come from the system's file cache, which is shared and given
// back under pressure; a hub serving managers' queries keeps the default.
func WithReadCache(kib int) Option { return func(db *DB) { db.readCacheKiB = kib } }

// WithLogger sets the logger for migrations and housekeeping (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(db *DB) { db.log = l } }

// Open opens or creates the database at path, migrates it to the latest
// schema and prepares the photo directory beside it.
func Open(path string, opts ...Option) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	// The driver cuts the DSN at the first '?', so such a path would open a
	// different file.
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open database %q: path must not contain '?'", path)
	}
	db := &DB{
		path:         path,
		maxPhoto:     defaultMaxPhotoSize,
		busy:         defaultBusyTimeout,
		now:          inspect.Now,
		appVersion:   buildVersion(),
		log:          slog.Default(),
		maxMigration: -1,
	}
	for _, o := range opts {
		o(db)
	}
	if db.photoDir == "" {
		db.photoDir = path + ".photos"
	}
	if db.maxPhoto <= 0 {
		db.maxPhoto = defaultMaxPhotoSize
	}

	w, err := sql.Open(writerDriver, writeDSN(path, db.busy))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db.w = w
	ctx := context.Background()
	if err := db.prepare(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}

	if db.readers <= 0 {
		db.readers = defaultReaders
	}
	r, err := sql.Open(driverName, readDSN(path, db.busy, db.readCacheKiB))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r.SetMaxOpenConns(db.readers)
	r.SetMaxIdleConns(db.readers)
	if err := r.PingContext(ctx); err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, translate(err))
	}
	db.r = r

	if err := os.MkdirAll(db.photoDir, 0o700); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open photo directory %s: %w", db.photoDir, translate(err))
	}
	db.removeStaleTemp()
	return db, nil
}

// prepare switches the file to WAL and migrates it. Two programs opening a
// new file at once can get SQLITE_BUSY from the journal-mode switch without
// SQLite's busy handler being consulted, so a busy answer is retried here for
// as long as the busy timeout allows.
func (db *DB) prepare(ctx context.Context) error {
	start := time.Now()
	wait := 5 * time.Millisecond
	for {
		err := checkWAL(ctx, db.w)
		if err != nil {
			err = translate(err)
		} else {
			err = db.migrate(ctx)
		}
		if err == nil || !errors.Is(err, ErrLocked) || time.Since(start) > db.busy {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// checkWAL makes sure the journal mode took: the single-writer design relies
// on WAL letting readers run beside the writer.
func checkWAL(ctx context.Context, w *sql.DB) error {
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not wal (is the file on a network drive?)", mode)
	}
	return nil
}

// Close closes both connection pools; the last close checkpoints the WAL.
func (db *DB) Close() error {
	if db.w != nil {
		db.closePhotoNotes()
	}
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// PhotoDir returns the directory photos are stored in.
func (db *DB) PhotoDir() string { return db.photoDir }

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}

// sealedError is the database's refusal to change a sealed record. It is
// inspect.ErrSealed for errors.Is but keeps its own words (an amendment is
// not an inspection).
type sealedError string

func (e sealedError) Error() string        { return string(e) }
func (e sealedError) Is(target error) bool { return target == inspect.ErrSealed }

// translate maps driver and file system errors onto this package's sentinels,
// keeping the original error in the chain. Errors it does not know pass
// through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		if errors.Is(err, syscall.ENOSPC) {
			return fmt.Errorf("%w: %w", ErrDiskFull, err)
		}
		return err
	}
	switch {
	case se.Code == sqlite3.ErrFull:
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	case se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked:
		return fmt.Errorf("%w: %w", ErrLocked, err)
	case se.ExtendedCode == sqlite3.ErrConstraintTrigger:
		msg := se.Error()
		switch {
		case strings.Contains(msg, "inspection is sealed"):
			return sealedError("inspection is sealed")
		case strings.Contains(msg, "amendment is sealed"):
			return sealedError("amendment is sealed")
		case strings.Contains(msg, "immutable"):
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	case se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case se.ExtendedCode == sqlite3.ErrConstraintForeignKey:
		return fmt.Errorf("%w: referenced record: %w", ErrNotFound, err)
	case se.ExtendedCode == sqlite3.ErrConstraintCheck || se.ExtendedCode == sqlite3.ErrConstraintNotNull:
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return err
}

// removeStaleTemp deletes photo uploads that a crash left half-written. Only
// old ones: another process may be writing a fresh one right now.
func (db *DB) removeStaleTemp() {
	matches, err := filepath.Glob(filepath.Join(db.photoDir, tempPrefix+"*"))
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-time.Hour)
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.ModTime().Before(cutoff) {
			if err := os.Remove(m); err != nil {
				db.log.Warn("remove stale photo upload", "path", m, "err", err)
			}
		}
	}
}
