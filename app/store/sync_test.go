package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// pullAll reads every page of master changes for a region after `after`.
func pullAll(t *testing.T, hub *store.DB, region string, after int64, limit int) (store.MasterBatch, int64) {
	t.Helper()
	var all store.MasterBatch
	for range 1000 {
		p, err := hub.MasterChanges(ctx, region, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		// Each page carries the halls and regions its records need, so
		// pages overlap; the last state of a record wins.
		all.Regions = mergeByID(all.Regions, p.Batch.Regions, func(r store.Region) string { return r.ID })
		all.Halls = mergeByID(all.Halls, p.Batch.Halls, func(h store.Hall) string { return h.ID })
		all.Staff = mergeByID(all.Staff, p.Batch.Staff, func(s store.Staff) string { return s.ID })
		all.Users = mergeByID(all.Users, p.Batch.Users, func(u store.UserRecord) string { return u.ID })
		all.Standards = append(all.Standards, p.Batch.Standards...)
		all.Deleted = append(all.Deleted, p.Batch.Deleted...)
		after = p.Last
		if !p.More {
			return all, after
		}
	}
	t.Fatal("pull did not end")
	return all, after
}

func mergeByID[T any](all, page []T, id func(T) string) []T {
	for _, x := range page {
		i := slices.IndexFunc(all, func(y T) bool { return id(y) == id(x) })
		if i >= 0 {
			all[i] = x
		} else {
			all = append(all, x)
		}
	}
	return all
}

// tabletOf makes a tablet store holding the hub's master data for the
// fixture's region, page by page as a tablet would apply it.
func tabletOf(t *testing.T, f *fixture) *store.DB {
	t.Helper()
	tab, _ := openDB(t)
	after := int64(0)
	for {
		p, err := f.db.MasterChanges(ctx, f.region.ID, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := tab.ApplyMaster(ctx, p.Batch, false, map[string]string{"cursor": "x"}); err != nil {
			t.Fatalf("apply page after %d: %v", after, err)
		}
		after = p.Last
		if !p.More {
			return tab
		}
	}
}

func TestMasterChangesByRegion(t *testing.T) {
	f := newFixture(t)
	other, err := f.db.AddRegion(ctx, "郊区")
	if err != nil {
		t.Fatal(err)
	}
	farHall, err := f.db.AddHall(ctx, store.Hall{RegionID: other.ID, Code: "F01", Name: "远郊营业厅"})
	if err != nil {
		t.Fatal(err)
	}
	far, err := f.db.UpsertStaff(ctx, store.Staff{EmployeeNo: "F001", Name: "远方", Gender: standard.GenderMale,
		Role: standard.RoleCashier, HallID: farHall.ID})
	if err != nil {
		t.Fatal(err)
	}

	all, last := pullAll(t, f.db, f.region.ID, 0, 3)
	if len(all.Regions) != 1 || all.Regions[0].ID != f.region.ID {
		t.Errorf("regions = %+v, want only the device's", all.Regions)
	}
	if len(all.Halls) != 2 || len(all.Staff) != 2 || len(all.Standards) != 1 {
		t.Errorf("halls %d, staff %d, standards %d; want 2, 2, 1", len(all.Halls), len(all.Staff), len(all.Standards))
	}
	// sup has the region, sup2 none: both may sign in on the region's tablets.
	if len(all.Users) != 2 || all.Users[0].PinHash == "" {
		t.Errorf("users = %+v", all.Users)
	}
	for _, s := range all.Staff {
		if s.ID == far.ID {
			t.Error("staff of another region leaked")
		}
	}

	// Nothing changed: nothing to pull. A roster import that rewrites the
	// same rows changes nothing either.
	if _, err := f.db.ApplyRoster(ctx, store.RosterChanges{Upsert: []store.Staff{f.alice, f.bob}}); err != nil {
		t.Fatal(err)
	}
	if p, err := f.db.MasterChanges(ctx, f.region.ID, last, 0); err != nil || p.Batch.Len() != 0 || p.Last != last {
		t.Fatalf("after an idempotent import: %+v, %v", p, err)
	}

	// alice moves to the other region's hall: a tombstone here, a record there.
	moved := f.alice
	moved.HallID = farHall.ID
	if _, err := f.db.UpsertStaff(ctx, moved); err != nil {
		t.Fatal(err)
	}
	p, err := f.db.MasterChanges(ctx, f.region.ID, last, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Batch.Staff) != 0 || !slices.Contains(p.Batch.Deleted, store.MasterKey{Kind: store.MasterStaff, ID: f.alice.ID}) {
		t.Errorf("home region after the move: %+v", p.Batch)
	}
	p, err = f.db.MasterChanges(ctx, other.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(p.Batch.Staff, func(s store.Staff) bool { return s.ID == f.alice.ID }) {
		t.Errorf("other region does not get alice: %+v", p.Batch.Staff)
	}
	// No region: a manager's desktop over every region gets both regions'
	// halls and staff.
	p, err = f.db.MasterChanges(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]bool{}
	for _, h := range p.Batch.Halls {
		regions[h.RegionID] = true
	}
	if !regions[other.ID] || !regions[f.region.ID] || len(p.Batch.Regions) < 2 ||
		!slices.ContainsFunc(p.Batch.Staff, func(s store.Staff) bool { return s.ID == f.alice.ID }) {
		t.Errorf("every region: regions %+v, halls of %v", p.Batch.Regions, regions)
	}
}

func TestApplyMaster(t *testing.T) {
	f := newFixture(t)
	tab := tabletOf(t, f)
	halls, _ := tab.Halls(ctx)
	staff, _ := tab.Staff(ctx, store.StaffFilter{})
	if len(halls) != 2 || len(staff) != 2 {
		t.Fatalf("tablet has %d halls, %d staff", len(halls), len(staff))
	}
	if got, err := tab.Setting(ctx, "cursor"); err != nil || got != "x" {
		t.Errorf("cursor setting = %q, %v", got, err)
	}
	// Users pulled with their PIN hash sign in offline.
	if _, err := tab.Authenticate(ctx, "zhang", "2580"); err != nil {
		t.Errorf("pulled user cannot sign in: %v", err)
	}
	if _, err := tab.StandardBody(ctx, 1); err != nil {
		t.Errorf("standard not pulled: %v", err)
	}

	// Applying the same batch again changes nothing.
	all, _ := pullAll(t, f.db, f.region.ID, 0, 0)
	if err := tab.ApplyMaster(ctx, all, false, nil); err != nil {
		t.Fatalf("re-apply: %v", err)
	}

	// A local hall in the way of a hub hall's code is moved aside; a local
	// hall not on the hub goes on a full resync unless an inspection keeps it.
	local, err := tab.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "L01", Name: "本机营业厅"})
	if err != nil {
		t.Fatal(err)
	}
	hubHall, err := f.db.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "L01", Name: "新营业厅"})
	if err != nil {
		t.Fatal(err)
	}
	all, _ = pullAll(t, f.db, f.region.ID, 0, 0)
	if err := tab.ApplyMaster(ctx, all, true, nil); err != nil {
		t.Fatalf("full apply: %v", err)
	}
	halls, _ = tab.Halls(ctx)
	var codes []string
	for _, h := range halls {
		codes = append(codes, h.Code)
		if h.ID == local.ID {
			t.Errorf("local hall %s survived a full resync", h.Code)
		}
	}
	if !slices.Contains(codes, "L01") || len(halls) != 3 {
		t.Errorf("hall codes after full resync = %v", codes)
	}
	_ = hubHall

	// A tombstone deletes staff.
	if err := tab.ApplyMaster(ctx, store.MasterBatch{Deleted: []store.MasterKey{{Kind: store.MasterStaff, ID: f.bob.ID}}}, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.StaffByID(ctx, f.bob.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob after tombstone: %v", err)
	}
	// A standard version that differs from the one held is refused.
	bad := store.MasterBatch{Standards: []store.StandardRecord{{Version: 1, Hash: sha("other"), Body: []byte("x")}}}
	if err := tab.ApplyMaster(ctx, bad, false, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("changed standard: %v", err)
	}
}

