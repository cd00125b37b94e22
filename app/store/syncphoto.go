package store

// Resumable photo uploads on the hub. A photo arrives in chunks appended to
// a partial file; the hub reports how much it holds, so an upload cut at any
// byte resumes from the last whole chunk instead of starting over
// (collect#7356). The whole file is verified against its SHA-256 before an
// atomic rename to its content address, and only then recorded: a photo the
// hub calls present is always complete and correct (kobocat#432).

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/dudao-app/dudao/app/inspect"
)

// partialPrefix names partial uploads in the photo directory. Unlike the
// ".upload-" temporaries, Open does not remove them: a tablet may resume an
// upload days later.
const partialPrefix = ".partial-"

// uploadLocks serialise chunks of one photo within this process; striped by
// the hash's first byte so that the table stays fixed. A second hub process
// on the same photo directory would need a file lock instead.
var uploadLocks [256]sync.Mutex

func uploadLock(sha string) *sync.Mutex {
	b, _ := hex.DecodeString(sha[:2])
	return &uploadLocks[b[0]]
}

func (db *DB) partialPath(sha string) string {
	return filepath.Join(db.photoDir, partialPrefix+sha)
}

// photoHeld reports whether a photo's file is at its content address with
// the size the manifest gives. On the hub the file, not a row of the photos
// table, is the proof: a file reaches its content address only by an atomic
// rename after its hash was verified (or by PutPhoto, which hashes as it
// writes), and the database and the photo directory are restored from
// backups separately, so a row could claim a file that is gone.
func (db *DB) photoHeld(sha string, size int64) bool {
	p := db.PhotoPath(sha)
	if p == "" {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == size
}

// expectedPhoto returns a photo as listed in the manifest of a record the
// device delivered. A device may upload only photos its own records need.
func (db *DB) expectedPhoto(ctx context.Context, deviceID, sha string) (PhotoUpload, error) {
	if !inspect.ValidHash(sha) {
		return PhotoUpload{}, fmt.Errorf("photo %q: %w: not a lowercase hex SHA-256", sha, ErrInvalid)
	}
	var u PhotoUpload
	err := db.r.QueryRowContext(ctx, `SELECT rp.size, rp.type FROM sync_record_photos rp
		JOIN sync_received r ON r.record_id = rp.record_id
		WHERE r.device_id = ? AND rp.sha256 = ? LIMIT 1`, deviceID, sha).Scan(&u.Ref.Size, &u.Ref.Type)
	if errors.Is(err, sql.ErrNoRows) {
		return PhotoUpload{}, fmt.Errorf("photo %s: %w in any record this device delivered", sha, ErrNotFound)
	}
	if err != nil {
		return PhotoUpload{}, fmt.Errorf("photo %s: %w", sha, translate(err))
	}
	u.Ref.SHA256 = sha
	if u.Ref.Size <= 0 {
		return PhotoUpload{}, fmt.Errorf("photo %s: %w: manifest size %d", sha, ErrInvalid, u.Ref.Size)
	}
	if u.Ref.Size > db.maxPhoto {
		return PhotoUpload{}, fmt.Errorf("photo %s: %w: %d bytes, the hub takes at most %s", sha, ErrTooLarge, u.Ref.Size, megabytes(db.maxPhoto))
	}
	return u, nil
}

// PhotoUpload reports what the hub holds of a photo that a record the device
// delivered references: complete, or the offset to resume a partial upload at.
func (db *DB) PhotoUpload(ctx context.Context, deviceID, sha string) (PhotoUpload, error) {
	u, err := db.expectedPhoto(ctx, deviceID, sha)
	if err != nil {
		return PhotoUpload{}, fmt.Errorf("photo upload state: %w", err)
	}
	lk := uploadLock(sha)
	lk.Lock()
	defer lk.Unlock()
	if err := db.uploadState(ctx, &u); err != nil {
		return PhotoUpload{}, fmt.Errorf("photo upload state: %w", err)
	}
	return u, nil
}

// uploadState fills Complete and Offset.
func (db *DB) uploadState(ctx context.Context, u *PhotoUpload) error {
	sha := u.Ref.SHA256
	if db.photoHeld(sha, u.Ref.Size) {
		u.Complete, u.Offset = true, u.Ref.Size
		return nil
	}
	fi, err := os.Stat(db.partialPath(sha))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		u.Offset = 0
	case err != nil:
		return fmt.Errorf("photo %s: %w", sha, translate(err))
	case fi.Size() > u.Ref.Size:
		// Longer than the photo: not ours to resume.
		if err := os.Remove(db.partialPath(sha)); err != nil {
			return fmt.Errorf("photo %s: %w", sha, translate(err))
		}
		u.Offset = 0
	default:
		u.Offset = fi.Size()
		if u.Offset == u.Ref.Size {
			// Every byte arrived but the hub stopped before the check and
			// the rename (killed, power cut): finish the job now, or the
			// upload could never move on.
			switch err := db.finishUpload(u.Ref); {
			case errors.Is(err, ErrInvalid):
				u.Offset = 0 // the bytes were wrong and are gone
			case err != nil:
				return fmt.Errorf("photo %s: %w", sha, err)
			default:
				u.Complete = true
				db.noteUploaded(ctx, u.Ref)
			}
		}
	}
	return nil
}

