package admin_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/data"
)

var localCtx = context.Background()

var localQuiet = slog.New(slog.DiscardHandler)

// localT0 is a Monday morning in the halls' zone.
var localT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, inspect.HallZone)

func localMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// regions is a store with two regions, each with its halls, staff,
// supervisor, manager, tablet and sealed inspections, and a manager over
// every region: what the scoping rules are tested on.
type localRegions struct {
	db                     *store.DB
	regA, regB             store.Region
	hallA1, hallA2, hallB1 store.Hall
	// staffA1 is a cashier of A1, staffA2 a cashier of A2, staffB1 of B1.
	staffA1, staffA2, staffB1 store.Staff
	supA, supB                store.User
	mgrA, mgrB, mgrAll        store.User
	devA, devB                store.DeviceAccount
	// insA1 has staffA1 with a photo finding; insA2 staffA2 and an
	// off-roster person offA; insB1 staffB1 with a photo and an off-roster
	// person offB.
	insA1, insA2, insB1 *inspect.Inspection
	offA, offB          inspect.Person
	photoA, photoB      inspect.PhotoRef
}

func newLocalRegions(t *testing.T) *localRegions {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "hub.db"), store.WithLogger(localQuiet))
	localMust(t, err)
	t.Cleanup(func() { db.Close() })
	r := &localRegions{db: db}
	_, err = db.ImportStandard(localCtx, standard.V1(), data.StandardV1)
	localMust(t, err)
	r.regA, err = db.AddRegion(localCtx, "昆明")
	localMust(t, err)
	r.regB, err = db.AddRegion(localCtx, "大理")
	localMust(t, err)
	hall := func(region store.Region, code, name string) store.Hall {
		h, err := db.AddHall(localCtx, store.Hall{RegionID: region.ID, Code: code, Name: name})
		localMust(t, err)
		return h
	}
	r.hallA1 = hall(r.regA, "KM-001", "北京路营业厅")
	r.hallA2 = hall(r.regA, "KM-002", "滇池路营业厅")
	r.hallB1 = hall(r.regB, "DL-001", "古城营业厅")
	staff := func(no, name string, h store.Hall) store.Staff {
		s, err := db.UpsertStaff(localCtx, store.Staff{EmployeeNo: no, Name: name, Gender: standard.GenderFemale,
			Role: standard.RoleCashier, Badge: "B" + no, HallID: h.ID, ActiveFrom: localT0.AddDate(-1, 0, 0)})
		localMust(t, err)
		return s
	}
	r.staffA1 = staff("E101", "王丽", r.hallA1)
	r.staffA2 = staff("E102", "李娜", r.hallA2)
	r.staffB1 = staff("E201", "赵敏", r.hallB1)
	// Users go in as a hub sends them to a tablet: with a PIN hash already
	// made, which spares a deliberately slow hash per user.
	user := func(name, username string, role store.UserRole, region string) store.User {
		return store.User{ID: inspect.NewID(), Name: name, Username: username, Role: role, RegionID: region}
	}
	r.supA = user("张督导", "sup-a", store.RoleSupervisor, r.regA.ID)
	r.supB = user("周督导", "sup-b", store.RoleSupervisor, r.regB.ID)
	r.mgrA = user("昆明经理", "mgr-a", store.RoleManager, r.regA.ID)
	r.mgrB = user("大理经理", "mgr-b", store.RoleManager, r.regB.ID)
	r.mgrAll = user("总经理", "mgr-all", store.RoleManager, "")
	disabled := user("离职经理", "mgr-gone", store.RoleManager, r.regA.ID)
	disabled.Disabled = true
	var recs []store.UserRecord
	for _, u := range []store.User{r.supA, r.supB, r.mgrA, r.mgrB, r.mgrAll, disabled} {
		recs = append(recs, store.UserRecord{User: u, PinHash: "not-a-real-hash"})
	}
	localMust(t, db.ApplyMaster(localCtx, store.MasterBatch{Users: recs}, false, nil))

	enrol := func(name string, region store.Region) store.DeviceAccount {
		code := "code-" + name
		_, err := db.NewEnrolment(localCtx, store.Device{Name: name, RegionID: region.ID}, code, time.Now().Add(time.Hour))
		localMust(t, err)
		d, err := db.RedeemEnrolment(localCtx, code, "nonce-"+name, "token-"+name)
		localMust(t, err)
		return d
	}
	r.devA = enrol("昆明平板", r.regA)
	r.devB = enrol("大理平板", r.regB)

	r.photoA = r.putPhoto(t, "photo of region A")
	r.photoB = r.putPhoto(t, "photo of region B")
	withPhoto := func(item string, p inspect.PhotoRef) inspect.Finding {
		f := localNC(item)
		f.Photos = []inspect.PhotoRef{p}
		return f
	}
	r.insA1 = r.seal(t, r.hallA1, r.supA, localT0, []inspect.Person{
		localRostered(r.staffA1, withPhoto("A1.1", r.photoA))})
	r.offA = inspect.Person{Name: "临时工甲", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderMale}
	r.insA2 = r.seal(t, r.hallA2, r.supA, localT0.AddDate(0, 0, 7), []inspect.Person{
		localRostered(r.staffA2, localNC("G8.2")), r.offA})
	r.offA = r.insA2.People[1]
	r.offB = inspect.Person{Name: "临时工乙", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderFemale}
	r.insB1 = r.seal(t, r.hallB1, r.supB, localT0.AddDate(0, 0, 3), []inspect.Person{
		localRostered(r.staffB1, withPhoto("A2.1", r.photoB)), r.offB})
	r.offB = r.insB1.People[1]
	return r
}

func (r *localRegions) putPhoto(t *testing.T, content string) inspect.PhotoRef {
	t.Helper()
	ref, err := r.db.PutPhoto(localCtx, strings.NewReader(content), "image/jpeg")
	localMust(t, err)
	return ref
}

func localRostered(s store.Staff, findings ...inspect.Finding) inspect.Person {
	return inspect.Person{StaffID: s.ID, Findings: findings}
}

func localNC(item string) inspect.Finding {
	return inspect.Finding{ItemID: item, Outcome: inspect.Nonconform, Note: "未执行 " + item}
}

// seal records and seals an inspection on this database, as a tablet does.
func (r *localRegions) seal(t *testing.T, h store.Hall, sup store.User, at time.Time, people []inspect.Person) *inspect.Inspection {
	t.Helper()
	ins := &inspect.Inspection{HallID: h.ID, SupervisorID: sup.ID, DeviceID: "tablet", StandardVersion: 1,
		StartedAt: at, People: people}
	localMust(t, r.db.CreateInspection(localCtx, ins))
	_, err := r.db.Seal(localCtx, ins.ID, at.Add(time.Hour))
	localMust(t, err)
	got, err := r.db.Inspection(localCtx, ins.ID)
	localMust(t, err)
	return got
}

// received stores a sealed inspection as a hub receives it from a tablet,
// its photos to follow.
func (r *localRegions) received(t *testing.T, dev store.DeviceAccount, h store.Hall, sup store.User, at time.Time, people []inspect.Person) *inspect.Inspection {
	t.Helper()
	ins := &inspect.Inspection{ID: inspect.NewID(), HallID: h.ID, SupervisorID: sup.ID, DeviceID: dev.ID,
		StandardVersion: 1, StartedAt: at, EndedAt: at.Add(time.Hour), SealedAt: at.Add(time.Hour),
		Status: inspect.StatusSealed, People: people}
	for i := range ins.People {
		if ins.People[i].ID == "" {
			ins.People[i].ID = inspect.NewID()
		}
		for j := range ins.People[i].Findings {
			f := &ins.People[i].Findings[j]
			if f.ID == "" {
				f.ID = inspect.NewID()
			}
			if f.At.IsZero() {
				f.At = at.Add(time.Minute)
			}
		}
	}
	// The store keeps UTC milliseconds; seal what it will give back.
	ins.StartedAt, ins.EndedAt, ins.SealedAt = ins.StartedAt.UTC(), ins.EndedAt.UTC(), ins.SealedAt.UTC()
	for i := range ins.People {
		for j := range ins.People[i].Findings {
			ins.People[i].Findings[j].At = ins.People[i].Findings[j].At.UTC()
		}
	}
	var err error
	ins.SealHash, err = inspect.ComputeSeal(ins)
	localMust(t, err)
	out, err := r.db.Receive(localCtx, dev, []store.Incoming{{Inspection: ins}})
	localMust(t, err)
	if out[0].Status != store.Stored {
		t.Fatalf("receive: %+v", out[0])
	}
	return ins
}