func TestEnrolment(t *testing.T) {
	f := newFixture(t)
	now := t0
	f.db.Close()
	db, err := store.Open(f.path, quiet, store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	d, err := db.NewEnrolment(ctx, store.Device{Name: "平板1", RegionID: f.region.ID}, "code1", now.Add(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeviceByToken(ctx, "tok1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token before redemption: %v", err)
	}
	acc, err := db.RedeemEnrolment(ctx, "code1", "nonceA", "tok1")
	if err != nil || acc.ID != d.ID || !acc.Enrolled {
		t.Fatalf("redeem = %+v, %v", acc, err)
	}
	if got, err := db.DeviceByToken(ctx, "tok1"); err != nil || got.ID != d.ID || got.RegionID != f.region.ID {
		t.Errorf("by token = %+v, %v", got, err)
	}
	// The same tablet again (its answer was lost): a new token replaces the old.
	if _, err := db.RedeemEnrolment(ctx, "code1", "nonceA", "tok2"); err != nil {
		t.Fatalf("repeat redemption by the same tablet: %v", err)
	}
	if _, err := db.DeviceByToken(ctx, "tok1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old token after repeat: %v", err)
	}
	for name, tc := range map[string]struct{ code, nonce string }{
		"another tablet": {"code1", "nonceB"},
		"unknown code":   {"nope", "nonceA"},
	} {
		if _, err := db.RedeemEnrolment(ctx, tc.code, tc.nonce, "tok3"); !errors.Is(err, store.ErrEnrolment) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := db.NewEnrolment(ctx, store.Device{Name: "平板2", RegionID: f.region.ID}, "code2", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := db.RedeemEnrolment(ctx, "code2", "n", "tok4"); !errors.Is(err, store.ErrEnrolment) {
		t.Errorf("expired code: %v", err)
	}

	rev, err := db.RevokeDevice(ctx, "平板1", "lost in the hall")
	if err != nil || !rev.Revoked() || rev.RevokeReason != "lost in the hall" {
		t.Fatalf("revoke = %+v, %v", rev, err)
	}
	got, err := db.DeviceByToken(ctx, "tok2")
	if err != nil || !got.Revoked() || got.RevokeReason != "lost in the hall" {
		t.Errorf("revoked device by token = %+v, %v", got, err)
	}
	if again, err := db.RevokeDevice(ctx, d.ID, "other"); err != nil || again.RevokeReason != "lost in the hall" {
		t.Errorf("revoke twice = %+v, %v", again, err)
	}
	if _, err := db.RevokeDevice(ctx, "nosuch", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
	accs, err := db.DeviceAccounts(ctx)
	if err != nil || len(accs) != 2 || !accs[0].Enrolled || accs[1].Enrolled {
		t.Errorf("accounts = %+v, %v", accs, err)
	}
	if _, err := db.NewEnrolment(ctx, store.Device{Name: "x"}, "c", now); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("enrolment without region: %v", err)
	}
}

type hubFixture struct {
	*fixture
	tab *store.DB
	dev store.DeviceAccount
}

func newHubFixture(t *testing.T) *hubFixture {
	t.Helper()
	f := newFixture(t)
	h := &hubFixture{fixture: f, tab: tabletOf(t, f)}
	if _, err := f.db.NewEnrolment(ctx, store.Device{Name: "平板", RegionID: f.region.ID}, "c", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var err error
	if h.dev, err = f.db.RedeemEnrolment(ctx, "c", "n", "tok"); err != nil {
		t.Fatal(err)
	}
	return h
}

// sealOnTablet seals an inspection of alice with one photographed finding.
func (h *hubFixture) sealOnTablet(t *testing.T, photo string) *inspect.Inspection {
	t.Helper()
	ref, err := h.tab.PutPhoto(ctx, bytes.NewReader([]byte(photo)), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	fnd := nc("A1")
	fnd.Photos = []inspect.PhotoRef{ref}
	ins := &inspect.Inspection{HallID: h.hall.ID, SupervisorID: h.sup.ID, DeviceID: h.dev.ID, StandardVersion: 1,
		StartedAt: t0, People: []inspect.Person{{StaffID: h.alice.ID, Findings: []inspect.Finding{fnd}}}}
	if err := h.tab.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tab.Seal(ctx, ins.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := h.tab.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestReceive(t *testing.T) {
	h := newHubFixture(t)
	ins := h.sealOnTablet(t, "photo one")
	off := -90 * time.Second
	out, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins, ClockOffset: &off}})
	if err != nil {
		t.Fatal(err)
	}
	o := out[0]
	if o.Status != store.Stored || o.PhotosExpected != 1 || o.PhotosPresent != 0 || len(o.Missing) != 1 {
		t.Fatalf("first delivery = %+v", o)
	}
	out, err = h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}})
	if err != nil || out[0].Status != store.Held || out[0].HeldHash != ins.SealHash {
		t.Fatalf("repeat = %+v, %v", out, err)
	}

	// Same UUID, other content: a conflict with both hashes, recorded.
	other := *ins
	other.People = slices.Clone(ins.People)
	other.People[0].Name = "改名"
	other.SealHash, _ = inspect.ComputeSeal(&other)
	// A bad record among good ones is refused alone.
	bad := *ins
	bad.ID = "0190aaaa-0000-7000-8000-000000000000"
	amend := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "记错了",
		AuthorID: h.sup.ID, DeviceID: h.dev.ID, At: t0.Add(2 * time.Hour),
		Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "A1"}}}
	if err := h.tab.AddAmendment(ctx, amend); err != nil {
		t.Fatal(err)
	}
	out, err = h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: &other}, {Inspection: &bad}, {Amendment: amend}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Status != store.Conflicting || out[0].HeldHash != ins.SealHash || out[0].ReceivedHash != other.SealHash {
		t.Errorf("conflict = %+v", out[0])
	}
	if out[1].Status != store.Rejected || !errors.Is(out[1].Err, store.ErrInvalid) {
		t.Errorf("bad seal = %+v", out[1])
	}
	if out[2].Status != store.Stored {
		t.Errorf("amendment = %+v", out[2])
	}
	cs, err := h.db.Conflicts(ctx)
	if err != nil || len(cs) != 1 || cs[0].HeldHash != ins.SealHash || cs[0].ReceivedHash != other.SealHash || cs[0].DeviceName != "平板" {
		t.Errorf("conflicts = %+v, %v", cs, err)
	}
	out, _ = h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: &other}})
	if cs, _ := h.db.Conflicts(ctx); len(cs) != 1 || cs[0].Attempts != 2 || out[0].Status != store.Conflicting {
		t.Errorf("conflict again = %+v", cs)
	}

	// Another region's device is refused, and learns nothing.
	region2, _ := h.db.AddRegion(ctx, "郊区")
	if _, err := h.db.NewEnrolment(ctx, store.Device{Name: "外区", RegionID: region2.ID}, "c2", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	dev2, err := h.db.RedeemEnrolment(ctx, "c2", "n", "tok2")
	if err != nil {
		t.Fatal(err)
	}
	out, err = h.db.Receive(ctx, dev2, []store.Incoming{{Inspection: ins}, {Amendment: amend}})
	if err != nil || out[0].Status != store.Rejected || !errors.Is(out[0].Err, store.ErrOutOfRegion) ||
		out[1].Status != store.Rejected || !errors.Is(out[1].Err, store.ErrOutOfRegion) {
		t.Errorf("other region = %+v, %v", out, err)
	}
	if _, err := h.db.PhotoUpload(ctx, dev2.ID, ins.Photos()[0].SHA256); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("photo of another device's record: %v", err)
	}

	held, err := h.db.HeldRecords(ctx, h.dev.ID)
	if err != nil || len(held) != 2 {
		t.Fatalf("held = %+v, %v", held, err)
	}
	if held[0].Key.Kind != store.KindAmendment || held[1].Key.ID != ins.ID || held[1].Complete() || held[1].PhotosExpected != 1 {
		t.Errorf("held = %+v", held)
	}
	if h2, _ := h.db.HeldRecords(ctx, dev2.ID); len(h2) != 0 {
		t.Errorf("other device holds %+v", h2)
	}
}

