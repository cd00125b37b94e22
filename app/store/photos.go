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
	"runtime"
	"strings"

	"github.com/dudao-app/dudao/app/inspect"
)

// tempPrefix names photo uploads in progress; Open removes old ones.
const tempPrefix = ".upload-"

// PutPhoto stores a photo under its SHA-256 and records it. The bytes are
// streamed to a temporary file while hashed, flushed to disk, and renamed to
// <photo dir>/<first two hex digits>/<sha256>, so a crash never leaves a
// half-written file at a content address. Storing the same content again
// returns the existing record.
func (db *DB) PutPhoto(ctx context.Context, r io.Reader, mime string) (inspect.PhotoRef, error) {
	mime = strings.TrimSpace(mime)
	if !validMIME(mime) {
		return inspect.PhotoRef{}, fmt.Errorf("store photo: %w: type %q is not a MIME type", ErrInvalid, mime)
	}
	sha, size, err := db.writePhotoFile(ctx, r)
	if err != nil {
		return inspect.PhotoRef{}, fmt.Errorf("store photo: %w", err)
	}
	var ref inspect.PhotoRef
	err = db.update(ctx, "store photo "+sha, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx,
			"INSERT INTO photos (sha256, size, type, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
			sha, size, mime, toMS(db.now())); err != nil {
			return fmt.Errorf("store photo %s: %w", sha, translate(err))
		}
		var at int64
		if err := tx.tx.QueryRowContext(ctx, "SELECT size, type, stored_at FROM photos WHERE sha256 = ?", sha).
			Scan(&ref.Size, &ref.Type, &at); err != nil {
			return fmt.Errorf("store photo %s: %w", sha, translate(err))
		}
		ref.SHA256, ref.At = sha, fromMS(at)
		return nil
	})
	return ref, err
}

func validMIME(m string) bool {
	typ, sub, ok := strings.Cut(m, "/")
	return ok && typ != "" && sub != "" && !strings.ContainsAny(m, " \t\r\n")
}

func (db *DB) writePhotoFile(ctx context.Context, r io.Reader) (sha string, size int64, err error) {
	tmp, err := os.CreateTemp(db.photoDir, tempPrefix+"*")
	if err != nil {
		return "", 0, translate(err)
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	// One byte over the limit tells an over-size photo from one exactly at it.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, db.maxPhoto+1))
	if err != nil {
		return "", 0, translate(err)
	}
	if n > db.maxPhoto {
		return "", 0, fmt.Errorf("%w: photo is larger than %s", ErrTooLarge, megabytes(db.maxPhoto))
	}
	if n == 0 {
		return "", 0, fmt.Errorf("%w: photo is empty", ErrInvalid)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, translate(err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, translate(err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	dir := filepath.Join(db.photoDir, sha[:2])
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", 0, translate(err)
		}
		if err := syncDir(db.photoDir); err != nil {
			return "", 0, translate(err)
		}
	}
	// Renaming over an existing copy is harmless (same content) and repairs
	// a damaged one.
	if err := os.Rename(tmp.Name(), filepath.Join(dir, sha)); err != nil {
		return "", 0, translate(err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return "", 0, translate(err)
	}
	return sha, n, nil
}

func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// syncDir makes a rename or a new entry in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced there; NTFS journals renames
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}

// ctxReader stops a long copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// PhotoPath returns the file path of a photo by its SHA-256, or "" when sha
// is not a valid hash (so no input can point outside the photo directory).
func (db *DB) PhotoPath(sha string) string {
	if !inspect.ValidHash(sha) {
		return ""
	}
	return filepath.Join(db.photoDir, sha[:2], sha)
}

// OpenPhoto opens a stored photo. It does not check the content; Verify does.
func (db *DB) OpenPhoto(sha string) (io.ReadCloser, error) {
	p := db.PhotoPath(sha)
	if p == "" {
		return nil, fmt.Errorf("open photo %q: %w: not a SHA-256", sha, ErrInvalid)
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open photo %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open photo %s: %w", sha, err)
	}
	return f, nil
}

// hashFile returns the SHA-256 of a stored photo file.
func (db *DB) hashFile(sha string) (string, error) {
	p := db.PhotoPath(sha)
	if p == "" {
		return "", fmt.Errorf("open photo %q: %w: not a SHA-256", sha, ErrInvalid)
	}
	_, sum, _, err := hashPath(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("open photo %s: %w", sha, ErrNotFound)
	}
	return sum, err
}