func (r *localRegions) local(u store.User, opt admin.LocalOptions) *admin.Local {
	if opt.Logger == nil {
		opt.Logger = localQuiet
	}
	return admin.NewLocal(r.db, u, opt)
}

func localIDs(p admin.InspectionPage) []string {
	var ids []string
	for _, r := range p.Rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func localWantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, admin.ErrNotFound) {
		t.Errorf("%s: error %v, want ErrNotFound", what, err)
	}
}

// TestLocalRegionScoping: a manager of one region sees and changes nothing
// of another region, call by call; a manager over every region sees both.
func TestLocalRegionScoping(t *testing.T) {
	r := newLocalRegions(t)
	a := r.local(r.mgrA, admin.LocalOptions{Hub: &admin.HubInvite{URL: "https://hub.example:8443",
		Pins: []string{"sha256/" + strings.Repeat("A", 43) + "="}}})
	ctx := localCtx

	// Conflicts: each tablet sends a record the hub holds with another seal.
	for _, c := range []struct {
		dev store.DeviceAccount
		ins *inspect.Inspection
	}{{r.devA, r.insA1}, {r.devB, r.insB1}} {
		alt := *c.ins
		alt.DeviceID = "another tablet"
		var err error
		alt.SealHash, err = inspect.ComputeSeal(&alt)
		localMust(t, err)
		out, err := r.db.Receive(ctx, c.dev, []store.Incoming{{Inspection: &alt}})
		localMust(t, err)
		if out[0].Status != store.Conflicting {
			t.Fatalf("receive the altered copy: %+v", out[0])
		}
	}

	sc, err := a.Scope(ctx)
	if err != nil || sc.RegionID != r.regA.ID || sc.RegionName != "昆明" || sc.Username != "mgr-a" || sc.Remote {
		t.Errorf("Scope = %+v, %v", sc, err)
	}

	halls, err := a.Halls(ctx, "")
	localMust(t, err)
	if len(halls) != 2 || halls[0].ID != r.hallA1.ID || halls[1].ID != r.hallA2.ID {
		t.Errorf("Halls = %+v, want KM-001 and KM-002", halls)
	}
	if halls[0].ActiveStaff != 1 || !halls[1].LastInspection.Equal(r.insA2.StartedAt) || halls[0].RegionName != "昆明" {
		t.Errorf("hall figures = %+v", halls)
	}
	if hs, err := a.Halls(ctx, "古城"); err != nil || len(hs) != 0 {
		t.Errorf("Halls(古城) = %+v, %v: another region's hall by name", hs, err)
	}
	if hs, err := a.Halls(ctx, "km-002"); err != nil || len(hs) != 1 || hs[0].ID != r.hallA2.ID {
		t.Errorf("Halls(km-002) = %+v, %v", hs, err)
	}

	staff, err := a.Staff(ctx, admin.StaffQuery{})
	localMust(t, err)
	if len(staff) != 2 || staff[0].ID != r.staffA1.ID || staff[1].ID != r.staffA2.ID || staff[0].HallCode != "KM-001" {
		t.Errorf("Staff = %+v", staff)
	}
	if s, err := a.Staff(ctx, admin.StaffQuery{Text: "E2"}); err != nil || len(s) != 0 {
		t.Errorf("Staff(E2) = %+v, %v: another region's staff by number", s, err)
	}
	_, err = a.Staff(ctx, admin.StaffQuery{HallID: r.hallB1.ID})
	localWantNotFound(t, "Staff of hall B1", err)
	_, err = a.Person(ctx, r.staffB1.ID)
	localWantNotFound(t, "Person B1", err)
	if p, err := a.Person(ctx, r.staffA1.ID); err != nil || len(p.Inspections) != 1 || p.Inspections[0].InspectionID != r.insA1.ID {
		t.Errorf("Person A1 = %+v, %v", p, err)
	}

	page, err := a.Inspections(ctx, admin.InspectionQuery{})
	localMust(t, err)
	if got, want := localIDs(page), []string{r.insA2.ID, r.insA1.ID}; page.Total != 2 || !slices.Equal(got, want) {
		t.Errorf("Inspections = %v (total %d), want %v", got, page.Total, want)
	}
	for name, q := range map[string]admin.InspectionQuery{
		"hall B1":  {HallID: r.hallB1.ID},
		"staff B1": {StaffID: r.staffB1.ID},
	} {
		_, err := a.Inspections(ctx, q)
		localWantNotFound(t, "Inspections of "+name, err)
	}
	if p, err := a.Inspections(ctx, admin.InspectionQuery{SupervisorID: r.supB.ID}); err != nil || p.Total != 0 {
		t.Errorf("Inspections of supervisor B = %v, %v", localIDs(p), err)
	}
	fc, err := a.FilterChoices(ctx)
	localMust(t, err)
	if len(fc.Halls) != 2 || len(fc.Supervisors) != 1 || fc.Supervisors[0].ID != r.supA.ID || len(fc.Grades) != 4 || fc.Grades[0].ID != "excellent" {
		t.Errorf("FilterChoices = %+v", fc)
	}

	_, err = a.Inspection(ctx, r.insB1.ID)
	localWantNotFound(t, "Inspection B1", err)
	_, err = a.Verify(ctx, r.insB1.ID)
	localWantNotFound(t, "Verify B1", err)
	_, _, err = a.ExportInspection(ctx, r.insB1.ID, report.Options{})
	localWantNotFound(t, "ExportInspection B1", err)
	_, err = a.Photo(ctx, r.photoB.SHA256)
	localWantNotFound(t, "Photo of B1", err)
	if b, err := a.Photo(ctx, r.photoA.SHA256); err != nil || string(b) != "photo of region A" {
		t.Errorf("Photo of A1 = %q, %v", b, err)
	}
	_, err = a.Summary(ctx, admin.SummaryQuery{HallID: r.hallB1.ID, From: localT0, To: localT0.AddDate(0, 1, 0)})
	localWantNotFound(t, "Summary of B1", err)
	_, _, err = a.ExportSummary(ctx, admin.SummaryQuery{HallID: r.hallB1.ID, From: localT0, To: localT0.AddDate(0, 1, 0)}, report.Options{}, nil)
	localWantNotFound(t, "ExportSummary of B1", err)
	if f, err := a.Summary(ctx, admin.SummaryQuery{From: localT0, To: localT0.AddDate(0, 1, 0)}); err != nil || f.Inspections != 2 || f.Scope != "昆明" {
		t.Errorf("Summary of region A = %+v, %v", f, err)
	}

	devs, err := a.Devices(ctx)
	localMust(t, err)
	if len(devs) != 1 || devs[0].ID != r.devA.ID || devs[0].RegionName != "昆明" {
		t.Errorf("Devices = %+v", devs)
	}
	_, err = a.RevokeDevice(ctx, r.devB.ID, "")
	localWantNotFound(t, "RevokeDevice B", err)
	if d, err := r.db.DeviceByToken(ctx, "token-大理平板"); err != nil || d.Revoked() {
		t.Errorf("device B after a refused revoke: %+v, %v", d, err)
	}

	cs, err := a.Conflicts(ctx)
	localMust(t, err)
	if len(cs) != 1 || cs[0].RecordID != r.insA1.ID {
		t.Errorf("Conflicts = %+v, want the one of A1", cs)
	}
	off, err := a.OffRoster(ctx)
	localMust(t, err)
	if len(off) != 1 || off[0].PersonID != r.offA.ID {
		t.Errorf("OffRoster = %+v, want offA", off)
	}
	localWantNotFound(t, "LinkOffRoster of B1's person", a.LinkOffRoster(ctx, r.insB1.ID, r.offB.ID, r.staffA1.ID))
	localWantNotFound(t, "LinkOffRoster to B1's staff", a.LinkOffRoster(ctx, r.insA2.ID, r.offA.ID, r.staffB1.ID))

	plan, err := a.PlanRoster(ctx, admin.RosterFile{Name: "roster.csv", Data: []byte(
		"工号,姓名,性别,岗位,营业厅\nE101,王丽,女,收银员,KM-001\nE102,李娜,女,收银员,KM-002\nE301,钱多,男,收银员,DL-001\n")}, nil)
	localMust(t, err)
	if len(plan.Rejects) != 1 || plan.Rejects[0].Line != 4 || !strings.Contains(plan.Rejects[0].Reason, "hall not in your region") {
		t.Errorf("roster plan rejects = %+v, want line 4 refused: the hall is not in the region", plan.Rejects)
	}
	if len(plan.Add) != 0 || len(plan.Deactivate) != 0 {
		t.Errorf("roster plan = %+v: nothing to add or deactivate in region A", plan)
	}

	infos, err := a.Standards(ctx)
	localMust(t, err)
	if len(infos) != 1 || infos[0].Inspections != 2 {
		t.Errorf("Standards = %+v, want version 1 used by region A's 2 inspections", infos)
	}

	// The manager over every region sees both.
	all := r.local(r.mgrAll, admin.LocalOptions{})
	page, err = all.Inspections(ctx, admin.InspectionQuery{})
	if err != nil || page.Total != 3 {
		t.Errorf("all regions: Inspections total %d, %v", page.Total, err)
	}
	if d, err := all.Devices(ctx); err != nil || len(d) != 2 {
		t.Errorf("all regions: Devices = %+v, %v", d, err)
	}
	if cs, err := all.Conflicts(ctx); err != nil || len(cs) != 2 {
		t.Errorf("all regions: Conflicts = %+v, %v", cs, err)
	}
	if b, err := all.Photo(ctx, r.photoB.SHA256); err != nil || string(b) != "photo of region B" {
		t.Errorf("all regions: Photo B = %q, %v", b, err)
	}
	if f, err := all.Summary(ctx, admin.SummaryQuery{From: localT0, To: localT0.AddDate(0, 1, 0)}); err != nil || f.Inspections != 3 {
		t.Errorf("all regions: Summary = %+v, %v", f, err)
	}
	// And the manager of B the other way round.
	b := r.local(r.mgrB, admin.LocalOptions{})
	_, err = b.Inspection(ctx, r.insA1.ID)
	localWantNotFound(t, "B opens A1", err)
	if page, err := b.Inspections(ctx, admin.InspectionQuery{}); err != nil || page.Total != 1 || page.Rows[0].ID != r.insB1.ID {
		t.Errorf("B's Inspections = %v, %v", localIDs(page), err)
	}
}