// An inspection the store would keep in another form than it was sealed in
// is refused alone; the others of its batch are stored. The batch's
// inspections are read back together, so the hub then stores the batch
// again one record at a time (the trigger below plays a store that alters
// a field on the way in).
func TestReceiveRefusesWhatDoesNotReadBack(t *testing.T) {
	h := newHubFixture(t)
	if _, err := rawDB(t, h.db.Path()).Exec(`CREATE TRIGGER alter_note AFTER INSERT ON findings
		WHEN NEW.note = '会被改'
		BEGIN UPDATE findings SET note = '已改' WHERE id = NEW.id; END`); err != nil {
		t.Fatal(err)
	}
	var batch []store.Incoming
	for i, note := range []string{"第一", "会被改", "第三"} {
		fnd := nc("A1")
		fnd.Note = note
		ins := &inspect.Inspection{HallID: h.hall.ID, SupervisorID: h.sup.ID, DeviceID: h.dev.ID, StandardVersion: 1,
			StartedAt: t0.Add(time.Duration(i) * time.Hour),
			People:    []inspect.Person{{StaffID: h.alice.ID, Findings: []inspect.Finding{fnd}}}}
		if err := h.tab.CreateInspection(ctx, ins); err != nil {
			t.Fatal(err)
		}
		if _, err := h.tab.Seal(ctx, ins.ID, ins.StartedAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		sealed, err := h.tab.Inspection(ctx, ins.ID)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, store.Incoming{Inspection: sealed})
	}
	out, err := h.db.Receive(ctx, h.dev, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []store.ReceiveStatus{store.Stored, store.Rejected, store.Stored} {
		if out[i].Status != want {
			t.Errorf("record %d = %s (%v), want %s", i+1, out[i].Status, out[i].Err, want)
		}
	}
	if !errors.Is(out[1].Err, store.ErrInvalid) || !strings.Contains(out[1].Err.Error(), "stored form") {
		t.Errorf("refusal = %v", out[1].Err)
	}
	for i, in := range batch {
		_, err := h.db.Inspection(ctx, in.Inspection.ID)
		if held := err == nil; held != (i != 1) {
			t.Errorf("record %d held on the hub: %v (%v)", i+1, held, err)
		}
	}
	if held, err := h.db.HeldRecords(ctx, h.dev.ID); err != nil || len(held) != 2 {
		t.Errorf("held = %+v, %v", held, err)
	}
}

func TestReceiveConcurrentOneCopy(t *testing.T) {
	h := newHubFixture(t)
	ins := h.sealOnTablet(t, "photo")
	var wg sync.WaitGroup
	statuses := make([]store.ReceiveStatus, 10)
	for i := range 10 {
		wg.Go(func() {
			out, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}})
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = out[0].Status
		})
	}
	wg.Wait()
	stored := 0
	for _, s := range statuses {
		if s == store.Stored {
			stored++
		}
	}
	if stored != 1 {
		t.Errorf("statuses = %v: want exactly one stored", statuses)
	}
	var n int
	if err := rawDB(t, h.path).QueryRow("SELECT count(*) FROM inspections WHERE id = ?", ins.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("copies = %d, %v", n, err)
	}
}