// PutPhotoChunk writes one chunk of a photo at offset and makes it durable.
// The chunk must continue the partial upload exactly where it ends; any
// other offset writes nothing and the answer says where to continue (a
// repeated or reordered request is harmless). The chunk that completes the
// photo has the whole file verified and renamed to its content address.
func (db *DB) PutPhotoChunk(ctx context.Context, deviceID, sha string, offset int64, chunk []byte) (PhotoUpload, error) {
	fail := func(err error) (PhotoUpload, error) {
		return PhotoUpload{}, fmt.Errorf("store photo chunk at %d: %w", offset, err)
	}
	u, err := db.expectedPhoto(ctx, deviceID, sha)
	if err != nil {
		return fail(err)
	}
	switch {
	case len(chunk) == 0:
		return fail(fmt.Errorf("photo %s: %w: empty chunk", sha, ErrInvalid))
	case offset < 0 || offset > u.Ref.Size || int64(len(chunk)) > u.Ref.Size-offset:
		return fail(fmt.Errorf("photo %s: %w: %d bytes at %d run past its size %d", sha, ErrInvalid, len(chunk), offset, u.Ref.Size))
	}
	lk := uploadLock(sha)
	lk.Lock()
	defer lk.Unlock()
	if err := db.uploadState(ctx, &u); err != nil {
		return fail(err)
	}
	if u.Complete || u.Offset != offset {
		return u, nil
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	// A photo smaller than a chunk arrives whole: its hash is checked in
	// memory, before it reaches the disk, and the file is not read back.
	whole := offset == 0 && int64(len(chunk)) == u.Ref.Size
	if whole {
		sum := sha256.Sum256(chunk)
		if got := hex.EncodeToString(sum[:]); got != sha {
			return fail(fmt.Errorf("photo %s: %w: the uploaded bytes hash to %s; upload it again", sha, ErrInvalid, got))
		}
	}
	f, err := os.OpenFile(db.partialPath(sha), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fail(translate(err))
	}
	_, werr := f.WriteAt(chunk, offset)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		// A torn write must not become the offset the next chunk trusts.
		_ = os.Truncate(db.partialPath(sha), offset)
		return fail(translate(werr))
	}
	u.Offset = offset + int64(len(chunk))
	if u.Offset < u.Ref.Size {
		return u, nil
	}
	if whole {
		// Verified before it was written: the file holds exactly chunk.
		err = db.placeUpload(u.Ref)
	} else {
		err = db.finishUpload(u.Ref)
	}
	if err != nil {
		return fail(err)
	}
	u.Complete = true
	db.noteUploaded(ctx, u.Ref)
	return u, nil
}

// finishUpload verifies the whole partial file and renames it to its
// content address. A file that does not hash to its name is deleted, so the
// next upload starts from zero instead of resuming garbage. The file in
// place is the record (see photoHeld); the caller then writes the photos row
// that the manager's inspection index counts (noteUploaded), whose failure
// costs only a late completeness figure, never the photo.
func (db *DB) finishUpload(p inspect.PhotoRef) error {
	partial := db.partialPath(p.SHA256)
	_, got, _, err := hashPath(partial)
	if err != nil {
		return translate(err)
	}
	if got != p.SHA256 {
		_ = os.Remove(partial)
		return fmt.Errorf("photo %s: %w: the uploaded bytes hash to %s; upload it again", p.SHA256, ErrInvalid, got)
	}
	return db.placeUpload(p)
}

// placeUpload renames a verified partial file to its content address and
// makes the rename durable.
func (db *DB) placeUpload(p inspect.PhotoRef) error {
	partial := db.partialPath(p.SHA256)
	dir := filepath.Join(db.photoDir, p.SHA256[:2])
	created := false
	if err := os.Mkdir(dir, 0o700); err == nil {
		created = true
	} else if !errors.Is(err, fs.ErrExist) {
		return translate(err)
	}
	if err := os.Rename(partial, filepath.Join(dir, p.SHA256)); err != nil {
		return translate(err)
	}
	if err := syncDir(dir); err != nil {
		return translate(err)
	}
	// The rename moved the entry out of the photo directory; a new prefix
	// directory must itself be made durable there.
	if created {
		if err := syncDir(db.photoDir); err != nil {
			return translate(err)
		}
	}
	return nil
}
