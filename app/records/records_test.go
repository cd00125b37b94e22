package records_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

// A stored inspection is scored with its own standard version and as amended.
func TestLoadScoresAmendedRecord(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	v := standard.V1()
	if _, err := db.ImportStandard(ctx, v, data.StandardV1); err != nil {
		t.Fatal(err)
	}
	r, _ := db.AddRegion(ctx, "昆明")
	h, err := db.AddHall(ctx, store.Hall{RegionID: r.ID, Code: "H1", Name: "测试营业厅"})
	if err != nil {
		t.Fatal(err)
	}
	ins := inspect.NewDraft(h.ID, "sup", "dev", 1)
	if err := db.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	p := &inspect.Person{Name: "临时工", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderFemale}
	if err := db.AddPerson(ctx, ins.ID, p); err != nil {
		t.Fatal(err)
	}
	item := v.PersonItems(p.Role, p.Gender)[0]
	f := &inspect.Finding{ItemID: item.ID, Outcome: inspect.Nonconform, At: inspect.Now()}
	if item.Kind == standard.KindTally {
		f.Outcome, f.Observed, f.Failed = inspect.Tallied, 2, 2
	}
	if err := db.SaveFinding(ctx, ins.ID, p.ID, f); err != nil {
		t.Fatal(err)
	}
	hash, err := db.Seal(ctx, ins.ID, inspect.Now())
	if err != nil {
		t.Fatal(err)
	}

	reader := records.NewReader(db)
	rec, err := reader.Load(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Original.SealHash != hash || rec.Standard.Version != 1 {
		t.Fatalf("record seal %s version %d", rec.Original.SealHash, rec.Standard.Version)
	}
	before := rec.Result.People[p.ID]
	if before.Points >= 100 || len(before.Deductions) != 1 || before.Deductions[0].ItemID != item.ID {
		t.Fatalf("before amendment: %.1f points, deductions %+v; want one for %s", before.Points, before.Deductions, item.ID)
	}

	a := &inspect.Amendment{ID: inspect.NewID(), InspectionID: ins.ID, OriginalHash: hash, Reason: "复核后撤销", AuthorID: "mgr", At: inspect.Now(),
		Changes: []inspect.Change{{PersonID: p.ID, ItemID: item.ID}}}
	if err := db.AddAmendment(ctx, a); err != nil {
		t.Fatal(err)
	}
	rec, err = reader.Load(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	after := rec.Result.People[p.ID]
	if math.Abs(after.Points-100) > 1e-9 || len(rec.Amendments) != 1 {
		t.Errorf("after clearing the finding: %.1f points, %d amendments; want 100 and 1", after.Points, len(rec.Amendments))
	}
	if len(rec.Original.People[0].Findings) != 1 {
		t.Error("the original record must keep its finding")
	}
}