func TestManagerByUsername(t *testing.T) {
	r := newLocalRegions(t)
	if u, err := admin.ManagerByUsername(localCtx, r.db, "mgr-a"); err != nil || u.ID != r.mgrA.ID {
		t.Errorf("ManagerByUsername(mgr-a) = %+v, %v", u, err)
	}
	for _, name := range []string{"sup-a", "mgr-gone", "nobody"} {
		if _, err := admin.ManagerByUsername(localCtx, r.db, name); !errors.Is(err, admin.ErrForbidden) {
			t.Errorf("ManagerByUsername(%s): %v, want ErrForbidden", name, err)
		}
	}
}

// TestLocalRoster: a dry run lists additions, updates, every bad row with
// its line and reason, and who would be deactivated; applying it with a
// stale digest changes nothing; with the right one it does what it said.
func TestLocalRoster(t *testing.T) {
	r := newLocalRegions(t)
	a := r.local(r.mgrA, admin.LocalOptions{})
	ctx := localCtx
	// E101 stays, E102 is missing (deactivated), E103 is new, one row has
	// no name, one an unknown hall.
	f := admin.RosterFile{Name: "名单.csv", Data: []byte("工号,姓名,性别,岗位,营业厅\n" +
		"E101,王丽丽,女,收银员,KM-001\n" +
		"E103,孙悦,女,收银员,KM-002\n" +
		"E104,,女,收银员,KM-002\n" +
		"E105,周七,男,收银员,KM-999\n")}
	var calls [][2]int
	plan, err := a.PlanRoster(ctx, f, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	localMust(t, err)
	if len(plan.Add) != 1 || plan.Add[0].EmployeeNo != "E103" || plan.Add[0].Line != 3 || plan.Add[0].HallName != r.hallA2.Name {
		t.Errorf("Add = %+v", plan.Add)
	}
	if len(plan.Update) != 1 || plan.Update[0].EmployeeNo != "E101" || len(plan.Update[0].Changes) != 1 ||
		!strings.Contains(plan.Update[0].Changes[0], "王丽丽") {
		t.Errorf("Update = %+v", plan.Update)
	}
	if len(plan.Deactivate) != 1 || plan.Deactivate[0].ID != r.staffA2.ID || plan.Deactivate[0].HallName != r.hallA2.Name {
		t.Errorf("Deactivate = %+v, want E102", plan.Deactivate)
	}
	if len(plan.Rejects) != 2 || plan.Rejects[0].Line != 4 || plan.Rejects[1].Line != 5 ||
		!strings.Contains(plan.Rejects[0].Reason, "name") || !strings.Contains(plan.Rejects[1].Reason, "unknown hall") {
		t.Errorf("Rejects = %+v", plan.Rejects)
	}
	if plan.Digest == "" || len(plan.Halls) != 2 {
		t.Errorf("plan = %+v", plan)
	}
	if len(calls) == 0 || calls[len(calls)-1][0] != calls[len(calls)-1][1] {
		t.Errorf("progress calls %v: want them to end at the total", calls)
	}
	again, err := a.PlanRoster(ctx, f, nil)
	if err != nil || again.Digest != plan.Digest {
		t.Errorf("planning again gives digest %s, %v; want the same %s", again.Digest, err, plan.Digest)
	}

	before, err := r.db.Staff(ctx, store.StaffFilter{IncludeInactive: true})
	localMust(t, err)
	// Someone changes the roster after the dry run: the plan is stale.
	_, err = r.db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E106", Name: "吴八", Gender: standard.GenderMale,
		Role: standard.RoleCashier, HallID: r.hallA1.ID})
	localMust(t, err)
	before = append(before, localStaffByNo(t, r.db, "E106"))
	if _, err := a.ApplyRoster(ctx, f, plan.Digest, nil); !errors.Is(err, admin.ErrStale) {
		t.Fatalf("ApplyRoster with a stale digest: %v, want ErrStale", err)
	}
	after, err := r.db.Staff(ctx, store.StaffFilter{IncludeInactive: true})
	localMust(t, err)
	if len(after) != len(before) {
		t.Fatalf("staff after a refused apply: %d, want %d", len(after), len(before))
	}
	for _, s := range after {
		if i := slices.IndexFunc(before, func(b store.Staff) bool { return b.ID == s.ID }); i < 0 || before[i].Name != s.Name || !s.Active() {
			t.Errorf("staff %s changed by a refused apply: %+v", s.EmployeeNo, s)
		}
	}
	if _, err := a.ApplyRoster(ctx, f, "", nil); !errors.Is(err, admin.ErrInvalid) {
		t.Errorf("ApplyRoster without a digest: %v, want ErrInvalid", err)
	}

	plan, err = a.PlanRoster(ctx, f, nil)
	localMust(t, err)
	if len(plan.Deactivate) != 2 {
		t.Errorf("new plan deactivates %+v, want E102 and E106", plan.Deactivate)
	}
	var last [2]int
	out, err := a.ApplyRoster(ctx, f, plan.Digest, func(done, total int) { last = [2]int{done, total} })
	localMust(t, err)
	if *out != (admin.RosterOutcome{Added: 1, Updated: 1, Deactivated: 2, Rejected: 2}) {
		t.Errorf("outcome = %+v", out)
	}
	if last[0] != last[1] || last[1] != len(f.Data)+4 {
		t.Errorf("last progress %v, want %d of %d", last, len(f.Data)+4, len(f.Data)+4)
	}
	if s := localStaffByNo(t, r.db, "E101"); s.Name != "王丽丽" {
		t.Errorf("E101 after the import: %+v", s)
	}
	if s := localStaffByNo(t, r.db, "E102"); s.Active() {
		t.Errorf("E102 still active: %+v", s)
	}
	if s := localStaffByNo(t, r.db, "E103"); s.HallID != r.hallA2.ID || !s.Active() {
		t.Errorf("E103 = %+v", s)
	}
	if s := localStaffByNo(t, r.db, "E201"); !s.Active() {
		t.Errorf("E201 of the other region touched: %+v", s)
	}

	// An unreadable file is refused whole.
	if _, err := a.PlanRoster(ctx, admin.RosterFile{Name: "名单.xls", Data: []byte("x")}, nil); !errors.Is(err, admin.ErrInvalid) {
		t.Errorf("PlanRoster of an .xls: %v, want ErrInvalid", err)
	}
}

