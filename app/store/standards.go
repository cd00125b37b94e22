package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dudao-app/dudao/app/standard"
)

// ImportStandard stores a standard version with the file it was loaded from.
// Importing the same version again with the same content does nothing
// (imported is false); the same version number with different content is
// ErrConflict, because inspections already judged by it must keep meaning
// what they meant.
func (db *DB) ImportStandard(ctx context.Context, v *standard.Version, raw []byte) (bool, error) {
	var imported bool
	what := "import standard"
	if v != nil {
		what = fmt.Sprintf("import standard version %d", v.Version)
	}
	err := db.update(ctx, what, func(tx *Tx) (err error) {
		imported, err = tx.ImportStandard(ctx, v, raw)
		return err
	})
	return imported, err
}

// ImportStandard is DB.ImportStandard in a transaction.
func (tx *Tx) ImportStandard(ctx context.Context, v *standard.Version, raw []byte) (bool, error) {
	switch {
	case v == nil:
		return false, fmt.Errorf("import standard: %w: no version", ErrInvalid)
	case v.Version <= 0:
		return false, fmt.Errorf("import standard: %w: version number %d", ErrInvalid, v.Version)
	case len(raw) == 0:
		return false, fmt.Errorf("import standard version %d: %w: empty file", v.Version, ErrInvalid)
	}
	// The hash is of the parsed content, so a re-saved file with the same
	// content is the same version. Byte-identical files are also accepted as
	// the same below, in case a later build changes the canonical form.
	hash := v.Hash()
	if hash == "" {
		return false, fmt.Errorf("import standard version %d: %w: cannot compute its hash", v.Version, ErrInvalid)
	}
	var storedHash string
	var storedBody []byte
	err := tx.tx.QueryRowContext(ctx, "SELECT hash, body FROM standards WHERE version = ?", v.Version).
		Scan(&storedHash, &storedBody)
	switch {
	case err == nil:
		if storedHash == hash || bytes.Equal(storedBody, raw) {
			return false, nil
		}
		return false, fmt.Errorf("import standard version %d: %w: already imported with hash %s, this file has %s",
			v.Version, ErrConflict, storedHash, hash)
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("import standard version %d: %w", v.Version, translate(err))
	}
	if _, err := tx.tx.ExecContext(ctx,
		"INSERT INTO standards (version, hash, body, imported_at) VALUES (?, ?, ?, ?)",
		v.Version, hash, raw, toMS(tx.db.now())); err != nil {
		return false, fmt.Errorf("import standard version %d: %w", v.Version, translate(err))
	}
	return true, nil
}

// Standards lists the imported versions, oldest first.
func (db *DB) Standards(ctx context.Context) ([]StandardInfo, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.version, s.hash, s.imported_at,
		(SELECT count(*) FROM inspections i WHERE i.standard_version = s.version)
		FROM standards s ORDER BY s.version`)
	if err != nil {
		return nil, fmt.Errorf("list standards: %w", translate(err))
	}
	defer rows.Close()
	var out []StandardInfo
	for rows.Next() {
		var s StandardInfo
		var at int64
		if err := rows.Scan(&s.Version, &s.Hash, &at, &s.Inspections); err != nil {
			return nil, fmt.Errorf("list standards: %w", err)
		}
		s.ImportedAt = fromMS(at)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list standards: %w", translate(err))
	}
	return out, nil
}

// StandardBody returns the file a standard version was imported from.
func (db *DB) StandardBody(ctx context.Context, version int) ([]byte, error) {
	var body []byte
	err := db.r.QueryRowContext(ctx, "SELECT body FROM standards WHERE version = ?", version).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("standard version %d: %w", version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read standard version %d: %w", version, translate(err))
	}
	return body, nil
}
