package records_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

var cst = inspect.HallZone

// day0 is 10:00 in the halls on the day of the inspection the tests report.
var day0 = time.Date(2026, 6, 15, 10, 0, 0, 0, cst)

// world is a store with two regions, three halls, one rostered cashier, a
// supervisor, a manager and a device.
type world struct {
	ctx             context.Context
	db              *store.DB
	v               *standard.Version
	kunming, dali   store.Region
	h1, h2, h3      store.Hall
	staff           store.Staff
	sup, mgr        store.User
	dev             store.Device
	itemX, itemY    string // two non-tally items that apply to the cashier
	target, draftID string // the inspection reported, and a draft
	targetPersonID  string
	boundary        string // hall 2, at 23:30 on the day before day0
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{ctx: ctx, db: db, v: standard.V1()}
	if _, err := db.ImportStandard(ctx, w.v, data.StandardV1); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w.kunming, err = db.AddRegion(ctx, "昆明")
	must(err)
	w.dali, err = db.AddRegion(ctx, "大理")
	must(err)
	w.h1, err = db.AddHall(ctx, store.Hall{RegionID: w.kunming.ID, Code: "KM-1", Name: "北京路营业厅"})
	must(err)
	w.h2, err = db.AddHall(ctx, store.Hall{RegionID: w.kunming.ID, Code: "KM-2", Name: "滇池路营业厅"})
	must(err)
	w.h3, err = db.AddHall(ctx, store.Hall{RegionID: w.dali.ID, Code: "DL-1", Name: "古城营业厅"})
	must(err)
	w.staff, err = db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E1", Name: "王小明", Badge: "B-07",
		Role: standard.RoleCashier, Gender: standard.GenderFemale, HallID: w.h1.ID, ActiveFrom: day0.AddDate(-1, 0, 0)})
	must(err)
	w.sup, err = db.AddUser(ctx, store.User{Name: "张督导", Username: "sup", Role: store.RoleSupervisor}, "13572468")
	must(err)
	w.mgr, err = db.AddUser(ctx, store.User{Name: "李经理", Username: "mgr", Role: store.RoleManager}, "24681357")
	must(err)
	w.dev, err = db.AddDevice(ctx, store.Device{Name: "平板一号"})
	must(err)
	for _, it := range w.v.PersonItems(standard.RoleCashier, standard.GenderFemale) {
		if it.Kind == standard.KindTally {
			continue
		}
		if w.itemX == "" {
			w.itemX = it.ID
		} else if w.itemY == "" {
			w.itemY = it.ID
		}
	}

	// The cashier's offences on item X around day0, each in its own sealed
	// inspection of hall 1: one before the 90-day window, two inside it, one
	// inside it that an amendment withdrew, and one after day0.
	for _, days := range []int{-100, -60, -10, +5} {
		w.seal(t, w.h1, day0.AddDate(0, 0, days), w.itemX)
	}
	withdrawn, _ := w.seal(t, w.h1, day0.AddDate(0, 0, -30), w.itemX)
	w.amend(t, withdrawn, w.itemX)
	// An earlier offence on item Y, then the reported inspection with
	// offences on X and Y, Y withdrawn by an amendment.
	w.seal(t, w.h1, day0.AddDate(0, 0, -20), w.itemY)
	w.target, w.targetPersonID = w.seal(t, w.h1, day0, w.itemX, w.itemY)
	w.amend(t, w.target, w.itemY)
	// Hall 2, late in the evening before day0 (15:30 UTC, the day before in
	// UTC too), with the cashier lent out.
	w.boundary, _ = w.seal(t, w.h2, time.Date(2026, 6, 14, 23, 30, 0, 0, cst), w.itemX)

	d := inspect.NewDraft(w.h1.ID, w.sup.ID, w.dev.ID, 1)
	must(db.CreateInspection(ctx, d))
	w.draftID = d.ID
	return w
}