func localStaffByNo(t *testing.T, db *store.DB, no string) store.Staff {
	t.Helper()
	s, err := db.StaffByEmployeeNo(localCtx, no)
	localMust(t, err)
	return s
}

// TestLocalRosterOtherRegionRows: a regional manager's roster naming a hall
// of another region, or a person of another region, has those rows
// rejected, and the other region's hall keeps its staff.
func TestLocalRosterOtherRegionRows(t *testing.T) {
	r := newLocalRegions(t)
	a := r.local(r.mgrA, admin.LocalOptions{})
	f := admin.RosterFile{Name: "roster.csv", Data: []byte("工号,姓名,性别,岗位,营业厅\n" +
		"E101,王丽,女,收银员,KM-001\n" +
		"E102,李娜,女,收银员,KM-002\n" +
		"E999,新人,女,收银员,古城营业厅\n" + // unchanged or new, the hall is another region's
		"E201,赵敏,女,收银员,KM-001\n")} // moving B's cashier into A
	plan, err := a.PlanRoster(localCtx, f, nil)
	localMust(t, err)
	if len(plan.Rejects) != 2 || plan.Rejects[0].Line != 4 || plan.Rejects[1].Line != 5 ||
		!strings.Contains(plan.Rejects[1].Reason, "employee number belongs to staff outside your region") {
		t.Errorf("Rejects = %+v", plan.Rejects)
	}
	if slices.Contains(plan.Halls, r.hallB1.Name) || len(plan.Deactivate) != 0 || len(plan.Update)+len(plan.Add) != 0 {
		t.Errorf("plan = %+v: it must not touch region B", plan)
	}
	out, err := a.ApplyRoster(localCtx, f, plan.Digest, nil)
	localMust(t, err)
	if out.Added+out.Updated+out.Deactivated != 0 || out.Rejected != 2 {
		t.Errorf("outcome = %+v", out)
	}
	if s := localStaffByNo(t, r.db, "E201"); s.HallID != r.hallB1.ID || !s.Active() {
		t.Errorf("E201 = %+v, want still in B1", s)
	}
	// The manager over every region may move her.
	all := r.local(r.mgrAll, admin.LocalOptions{})
	plan, err = all.PlanRoster(localCtx, f, nil)
	localMust(t, err)
	if len(plan.Rejects) != 0 || len(plan.Update) != 1 || plan.Update[0].EmployeeNo != "E201" {
		t.Errorf("all regions' plan = %+v", plan)
	}
}

const localBadStandard = `version: 2
title: {zh: 服务规范, en: Service standard}
source: test
clauses:
  - id: A1
    ref: "1"
    summary: {zh: 着装, en: Dress}
sections:
  - id: A
    ref: "1"
    title: {zh: 仪容, en: Appearance}
    items:
      - id: A1.1
        clause: A9
        text: {zh: 着装, en: Dress}
        scope: person
        roles: [cashier]
        weight: 0
        kind: check
grades:
  - id: pass
    name: {zh: 合格, en: Pass}
    min_score: 0
`

// TestLocalImportStandard: the loader's problems come back one by one with
// their lines; a version number reused for other content is refused; a new
// version is listed first.
func TestLocalImportStandard(t *testing.T) {
	r := newLocalRegions(t)
	a := r.local(r.mgrAll, admin.LocalOptions{})
	_, err := a.ImportStandard(localCtx, "v2.yaml", []byte(localBadStandard))
	var se *admin.StandardError
	if !errors.As(err, &se) || !errors.Is(err, admin.ErrInvalid) {
		t.Fatalf("ImportStandard of a bad file: %v, want a *StandardError wrapping ErrInvalid", err)
	}
	if se.File != "v2.yaml" || len(se.Problems) < 2 {
		t.Fatalf("StandardError = %+v, want the unknown clause and the zero weight", se)
	}
	var clause, weight bool
	for _, p := range se.Problems {
		clause = clause || strings.HasPrefix(p, "line 14:") && strings.Contains(p, "A9")
		weight = weight || strings.HasPrefix(p, "line 18:") && strings.Contains(p, "weight")
	}
	if !clause || !weight {
		t.Errorf("problems %q: want line 14's clause A9 and line 18's weight", se.Problems)
	}

	// Version 1 again with other content.
	other := strings.Replace(string(data.StandardV1), "min_score: 90", "min_score: 91", 1)
	if _, err := a.ImportStandard(localCtx, "v1-edited.yaml", []byte(other)); !errors.Is(err, admin.ErrInvalid) ||
		!strings.Contains(err.Error(), "version 1 is already imported") {
		t.Errorf("ImportStandard of an edited version 1: %v", err)
	}
	// The same file again changes nothing.
	if info, err := a.ImportStandard(localCtx, "v1.yaml", data.StandardV1); err != nil || info.Version != 1 {
		t.Errorf("ImportStandard of version 1 again = %+v, %v", info, err)
	}
	v2 := strings.Replace(other, "version: 1", "version: 2", 1)
	info, err := a.ImportStandard(localCtx, "v2.yaml", []byte(v2))
	if err != nil || info.Version != 2 || info.Inspections != 0 {
		t.Fatalf("ImportStandard of version 2 = %+v, %v", info, err)
	}
	list, err := a.Standards(localCtx)
	if err != nil || len(list) != 2 || list[0].Version != 2 || list[1].Inspections != 3 { // every region's
		t.Errorf("Standards = %+v, %v", list, err)
	}
	v, err := a.Standard(localCtx, 2)
	if err != nil || v.Grade(90.5).ID != "good" {
		t.Errorf("Standard(2): %v; the edited bands should make 90.5 good", err)
	}
}

