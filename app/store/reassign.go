package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dudao-app/dudao/app/inspect"
)

// ReassignDraft makes supervisorID the supervisor of a draft, in one
// transaction, and drops the previous supervisor's signature: the new one
// signs for themselves. A sealed inspection refuses with ErrSealed, an
// unknown one with ErrNotFound.
func (db *DB) ReassignDraft(ctx context.Context, inspectionID, supervisorID string) error {
	return db.update(ctx, fmt.Sprintf("reassign draft %s", inspectionID), func(tx *Tx) error {
		fail := func(err error) error { return fmt.Errorf("reassign draft %s: %w", inspectionID, err) }
		if supervisorID == "" {
			return fail(fmt.Errorf("%w: no supervisor", ErrInvalid))
		}
		if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
			return fail(err)
		}
		var previous string
		if err := tx.tx.QueryRowContext(ctx, "SELECT supervisor_id FROM inspections WHERE id = ?", inspectionID).Scan(&previous); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fail(ErrNotFound)
			}
			return fail(translate(err))
		}
		if _, err := tx.tx.ExecContext(ctx, "UPDATE inspections SET supervisor_id = ? WHERE id = ? AND status = 'draft'",
			supervisorID, inspectionID); err != nil {
			return fail(translate(err))
		}
		return tx.DeleteSignature(ctx, inspectionID, inspect.SignerSupervisor, previous)
	})
}
