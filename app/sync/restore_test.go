package sync_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// A hub restored from an older backup has forgotten what it acknowledged
// since. Its epoch differs, the tablets notice, compare every delivered
// record against a full receipt and send again what the hub lost, photos
// included (replicache#335).
func TestHubRestoredFromOlderBackup(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "平板", h.region, clientOpts(t))
	first := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photoBytes(1, 40<<10))
	tb.seal(t, h.halls[1].ID, h.staff[1].ID, h.sup.ID, day.Add(time.Hour))
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 2 {
		t.Fatalf("before the backup: %+v", rep)
	}
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	must(t, h.db.Backup(ctx, backup))

	// After the backup: two more inspections and an amendment, delivered.
	tb.seal(t, h.halls[0].ID, h.staff[2].ID, h.sup.ID, day.Add(2*time.Hour), photoBytes(2, 30<<10))
	tb.seal(t, h.halls[1].ID, h.staff[3].ID, h.sup.ID, day.Add(3*time.Hour))
	must(t, tb.db.AddAmendment(ctx, &inspect.Amendment{InspectionID: first.ID, OriginalHash: first.SealHash,
		Reason: "更正", AuthorID: h.sup.ID, Changes: []inspect.Change{{PersonID: first.People[0].ID, ItemID: "A1.1"}}}))
	// The hub also gets a new hall after the backup: the restored hub will
	// not have it, and the tablet must drop it.
	_, err = h.db.AddHall(ctx, store.Hall{RegionID: h.region.ID, Code: "KM-9", Name: "备份之后的营业厅"})
	must(t, err)
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 3 {
		t.Fatalf("after the backup: %+v", rep)
	}
	liveEpoch := rep.Epoch

	// Restore: the older database, and a photo directory that lost a file.
	h.restartOn(backup)
	must(t, os.Remove(h.db.PhotoPath(first.Photos()[0].SHA256)))

	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if !rep.EpochChanged || rep.Epoch == liveEpoch || !rep.FullResync || rep.Resent < 3 || !rep.DigestOK || rep.Pending != 0 {
		t.Errorf("after the restore: %+v", rep)
	}
	checkDelivered(t, h, tb)
	if halls, _ := tb.db.Halls(ctx); len(halls) != 2 {
		t.Errorf("tablet halls after the restore = %d, want the restored hub's 2", len(halls))
	}
	// The next sync is quiet again.
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if rep.EpochChanged || rep.Resent != 0 || rep.Sent != 0 || !rep.DigestOK {
		t.Errorf("sync after recovery = %+v", rep)
	}
}

// hallNames lists the tablet's halls by name.
func hallNames(t *testing.T, tb *tablet) []string {
	t.Helper()
	halls, err := tb.db.Halls(ctx)
	must(t, err)
	var names []string
	for _, h := range halls {
		names = append(names, h.Name)
	}
	slices.Sort(names)
	return names
}

// One backup restored twice: each restore is an epoch of its own, so the
// tablet drops what the first restored hub had and the second lacks, and
// gets what the second has since (without it, both restores shared the
// backup's epoch and change numbers, and the tablet skipped the second's).
func TestHubRestoredTwiceFromOneBackup(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "平板", h.region, clientOpts(t))
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	must(t, h.db.Backup(ctx, backup))
	before := hallNames(t, tb)

	for i, name := range []string{"第一次恢复后的营业厅", "第二次恢复后的营业厅"} {
		restored := filepath.Join(t.TempDir(), fmt.Sprintf("hub-%d.db", i))
		copyFile(t, backup, restored)
		h.restartOn(restored)
		_, err := h.db.AddHall(ctx, store.Hall{RegionID: h.region.ID, Code: fmt.Sprintf("KM-R%d", i), Name: name})
		must(t, err)
		rep, err := tb.client.Sync(ctx)
		must(t, err)
		if !rep.EpochChanged {
			t.Errorf("restore %d: the tablet saw no new epoch: %+v", i+1, rep)
		}
		want := append(slices.Clone(before), name)
		slices.Sort(want)
		if got := hallNames(t, tb); !slices.Equal(got, want) {
			t.Errorf("restore %d: tablet halls %v, want the restored hub's %v", i+1, got, want)
		}
	}
}

// A hub database rolled back in place (a disk or VM snapshot) keeps its
// epoch and hands out again change numbers the tablet has seen; the tag in
// the tablet's cursor shows it, the hub starts the tablet over, and the
// tablet drops the hall the hub lost and gets the ones made since.
func TestHubRolledBackUnderSameEpoch(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "平板", h.region, clientOpts(t))
	before := hallNames(t, tb)
	h.stop()
	snapshot := filepath.Join(t.TempDir(), "snapshot.db")
	copyFile(t, h.dbPath, snapshot)
	h.restartOn(h.dbPath)
	_, err := h.db.AddHall(ctx, store.Hall{RegionID: h.region.ID, Code: "KM-S", Name: "快照之后的营业厅"})
	must(t, err)
	_, err = tb.client.Sync(ctx)
	must(t, err)
	if got := hallNames(t, tb); len(got) != len(before)+1 {
		t.Fatalf("tablet halls before the rollback = %v", got)
	}

	// Rolled back, the hub makes new changes before the tablet syncs: they
	// take the change numbers the tablet has already seen.
	h.restartOn(snapshot)
	want := slices.Clone(before)
	for i := range 2 {
		name := fmt.Sprintf("回滚之后的营业厅%d", i)
		_, err := h.db.AddHall(ctx, store.Hall{RegionID: h.region.ID, Code: fmt.Sprintf("KM-B%d", i), Name: name})
		must(t, err)
		want = append(want, name)
	}
	slices.Sort(want)
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.EpochChanged {
		t.Errorf("a rolled-back database changed its epoch: %+v", rep)
	}
	if got := hallNames(t, tb); !slices.Equal(got, want) {
		t.Errorf("tablet halls after the rollback = %v, want the hub's %v", got, want)
	}
}

// A photo on neither side any more (the tablet freed it after delivery, the
// hub was restored from an older photo backup) is said to be lost, once per
// sync and without an upload attempt or a retry loop; the record stays sent,
// and is delivered by itself when the hub has the photo again.
func TestPhotoLostOnBothSides(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "平板", h.region, clientOpts(t))
	photo := photoBytes(3, 30<<10)
	ins := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photo)
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 1 {
		t.Fatalf("first sync = %+v", rep)
	}
	if _, err := tb.db.PruneDeliveredPhotos(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sha := ins.Photos()[0].SHA256
	hubPath := h.db.PhotoPath(sha)
	must(t, os.Remove(hubPath))

	for range 2 {
		rep, err = tb.client.Sync(ctx)
		must(t, err)
		if rep.Pending != 1 || rep.Parked != 0 || rep.PhotosSent != 0 {
			t.Errorf("sync with the photo lost = %+v", rep)
		}
		items, err := tb.db.Outbox(ctx, store.OutboxSent)
		must(t, err)
		if len(items) != 1 || items[0].ReasonCode != string(dsync.CodePhotoLost) || !strings.Contains(items[0].Reason, sha) {
			t.Fatalf("outbox = %+v, want the record sent with the photo lost", items)
		}
	}

	// The hub's administrator restores the photo: the next receipt delivers.
	must(t, os.WriteFile(hubPath, photo, 0o600))
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if rep.Pending != 0 || rep.Delivered != 1 {
		t.Errorf("sync after the photo came back = %+v", rep)
	}
}
