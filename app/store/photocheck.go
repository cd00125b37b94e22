package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// damagedDir holds photo files that do not hash to their names, under the
// photo directory. They are moved there, never deleted: a person may still
// want to look at what the disk kept.
const damagedDir = ".damaged"

// PhotoDirCheck is what CheckPhotos found.
type PhotoDirCheck struct {
	Checked int
	Bytes   int64
	// Damaged lists the photos whose files did not hash to their names;
	// each was moved to DamagedDir.
	Damaged    []string
	DamagedDir string
	// Unreadable lists the files that could not be read, with why; they
	// stay where they are.
	Unreadable []string
}

// CheckPhotos re-hashes every photo file at its content address. The hub
// verifies each photo as it arrives and afterwards trusts the file by its
// size (photoHeld), so a photo directory restored from a backup, or a disk
// that corrupted a file, is checked with this. A file that does not hash to
// its name is moved to DamagedDir and its photos row removed: the hub then
// reports its records incomplete, and a tablet that still holds the photo
// uploads it again at its next sync. progress, when not nil, is called
// after each file with the count done and the total.
func (db *DB) CheckPhotos(ctx context.Context, progress func(done, total int)) (PhotoDirCheck, error) {
	fail := func(err error) (PhotoDirCheck, error) {
		return PhotoDirCheck{}, fmt.Errorf("check photos in %s: %w", db.photoDir, err)
	}
	// One prefix directory's names at a time (a large hub holds millions
	// of photos): a first pass counts them for the progress, the second
	// hashes.
	prefixes, err := os.ReadDir(db.photoDir)
	if errors.Is(err, fs.ErrNotExist) {
		return PhotoDirCheck{}, nil
	} else if err != nil {
		return fail(err)
	}
	var dirs []string
	total := 0
	for _, p := range prefixes {
		if !p.IsDir() || len(p.Name()) != 2 {
			continue
		}
		names, err := db.photoNames(p.Name())
		if err != nil {
			return fail(err)
		}
		dirs, total = append(dirs, p.Name()), total+len(names)
	}
	out := PhotoDirCheck{DamagedDir: filepath.Join(db.photoDir, damagedDir)}
	for _, dir := range dirs {
		names, err := db.photoNames(dir)
		if err != nil {
			return out, fmt.Errorf("check photos in %s: %w", db.photoDir, err)
		}
		for _, sha := range names {
			if err := db.recheckPhoto(ctx, sha, &out); err != nil {
				return out, err
			}
			if progress != nil {
				progress(out.Checked, total)
			}
		}
	}
	return out, nil
}

// photoNames lists the photo files of one prefix directory.
func (db *DB) photoNames(prefix string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(db.photoDir, prefix))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && inspect.ValidHash(e.Name()) && e.Name()[:2] == prefix {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// recheckPhoto hashes one photo file and sets it aside if it is damaged.
func (db *DB) recheckPhoto(ctx context.Context, sha string, out *PhotoDirCheck) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n, got, hashed, err := hashPath(db.PhotoPath(sha))
	out.Checked++
	out.Bytes += n
	switch {
	case err != nil:
		// Not readable now (permissions, an I/O error): reported, not
		// moved; the file may well be intact.
		out.Unreadable = append(out.Unreadable, fmt.Sprintf("%s: %v", sha, err))
	case got != sha:
		moved, err := db.setAsideDamaged(ctx, sha, hashed)
		if err != nil {
			return fmt.Errorf("photo %s (hashes to %s): %w", sha, got, err)
		}
		if moved {
			db.log.Warn("photo file does not match its name: moved aside", "photo", sha, "hashes_to", got, "to", out.DamagedDir)
			out.Damaged = append(out.Damaged, sha)
		}
	}
	return nil
}

// hashPath hashes a file and returns how much it read and the file's
// identity (for setAsideDamaged) with the hex SHA-256.
func hashPath(path string) (int64, string, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, "", nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return n, "", nil, err
	}
	return n, hex.EncodeToString(h.Sum(nil)), fi, nil
}

// setAsideDamaged moves the damaged file hashed (the file it found at the
// content address) out of the way and forgets that the hub holds the photo.
// A running hub may have put a verified upload there meanwhile (this runs
// as another process, outside its upload locks): the file moved is checked
// to be the one hashed, and a newer one goes back; moved says whether the
// damaged file was set aside.
func (db *DB) setAsideDamaged(ctx context.Context, sha string, hashed os.FileInfo) (moved bool, err error) {
	dir := filepath.Join(db.photoDir, damagedDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, translate(err)
	}
	path := db.PhotoPath(sha)
	dst := filepath.Join(dir, sha+"."+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err := os.Rename(path, dst); err != nil {
		return false, translate(err)
	}
	if fi, err := os.Stat(dst); err != nil {
		return false, translate(err)
	} else if !os.SameFile(fi, hashed) {
		return false, translate(os.Rename(dst, path))
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return false, translate(err)
	}
	return true, db.update(ctx, "forget damaged photo "+sha, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "DELETE FROM photos WHERE sha256 = ?", sha)
		return translate(err)
	})
}