// TestLocalImportStandardScope: a standard version is used by every
// region, so only a manager over every region imports one; a regional
// manager is refused before the file is read, and told who may. On a
// database of one region its manager is over every region there is.
func TestLocalImportStandardScope(t *testing.T) {
	r := newLocalRegions(t)
	v2 := strings.Replace(string(data.StandardV1), "version: 1", "version: 2", 1)
	for _, bad := range []string{v2, localBadStandard} {
		_, err := r.local(r.mgrA, admin.LocalOptions{}).ImportStandard(localCtx, "v2.yaml", []byte(bad))
		var se *admin.StandardError
		if !errors.Is(err, admin.ErrForbidden) || errors.As(err, &se) ||
			!strings.Contains(err.Error(), "shared by every region") || !strings.Contains(err.Error(), "dudao-hub standard import") {
			t.Errorf("a regional manager imports a standard: %v, want ErrForbidden saying who may", err)
		}
	}
	if list, err := r.db.Standards(localCtx); err != nil || len(list) != 1 {
		t.Errorf("standards after the refusals = %+v, %v", list, err)
	}
	for _, c := range []struct {
		mgr  store.User
		want bool
	}{{r.mgrA, false}, {r.mgrAll, true}} {
		if sc, err := r.local(c.mgr, admin.LocalOptions{}).Scope(localCtx); err != nil || sc.ImportsStandards != c.want {
			t.Errorf("Scope of %s = %+v, %v; want ImportsStandards %v", c.mgr.Username, sc, err, c.want)
		}
	}
	if info, err := r.local(r.mgrAll, admin.LocalOptions{}).ImportStandard(localCtx, "v2.yaml", []byte(v2)); err != nil || info.Version != 2 {
		t.Errorf("the manager over every region imports v2 = %+v, %v", info, err)
	}

	// One region: its manager (the demo's, a single office's) imports.
	db, err := store.Open(filepath.Join(t.TempDir(), "one.db"), store.WithLogger(localQuiet))
	localMust(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.ImportStandard(localCtx, standard.V1(), data.StandardV1)
	localMust(t, err)
	only, err := db.AddRegion(localCtx, "昆明")
	localMust(t, err)
	mgr := store.User{ID: inspect.NewID(), Name: "李经理", Username: "li", Role: store.RoleManager, RegionID: only.ID}
	onlyRegion := admin.NewLocal(db, mgr, admin.LocalOptions{Logger: localQuiet})
	if sc, err := onlyRegion.Scope(localCtx); err != nil || !sc.ImportsStandards {
		t.Errorf("Scope of the only region's manager = %+v, %v", sc, err)
	}
	if info, err := onlyRegion.ImportStandard(localCtx, "v2.yaml", []byte(v2)); err != nil || info.Version != 2 {
		t.Errorf("the manager of the only region imports v2 = %+v, %v", info, err)
	}
}

// TestLocalRosterRejectsNameNothingElsewhere: a regional manager's dry run
// says why a row is refused without naming what another region holds: not
// its staff's names or IDs, halls or region, nor another region's hall as
// the one a mistyped name may have meant.
func TestLocalRosterRejectsNameNothingElsewhere(t *testing.T) {
	r := newLocalRegions(t)
	ctx := localCtx
	// Employee numbers compare without case: e101 in B is E101 in a file.
	dup, err := r.db.UpsertStaff(ctx, store.Staff{EmployeeNo: "e101", Name: "钱七", Gender: standard.GenderMale,
		Role: standard.RoleCashier, HallID: r.hallB1.ID})
	localMust(t, err)
	f := admin.RosterFile{Name: "roster.csv", Data: []byte("工号,姓名,性别,岗位,营业厅\n" +
		"E201,某人,女,收银员,KM-001\n" + // B's 赵敏's number
		"E999,新人,女,收银员,DL-001\n" + // B's hall
		"E101,王丽,女,收银员,KM-001\n" + // A's 王丽, and B's 钱七 under e101
		"E102,李娜,女,收银员," + r.hallA1.Name + "\n" + // A's hall by name
		"E998,某某,女,收银员,古城 营业厅\n")} // B's hall's name, mistyped
	plan, err := r.local(r.mgrA, admin.LocalOptions{}).PlanRoster(ctx, f, nil)
	localMust(t, err)
	b, err := json.Marshal(plan)
	localMust(t, err)
	for _, secret := range []string{r.staffB1.ID, r.staffB1.Name, dup.ID, dup.Name, r.hallB1.ID, r.hallB1.Name,
		r.regB.ID, r.regB.Name} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the plan shows region B's %q: %s", secret, b)
		}
	}
	reasons := map[int]string{}
	for _, rj := range plan.Rejects {
		reasons[rj.Line] = rj.Reason
	}
	if !strings.Contains(reasons[2], "employee number belongs to staff outside your region") ||
		!strings.Contains(reasons[3], "hall not in your region") ||
		!strings.Contains(reasons[4], "employee number belongs to staff outside your region") ||
		!strings.Contains(reasons[6], "unknown hall") || len(reasons) != 4 {
		t.Errorf("rejects = %+v", plan.Rejects)
	}
	// The manager reads Chinese first; the English (and the field the row
	// names) follow, as the CLI and its scripts have always seen them.
	wantReasons := map[int]string{
		2: `该工号属于其他区域的员工，只有管理全部区域的经理才能跨区域调动员工 / employee_no "E201": employee number belongs to staff outside your region; only a manager over every region moves staff between regions`,
		3: `该营业厅不在您管理的区域内 / hall "DL-001": hall not in your region`,
	}
	for line, want := range wantReasons {
		if reasons[line] != want {
			t.Errorf("line %d: reason\n%s\nwant\n%s", line, reasons[line], want)
		}
	}
	for line, reason := range reasons {
		if zh, _ := roster.SplitReason(reason); zh == "" {
			t.Errorf("line %d: reason %q does not start with Chinese", line, reason)
		}
	}
	if len(plan.Update) != 1 || plan.Update[0].EmployeeNo != "E102" || plan.Update[0].HallName != r.hallA1.Name {
		t.Errorf("updates = %+v, want E102 moved to %s", plan.Update, r.hallA1.Name)
	}
}