func TestPhotoChunks(t *testing.T) {
	h := newHubFixture(t)
	content := bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes
	ref, err := h.tab.PutPhoto(ctx, bytes.NewReader(content), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	fnd := nc("A1")
	fnd.Photos = []inspect.PhotoRef{ref}
	ins := &inspect.Inspection{HallID: h.hall.ID, SupervisorID: h.sup.ID, DeviceID: h.dev.ID, StandardVersion: 1,
		StartedAt: t0, People: []inspect.Person{{StaffID: h.alice.ID, Findings: []inspect.Finding{fnd}}}}
	if err := h.tab.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tab.Seal(ctx, ins.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ins, _ = h.tab.Inspection(ctx, ins.ID)
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}}); err != nil {
		t.Fatal(err)
	}

	u, err := h.db.PhotoUpload(ctx, h.dev.ID, ref.SHA256)
	if err != nil || u.Offset != 0 || u.Complete || u.Ref.Size != 1000 {
		t.Fatalf("state = %+v, %v", u, err)
	}
	put := func(off int64, b []byte) store.PhotoUpload {
		t.Helper()
		u, err := h.db.PutPhotoChunk(ctx, h.dev.ID, ref.SHA256, off, b)
		if err != nil {
			t.Fatalf("chunk at %d: %v", off, err)
		}
		return u
	}
	if u := put(0, content[:400]); u.Offset != 400 || u.Complete {
		t.Errorf("after first chunk: %+v", u)
	}
	// A repeated chunk and one from the future write nothing.
	if u := put(0, content[:400]); u.Offset != 400 {
		t.Errorf("repeat: %+v", u)
	}
	if u := put(800, content[800:]); u.Offset != 400 {
		t.Errorf("gap: %+v", u)
	}
	if u, _ := h.db.PhotoUpload(ctx, h.dev.ID, ref.SHA256); u.Offset != 400 {
		t.Errorf("resume offset = %+v", u)
	}
	if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, ref.SHA256, 400, content[:700]); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("chunk past the size: %v", err)
	}
	if u := put(400, content[400:]); !u.Complete || u.Offset != 1000 {
		t.Errorf("last chunk: %+v", u)
	}
	if u := put(0, content[:10]); !u.Complete {
		t.Errorf("chunk after completion: %+v", u)
	}
	held, _ := h.db.HeldRecords(ctx, h.dev.ID)
	if len(held) != 1 || !held[0].Complete() {
		t.Errorf("held = %+v", held)
	}
	if r, _ := h.db.Verify(ctx, ins.ID); !r.OK() {
		t.Errorf("verify on the hub = %+v", r)
	}

	// Garbage that does not hash to the name is thrown away, not kept.
	ins2 := h.sealOnTablet(t, "second photo")
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins2}}); err != nil {
		t.Fatal(err)
	}
	p2 := ins2.Photos()[0]
	junk := bytes.Repeat([]byte("x"), int(p2.Size))
	if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, p2.SHA256, 0, junk); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("corrupt upload: %v", err)
	}
	if u, _ := h.db.PhotoUpload(ctx, h.dev.ID, p2.SHA256); u.Offset != 0 || u.Complete {
		t.Errorf("after a corrupt upload: %+v", u)
	}
	// In two chunks, garbage is only seen when the last one completes the
	// file: the whole partial file is thrown away then.
	half := p2.Size / 2
	if u, err := h.db.PutPhotoChunk(ctx, h.dev.ID, p2.SHA256, 0, junk[:half]); err != nil || u.Offset != half {
		t.Fatalf("first half of a corrupt upload: %+v, %v", u, err)
	}
	if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, p2.SHA256, half, junk[half:]); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("corrupt upload in two chunks: %v", err)
	}
	if u, _ := h.db.PhotoUpload(ctx, h.dev.ID, p2.SHA256); u.Offset != 0 || u.Complete {
		t.Errorf("after a corrupt upload in two chunks: %+v", u)
	}

	// A photo file already in place without a record (the photo directory
	// is newer than a restored database) is adopted after a check.
	ins3 := h.sealOnTablet(t, "third photo")
	p3 := ins3.Photos()[0]
	dst := h.db.PhotoPath(p3.SHA256)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte("third photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins3}}); err != nil {
		t.Fatal(err)
	}
	if u, err := h.db.PhotoUpload(ctx, h.dev.ID, p3.SHA256); err != nil || !u.Complete {
		t.Errorf("adopted file: %+v, %v", u, err)
	}
	// Every byte arrived but the hub died before the check and the rename:
	// the next question finishes the job.
	ins4 := h.sealOnTablet(t, "fourth photo")
	p4 := ins4.Photos()[0]
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins4}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.db.PhotoDir(), ".partial-"+p4.SHA256), []byte("fourth photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if u, err := h.db.PhotoUpload(ctx, h.dev.ID, p4.SHA256); err != nil || !u.Complete {
		t.Errorf("complete partial left by a crash: %+v, %v", u, err)
	}
	if _, err := h.db.PhotoUpload(ctx, h.dev.ID, "XYZ"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad hash: %v", err)
	}
}

