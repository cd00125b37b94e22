package store_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

// addUsers adds users as a hub sends them to a tablet, with a PIN hash
// already made (a real hash takes a deliberately long time).
func addUsers(t *testing.T, db *store.DB, us ...store.User) {
	t.Helper()
	var recs []store.UserRecord
	for _, u := range us {
		recs = append(recs, store.UserRecord{User: u, PinHash: "not-a-real-hash"})
	}
	if err := db.ApplyMaster(ctx, store.MasterBatch{Users: recs}, false, nil); err != nil {
		t.Fatal(err)
	}
}

// importV1As2 imports the shipped standard as version 2, so that the
// fixture's records can be scored by real items and grades.
func importV1As2(t *testing.T, db *store.DB) {
	t.Helper()
	raw := bytes.Replace(data.StandardV1, []byte("version: 1"), []byte("version: 2"), 1)
	v, err := standard.Parse("v2", raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportStandard(ctx, v, raw); err != nil {
		t.Fatal(err)
	}
}

// sealedV2 seals an inspection of the fixture's hall, judged by version 2.
func (f *fixture) sealedV2(t *testing.T, started time.Time, people ...inspect.Person) *inspect.Inspection {
	t.Helper()
	ins := &inspect.Inspection{HallID: f.hall.ID, SupervisorID: f.sup.ID, DeviceID: "dev-1", StandardVersion: 2,
		StartedAt: started, People: people}
	if err := f.db.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Seal(ctx, ins.ID, started.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sealedRow(t *testing.T, db *store.DB, id string) store.SealedRow {
	t.Helper()
	r, err := db.SealedInspection(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestInspectionIndexGrades: a sealed inspection is indexed at once and
// graded by the refresh; an amendment sends it back to be graded again; a
// record that cannot be scored is indexed without a grade.
func TestInspectionIndexGrades(t *testing.T) {
	f := newFixture(t)
	importV1As2(t, f.db)
	draft := f.draft(t, t0.Add(-time.Hour))
	ins := f.sealedV2(t, t0, inspect.Person{StaffID: f.alice.ID, Findings: []inspect.Finding{nc("G8.2")}},
		inspect.Person{StaffID: f.bob.ID})
	// Version 1 of this fixture has no items: its record cannot be scored.
	odd := f.sealed(t, f.bob, t0.Add(time.Hour), nc("A1"))

	if _, err := f.db.SealedInspection(ctx, draft.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a draft in the index: %v", err)
	}
	if r := sealedRow(t, f.db, ins.ID); r.Graded || r.RegionID != f.region.ID || r.HallName != f.hall.Name || r.StandardVersion != 2 {
		t.Errorf("row before the refresh = %+v", r)
	}
	n, err := f.db.RefreshInspectionIndex(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RefreshInspectionIndex = %d, %v; want both sealed graded", n, err)
	}
	if n, err := f.db.RefreshInspectionIndex(ctx); err != nil || n != 0 {
		t.Errorf("a second refresh graded %d, %v", n, err)
	}
	r := sealedRow(t, f.db, ins.ID)
	if !r.Graded || !r.Scored || r.Grade != "fail" || r.People != 2 || r.Findings != 1 || r.Amendments != 0 {
		t.Errorf("graded row = %+v, want fail (a critical item)", r)
	}
	if r := sealedRow(t, f.db, odd.ID); !r.Graded || r.Scored || r.Grade != "" {
		t.Errorf("unscorable row = %+v, want graded without a grade", r)
	}
	obs, err := f.db.Observations(ctx, f.alice.ID, "")
	if err != nil || len(obs) != 1 || obs[0].Grade != "fail" || obs[0].Offences != 1 || obs[0].Linked {
		t.Errorf("alice's observations = %+v, %v", obs, err)
	}

	am := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "复核", AuthorID: f.sup.ID,
		DeviceID: "dev-1", Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "G8.2"}}}
	if err := f.db.AddAmendment(ctx, am); err != nil {
		t.Fatal(err)
	}
	if r := sealedRow(t, f.db, ins.ID); r.Graded {
		t.Errorf("row after an amendment = %+v, want it to be graded again", r)
	}
	if n, err := f.db.RefreshInspectionIndex(ctx); err != nil || n != 1 {
		t.Errorf("refresh after the amendment graded %d, %v", n, err)
	}
	r = sealedRow(t, f.db, ins.ID)
	if !r.Graded || r.Grade != "excellent" || r.Score != 100 || r.Findings != 0 || r.Amendments != 1 {
		t.Errorf("row after the amendment = %+v", r)
	}
	obs, err = f.db.Observations(ctx, f.alice.ID, "")
	if err != nil || len(obs) != 1 || obs[0].Grade != "excellent" || obs[0].Offences != 0 || obs[0].Amendments != 1 {
		t.Errorf("alice's observations after the amendment = %+v, %v", obs, err)
	}
}

// TestInspectionIndexPhotos: completeness follows the photos: on a tablet a
// record is complete when sealed; on the hub it is incomplete until the
// last chunk of its photo lands, and a photo held before the index knew it
// is found by NoteHeldPhotos.
func TestInspectionIndexPhotos(t *testing.T) {
	h := newHubFixture(t)
	ins := h.sealOnTablet(t, strings.Repeat("photo bytes ", 100))
	if r := sealedRow(t, h.tab, ins.ID); r.PhotosExpected != 1 || r.PhotosPresent != 1 {
		t.Errorf("tablet row = %+v, want 1 of 1 photo", r)
	}
	if _, err := h.db.Receive(ctx, h.dev, []store.Incoming{{Inspection: ins}}); err != nil {
		t.Fatal(err)
	}
	if r := sealedRow(t, h.db, ins.ID); r.PhotosExpected != 1 || r.PhotosPresent != 0 {
		t.Errorf("hub row before the photo = %+v", r)
	}
	page := func(c store.Completeness) []string {
		t.Helper()
		rows, total, err := h.db.SealedPage(ctx, store.SealedFilter{Completeness: c})
		if err != nil || total != len(rows) {
			t.Fatalf("SealedPage(%s): %d rows, total %d, %v", c, len(rows), total, err)
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got := page(store.Incomplete); !slices.Equal(got, []string{ins.ID}) {
		t.Errorf("incomplete = %v", got)
	}
	if got := page(store.Complete); len(got) != 0 {
		t.Errorf("complete = %v", got)
	}

	ref := ins.People[0].Findings[0].Photos[0]
	content, err := os.ReadFile(h.tab.PhotoPath(ref.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.PutPhotoChunk(ctx, h.dev.ID, ref.SHA256, 0, content[:500]); err != nil {
		t.Fatal(err)
	}
	if r := sealedRow(t, h.db, ins.ID); r.PhotosPresent != 0 {
		t.Errorf("row after half the photo = %+v", r)
	}
	if u, err := h.db.PutPhotoChunk(ctx, h.dev.ID, ref.SHA256, 500, content[500:]); err != nil || !u.Complete {
		t.Fatalf("last chunk = %+v, %v", u, err)
	}
	if r := sealedRow(t, h.db, ins.ID); r.PhotosPresent != 1 {
		t.Errorf("row after the photo = %+v", r)
	}
	if got := page(store.Complete); !slices.Equal(got, []string{ins.ID}) {
		t.Errorf("complete = %v", got)
	}

	// A hub that received the photo before schema 7 has the file and no row.
	if _, err := rawDB(t, h.db.Path()).Exec("DELETE FROM photos"); err != nil {
		t.Fatal(err)
	}
	if r := sealedRow(t, h.db, ins.ID); r.PhotosPresent != 0 {
		t.Errorf("row without the photo's row = %+v", r)
	}
	if n, err := h.db.NoteHeldPhotos(ctx); err != nil || n != 1 {
		t.Errorf("NoteHeldPhotos = %d, %v", n, err)
	}
	if r := sealedRow(t, h.db, ins.ID); r.PhotosPresent != 1 {
		t.Errorf("row after NoteHeldPhotos = %+v", r)
	}
	if n, err := h.db.NoteHeldPhotos(ctx); err != nil || n != 0 {
		t.Errorf("NoteHeldPhotos again = %d, %v", n, err)
	}
	if ok, err := h.db.PhotoInRegion(ctx, ref.SHA256, h.region.ID); err != nil || !ok {
		t.Errorf("PhotoInRegion(own region) = %v, %v", ok, err)
	}
	if ok, err := h.db.PhotoInRegion(ctx, ref.SHA256, "elsewhere"); err != nil || ok {
		t.Errorf("PhotoInRegion(other region) = %v, %v", ok, err)
	}
}

// TestSealedPage: the filters and the region, and a hall that moves to
// another region taking its inspections along.
func TestSealedPage(t *testing.T) {
	f := newFixture(t)
	importV1As2(t, f.db)
	other, err := f.db.AddRegion(ctx, "郊区")
	if err != nil {
		t.Fatal(err)
	}
	i1 := f.sealedV2(t, t0, inspect.Person{StaffID: f.alice.ID, Findings: []inspect.Finding{nc("G8.2")}})
	i2 := f.sealedV2(t, t0.Add(24*time.Hour), inspect.Person{StaffID: f.bob.ID})
	i3 := f.sealedV2(t, t0.Add(48*time.Hour), inspect.Person{StaffID: f.alice.ID}, inspect.Person{StaffID: f.bob.ID})
	if _, err := f.db.RefreshInspectionIndex(ctx); err != nil {
		t.Fatal(err)
	}
	ids := func(q store.SealedFilter) ([]string, int) {
		t.Helper()
		rows, total, err := f.db.SealedPage(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out, total
	}
	for name, c := range map[string]struct {
		q     store.SealedFilter
		want  []*inspect.Inspection
		total int
	}{
		"all":                 {store.SealedFilter{}, []*inspect.Inspection{i3, i2, i1}, 3},
		"region":              {store.SealedFilter{RegionID: f.region.ID}, []*inspect.Inspection{i3, i2, i1}, 3},
		"other region":        {store.SealedFilter{RegionID: other.ID}, nil, 0},
		"hall":                {store.SealedFilter{HallID: f.hall.ID, RegionID: f.region.ID}, []*inspect.Inspection{i3, i2, i1}, 3},
		"hall, other region":  {store.SealedFilter{HallID: f.hall.ID, RegionID: other.ID}, nil, 0},
		"alice":               {store.SealedFilter{StaffID: f.alice.ID}, []*inspect.Inspection{i3, i1}, 2},
		"alice, region":       {store.SealedFilter{StaffID: f.alice.ID, RegionID: f.region.ID}, []*inspect.Inspection{i3, i1}, 2},
		"alice, other region": {store.SealedFilter{StaffID: f.alice.ID, RegionID: other.ID}, nil, 0},
		"alice, fail":         {store.SealedFilter{StaffID: f.alice.ID, Grade: "fail"}, []*inspect.Inspection{i1}, 1},
		"supervisor":          {store.SealedFilter{SupervisorID: f.sup.ID, RegionID: f.region.ID}, []*inspect.Inspection{i3, i2, i1}, 3},
		"other supervisor":    {store.SealedFilter{SupervisorID: f.sup2.ID}, nil, 0},
		"excellent, region":   {store.SealedFilter{Grade: "excellent", RegionID: f.region.ID}, []*inspect.Inspection{i3, i2}, 2},
		"period":              {store.SealedFilter{From: t0.Add(time.Hour), To: t0.Add(48 * time.Hour)}, []*inspect.Inspection{i2}, 1},
		"bob, period":         {store.SealedFilter{StaffID: f.bob.ID, From: t0.Add(time.Hour), To: t0.Add(48 * time.Hour)}, []*inspect.Inspection{i2}, 1},
		"page":                {store.SealedFilter{Limit: 1, Offset: 1}, []*inspect.Inspection{i2}, 3},
		"complete":            {store.SealedFilter{Completeness: store.Complete, RegionID: f.region.ID}, []*inspect.Inspection{i3, i2, i1}, 3},
		"incomplete":          {store.SealedFilter{Completeness: store.Incomplete}, nil, 0},
	} {
		var want []string
		for _, w := range c.want {
			want = append(want, w.ID)
		}
		if got, total := ids(c.q); !slices.Equal(got, want) || total != c.total {
			t.Errorf("%s: %v (total %d), want %v (total %d)", name, got, total, want, c.total)
		}
	}

	// The hall moves to the other region; its inspections go with it.
	if _, err := rawDB(t, f.path).Exec("UPDATE halls SET region_id = ? WHERE id = ?", other.ID, f.hall.ID); err != nil {
		t.Fatal(err)
	}
	if got, total := ids(store.SealedFilter{RegionID: other.ID}); total != 3 || len(got) != 3 {
		t.Errorf("other region after the move: %v (total %d)", got, total)
	}
	if got, total := ids(store.SealedFilter{StaffID: f.alice.ID, RegionID: other.ID}); total != 2 || len(got) != 2 {
		t.Errorf("alice in the other region after the move: %v (total %d)", got, total)
	}
	if obs, err := f.db.Observations(ctx, f.alice.ID, f.region.ID); err != nil || len(obs) != 0 {
		t.Errorf("alice's observations in the old region = %+v, %v", obs, err)
	}
}

// TestLinkOffRoster: a link counts the observation for the staff member, in
// the list and the history, whether the inspection was graded before or
// after the link; a link is made once and never changed.
func TestLinkOffRoster(t *testing.T) {
	f := newFixture(t)
	importV1As2(t, f.db)
	mgr := store.User{ID: inspect.NewID(), Name: "经理", Username: "mgr", Role: store.RoleManager, RegionID: f.region.ID}
	addUsers(t, f.db, mgr)
	stranger := func() inspect.Person {
		return inspect.Person{Name: "临时工", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderFemale,
			Findings: []inspect.Finding{nc("A1.1")}}
	}
	graded := f.sealedV2(t, t0, stranger())
	if _, err := f.db.RefreshInspectionIndex(ctx); err != nil {
		t.Fatal(err)
	}
	later := f.sealedV2(t, t0.Add(time.Hour), stranger()) // not graded yet when linked

	off, err := f.db.UnlinkedOffRoster(ctx, f.region.ID)
	if err != nil || len(off) != 2 || off[0].InspectionID != later.ID {
		t.Fatalf("UnlinkedOffRoster = %+v, %v", off, err)
	}
	for _, ins := range []*inspect.Inspection{graded, later} {
		if err := f.db.LinkOffRoster(ctx, store.OffRosterLink{InspectionID: ins.ID, PersonID: ins.People[0].ID,
			StaffID: f.alice.ID, LinkedBy: mgr.ID, LinkedAt: t0.Add(2 * time.Hour)}, f.region.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.RefreshInspectionIndex(ctx); err != nil {
		t.Fatal(err)
	}
	obs, err := f.db.Observations(ctx, f.alice.ID, f.region.ID)
	if err != nil || len(obs) != 2 || !obs[0].Linked || !obs[1].Linked || obs[1].InspectionID != graded.ID || obs[1].Offences != 1 {
		t.Errorf("alice's observations = %+v, %v", obs, err)
	}
	if _, total, err := f.db.SealedPage(ctx, store.SealedFilter{StaffID: f.alice.ID}); err != nil || total != 2 {
		t.Errorf("alice's inspections: %d, %v", total, err)
	}
	if off, err := f.db.UnlinkedOffRoster(ctx, ""); err != nil || len(off) != 0 {
		t.Errorf("UnlinkedOffRoster after the links = %+v, %v", off, err)
	}
	err = f.db.LinkOffRoster(ctx, store.OffRosterLink{InspectionID: graded.ID, PersonID: graded.People[0].ID,
		StaffID: f.bob.ID, LinkedBy: mgr.ID}, "")
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second link: %v, want ErrConflict", err)
	}
	if _, err := rawDB(t, f.path).Exec("UPDATE offroster_links SET staff_id = ?", f.bob.ID); err == nil {
		t.Error("a raw UPDATE of a link succeeded")
	}
	if err := f.db.LinkOffRoster(ctx, store.OffRosterLink{InspectionID: graded.ID, PersonID: graded.People[0].ID,
		StaffID: f.alice.ID}, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a link without its author: %v", err)
	}
}

func TestNoteDeviceSync(t *testing.T) {
	f := newFixture(t)
	d, err := f.db.NewEnrolment(ctx, store.Device{Name: "平板", RegionID: f.region.ID}, "c", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	acc := func() store.DeviceAccount {
		t.Helper()
		as, err := f.db.DeviceAccounts(ctx)
		if err != nil || len(as) != 1 {
			t.Fatalf("DeviceAccounts = %+v, %v", as, err)
		}
		return as[0]
	}
	if a := acc(); !a.LastSyncAt.IsZero() || a.Pending != -1 {
		t.Errorf("before any sync: %+v", a)
	}
	if err := f.db.NoteDeviceSync(ctx, d.ID, t0, 4); err != nil {
		t.Fatal(err)
	}
	if a := acc(); !a.LastSyncAt.Equal(t0) || a.Pending != 4 {
		t.Errorf("after a sync with 4 pending: %+v", a)
	}
	if err := f.db.NoteDeviceSync(ctx, d.ID, t0.Add(time.Hour), -1); err != nil {
		t.Fatal(err)
	}
	if a := acc(); !a.LastSyncAt.Equal(t0.Add(time.Hour)) || a.Pending != -1 {
		t.Errorf("after a sync that did not say: %+v", a)
	}
	if err := f.db.NoteDeviceSync(ctx, "nope", t0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown device: %v", err)
	}
}

// TestManagerDesktopEnrolment: a desktop is bound to an enabled manager and
// takes their region (none for a manager over every region); its token
// finds it with the manager.
func TestManagerDesktopEnrolment(t *testing.T) {
	f := newFixture(t)
	mgr := store.User{ID: inspect.NewID(), Name: "经理", Username: "mgr", Role: store.RoleManager, RegionID: f.region.ID}
	boss := store.User{ID: inspect.NewID(), Name: "总经理", Username: "boss", Role: store.RoleManager}
	gone := store.User{ID: inspect.NewID(), Name: "离职", Username: "gone", Role: store.RoleManager, Disabled: true}
	addUsers(t, f.db, mgr, boss, gone)
	exp := time.Now().Add(time.Hour)

	d, err := f.db.NewEnrolment(ctx, store.Device{Name: "经理电脑", UserID: mgr.ID}, "c1", exp)
	if err != nil || d.RegionID != f.region.ID || d.UserID != mgr.ID {
		t.Fatalf("desktop of a regional manager = %+v, %v", d, err)
	}
	acc, err := f.db.RedeemEnrolment(ctx, "c1", "n1", "tok1")
	if err != nil || acc.UserID != mgr.ID {
		t.Fatalf("redeemed = %+v, %v", acc, err)
	}
	if a, err := f.db.DeviceByToken(ctx, "tok1"); err != nil || a.UserID != mgr.ID || a.RegionID != f.region.ID {
		t.Errorf("DeviceByToken = %+v, %v", a, err)
	}
	if d, err := f.db.NewEnrolment(ctx, store.Device{Name: "总部电脑", UserID: boss.ID}, "c2", exp); err != nil || d.RegionID != "" {
		t.Errorf("desktop of a manager over every region = %+v, %v", d, err)
	}
	devs, err := f.db.Devices(ctx)
	if err != nil || len(devs) != 2 || devs[1].UserID != boss.ID {
		t.Errorf("Devices = %+v, %v", devs, err)
	}
	for name, c := range map[string]struct {
		d    store.Device
		want error
	}{
		"supervisor":        {store.Device{Name: "x", UserID: f.sup.ID}, store.ErrInvalid},
		"disabled":          {store.Device{Name: "x", UserID: gone.ID}, store.ErrDisabled},
		"unknown user":      {store.Device{Name: "x", UserID: "nobody"}, store.ErrNotFound},
		"another region":    {store.Device{Name: "x", UserID: mgr.ID, RegionID: "elsewhere"}, store.ErrInvalid},
		"tablet, no region": {store.Device{Name: "x"}, store.ErrInvalid},
	} {
		if _, err := f.db.NewEnrolment(ctx, c.d, "c-"+name, exp); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestHallFiguresAndStaffSearch(t *testing.T) {
	f := newFixture(t)
	importV1As2(t, f.db)
	ins := f.sealedV2(t, t0, inspect.Person{StaffID: f.alice.ID})
	if err := f.db.DeactivateStaff(ctx, f.bob.ID, t0); err != nil {
		t.Fatal(err)
	}
	hs, err := f.db.HallFigures(ctx, f.region.ID, "")
	if err != nil || len(hs) != 2 || hs[0].ActiveStaff != 1 || !hs[0].LastInspection.Equal(ins.StartedAt) ||
		!hs[1].LastInspection.IsZero() || hs[0].RegionName != f.region.Name {
		t.Errorf("HallFigures = %+v, %v", hs, err)
	}
	if hs, err := f.db.HallFigures(ctx, f.region.ID, "h02"); err != nil || len(hs) != 1 || hs[0].ID != f.otherHall.ID {
		t.Errorf("HallFigures(h02) = %+v, %v", hs, err)
	}
	if hs, err := f.db.HallFigures(ctx, "elsewhere", ""); err != nil || len(hs) != 0 {
		t.Errorf("HallFigures of another region = %+v, %v", hs, err)
	}
	for q, want := range map[store.StaffSearch][]string{
		{}:                                   {"E001"},
		{IncludeInactive: true}:              {"E001", "E002"},
		{Text: "e00", IncludeInactive: true}: {"E001", "E002"},
		{Text: "王"}:                          {"E001"},
		{Text: "001", IncludeInactive: true}: {"E001", "E002"}, // E001's number, bob's badge 001
		{RegionID: "elsewhere"}:              nil,
		{HallID: f.otherHall.ID}:             nil,
	} {
		ss, err := f.db.SearchStaff(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range ss {
			got = append(got, s.EmployeeNo)
		}
		if !slices.Equal(got, want) {
			t.Errorf("SearchStaff(%+v) = %v, want %v", q, got, want)
		}
	}
}

// TestConflictsInScopedByRecord: a conflict about a record the hub holds
// belongs to the region of the record's hall, whichever device sent the
// other copy: a region's device sending a copy of another region's record
// must not show that record's ID and seal to its own manager. A conflict
// about a record the hub does not hold belongs to the device's region.
func TestConflictsInScopedByRecord(t *testing.T) {
	f := newFixture(t)
	other, err := f.db.AddRegion(ctx, "郊区")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.NewEnrolment(ctx, store.Device{Name: "郊区平板", RegionID: other.ID}, "c", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	dev, err := f.db.RedeemEnrolment(ctx, "c", "n", "tok")
	if err != nil {
		t.Fatal(err)
	}
	held := f.sealed(t, f.alice, t0, nc("A1"))
	am := &inspect.Amendment{InspectionID: held.ID, OriginalHash: held.SealHash, Reason: "复核", AuthorID: f.sup.ID,
		DeviceID: "dev-1", Changes: []inspect.Change{{PersonID: held.People[0].ID, ItemID: "A1"}}}
	if err := f.db.AddAmendment(ctx, am); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, f.path)
	for _, c := range []struct{ kind, id string }{{"inspection", held.ID}, {"amendment", am.ID}, {"inspection", "not-held"}} {
		if _, err := raw.Exec(`INSERT INTO sync_conflicts (kind, record_id, held_hash, received_hash, device_id, first_at, last_at)
			VALUES (?, ?, ?, ?, ?, 0, 0)`, c.kind, c.id, sha("held "+c.id), sha("received "+c.id), dev.ID); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(region string) []string {
		t.Helper()
		cs, err := f.db.ConflictsIn(ctx, region)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.RecordID)
		}
		slices.Sort(out)
		return out
	}
	if got, want := ids(other.ID), []string{"not-held"}; !slices.Equal(got, want) {
		t.Errorf("conflicts of the sending device's region = %v, want only %v", got, want)
	}
	want := []string{am.ID, held.ID}
	slices.Sort(want)
	if got := ids(f.region.ID); !slices.Equal(got, want) {
		t.Errorf("conflicts of the records' region = %v, want %v", got, want)
	}
	if got := ids(""); len(got) != 3 {
		t.Errorf("conflicts of every region = %v", got)
	}
}

// TestInspectionIndexSurvivesBadRecord: one record that cannot be loaded
// is indexed without a grade and logged; the others are graded, and the
// refresh (which every listing runs first) does not fail again and again.
func TestInspectionIndexSurvivesBadRecord(t *testing.T) {
	f := newFixture(t)
	importV1As2(t, f.db)
	good := f.sealedV2(t, t0, inspect.Person{StaffID: f.alice.ID, Findings: []inspect.Finding{nc("G8.2")}})
	bad := f.sealedV2(t, t0.Add(time.Hour), inspect.Person{StaffID: f.bob.ID})
	// The bad one's row is damaged behind the store's back: a flag that is
	// neither 0 nor 1, which no code of the store can read.
	raw := rawDB(t, f.path)
	for _, q := range []string{"DROP TRIGGER observed_people_sealed_update", "PRAGMA ignore_check_constraints = ON"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec("UPDATE observed_people SET off_roster = 7 WHERE inspection_id = ?", bad.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Inspection(ctx, bad.ID); err == nil {
		t.Fatal("the damaged record still loads: the test needs it broken")
	}
	n, err := f.db.RefreshInspectionIndex(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RefreshInspectionIndex = %d, %v; want both indexed, the damaged one without a grade", n, err)
	}
	if r := sealedRow(t, f.db, good.ID); !r.Graded || r.Grade != "fail" {
		t.Errorf("the good record = %+v", r)
	}
	if r := sealedRow(t, f.db, bad.ID); !r.Graded || r.Scored || r.Grade != "" {
		t.Errorf("the damaged record = %+v, want indexed without a grade", r)
	}
	if n, err := f.db.RefreshInspectionIndex(ctx); err != nil || n != 0 {
		t.Errorf("the next refresh = %d, %v", n, err)
	}
	if rows, total, err := f.db.SealedPage(ctx, store.SealedFilter{}); err != nil || total != 2 || len(rows) != 2 {
		t.Errorf("the list = %d rows of %d, %v", len(rows), total, err)
	}
}

// TestOffRosterLinkRecordedBy: a link keeps the manager it is made for and,
// when someone else entered it for them (the hub's operator), who did.
func TestOffRosterLinkRecordedBy(t *testing.T) {
	f := newFixture(t)
	mgr := store.User{ID: inspect.NewID(), Name: "经理", Username: "mgr", Role: store.RoleManager, RegionID: f.region.ID}
	addUsers(t, f.db, mgr)
	ins := f.sealedOffRoster(t)
	at := t0.Add(3 * time.Hour)
	if err := f.db.LinkOffRoster(ctx, store.OffRosterLink{InspectionID: ins.ID, PersonID: ins.People[0].ID, StaffID: f.alice.ID,
		LinkedBy: mgr.ID, LinkedAt: at, RecordedBy: "dudao-hub staff link, by 王工"}, ""); err != nil {
		t.Fatal(err)
	}
	l, err := f.db.OffRosterLinkOf(ctx, ins.People[0].ID)
	if err != nil || l.LinkedBy != mgr.ID || l.RecordedBy != "dudao-hub staff link, by 王工" || !l.LinkedAt.Equal(at) ||
		l.StaffID != f.alice.ID || l.InspectionID != ins.ID || l.PersonID != ins.People[0].ID {
		t.Errorf("OffRosterLinkOf = %+v, %v", l, err)
	}
	if _, err := f.db.OffRosterLinkOf(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OffRosterLinkOf(nobody): %v", err)
	}
}

// sealedOffRoster seals an inspection of one off-roster person.
func (f *fixture) sealedOffRoster(t *testing.T) *inspect.Inspection {
	t.Helper()
	importV1As2(t, f.db)
	return f.sealedV2(t, t0, inspect.Person{Name: "临时工", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderFemale})
}