// TestLocalFilters: each filter narrows the list to what it says, the
// grade follows an amendment, and completeness follows a photo arriving.
func TestLocalFilters(t *testing.T) {
	r := newLocalRegions(t)
	ctx := localCtx
	a := r.local(r.mgrA, admin.LocalOptions{})
	// Two more in region A: a received one whose photo has not arrived, and
	// one by another supervisor of no region.
	missing := []byte("photo still on the tablet")
	late := inspect.PhotoRef{SHA256: inspect.HashOf(missing), Size: int64(len(missing)), Type: "image/jpeg"}
	f := localNC("A3.1")
	f.Photos = []inspect.PhotoRef{late}
	insLate := r.received(t, r.devA, r.hallA1, r.supA, localT0.AddDate(0, 0, 14), []inspect.Person{localRostered(r.staffA1, f)})
	roaming := store.User{ID: inspect.NewID(), Name: "巡视员", Username: "roam", Role: store.RoleSupervisor}
	localMust(t, r.db.ApplyMaster(ctx, store.MasterBatch{Users: []store.UserRecord{{User: roaming, PinHash: "x"}}}, false, nil))
	insRoam := r.seal(t, r.hallA2, roaming, localT0.AddDate(0, 1, 0), []inspect.Person{localRostered(r.staffA2)})

	list := func(q admin.InspectionQuery) []string {
		t.Helper()
		p, err := a.Inspections(ctx, q)
		localMust(t, err)
		if q.Limit == 0 && q.Offset == 0 && p.Total != len(p.Rows) {
			t.Errorf("%+v: total %d, %d rows", q, p.Total, len(p.Rows))
		}
		return localIDs(p)
	}
	check := func(name string, q admin.InspectionQuery, want ...*inspect.Inspection) {
		t.Helper()
		var ids []string
		for _, w := range want {
			ids = append(ids, w.ID)
		}
		if got := list(q); !slices.Equal(got, ids) {
			t.Errorf("%s: %v, want %v", name, got, ids)
		}
	}
	check("all", admin.InspectionQuery{}, insRoam, insLate, r.insA2, r.insA1)
	check("hall A1", admin.InspectionQuery{HallID: r.hallA1.ID}, insLate, r.insA1)
	check("staff A2", admin.InspectionQuery{StaffID: r.staffA2.ID}, insRoam, r.insA2)
	check("supervisor A", admin.InspectionQuery{SupervisorID: r.supA.ID}, insLate, r.insA2, r.insA1)
	check("roaming supervisor", admin.InspectionQuery{SupervisorID: roaming.ID}, insRoam)
	// Days in the halls' zone, both ends included.
	check("one day", admin.InspectionQuery{From: localT0.AddDate(0, 0, 7), To: localT0.AddDate(0, 0, 7)}, r.insA2)
	check("two weeks", admin.InspectionQuery{From: localT0, To: localT0.AddDate(0, 0, 13)}, r.insA2, r.insA1)
	check("from", admin.InspectionQuery{From: localT0.AddDate(0, 0, 8)}, insRoam, insLate)
	check("fail", admin.InspectionQuery{Grade: "fail"}, r.insA2)
	check("excellent", admin.InspectionQuery{Grade: "excellent"}, insRoam, insLate, r.insA1)
	check("incomplete", admin.InspectionQuery{Completeness: admin.Incomplete}, insLate)
	check("complete", admin.InspectionQuery{Completeness: admin.Complete}, insRoam, r.insA2, r.insA1)
	check("hall A1 and incomplete", admin.InspectionQuery{HallID: r.hallA1.ID, Completeness: admin.Incomplete}, insLate)
	check("page", admin.InspectionQuery{Offset: 1, Limit: 2}, insLate, r.insA2)
	if p, err := a.Inspections(ctx, admin.InspectionQuery{Limit: 1}); err != nil || p.Total != 4 || len(p.Rows) != 1 {
		t.Errorf("one row of four: %d rows, total %d, %v", len(p.Rows), p.Total, err)
	}
	if _, err := a.Inspections(ctx, admin.InspectionQuery{From: localT0.AddDate(0, 0, 1), To: localT0}); !errors.Is(err, admin.ErrInvalid) {
		t.Errorf("a period ending before it starts: %v", err)
	}
	if _, err := a.Inspections(ctx, admin.InspectionQuery{Completeness: "some"}); !errors.Is(err, admin.ErrInvalid) {
		t.Errorf("unknown completeness: %v", err)
	}

	p, err := a.Inspections(ctx, admin.InspectionQuery{HallID: r.hallA2.ID, Grade: "fail"})
	localMust(t, err)
	row := p.Rows[0]
	if row.Scored != true || row.Grade != "fail" || row.People != 2 || row.Findings != 1 || row.HallName != r.hallA2.Name ||
		row.SupervisorName != "张督导" || row.Amendments != 0 || !row.Complete() {
		t.Errorf("row of A2 = %+v", row)
	}

	// An amendment withdraws the critical finding: A2 is excellent now.
	am := &inspect.Amendment{InspectionID: r.insA2.ID, OriginalHash: r.insA2.SealHash, Reason: "复核：未发生争执",
		AuthorID: r.supA.ID, DeviceID: "tablet",
		Changes: []inspect.Change{{PersonID: r.insA2.People[0].ID, ItemID: "G8.2"}}}
	localMust(t, r.db.AddAmendment(ctx, am))
	check("fail after the amendment", admin.InspectionQuery{Grade: "fail"})
	check("excellent after the amendment", admin.InspectionQuery{Grade: "excellent"}, insRoam, insLate, r.insA2, r.insA1)
	p, err = a.Inspections(ctx, admin.InspectionQuery{HallID: r.hallA2.ID, Grade: "excellent", SupervisorID: r.supA.ID})
	localMust(t, err)
	if len(p.Rows) != 1 || p.Rows[0].Amendments != 1 || p.Rows[0].Findings != 0 || p.Rows[0].Score != 100 {
		t.Errorf("A2 after the amendment = %+v", p.Rows)
	}
	person, err := a.Person(ctx, r.staffA2.ID)
	localMust(t, err)
	if len(person.Inspections) != 2 || person.Inspections[1].Grade != "excellent" || !person.Inspections[1].Amended ||
		person.Inspections[1].Offences != 0 {
		t.Errorf("A2's person history = %+v", person.Inspections)
	}

	// The photo arrives.
	if d, err := a.Inspection(ctx, insLate.ID); err != nil || d.PhotosExpected != 1 || d.PhotosPresent != 0 {
		t.Errorf("late inspection before its photo: %+v, %v", d, err)
	}
	_, err = a.Photo(ctx, late.SHA256)
	localWantNotFound(t, "a photo not held yet", err)
	_, err = r.db.PutPhoto(ctx, bytes.NewReader(missing), "image/jpeg")
	localMust(t, err)
	check("incomplete after the photo", admin.InspectionQuery{Completeness: admin.Incomplete})
	check("complete after the photo", admin.InspectionQuery{Completeness: admin.Complete}, insRoam, insLate, r.insA2, r.insA1)
	if d, err := a.Inspection(ctx, insLate.ID); err != nil || d.PhotosPresent != 1 || d.DeviceName != r.devA.Name || d.ReceivedAt.IsZero() {
		t.Errorf("late inspection after its photo: %+v, %v", d, err)
	}
	if b, err := a.Photo(ctx, late.SHA256); err != nil || !bytes.Equal(b, missing) {
		t.Errorf("Photo after it arrived: %q, %v", b, err)
	}
}