// seal records one sealed inspection of the cashier at the time given with a
// nonconformity on each item, and returns its ID and the person's ID.
func (w *world) seal(t *testing.T, h store.Hall, at time.Time, items ...string) (string, string) {
	t.Helper()
	ins := inspect.NewDraft(h.ID, w.sup.ID, w.dev.ID, 1)
	ins.StartedAt = at
	if err := w.db.CreateInspection(w.ctx, ins); err != nil {
		t.Fatal(err)
	}
	p := &inspect.Person{StaffID: w.staff.ID}
	if err := w.db.AddPerson(w.ctx, ins.ID, p); err != nil {
		t.Fatal(err)
	}
	for i, item := range items {
		f := &inspect.Finding{ItemID: item, Outcome: inspect.Nonconform, Note: "王小明未按要求执行", At: at.Add(time.Duration(i+1) * time.Minute)}
		if err := w.db.SaveFinding(w.ctx, ins.ID, p.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.db.Seal(w.ctx, ins.ID, at.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return ins.ID, p.ID
}

// amend withdraws the cashier's finding on item in inspection id.
func (w *world) amend(t *testing.T, id, item string) {
	t.Helper()
	ins, err := w.db.Inspection(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a := &inspect.Amendment{ID: inspect.NewID(), InspectionID: id, OriginalHash: ins.SealHash, Reason: "复核后撤销",
		AuthorID: w.mgr.ID, At: ins.SealedAt.Add(time.Hour), Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: item}}}
	if err := w.db.AddAmendment(w.ctx, a); err != nil {
		t.Fatal(err)
	}
}

func TestInspectionReportAssembles(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	in, err := rs.InspectionReport(w.ctx, w.target)
	if err != nil {
		t.Fatal(err)
	}
	if in.Inspection.ID != w.target || len(in.Amendments) != 1 || in.Standard.Version != 1 {
		t.Fatalf("inspection %s with %d amendments, standard %v", in.Inspection.ID, len(in.Amendments), in.Standard)
	}
	if len(in.Inspection.People[0].Findings) != 2 {
		t.Error("the report must get the original as sealed, not as amended")
	}
	if in.HallName != "北京路营业厅" || in.HallCode != "KM-1" || in.SupervisorName != "张督导" || in.DeviceName != "平板一号" {
		t.Errorf("names: hall %q %q, supervisor %q, device %q", in.HallName, in.HallCode, in.SupervisorName, in.DeviceName)
	}
	if got := in.AuthorNames[w.mgr.ID]; got != "李经理" {
		t.Errorf("amendment author named %q, want 李经理", got)
	}

	// Item X: days -60 and -10, the evening before in hall 2, and day0
	// itself; not day -100 (before the window), day -30 (withdrawn) or day
	// +5 (after). Item Y: day -20, and day0 as sealed although an amendment
	// withdrew it, because the report prints the finding as sealed.
	got := in.Repeats[w.targetPersonID]
	if got[w.itemX] != 4 || got[w.itemY] != 2 || len(got) != 2 {
		t.Errorf("repeats %v; want %s: 4 and %s: 2", got, w.itemX, w.itemY)
	}

	if err := report.RenderInspection(io.Discard, in, report.Options{}); err != nil {
		t.Errorf("the renderer refuses the assembled input: %v", err)
	}
}

// A later inspection must not change an earlier report's repeat marks, and
// the first offence in the window carries no mark.
func TestInspectionReportRepeatsLookBackOnly(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	rows, err := w.db.ListInspections(w.ctx, store.InspectionFilter{HallID: w.h1.ID, Status: inspect.StatusSealed})
	if err != nil {
		t.Fatal(err)
	}
	first := rows[len(rows)-1] // day -100: nothing before it
	in, err := rs.InspectionReport(w.ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	for pid, counts := range in.Repeats {
		if counts[w.itemX] != 1 {
			t.Errorf("first offence of person %s counts %d times, want 1: %v", pid, counts[w.itemX], counts)
		}
	}
}

func TestInspectionReportPhotos(t *testing.T) {
	w := newWorld(t)
	body := []byte("not really a JPEG, but the store does not look")
	ref, err := w.db.PutPhoto(w.ctx, bytes.NewReader(body), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	in, err := records.NewReports(w.db).InspectionReport(w.ctx, w.target)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := in.Photo(ref.SHA256); err != nil || !bytes.Equal(got, body) {
		t.Errorf("photo: %q, %v", got, err)
	}
	missing := strings.Repeat("ab", 32)
	if _, err := in.Photo(missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing photo: %v, want not found", err)
	}
}

func TestInspectionReportErrors(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	const unknown = "01900000-0000-7000-8000-000000000000"
	_, err := rs.InspectionReport(w.ctx, unknown)
	if !errors.Is(err, store.ErrNotFound) || strings.Count(err.Error(), unknown) != 1 {
		t.Errorf("unknown ID: %v; want not found, naming the ID once", err)
	}
	_, err = rs.InspectionReport(w.ctx, w.draftID)
	if !errors.Is(err, store.ErrNotSealed) || !strings.Contains(err.Error(), w.draftID) {
		t.Errorf("draft: %v; want not sealed, naming the ID", err)
	}
}

func TestSummaryReport(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	from, to := day0.AddDate(0, 0, -200), day0.AddDate(0, 0, 10)

	var calls int
	hall, err := rs.SummaryReport(w.ctx, records.SummaryQuery{HallID: w.h1.ID, From: from, To: to,
		Progress: func(done, total int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if hall.Scope != "北京路营业厅" || hall.ScopeCode != "KM-1" || hall.Region {
		t.Errorf("hall scope %q %q region %v", hall.Scope, hall.ScopeCode, hall.Region)
	}
	if len(hall.Records) != 7 || calls == 0 {
		t.Errorf("hall 1: %d records (want 7), %d progress calls", len(hall.Records), calls)
	}
	if hall.Standards[1] == nil || len(hall.Standards) != 1 {
		t.Errorf("standards %v; want version 1", hall.Standards)
	}
	amended := 0
	for _, r := range hall.Records {
		if r.HallName != "北京路营业厅" || r.Inspection.Status != inspect.StatusSealed {
			t.Errorf("record %s: hall %q, %s", r.Inspection.ID, r.HallName, r.Inspection.Status)
		}
		amended += len(r.Amendments)
	}
	if amended != 2 {
		t.Errorf("%d amendments, want 2", amended)
	}

	region, err := rs.SummaryReport(w.ctx, records.SummaryQuery{RegionID: w.kunming.ID, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if region.Scope != "昆明" || !region.Region || len(region.Records) != 8 {
		t.Errorf("region %q (region %v): %d records, want 昆明 with 8", region.Scope, region.Region, len(region.Records))
	}
	if err := report.RenderSummary(io.Discard, region, report.Options{}); err != nil {
		t.Errorf("the renderer refuses the assembled summary: %v", err)
	}

	// --to is a whole day in the halls' zone: the inspection at 23:30 on
	// 14 June (15:30 UTC) belongs to that day, not the next.
	for _, c := range []struct {
		day  int
		want int
	}{{13, 0}, {14, 1}, {15, 0}} {
		d := time.Date(2026, 6, c.day, 0, 0, 0, 0, cst)
		s, err := rs.SummaryReport(w.ctx, records.SummaryQuery{HallID: w.h2.ID, From: d, To: d})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Records) != c.want {
			t.Errorf("hall 2 on %s: %d records, want %d", d.Format(time.DateOnly), len(s.Records), c.want)
		}
	}
}

// An empty period, and a region without inspections, are reports that say
// so, not errors.
func TestSummaryReportEmpty(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	for name, q := range map[string]records.SummaryQuery{
		"empty period": {HallID: w.h1.ID, From: day0.AddDate(-5, 0, 0), To: day0.AddDate(-4, 0, 0)},
		"empty region": {RegionID: w.dali.ID, From: day0.AddDate(-1, 0, 0), To: day0},
	} {
		s, err := rs.SummaryReport(w.ctx, q)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(s.Records) != 0 || s.Scope == "" {
			t.Errorf("%s: %d records, scope %q", name, len(s.Records), s.Scope)
		}
		if err := report.RenderSummary(io.Discard, s, report.Options{}); err != nil {
			t.Errorf("%s: the renderer refuses it: %v", name, err)
		}
	}
}

func TestSummaryReportErrors(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	for name, c := range map[string]struct {
		q    records.SummaryQuery
		want error
		id   string
	}{
		"unknown hall":   {records.SummaryQuery{HallID: "no-such-hall", From: day0, To: day0}, store.ErrNotFound, "no-such-hall"},
		"unknown region": {records.SummaryQuery{RegionID: "no-such-region", From: day0, To: day0}, store.ErrNotFound, "no-such-region"},
		"neither":        {records.SummaryQuery{From: day0, To: day0}, store.ErrInvalid, ""},
		"both":           {records.SummaryQuery{HallID: w.h1.ID, RegionID: w.kunming.ID, From: day0, To: day0}, store.ErrInvalid, ""},
		"backwards":      {records.SummaryQuery{HallID: w.h1.ID, From: day0, To: day0.AddDate(0, 0, -1)}, store.ErrInvalid, ""},
	} {
		_, err := rs.SummaryReport(w.ctx, c.q)
		if !errors.Is(err, c.want) || !strings.Contains(fmtErr(err), c.id) {
			t.Errorf("%s: %v; want %v naming %q", name, err, c.want, c.id)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestPersonHistoryReport(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(w.db)
	h, err := rs.PersonHistoryReport(w.ctx, "E1", day0.AddDate(0, 0, -70), day0)
	if err != nil {
		t.Fatal(err)
	}
	if h.StaffID != w.staff.ID || h.Name != "王小明" || h.EmployeeNo != "E1" || h.Badge != "B-07" ||
		h.Role != standard.RoleCashier || h.HallName != "北京路营业厅" {
		t.Errorf("person %+v", h)
	}
	// Days -60, -30, -20, -10, the evening before in hall 2, and day0.
	if len(h.Records) != 6 {
		t.Errorf("%d records, want 6", len(h.Records))
	}
	halls := map[string]int{}
	for _, r := range h.Records {
		halls[r.HallName]++
	}
	if halls["滇池路营业厅"] != 1 || halls["北京路营业厅"] != 5 {
		t.Errorf("records by hall %v", halls)
	}
	if err := report.RenderPersonHistory(io.Discard, h, report.Options{Redact: true}); err != nil {
		t.Errorf("the renderer refuses the assembled history: %v", err)
	}

	empty, err := rs.PersonHistoryReport(w.ctx, "E1", day0.AddDate(-3, 0, 0), day0.AddDate(-2, 0, 0))
	if err != nil || len(empty.Records) != 0 || empty.Name != "王小明" {
		t.Errorf("empty period: %d records, name %q, %v", len(empty.Records), empty.Name, err)
	}

	_, err = rs.PersonHistoryReport(w.ctx, "E404", day0, day0)
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(fmtErr(err), "E404") {
		t.Errorf("unknown employee number: %v", err)
	}
}

// failingSource is the store with one inspection that cannot be read.
type failingSource struct {
	*store.DB
	bad string
}

var errDisk = errors.New("disk I/O error")

func (f failingSource) Inspection(ctx context.Context, id string) (*inspect.Inspection, error) {
	if id == f.bad {
		return nil, errDisk
	}
	return f.DB.Inspection(ctx, id)
}

// A record that cannot be read fails the whole summary: a summary that
// silently left one out would misstate the period.
func TestSummaryReportReadError(t *testing.T) {
	w := newWorld(t)
	rs := records.NewReports(failingSource{DB: w.db, bad: w.target})
	_, err := rs.SummaryReport(w.ctx, records.SummaryQuery{HallID: w.h1.ID, From: day0.AddDate(-1, 0, 0), To: day0})
	if !errors.Is(err, errDisk) {
		t.Errorf("got %v, want the read error", err)
	}
}
