package store

// The tablet's side of sync: the outbox of sealed records on their way to
// the hub. Drafts never enter it; a sealed record enters once and stays, so
// its delivered mark can be checked against every later receipt.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// EnqueueSealed adds every sealed inspection and amendment not yet in the
// outbox, in the order they were sealed, with the device's current offset
// from the hub's clock (nil when never measured). It returns how many it
// added.
func (db *DB) EnqueueSealed(ctx context.Context, clockOffset *time.Duration) (int, error) {
	var off sql.NullInt64
	if clockOffset != nil {
		off = sql.NullInt64{Int64: clockOffset.Milliseconds(), Valid: true}
	}
	var n int64
	err := db.update(ctx, "queue sealed records", func(tx *Tx) error {
		now := toMS(db.now())
		for _, q := range []string{
			`INSERT INTO sync_outbox (id, kind, seal_hash, state, clock_offset_ms, queued_at, updated_at)
			SELECT id, 'inspection', seal_hash, 'sealed', ?1, ?2, ?2 FROM inspections i
			WHERE status = 'sealed' AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = i.id)
			ORDER BY sealed_at, id`,
			`INSERT INTO sync_outbox (id, kind, seal_hash, state, clock_offset_ms, queued_at, updated_at)
			SELECT id, 'amendment', seal_hash, 'sealed', ?1, ?2, ?2 FROM amendments a
			WHERE NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = a.id)
			ORDER BY at, id`,
		} {
			res, err := tx.tx.ExecContext(ctx, q, off, now)
			if err != nil {
				return fmt.Errorf("queue sealed records: %w", translate(err))
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return int(n), err
}

const outboxCols = `id, kind, seal_hash, state, reason_code, reason, held_hash, attempts,
	photos_expected, photos_present, clock_offset_ms, queued_at, updated_at, delivered_at, receipt_epoch`

// Outbox lists outbox items in the given states (all when none): inspections
// before amendments (an amendment needs its inspection on the hub), each in
// the order they were queued.
func (db *DB) Outbox(ctx context.Context, states ...OutboxState) ([]OutboxItem, error) {
	q := "SELECT " + outboxCols + " FROM sync_outbox"
	var args []any
	if len(states) > 0 {
		q += " WHERE state IN (?" + strings.Repeat(", ?", len(states)-1) + ")"
		for _, s := range states {
			args = append(args, s)
		}
	}
	q += " ORDER BY kind = 'amendment', rowid"
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", translate(err))
	}
	var out []OutboxItem
	if err := eachRow(rows, func() error {
		var it OutboxItem
		var off, delivered sql.NullInt64
		var queued, updated int64
		if err := rows.Scan(&it.Key.ID, &it.Key.Kind, &it.SealHash, &it.State, &it.ReasonCode, &it.Reason,
			&it.HeldHash, &it.Attempts, &it.PhotosExpected, &it.PhotosPresent, &off, &queued, &updated,
			&delivered, &it.ReceiptEpoch); err != nil {
			return err
		}
		if off.Valid {
			d := time.Duration(off.Int64) * time.Millisecond
			it.ClockOffset = &d
		}
		it.QueuedAt, it.UpdatedAt, it.DeliveredAt = fromMS(queued), fromMS(updated), fromNullMS(delivered)
		out = append(out, it)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// UpdateOutbox applies state changes to outbox items in one transaction.
func (db *DB) UpdateOutbox(ctx context.Context, us []OutboxUpdate) error {
	if len(us) == 0 {
		return nil
	}
	return db.update(ctx, fmt.Sprintf("update %d outbox items", len(us)), func(tx *Tx) error {
		now := toMS(db.now())
		for _, u := range us {
			switch u.State {
			case OutboxSealed, OutboxSent, OutboxDelivered, OutboxParked, OutboxQuarantined:
			default:
				return fmt.Errorf("update outbox item %s: %w: state %q", u.ID, ErrInvalid, u.State)
			}
			var delivered sql.NullInt64
			if u.State == OutboxDelivered {
				delivered = sql.NullInt64{Int64: now, Valid: true}
				if !u.DeliveredAt.IsZero() {
					delivered.Int64 = toMS(u.DeliveredAt)
				}
			}
			res, err := tx.tx.ExecContext(ctx, `UPDATE sync_outbox SET state = ?1, reason_code = ?2, reason = ?3,
				held_hash = ?4, photos_expected = ?5, photos_present = ?6, attempts = attempts + ?7, updated_at = ?8,
				delivered_at = CASE WHEN ?9 IS NULL THEN NULL ELSE ifnull(delivered_at, ?9) END,
				receipt_epoch = ?10 WHERE id = ?11`,
				u.State, u.ReasonCode, u.Reason, u.HeldHash, u.PhotosExpected, u.PhotosPresent,
				boolInt(u.Attempted), now, delivered, u.ReceiptEpoch, u.ID)
			if err != nil {
				return fmt.Errorf("update outbox item %s: %w", u.ID, translate(err))
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("update outbox item %s: %w", u.ID, ErrNotFound)
			}
		}
		return nil
	})
}

// Requeue puts a parked or quarantined record back in line to be sent, once
// a person has dealt with the reason.
func (db *DB) Requeue(ctx context.Context, id string) error {
	return db.update(ctx, "requeue "+id, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `UPDATE sync_outbox SET state = 'sealed', reason_code = '', reason = '',
			held_hash = '', updated_at = ? WHERE id = ? AND state IN ('parked', 'quarantined')`, toMS(db.now()), id)
		if err != nil {
			return fmt.Errorf("requeue %s: %w", id, translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("requeue %s: %w among parked or quarantined records", id, ErrNotFound)
		}
		return nil
	})
}

// Amendment loads one amendment by its ID.
func (db *DB) Amendment(ctx context.Context, id string) (*inspect.Amendment, error) {
	var a inspect.Amendment
	var at int64
	var changes []byte
	err := db.r.QueryRowContext(ctx, `SELECT id, inspection_id, original_hash, reason, author_id, device_id, at,
		seq, changes, seal_hash FROM amendments WHERE id = ?`, id).
		Scan(&a.ID, &a.InspectionID, &a.OriginalHash, &a.Reason, &a.AuthorID, &a.DeviceID, &at, &a.Seq, &changes, &a.SealHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load amendment %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load amendment %s: %w", id, translate(err))
	}
	a.At = fromMS(at)
	if a.Changes, err = decodeChanges(changes); err != nil {
		return nil, fmt.Errorf("load amendment %s: %w", id, err)
	}
	return &a, nil
}

// UndeliveredCount counts the sealed inspections and amendments on this
// device that no hub receipt has marked delivered yet, whether or not they
// are in the outbox. It only reads, so the home screen can show it without
// waiting for a sync or listing every record.
func (db *DB) UndeliveredCount(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM inspections i WHERE status = 'sealed'
			AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = i.id AND o.state = 'delivered'))
		+ (SELECT count(*) FROM amendments a
			WHERE NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = a.id AND o.state = 'delivered'))`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count records not delivered: %w", translate(err))
	}
	return n, nil
}

// AmendmentOutbox is an amendment not delivered yet: the inspection it
// amends and its outbox state ("" while it is not queued: it is queued at
// the next sync that reaches the hub).
type AmendmentOutbox struct {
	InspectionID string
	State        OutboxState
}

// UndeliveredAmendments lists the amendments a receipt has not marked
// delivered, queued or not.
func (db *DB) UndeliveredAmendments(ctx context.Context) ([]AmendmentOutbox, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT a.inspection_id, ifnull(o.state, '') FROM amendments a
		LEFT JOIN sync_outbox o ON o.id = a.id WHERE o.state IS NULL OR o.state != 'delivered'`)
	if err != nil {
		return nil, fmt.Errorf("list undelivered amendments: %w", translate(err))
	}
	var out []AmendmentOutbox
	err = eachRow(rows, func() error {
		var a AmendmentOutbox
		if err := rows.Scan(&a.InspectionID, &a.State); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list undelivered amendments: %w", err)
	}
	return out, nil
}
