package store_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

// TestPruneDeliveredPhotos: a tablet frees a photo only when every record
// using it is delivered per receipt, and only once the retention has passed.
func TestPruneDeliveredPhotos(t *testing.T) {
	h := newHubFixture(t)
	delivered := h.sealOnTablet(t, "delivered photo")
	shared := h.sealOnTablet(t, "shared photo")
	waiting := h.sealOnTablet(t, "not yet delivered")

	// A draft uses the shared photo again: it must stay for the draft.
	sharedRef := shared.People[0].Findings[0].Photos[0]
	fnd := nc("A2")
	fnd.Photos = []inspect.PhotoRef{sharedRef}
	draft := &inspect.Inspection{HallID: h.hall.ID, SupervisorID: h.sup.ID, StandardVersion: 1, StartedAt: t0,
		People: []inspect.Person{{StaffID: h.alice.ID, Findings: []inspect.Finding{fnd}}}}
	if err := h.tab.CreateInspection(ctx, draft); err != nil {
		t.Fatal(err)
	}

	// An amendment to the delivered inspection brings a photo of its own,
	// and is not delivered yet.
	amendRef, err := h.tab.PutPhoto(ctx, bytes.NewReader([]byte("amendment photo")), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	amend := &inspect.Amendment{InspectionID: delivered.ID, OriginalHash: delivered.SealHash, Reason: "补拍", AuthorID: h.sup.ID,
		Changes: []inspect.Change{{PersonID: delivered.People[0].ID, ItemID: "A2",
			Finding: &inspect.Finding{Outcome: inspect.Nonconform, Photos: []inspect.PhotoRef{amendRef}}}}}
	if err := h.tab.AddAmendment(ctx, amend); err != nil {
		t.Fatal(err)
	}

	if _, err := h.tab.EnqueueSealed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var ups []store.OutboxUpdate
	for _, ins := range []*inspect.Inspection{delivered, shared} {
		ups = append(ups, store.OutboxUpdate{ID: ins.ID, State: store.OutboxDelivered, ReceiptEpoch: "e1"})
	}
	if err := h.tab.UpdateOutbox(ctx, ups); err != nil {
		t.Fatal(err)
	}

	photo := func(ins *inspect.Inspection) string { return ins.People[0].Findings[0].Photos[0].SHA256 }
	present := func(sha string) bool {
		t.Helper()
		rc, err := h.tab.OpenPhoto(sha)
		if errors.Is(err, store.ErrNotFound) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		return true
	}

	// Within the retention nothing goes: the hub may yet be restored from a
	// backup that lacks these photos.
	res, err := h.tab.PruneDeliveredPhotos(ctx, time.Now().Add(-time.Hour))
	if err != nil || res.Files != 0 {
		t.Fatalf("prune within retention = %+v, %v", res, err)
	}

	res, err = h.tab.PruneDeliveredPhotos(ctx, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 1 || res.Bytes != int64(len("delivered photo")) {
		t.Errorf("pruned %+v, want the one delivered photo", res)
	}
	if present(photo(delivered)) {
		t.Error("the delivered inspection's photo is still on the tablet")
	}
	for name, sha := range map[string]string{
		"shared with a draft": photo(shared), "of an undelivered record": photo(waiting),
		"of an undelivered amendment": amendRef.SHA256,
	} {
		if !present(sha) {
			t.Errorf("the photo %s was deleted", name)
		}
	}

	// The record itself is untouched, and a second run frees nothing more.
	if got, err := h.tab.Inspection(ctx, delivered.ID); err != nil || got.SealHash != delivered.SealHash {
		t.Errorf("inspection after pruning: %v", err)
	}
	if res, err := h.tab.PruneDeliveredPhotos(ctx, time.Now().Add(time.Hour)); err != nil || res.Files != 0 {
		t.Errorf("second prune = %+v, %v", res, err)
	}

	// A hub holds records but delivers none: it never prunes.
	if res, err := h.db.PruneDeliveredPhotos(ctx, time.Now().Add(time.Hour)); err != nil || res.Files != 0 {
		t.Errorf("hub prune = %+v, %v", res, err)
	}
}