func TestOutbox(t *testing.T) {
	h := newHubFixture(t)
	ins := h.sealOnTablet(t, "p")
	draft := h.draftOnTablet(t)
	off := 3 * time.Second
	n, err := h.tab.EnqueueSealed(ctx, &off)
	if err != nil || n != 1 {
		t.Fatalf("enqueue = %d, %v", n, err)
	}
	if n, _ := h.tab.EnqueueSealed(ctx, nil); n != 0 {
		t.Errorf("enqueue twice added %d", n)
	}
	items, err := h.tab.Outbox(ctx)
	if err != nil || len(items) != 1 || items[0].Key.ID != ins.ID || items[0].State != store.OutboxSealed ||
		items[0].ClockOffset == nil || *items[0].ClockOffset != off || items[0].SealHash != ins.SealHash {
		t.Fatalf("outbox = %+v, %v", items, err)
	}
	_ = draft
	if err := h.tab.UpdateOutbox(ctx, []store.OutboxUpdate{{ID: ins.ID, State: store.OutboxQuarantined,
		ReasonCode: "conflict", Reason: "held with another seal", HeldHash: sha("x"), Attempted: true}}); err != nil {
		t.Fatal(err)
	}
	items, _ = h.tab.Outbox(ctx, store.OutboxQuarantined)
	if len(items) != 1 || items[0].Attempts != 1 || items[0].HeldHash != sha("x") {
		t.Errorf("quarantined = %+v", items)
	}
	if err := h.tab.Requeue(ctx, ins.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.tab.Requeue(ctx, ins.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("requeue a sealed item: %v", err)
	}
	if err := h.tab.UpdateOutbox(ctx, []store.OutboxUpdate{{ID: ins.ID, State: store.OutboxDelivered, ReceiptEpoch: "e1"}}); err != nil {
		t.Fatal(err)
	}
	items, _ = h.tab.Outbox(ctx, store.OutboxDelivered)
	if len(items) != 1 || items[0].DeliveredAt.IsZero() || items[0].ReceiptEpoch != "e1" {
		t.Errorf("delivered = %+v", items)
	}
	if err := h.tab.UpdateOutbox(ctx, []store.OutboxUpdate{{ID: "nosuch", State: store.OutboxSent}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	amend := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "r", AuthorID: h.sup.ID,
		Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "A2", Finding: &inspect.Finding{Outcome: inspect.Nonconform}}}}
	if err := h.tab.AddAmendment(ctx, amend); err != nil {
		t.Fatal(err)
	}
	got, err := h.tab.Amendment(ctx, amend.ID)
	if err != nil || got.SealHash != amend.SealHash || len(got.Changes) != 1 {
		t.Errorf("amendment = %+v, %v", got, err)
	}
	if n, _ := h.tab.EnqueueSealed(ctx, nil); n != 1 {
		t.Errorf("amendment not queued")
	}
	items, _ = h.tab.Outbox(ctx)
	if len(items) != 2 || items[1].Key.Kind != store.KindAmendment {
		t.Errorf("outbox order = %+v", items)
	}
}