// TestLocalLinkOffRoster: a link is recorded beside the sealed record, once,
// by whom; the person leaves the attention list and joins the staff
// member's history.
func TestLocalLinkOffRoster(t *testing.T) {
	r := newLocalRegions(t)
	ctx := localCtx
	a := r.local(r.mgrA, admin.LocalOptions{})
	for name, c := range map[string]struct {
		ins, person, staff string
		want               error
	}{
		"unknown inspection": {inspect.NewID(), r.offA.ID, r.staffA2.ID, admin.ErrNotFound},
		"unknown person":     {r.insA2.ID, inspect.NewID(), r.staffA2.ID, admin.ErrNotFound},
		"unknown staff":      {r.insA2.ID, r.offA.ID, inspect.NewID(), admin.ErrNotFound},
		"on the roster":      {r.insA2.ID, r.insA2.People[0].ID, r.staffA1.ID, admin.ErrInvalid},
		"other region staff": {r.insA2.ID, r.offA.ID, r.staffB1.ID, admin.ErrNotFound},
		"observed already":   {r.insA2.ID, r.offA.ID, r.staffA2.ID, admin.ErrInvalid},
	} {
		if err := a.LinkOffRoster(ctx, c.ins, c.person, c.staff); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	all := r.local(r.mgrAll, admin.LocalOptions{})
	if err := all.LinkOffRoster(ctx, r.insA2.ID, r.offA.ID, r.staffB1.ID); !errors.Is(err, admin.ErrInvalid) {
		t.Errorf("linking A's observation to B's staff over every region: %v, want ErrInvalid", err)
	}

	localMust(t, a.LinkOffRoster(ctx, r.insA2.ID, r.offA.ID, r.staffA1.ID))
	if err := a.LinkOffRoster(ctx, r.insA2.ID, r.offA.ID, r.staffA2.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second link: %v, want ErrConflict", err)
	}
	if off, err := a.OffRoster(ctx); err != nil || len(off) != 0 {
		t.Errorf("OffRoster after the link = %+v, %v", off, err)
	}
	p, err := a.Person(ctx, r.staffA1.ID)
	localMust(t, err)
	if p.Linked != 1 || len(p.Inspections) != 2 || p.Inspections[0].InspectionID != r.insA2.ID {
		t.Errorf("person after the link: linked %d, %+v", p.Linked, p.Inspections)
	}
	page, err := a.Inspections(ctx, admin.InspectionQuery{StaffID: r.staffA1.ID})
	if err != nil || !slices.Equal(localIDs(page), []string{r.insA2.ID, r.insA1.ID}) {
		t.Errorf("Inspections of staff A1 after the link = %v, %v", localIDs(page), err)
	}
	// The sealed record is untouched.
	if v, err := a.Verify(ctx, r.insA2.ID); err != nil || !v.OK() {
		t.Errorf("Verify after the link = %+v, %v", v, err)
	}
	got, err := r.db.Inspection(ctx, r.insA2.ID)
	if err != nil || got.People[1].StaffID != "" || !got.People[1].OffRoster {
		t.Errorf("the sealed person after the link = %+v, %v", got.People[1], err)
	}
	// Made at the manager's own desk: the manager, nobody else.
	if l, err := r.db.OffRosterLinkOf(ctx, r.offA.ID); err != nil || l.LinkedBy != r.mgrA.ID || l.RecordedBy != "" || l.StaffID != r.staffA1.ID {
		t.Errorf("the desk's link = %+v, %v", l, err)
	}
	// Entered for a manager by someone else (dudao-hub's operator): the
	// link says so.
	newcomer, err := r.db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E202", Name: "新同事", Gender: standard.GenderFemale,
		Role: standard.RoleCashier, HallID: r.hallB1.ID})
	localMust(t, err)
	hub := r.local(r.mgrB, admin.LocalOptions{RecordedBy: "dudao-hub staff link, by 王工 (OS user ops)"})
	localMust(t, hub.LinkOffRoster(ctx, r.insB1.ID, r.offB.ID, newcomer.ID))
	if l, err := r.db.OffRosterLinkOf(ctx, r.offB.ID); err != nil || l.LinkedBy != r.mgrB.ID ||
		l.RecordedBy != "dudao-hub staff link, by 王工 (OS user ops)" || l.StaffID != newcomer.ID || l.InspectionID != r.insB1.ID {
		t.Errorf("the operator's link = %+v, %v", l, err)
	}
}

// TestLocalDevices: enrolling needs the hub; the invite carries its address,
// pins and code; revoking refuses the token from then on.
func TestLocalDevices(t *testing.T) {
	r := newLocalRegions(t)
	ctx := localCtx
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	noHub := r.local(r.mgrA, admin.LocalOptions{Now: clock})
	if _, err := noHub.EnrolDevice(ctx, "新平板"); !errors.Is(err, admin.ErrInvalid) || !strings.Contains(err.Error(), "needs the hub") {
		t.Errorf("EnrolDevice without a hub: %v", err)
	}
	pin := "sha256/" + strings.Repeat("A", 43) + "="
	a := r.local(r.mgrA, admin.LocalOptions{Now: clock, Hub: &admin.HubInvite{URL: "https://hub.example:8443", Pins: []string{pin},
		EnrolTTL: time.Hour}})
	e, err := a.EnrolDevice(ctx, "新平板")
	localMust(t, err)
	inv, err := dsync.ParseInvite(e.Invite)
	if err != nil || inv.URL != "https://hub.example:8443" || !slices.Equal(inv.Pins, []string{pin}) || inv.Code != e.Code {
		t.Errorf("invite %q = %+v, %v", e.Invite, inv, err)
	}
	if !e.Expires.Equal(now.Add(time.Hour)) || e.Device.RegionID != r.regA.ID || e.Device.Enrolled || e.Device.Name != "新平板" {
		t.Errorf("enrolment = %+v", e)
	}

	localMust(t, r.db.NoteDeviceSync(ctx, r.devA.ID, now, 3))
	devs, err := a.Devices(ctx)
	localMust(t, err)
	if len(devs) != 2 || devs[0].ID != r.devA.ID || devs[0].Pending != 3 || !devs[0].LastSync.Equal(now) || devs[1].Pending != -1 {
		t.Errorf("Devices = %+v", devs)
	}

	row, err := a.RevokeDevice(ctx, r.devA.ID, "丢失")
	if err != nil || !row.Revoked() || row.RevokeReason != "丢失" {
		t.Errorf("RevokeDevice = %+v, %v", row, err)
	}
	if d, err := r.db.DeviceByToken(ctx, "token-昆明平板"); err != nil || !d.Revoked() {
		t.Errorf("device after revoke: %+v, %v", d, err)
	}
	_, err = a.RevokeDevice(ctx, inspect.NewID(), "")
	localWantNotFound(t, "revoke an unknown device", err)
}

// desktop enrols and redeems a manager's desktop on the database.
func (r *localRegions) desktop(t *testing.T, name string, mgr store.User) store.DeviceAccount {
	t.Helper()
	code := "code-" + name
	_, err := r.db.NewEnrolment(localCtx, store.Device{Name: name, RegionID: mgr.RegionID, UserID: mgr.ID}, code, time.Now().Add(time.Hour))
	localMust(t, err)
	d, err := r.db.RedeemEnrolment(localCtx, code, "nonce-"+name, "token-"+name)
	localMust(t, err)
	return d
}

// TestLocalRevokeDesktops: a regional manager revokes tablets only; a
// manager's desktop is revoked with dudao-hub device revoke, or by a manager
// over every region, never their own through the desk.
func TestLocalRevokeDesktops(t *testing.T) {
	r := newLocalRegions(t)
	ctx := localCtx
	peer := store.User{ID: inspect.NewID(), Name: "昆明副经理", Username: "mgr-a2", Role: store.RoleManager, RegionID: r.regA.ID}
	localMust(t, r.db.ApplyMaster(ctx, store.MasterBatch{Users: []store.UserRecord{{User: peer, PinHash: "x"}}}, false, nil))
	mine, peers, boss := r.desktop(t, "昆明经理的电脑", r.mgrA), r.desktop(t, "副经理的电脑", peer), r.desktop(t, "总经理的电脑", r.mgrAll)
	a := r.local(r.mgrA, admin.LocalOptions{})
	for name, d := range map[string]store.DeviceAccount{"own desktop": mine, "a peer's desktop": peers} {
		_, err := a.RevokeDevice(ctx, d.ID, "")
		if !errors.Is(err, admin.ErrForbidden) || !strings.Contains(err.Error(), "dudao-hub device revoke") {
			t.Errorf("regional manager revokes %s: %v, want ErrForbidden naming the command", name, err)
		}
		if got, err := r.db.DeviceByToken(ctx, "token-"+d.Name); err != nil || got.Revoked() {
			t.Errorf("%s after a refused revoke: %+v, %v", name, got, err)
		}
	}
	if row, err := a.RevokeDevice(ctx, r.devA.ID, "丢失"); err != nil || !row.Revoked() {
		t.Errorf("regional manager revokes a tablet: %+v, %v", row, err)
	}

	all := r.local(r.mgrAll, admin.LocalOptions{})
	if _, err := all.RevokeDevice(ctx, boss.ID, ""); !errors.Is(err, admin.ErrForbidden) {
		t.Errorf("the manager over every region revokes their own desktop: %v, want ErrForbidden", err)
	}
	if row, err := all.RevokeDevice(ctx, peers.ID, "离职"); err != nil || !row.Revoked() {
		t.Errorf("the manager over every region revokes a regional manager's desktop: %+v, %v", row, err)
	}
	// The hub's operator (no account) may revoke any desktop.
	op := r.local(store.User{Username: "dudao-hub", Role: store.RoleManager}, admin.LocalOptions{})
	if row, err := op.RevokeDevice(ctx, boss.ID, "stolen"); err != nil || !row.Revoked() {
		t.Errorf("the operator revokes a desktop: %+v, %v", row, err)
	}
}

