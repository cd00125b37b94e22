package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

func TestPutPhoto(t *testing.T) {
	db, path := openDB(t, store.WithMaxPhotoSize(16))
	if db.PhotoDir() != path+".photos" {
		t.Errorf("photo dir = %s, want %s.photos", db.PhotoDir(), path)
	}
	content := []byte("0123456789abcdef") // exactly the limit
	ref, err := db.PutPhoto(ctx, bytes.NewReader(content), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if ref.SHA256 != inspect.HashOf(content) || ref.Size != 16 || ref.Type != "image/jpeg" || ref.At.IsZero() {
		t.Errorf("ref = %+v", ref)
	}
	if want := filepath.Join(db.PhotoDir(), ref.SHA256[:2], ref.SHA256); db.PhotoPath(ref.SHA256) != want {
		t.Errorf("PhotoPath = %s, want %s", db.PhotoPath(ref.SHA256), want)
	}
	again, err := db.PutPhoto(ctx, bytes.NewReader(content), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if again != ref {
		t.Errorf("second put = %+v, want the first record %+v", again, ref)
	}
	r, err := db.OpenPhoto(ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("OpenPhoto content = %q, %v", got, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		content string
		mime    string
		want    error
		msg     string
	}{
		{"too large", ctx, "0123456789abcdefX", "image/jpeg", store.ErrTooLarge, "16 bytes"},
		{"empty", ctx, "", "image/jpeg", store.ErrInvalid, "empty"},
		{"no type", ctx, "x", "", store.ErrInvalid, "MIME"},
		{"bad type", ctx, "x", "jpeg", store.ErrInvalid, "MIME"},
		{"cancelled", cancelled, "x", "image/jpeg", context.Canceled, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.PutPhoto(tc.ctx, strings.NewReader(tc.content), tc.mime)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error = %v, want %v containing %q", err, tc.want, tc.msg)
			}
		})
	}
	// Failed uploads leave no temporary files behind.
	entries, err := os.ReadDir(db.PhotoDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("left in the photo dir: %s", e.Name())
		}
	}

	for _, tc := range []struct {
		sha  string
		want error
	}{
		{"../../etc/passwd", store.ErrInvalid},
		{strings.ToUpper(ref.SHA256), store.ErrInvalid},
		{strings.Repeat("0", 64), store.ErrNotFound},
	} {
		if _, err := db.OpenPhoto(tc.sha); !errors.Is(err, tc.want) {
			t.Errorf("OpenPhoto(%q) error = %v, want %v", tc.sha, err, tc.want)
		}
	}
	if p := db.PhotoPath("../x"); p != "" {
		t.Errorf("PhotoPath of a bad hash = %q, want empty", p)
	}
}

func TestPhotoDirOption(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pics")
	db, _ := openDB(t, store.WithPhotoDir(dir))
	ref, err := db.PutPhoto(ctx, strings.NewReader("x"), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ref.SHA256[:2], ref.SHA256)); err != nil {
		t.Error(err)
	}
}
