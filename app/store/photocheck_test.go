package store_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dudao-app/dudao/app/store"
)

// A photo file that no longer hashes to its name (a restored photo
// directory, a disk that corrupted it) is found by CheckPhotos, moved aside
// and no longer counted as held, so that the hub's receipt calls its record
// incomplete and a tablet uploads the photo again.
func TestCheckPhotosSetsAsideDamaged(t *testing.T) {
	h := newHubFixture(t)
	good := h.sealOnTablet(t, "a good photo")
	bad := h.sealOnTablet(t, "a photo the disk will damage")
	for _, ins := range []string{good.ID, bad.ID} {
		loaded, err := h.tab.Inspection(ctx, ins)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: loaded}}); err != nil {
			t.Fatal(err)
		}
		p := loaded.Photos()[0]
		rc, err := h.tab.OpenPhoto(p.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, p.SHA256, 0, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	var calls int
	res, err := h.db.CheckPhotos(ctx, func(done, total int) { calls++ })
	if err != nil || res.Checked != 2 || len(res.Damaged) != 0 || calls != 2 {
		t.Fatalf("check of intact photos = %+v, %v (%d progress calls)", res, err, calls)
	}

	sha := bad.Photos()[0].SHA256
	path := h.db.PhotoPath(sha)
	garbage := bytes.Repeat([]byte{'x'}, len("a photo the disk will damage"))
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err = h.db.CheckPhotos(ctx, nil)
	if err != nil || res.Checked != 2 || len(res.Damaged) != 1 || res.Damaged[0] != sha {
		t.Fatalf("check = %+v, %v", res, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the damaged file is still at its content address: %v", err)
	}
	kept, _ := filepath.Glob(filepath.Join(res.DamagedDir, sha+".*"))
	if len(kept) != 1 {
		t.Fatalf("set aside: %v", kept)
	} else if b, _ := os.ReadFile(kept[0]); !bytes.Equal(b, garbage) {
		t.Errorf("the damaged file was not kept as it was")
	}
	held, err := h.db.HeldRecords(ctx, h.dev.ID)
	if err != nil || len(held) != 2 {
		t.Fatalf("held = %+v, %v", held, err)
	}
	for _, r := range held {
		if want := r.Key.ID == good.ID; r.Complete() != want {
			t.Errorf("%s complete = %v, want %v", r.Key.ID, r.Complete(), want)
		}
	}
	if res, err := h.db.CheckPhotos(ctx, nil); err != nil || res.Checked != 1 || len(res.Damaged) != 0 {
		t.Errorf("check again = %+v, %v", res, err)
	}
}