func (h *hubFixture) draftOnTablet(t *testing.T) *inspect.Inspection {
	t.Helper()
	ins := &inspect.Inspection{HallID: h.hall.ID, SupervisorID: h.sup.ID, StandardVersion: 1, StartedAt: t0,
		People: []inspect.Person{{StaffID: h.bob.ID}}}
	if err := h.tab.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	return ins
}

func TestBackupWhileOpen(t *testing.T) {
	h := newHubFixture(t)
	id, err := h.db.HubIdentity(ctx)
	if err != nil || id.HubID == "" || id.Epoch == "" {
		t.Fatalf("identity = %+v, %v", id, err)
	}
	if again, _ := h.db.HubIdentity(ctx); again != id {
		t.Errorf("identity changed: %+v then %+v", id, again)
	}
	ins := h.sealOnTablet(t, "p")
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}}); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := h.db.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Backup(ctx, dst); !errors.Is(err, store.ErrConflict) {
		t.Errorf("backup over an existing file: %v", err)
	}
	restored, err := store.Open(dst, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	rid, err := restored.HubIdentity(ctx)
	if err != nil || rid.HubID != id.HubID || rid.Epoch == id.Epoch {
		t.Errorf("restored identity = %+v, live %+v", rid, id)
	}
	if got, err := restored.Inspection(ctx, ins.ID); err != nil || got.SealHash != ins.SealHash {
		t.Errorf("restored inspection: %v", err)
	}
}