// TestLocalEnrolAnswersWhatCommitted: once the enrolment is recorded, its
// code is live, so a failure to read the device list afterwards must not
// report the enrolment as failed.
func TestLocalEnrolAnswersWhatCommitted(t *testing.T) {
	r := newLocalRegions(t)
	a := r.local(r.mgrA, admin.LocalOptions{Hub: &admin.HubInvite{URL: "https://hub.example:8443"}})
	// The device list can no longer be read (what it counts from is gone).
	raw, err := sql.Open("sqlite3", r.db.Path())
	localMust(t, err)
	defer raw.Close()
	_, err = raw.Exec("DROP TABLE sync_received")
	localMust(t, err)
	if _, err := a.Devices(localCtx); err == nil {
		t.Fatal("the device list still reads: the test needs it broken")
	}
	e, err := a.EnrolDevice(localCtx, "新平板")
	if err != nil || e.Code == "" || e.Invite == "" || e.Device.Name != "新平板" || e.Device.RegionID != r.regA.ID ||
		e.Device.RegionName != "昆明" || e.Device.Pending != -1 || e.Device.ID == "" {
		t.Errorf("EnrolDevice with the device list broken = %+v, %v; want the recorded enrolment", e, err)
	}
}

// TestLocalDemo runs the manager's calls on the demo database, as the demo's
// manager on a desktop without a hub.
func TestLocalDemo(t *testing.T) {
	db := localDemoDB(t)
	ctx := localCtx
	mgr, err := admin.ManagerByUsername(ctx, db, "manager")
	localMust(t, err)
	l := admin.NewLocal(db, mgr, admin.LocalOptions{Logger: localQuiet})

	halls, err := l.Halls(ctx, "")
	localMust(t, err)
	if len(halls) != 3 || halls[0].Code != "YFT-KM-001" || halls[0].ActiveStaff == 0 || halls[0].LastInspection.IsZero() {
		t.Errorf("Halls = %+v", halls)
	}
	sealed, err := db.CountInspections(ctx, store.InspectionFilter{Status: inspect.StatusSealed})
	localMust(t, err)
	page, err := l.Inspections(ctx, admin.InspectionQuery{})
	localMust(t, err)
	if sealed < 50 || page.Total != sealed || len(page.Rows) != sealed {
		t.Fatalf("Inspections: %d rows, total %d; the demo has %d sealed", len(page.Rows), page.Total, sealed)
	}
	for i := 1; i < len(page.Rows); i++ {
		if page.Rows[i].StartedAt.After(page.Rows[i-1].StartedAt) {
			t.Fatalf("rows %d and %d are not newest first", i-1, i)
		}
	}
	// Every row's figures are the record's, as the reports score it.
	byGrade := map[string]int{}
	for _, row := range page.Rows {
		d, err := l.Inspection(ctx, row.ID)
		localMust(t, err)
		s := d.Result.Inspection
		if row.Scored != s.Scored || row.Grade != s.Grade.ID || inspect.Round1(row.Score) != inspect.Round1(s.Points) ||
			row.Amendments != len(d.Amendments) || row.People != len(d.Inspection.People) ||
			row.PhotosExpected != d.PhotosExpected || row.PhotosPresent != d.PhotosPresent {
			t.Errorf("row %+v disagrees with the record: score %+v, %d amendments, %d/%d photos",
				row, s, len(d.Amendments), d.PhotosPresent, d.PhotosExpected)
		}
		byGrade[row.Grade]++
	}
	for g, n := range byGrade {
		p, err := l.Inspections(ctx, admin.InspectionQuery{Grade: g, Limit: 1})
		if err != nil || p.Total != n {
			t.Errorf("grade %s: total %d, %v; %d rows have it", g, p.Total, err, n)
		}
	}
	if len(byGrade) < 2 {
		t.Errorf("grades %v: the demo should have more than one", byGrade)
	}

	first := page.Rows[len(page.Rows)-1]
	v, err := l.Verify(ctx, first.ID)
	if err != nil || !v.OK() {
		t.Errorf("Verify(%s) = %+v, %v", first.ID, v, err)
	}
	pdf, name, err := l.ExportInspection(ctx, first.ID, report.Options{})
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || !strings.HasPrefix(name, "督导报告-") || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("ExportInspection = %d bytes %q, %v", len(pdf), name, err)
	}

	from, to := first.StartedAt, page.Rows[0].StartedAt
	sum, err := l.Summary(ctx, admin.SummaryQuery{From: from, To: to})
	localMust(t, err)
	if sum.Inspections != sealed || sum.Scope != "昆明" || !sum.Region {
		t.Errorf("Summary = %d inspections of %q", sum.Inspections, sum.Scope)
	}
	var steps [][2]int
	pdf, name, err = l.ExportSummary(ctx, admin.SummaryQuery{HallID: halls[0].ID, From: from, To: to}, report.Options{},
		func(done, total int) { steps = append(steps, [2]int{done, total}) })
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || !strings.Contains(name, halls[0].Name) {
		t.Errorf("ExportSummary = %d bytes %q, %v", len(pdf), name, err)
	}
	if len(steps) < 3 || steps[len(steps)-1][0] != steps[len(steps)-1][1] {
		t.Errorf("ExportSummary progress %v: want several steps ending at the total", steps)
	}
	for i := 1; i < len(steps); i++ {
		if steps[i][0] < steps[i-1][0] {
			t.Errorf("ExportSummary progress goes back: %v", steps)
			break
		}
	}

	staff, err := l.Staff(ctx, admin.StaffQuery{IncludeInactive: true})
	localMust(t, err)
	if len(staff) != 27 || staff[len(staff)-1].Active() {
		t.Errorf("Staff: %d, the one who left last; got %+v", len(staff), staff[len(staff)-1])
	}
	p, err := l.Person(ctx, staff[0].ID)
	localMust(t, err)
	want, err := l.Inspections(ctx, admin.InspectionQuery{StaffID: staff[0].ID})
	localMust(t, err)
	if len(p.Inspections) == 0 || len(p.Inspections) != want.Total {
		t.Errorf("Person %s: %d inspections, the list filters %d", staff[0].Name, len(p.Inspections), want.Total)
	}
	for i, pi := range p.Inspections {
		d, err := l.Inspection(ctx, pi.InspectionID)
		localMust(t, err)
		for _, per := range d.Effective.People {
			if per.StaffID != staff[0].ID {
				continue
			}
			s := d.Result.People[per.ID]
			if pi.Scored != s.Scored || pi.Grade != s.Grade.ID || inspect.Round1(pi.Score) != inspect.Round1(s.Points) {
				t.Errorf("history %d: %+v, the record scores %+v", i, pi, s)
			}
		}
	}
	if _, err := l.EnrolDevice(ctx, "平板"); !errors.Is(err, admin.ErrInvalid) {
		t.Errorf("EnrolDevice on the demo: %v, want ErrInvalid (no hub)", err)
	}
}

func localDemoDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.WithLogger(localQuiet))
	localMust(t, err)
	t.Cleanup(func() { db.Close() })
	end := time.Date(2026, 5, 20, 0, 0, 0, 0, inspect.HallZone)
	if _, err := demo.Generate(localCtx, db, demo.Options{End: end, Now: func() time.Time { return end }}); err != nil {
		t.Fatal(fmt.Errorf("generate the demo: %w", err))
	}
	return db
}
