package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// PruneResult says what PruneDeliveredPhotos freed.
type PruneResult struct {
	Files int
	Bytes int64
}

// PruneDeliveredPhotos deletes, on a tablet, the photo and signature files
// whose every referencing record (inspection or amendment) a signed hub
// receipt marked delivered before cutoff. A file that any draft, or any
// record not yet delivered, still references is kept, and so is one no
// record references at all (a photo being attached right now is briefly
// such a file). On a hub nothing is ever delivered, so nothing is pruned.
//
// Keeping delivered photos for a while after the receipt is what lets a
// tablet send them again when a hub is restored from an older backup; cutoff
// sets that while.
func (db *DB) PruneDeliveredPhotos(ctx context.Context, cutoff time.Time) (PruneResult, error) {
	const op = "prune delivered photos"
	type victim struct {
		sha  string
		size int64
	}
	var gone []victim
	err := db.update(ctx, op, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `
			WITH refs(sha, record) AS (
				SELECT fp.sha256, f.inspection_id
				FROM finding_photos fp JOIN findings f ON f.id = fp.finding_id
				UNION ALL
				SELECT image_sha256, inspection_id FROM signatures WHERE image_sha256 IS NOT NULL
				UNION ALL
				SELECT p.sha256, a.id FROM amendments a JOIN photos p
				ON instr(CAST(a.changes AS TEXT), p.sha256) > 0
			)
			SELECT p.sha256, p.size FROM photos p JOIN refs r ON r.sha = p.sha256
			LEFT JOIN sync_outbox o ON o.id = r.record AND o.state = 'delivered' AND o.delivered_at < ?1
			GROUP BY p.sha256 HAVING count(*) = count(o.id)`, toMS(cutoff))
		if err != nil {
			return fmt.Errorf("%s: %w", op, translate(err))
		}
		err = eachRow(rows, func() error {
			var v victim
			if err := rows.Scan(&v.sha, &v.size); err != nil {
				return err
			}
			gone = append(gone, v)
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		for _, v := range gone {
			if _, err := tx.tx.ExecContext(ctx, "DELETE FROM photos WHERE sha256 = ?", v.sha); err != nil {
				return fmt.Errorf("%s: forget %s: %w", op, v.sha, translate(err))
			}
		}
		return nil
	})
	if err != nil {
		return PruneResult{}, err
	}
	// The rows go first: a crash between the commit and the removals leaves
	// unlisted files, which cost space but never a record.
	var res PruneResult
	for _, v := range gone {
		err := os.Remove(db.PhotoPath(v.sha))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.log.Warn("remove delivered photo", "sha256", v.sha, "err", err)
			continue
		}
		if err == nil {
			res.Files++
			res.Bytes += v.size
		}
	}
	return res, nil
}