func TestOffRoster(t *testing.T) {
	h := newHubFixture(t)
	ins := &inspect.Inspection{HallID: h.hall.ID, SupervisorID: h.sup.ID, StandardVersion: 1, StartedAt: t0,
		People: []inspect.Person{{OffRoster: true, Name: "临时工", Role: standard.RoleCashier, Gender: standard.GenderFemale}}}
	if err := h.tab.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tab.Seal(ctx, ins.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sealed, _ := h.tab.Inspection(ctx, ins.ID)
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: sealed}}); err != nil {
		t.Fatal(err)
	}
	ps, err := h.db.OffRoster(ctx, "")
	if err != nil || len(ps) != 1 || ps[0].Name != "临时工" || ps[0].HallName != h.hall.Name {
		t.Errorf("off roster = %+v, %v", ps, err)
	}
	if ps, _ := h.db.OffRoster(ctx, h.otherHall.ID); len(ps) != 0 {
		t.Errorf("other hall = %+v", ps)
	}
}

// A device sends only its region's staff: an inspection naming someone the
// hub never had in the device's region is refused. Someone moved out of the
// region since (the tablet was offline meanwhile) still passes.
func TestReceiveStaffOfAnotherRegion(t *testing.T) {
	h := newHubFixture(t)
	ins := h.sealOnTablet(t, "photo")
	far, err := h.db.AddRegion(ctx, "大理")
	if err != nil {
		t.Fatal(err)
	}
	farHall, err := h.db.AddHall(ctx, store.Hall{RegionID: far.ID, Code: "DL-1", Name: "大理营业厅"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := h.db.UpsertStaff(ctx, store.Staff{EmployeeNo: "D001", Name: "段", Gender: standard.GenderMale,
		Role: standard.RoleCashier, HallID: farHall.ID})
	if err != nil {
		t.Fatal(err)
	}
	forged := *ins
	forged.ID = "0190bbbb-0000-7000-8000-000000000000"
	forged.People = slices.Clone(ins.People)
	forged.People[0].StaffID = stranger.ID
	forged.SealHash, _ = inspect.ComputeSeal(&forged)
	out, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: &forged}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Status != store.Rejected || !errors.Is(out[0].Err, store.ErrOutOfRegion) || !strings.Contains(out[0].Err.Error(), stranger.ID) {
		t.Errorf("another region's staff = %+v, want refused as out of region naming %s", out[0], stranger.ID)
	}

	// An ID the hub does not hold (a restore from an older backup lost
	// the person) shows in no other region's reports: it passes.
	lost := *ins
	lost.ID = "0190cccc-0000-7000-8000-000000000000"
	lost.People = slices.Clone(ins.People)
	lost.People[0].StaffID = "0190dddd-0000-7000-8000-000000000000"
	lost.People[0].ID = "0190eeee-0000-7000-8000-000000000000"
	lost.People[0].Findings = nil
	lost.SealHash, _ = inspect.ComputeSeal(&lost)
	out, err = h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: &lost}})
	if err != nil || out[0].Status != store.Stored {
		t.Errorf("inspection of someone the hub does not hold = %+v, %v; want stored", out, err)
	}

	moved := h.alice
	moved.HallID = farHall.ID
	if _, err := h.db.UpsertStaff(ctx, moved); err != nil {
		t.Fatal(err)
	}
	out, err = h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}})
	if err != nil || out[0].Status != store.Stored {
		t.Errorf("inspection of someone transferred since = %+v, %v; want stored", out, err)
	}
}
