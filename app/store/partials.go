package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// PartialUploadTTL is how long the hub keeps a photo upload that stopped
// part-way. A tablet resumes within days (it retries at every sync); one
// that has not in this long was wiped, lost or revoked, and its partial
// file only takes space. If it ever comes back, the upload starts again
// from zero.
const PartialUploadTTL = 30 * 24 * time.Hour

// RemoveStalePartials deletes partial photo uploads last written before
// cutoff, and returns how many it removed and the bytes freed. A partial
// of a photo the hub now holds complete is removed whatever its age.
func (db *DB) RemoveStalePartials(cutoff time.Time) (files int, bytes int64, err error) {
	entries, err := os.ReadDir(db.photoDir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("remove stale partial uploads: %w", err)
	}
	var errs []error
	for _, e := range entries {
		sha, ok := strings.CutPrefix(e.Name(), partialPrefix)
		if !ok || !e.Type().IsRegular() || !inspect.ValidHash(sha) {
			continue // not ours: leave it to a person
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		_, serr := os.Stat(db.PhotoPath(sha))
		held := serr == nil
		if !held && !info.ModTime().Before(cutoff) {
			continue
		}
		// A chunk being written holds the photo's upload lock; so does this.
		lk := uploadLock(sha)
		lk.Lock()
		err = os.Remove(filepath.Join(db.photoDir, e.Name()))
		lk.Unlock()
		switch {
		case err == nil:
			files++
			bytes += info.Size()
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return files, bytes, fmt.Errorf("remove stale partial uploads: %w", err)
	}
	return files, bytes, nil
}
