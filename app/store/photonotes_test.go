package store_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
)

// TestUploadedPhotoRowsBatched: a completed upload's photos row is written
// with others shortly after, and at the latest when the store closes, so
// completeness is right after a clean shutdown without a disk flush per
// photo.
func TestUploadedPhotoRowsBatched(t *testing.T) {
	h := newHubFixture(t)
	ins := h.sealOnTablet(t, strings.Repeat("batched photo ", 100))
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}}); err != nil {
		t.Fatal(err)
	}
	ref := ins.People[0].Findings[0].Photos[0]
	content, err := os.ReadFile(h.tab.PhotoPath(ref.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	rowCount := func() int {
		t.Helper()
		var n int
		if err := rawDB(t, h.db.Path()).QueryRow("SELECT count(*) FROM photos WHERE sha256 = ?", ref.SHA256).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if u, err := h.db.PutPhotoChunk(ctx, h.dev.ID, ref.SHA256, 0, content); err != nil || !u.Complete {
		t.Fatalf("upload = %+v, %v", u, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rowCount() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the photos row was never written")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Another upload, then an immediate close: the row is there after it.
	ins2 := h.sealOnTablet(t, strings.Repeat("closing photo ", 100))
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins2}}); err != nil {
		t.Fatal(err)
	}
	ref = ins2.People[0].Findings[0].Photos[0]
	if content, err = os.ReadFile(h.tab.PhotoPath(ref.SHA256)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, ref.SHA256, 0, content); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	if rowCount() != 1 {
		t.Error("closing the store lost the queued photos row")
	}
}
