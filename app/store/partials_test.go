package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
)

// TestRemoveStalePartials: an upload abandoned longer than the cutoff goes,
// a recent one stays to be resumed, a partial of a photo since held goes,
// and files that are not partial uploads are never touched.
func TestRemoveStalePartials(t *testing.T) {
	h := newHubFixture(t)
	abandoned := h.sealOnTablet(t, strings.Repeat("abandoned ", 100))
	resuming := h.sealOnTablet(t, strings.Repeat("resuming ", 100))
	finished := h.sealOnTablet(t, strings.Repeat("finished ", 100))
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: abandoned}, {Inspection: resuming}, {Inspection: finished}}); err != nil {
		t.Fatal(err)
	}
	upload := func(insPhoto string, content []byte, n int) {
		t.Helper()
		if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, insPhoto, 0, content[:n]); err != nil {
			t.Fatal(err)
		}
	}
	read := func(sha string) []byte {
		t.Helper()
		b, err := os.ReadFile(h.tab.PhotoPath(sha))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := abandoned.People[0].Findings[0].Photos[0].SHA256
	r := resuming.People[0].Findings[0].Photos[0].SHA256
	f := finished.People[0].Findings[0].Photos[0].SHA256
	upload(a, read(a), 100)
	upload(r, read(r), 100)
	upload(f, read(f), 100)
	// The third photo's upload completes.
	full := read(f)
	if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, f, 100, full[100:]); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(filepath.Dir(h.db.PhotoPath(a)))
	partial := func(sha string) string { return filepath.Join(dir, ".partial-"+sha) }
	// A partial left beside a held photo (a crash between the rename and a
	// second upload, say) is garbage whatever its age.
	if err := os.WriteFile(partial(f), []byte("left over"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-40 * 24 * time.Hour)
	if err := os.Chtimes(partial(a), old, old); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, ".partial-not-a-hash")
	if err := os.WriteFile(stray, []byte("?"), 0o600); err != nil {
		t.Fatal(err)
	}

	files, bytes, err := h.db.RemoveStalePartials(time.Now().Add(-store.PartialUploadTTL))
	if err != nil {
		t.Fatal(err)
	}
	if files != 2 || bytes != 100+int64(len("left over")) {
		t.Errorf("removed %d files, %d bytes; want the abandoned and the finished photo's partials", files, bytes)
	}
	for name, p := range map[string]string{"abandoned": partial(a), "finished": partial(f)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the %s upload's partial is still there: %v", name, err)
		}
	}
	for name, p := range map[string]string{"recent": partial(r), "stray": stray} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("the %s file was removed: %v", name, err)
		}
	}
	// The recent upload resumes where it was.
	u, err := h.db.PhotoUpload(ctx, h.dev.ID, r)
	if err != nil || u.Offset != 100 {
		t.Errorf("recent upload = %+v, %v; want it resumable at 100", u, err)
	}
}
