package store

import (
	"context"
	"fmt"

	"github.com/dudao-app/dudao/app/inspect"
)

// DeleteSignature withdraws the signature (or recorded refusal) of one role
// and person from a draft, in one transaction. Deleting a signature that does
// not exist is not an error; a sealed inspection refuses with ErrSealed and an
// unknown one with ErrNotFound. The signature's image stays in the photo
// store, unreferenced and harmless (content-addressed, never sealed).
func (db *DB) DeleteSignature(ctx context.Context, inspectionID string, role inspect.SignerRole, personID string) error {
	return db.update(ctx, fmt.Sprintf("delete %s signature of inspection %s", role, inspectionID), func(tx *Tx) error {
		return tx.DeleteSignature(ctx, inspectionID, role, personID)
	})
}

// DeleteSignature is DB.DeleteSignature in a transaction.
func (tx *Tx) DeleteSignature(ctx context.Context, inspectionID string, role inspect.SignerRole, personID string) error {
	fail := func(err error) error {
		return fmt.Errorf("delete %s signature of inspection %s: %w", role, inspectionID, err)
	}
	switch {
	case role != inspect.SignerSupervisor && role != inspect.SignerStaff:
		return fail(fmt.Errorf("%w: unknown signer role %q", ErrInvalid, role))
	case personID == "":
		return fail(fmt.Errorf("%w: no person", ErrInvalid))
	}
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fail(err)
	}
	if _, err := tx.tx.ExecContext(ctx,
		"DELETE FROM signatures WHERE inspection_id = ? AND role = ? AND person_id = ?",
		inspectionID, role, personID); err != nil {
		return fail(translate(err))
	}
	return nil
}
