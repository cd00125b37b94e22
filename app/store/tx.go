package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/dudao-app/dudao/app/inspect"
)

// Tx is a write transaction. Its methods are the DB's write methods, bound to
// the transaction so that several of them commit or roll back together.
type Tx struct {
	tx txConn
	db *DB
	// known holds halls and standard versions this transaction has seen
	// exist, so that a batch of imports looks each up once. Standards are
	// never deleted; a hall deleted later in the same transaction could only
	// cost a clearer error, since the foreign keys still refuse the row.
	known map[string]bool
	// With batchReadBack, importSealed leaves its read-back check to the
	// caller, collecting the inspections it stored in readBack for
	// readBackAll, which reads them all back in one go.
	batchReadBack bool
	readBack      []*inspect.Inspection
}

// InTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits if fn
// returns nil; the commit is durable when InTx returns. fn must not call
// methods of db itself: the single writer connection is held by tx, so such a
// call waits until ctx ends.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", translate(err))
	}
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(&Tx{tx: txConn{sqlTx}, db: db}); err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", translate(err))
	}
	return nil
}

// txConn is a write transaction's connection. Its statements stop at a
// cancelled context before they start, not while they run: go-sqlite3 starts
// a goroutine for every statement run under a context that can be cancelled
// (to interrupt it), a goroutine and a thread wake-up for each of the hub's
// many small statements on the receive path (about 10 a record and their
// triggers; without them the push of 10,000 records took about a tenth
// less). A write transaction is short and rolls back whole if it ends
// early, so nothing is lost by letting a running statement finish.
type txConn struct{ *sql.Tx }

func (c txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (c txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (c txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	// A cancelled context reaches the row as its error: database/sql checks
	// it before running the query.
	if ctx.Err() != nil {
		return c.Tx.QueryRowContext(ctx, query, args...)
	}
	return c.Tx.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// update runs fn in InTx and names the operation on errors that come from
// the transaction itself (a full disk usually shows at commit); fn's own
// errors already carry their context.
func (db *DB) update(ctx context.Context, what string, fn func(tx *Tx) error) error {
	var fnErr error
	err := db.InTx(ctx, func(tx *Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if err != nil && fnErr == nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return err
}

// querier is what reads need; *sql.DB, *sql.Tx and *sql.Conn have it.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTx runs fn in a read transaction of the read pool, so that a record
// spread over several tables is read from one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin read: %w", translate(err))
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("generate id: %w", err)
	}
	return id.String(), nil
}

// norm brings a time to what the store keeps: UTC at inspect.TimePrecision.
func norm(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(inspect.TimePrecision)
}

func toMS(t time.Time) int64 { return t.UnixMilli() }

// nullMS stores the zero time as NULL: UnixMilli of the zero time is a real,
// if ancient, instant and would not round-trip to IsZero.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func nullMSPtr(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return nullMS(*t)
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

func fromNullMSPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
