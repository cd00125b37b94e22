package store_test

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// normalise puts an inspection in the store's canonical order so that two
// equal inspections compare equal with reflect.DeepEqual.
func normalise(ins *inspect.Inspection) *inspect.Inspection {
	c := *ins
	sortFindings := func(fs []inspect.Finding) []inspect.Finding {
		if len(fs) == 0 {
			return nil
		}
		fs = slices.Clone(fs)
		for i := range fs {
			if len(fs[i].Photos) == 0 {
				fs[i].Photos = nil
			}
		}
		slices.SortFunc(fs, func(a, b inspect.Finding) int { return cmp.Compare(a.ItemID, b.ItemID) })
		return fs
	}
	c.People = slices.Clone(ins.People)
	if len(c.People) == 0 {
		c.People = nil
	}
	for i := range c.People {
		c.People[i].Findings = sortFindings(c.People[i].Findings)
	}
	c.HallFindings = sortFindings(ins.HallFindings)
	c.Signatures = slices.Clone(ins.Signatures)
	if len(c.Signatures) == 0 {
		c.Signatures = nil
	}
	slices.SortFunc(c.Signatures, func(a, b inspect.Signature) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.PersonID, b.PersonID))
	})
	return &c
}

func TestInspectionDraftRoundTrip(t *testing.T) {
	f := newFixture(t)
	db := f.db
	p1, p2 := f.photo(t, "photo one"), f.photo(t, "photo two")
	sig := f.photo(t, "signature png")
	// Sub-millisecond and non-UTC times are normalised on save.
	local := time.FixedZone("CST", 8*3600)
	ins := &inspect.Inspection{
		HallID: f.hall.ID, SupervisorID: f.sup.ID, DeviceID: "dev-1", StandardVersion: 1,
		StartedAt: t0.In(local).Add(123 * time.Microsecond),
		People: []inspect.Person{
			{StaffID: f.alice.ID, Findings: []inspect.Finding{
				{ItemID: "A1", Outcome: inspect.Nonconform, Note: "未佩戴工牌 <b>&", Photos: []inspect.PhotoRef{p2, p1}, At: t0.Add(time.Minute)},
				tally("B2", 5, 2),
			}},
			{OffRoster: true, Name: "临时工", EmployeeNo: "X9", Role: standard.RolePromoter, Gender: standard.GenderMale},
		},
		HallFindings: []inspect.Finding{na("H1")},
	}
	if err := db.CreateInspection(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if ins.ID == "" || ins.Status != inspect.StatusDraft || ins.People[0].ID == "" || ins.People[0].Findings[0].ID == "" {
		t.Fatalf("IDs or status not set: %+v", ins)
	}
	if ins.StartedAt != t0 {
		t.Errorf("StartedAt normalised to %v, want %v", ins.StartedAt, t0)
	}
	// Details of a rostered person are filled from the roster.
	if p := ins.People[0]; p.Name != "王丽" || p.EmployeeNo != "E001" || p.Role != standard.RoleCashier || p.Gender != standard.GenderFemale || p.Badge != "017" {
		t.Errorf("person not filled from roster: %+v", p)
	}

	third := &inspect.Person{StaffID: f.bob.ID}
	if err := db.AddPerson(ctx, ins.ID, third); err != nil {
		t.Fatal(err)
	}
	ins.People = append(ins.People, *third)
	hf := inspect.Finding{ItemID: "H2", Outcome: inspect.Nonconform, Note: "地面不洁"}
	if err := db.SaveFinding(ctx, ins.ID, "", &hf); err != nil {
		t.Fatal(err)
	}
	ins.HallFindings = append(ins.HallFindings, hf)
	sigs := []inspect.Signature{
		{Role: inspect.SignerSupervisor, PersonID: f.sup.ID, Name: "张督导", Image: &sig, At: t0.Add(time.Hour)},
		{Role: inspect.SignerStaff, PersonID: ins.People[0].ID, Name: "王丽", Disagreement: "我当时在处理投诉", At: t0.Add(time.Hour)},
	}
	for _, s := range sigs {
		if err := db.SaveSignature(ctx, ins.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	ins.Signatures = sigs

	got, err := db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := normalise(ins); !reflect.DeepEqual(normalise(got), want) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", normalise(got), want)
	}
	// People keep the order they were added in.
	var order []string
	for _, p := range got.People {
		order = append(order, p.Name)
	}
	if want := []string{"王丽", "临时工", "李强"}; !slices.Equal(order, want) {
		t.Errorf("people order = %v, want %v", order, want)
	}
	// Photo order is the order attached.
	if ph := got.People[0].Findings[0].Photos; len(ph) != 2 || ph[0].SHA256 != p2.SHA256 {
		t.Errorf("photo order = %+v", ph)
	}
	// The seal of the draft as saved equals the seal of the draft as loaded.
	h1, _ := inspect.ComputeSeal(ins)
	h2, _ := inspect.ComputeSeal(got)
	if h1 != h2 {
		t.Errorf("seal of saved %s != seal of loaded %s", h1, h2)
	}

	if _, err := db.Inspection(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Inspection(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestCreateInspectionRejects(t *testing.T) {
	f := newFixture(t)
	ok := func() *inspect.Inspection {
		return &inspect.Inspection{HallID: f.hall.ID, SupervisorID: f.sup.ID, StandardVersion: 1}
	}
	for _, tc := range []struct {
		name   string
		modify func(*inspect.Inspection)
		want   error
	}{
		{"no hall", func(i *inspect.Inspection) { i.HallID = "" }, store.ErrInvalid},
		{"unknown hall", func(i *inspect.Inspection) { i.HallID = "nope" }, store.ErrNotFound},
		{"unknown standard", func(i *inspect.Inspection) { i.StandardVersion = 7 }, store.ErrNotFound},
		{"no supervisor", func(i *inspect.Inspection) { i.SupervisorID = "" }, store.ErrInvalid},
		{"sealed status", func(i *inspect.Inspection) { i.Status = inspect.StatusSealed }, store.ErrInvalid},
		{"bad outcome", func(i *inspect.Inspection) {
			i.HallFindings = []inspect.Finding{{ItemID: "H1", Outcome: "bad"}}
		}, store.ErrInvalid},
		{"failed more than observed", func(i *inspect.Inspection) {
			i.HallFindings = []inspect.Finding{tally("H1", 2, 3)}
		}, store.ErrInvalid},
		{"bad photo hash", func(i *inspect.Inspection) {
			i.HallFindings = []inspect.Finding{{ItemID: "H1", Outcome: inspect.Nonconform,
				Photos: []inspect.PhotoRef{{SHA256: "../../etc/passwd", Type: "image/jpeg"}}}}
		}, store.ErrInvalid},
		{"same staff twice", func(i *inspect.Inspection) {
			i.People = []inspect.Person{{StaffID: f.alice.ID}, {StaffID: f.alice.ID}}
		}, store.ErrConflict},
		{"same item twice", func(i *inspect.Inspection) {
			i.HallFindings = []inspect.Finding{nc("H1"), {ID: "x", ItemID: "H1", Outcome: inspect.NotApplicable}}
		}, store.ErrInvalid},
		{"anonymous person", func(i *inspect.Inspection) { i.People = []inspect.Person{{OffRoster: true}} }, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ins := ok()
			tc.modify(ins)
			if err := f.db.CreateInspection(ctx, ins); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
	// Nothing of the failed attempts was kept.
	if n, err := f.db.CountInspections(ctx, store.InspectionFilter{}); err != nil || n != 0 {
		t.Errorf("CountInspections = %d, %v; want 0", n, err)
	}
}

func TestSaveFindingUpsert(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ins := f.draft(t, t0)
	person := ins.People[0].ID
	p1, p2, p3 := f.photo(t, "1"), f.photo(t, "2"), f.photo(t, "3")

	first := inspect.Finding{ItemID: "A1", Outcome: inspect.Nonconform, Note: "first", Photos: []inspect.PhotoRef{p1, p2}}
	if err := db.SaveFinding(ctx, ins.ID, person, &first); err != nil {
		t.Fatal(err)
	}
	// A new Finding value for the same person and item replaces the first
	// and keeps its ID, photo list included.
	second := inspect.Finding{ItemID: "A1", Outcome: inspect.Tallied, Observed: 4, Failed: 1, Note: "second", Photos: []inspect.PhotoRef{p3}}
	if err := db.SaveFinding(ctx, ins.ID, person, &second); err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID {
		t.Errorf("upsert changed the finding ID from %s to %s", first.ID, second.ID)
	}
	// The same item for the hall is a different finding.
	hall := nc("A1")
	if err := db.SaveFinding(ctx, ins.ID, "", &hall); err != nil {
		t.Fatal(err)
	}
	got, err := db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	fs := got.People[0].Findings
	if len(fs) != 1 || fs[0].Note != "second" || fs[0].Observed != 4 || len(fs[0].Photos) != 1 || fs[0].Photos[0].SHA256 != p3.SHA256 {
		t.Errorf("person findings after upsert = %+v", fs)
	}
	if len(got.HallFindings) != 1 || got.HallFindings[0].ID == first.ID {
		t.Errorf("hall findings = %+v", got.HallFindings)
	}

	for _, tc := range []struct {
		name           string
		person, item   string
		personFindings int
		hallFindings   int
	}{
		{"person finding", person, "A1", 0, 1},
		{"again is fine", person, "A1", 0, 1},
		{"hall finding", "", "A1", 0, 0},
	} {
		t.Run("delete "+tc.name, func(t *testing.T) {
			if err := db.DeleteFinding(ctx, ins.ID, tc.person, tc.item); err != nil {
				t.Fatal(err)
			}
			got, err := db.Inspection(ctx, ins.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.People[0].Findings) != tc.personFindings || len(got.HallFindings) != tc.hallFindings {
				t.Errorf("findings left: person %d, hall %d", len(got.People[0].Findings), len(got.HallFindings))
			}
		})
	}

	if err := db.SaveFinding(ctx, ins.ID, "not-a-person", &inspect.Finding{ItemID: "A1", Outcome: inspect.Nonconform}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finding for unknown person: error = %v, want ErrNotFound", err)
	}
	other := f.draft(t, t0)
	if err := db.SaveFinding(ctx, other.ID, person, &inspect.Finding{ItemID: "A1", Outcome: inspect.Nonconform}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finding for a person of another inspection: error = %v, want ErrNotFound", err)
	}
}

func TestRemovePerson(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ins := f.draft(t, t0, nc("A1"), tally("B1", 3, 1))
	alice := ins.People[0].ID
	bob := &inspect.Person{StaffID: f.bob.ID}
	if err := db.AddPerson(ctx, ins.ID, bob); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSignature(ctx, ins.ID, inspect.Signature{Role: inspect.SignerStaff, PersonID: alice, Name: "王丽"}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemovePerson(ctx, ins.ID, alice); err != nil {
		t.Fatal(err)
	}
	got, err := db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.People) != 1 || got.People[0].ID != bob.ID || len(got.Signatures) != 0 {
		t.Errorf("after removing alice: %+v", got)
	}
	// Her findings went with her (ON DELETE CASCADE: foreign keys are on).
	var left int
	if err := rawDB(t, f.path).QueryRow("SELECT count(*) FROM findings WHERE person_id = ?", alice).Scan(&left); err != nil || left != 0 {
		t.Errorf("findings of the removed person left: %d, %v", left, err)
	}
	if err := db.RemovePerson(ctx, ins.ID, alice); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing again: error = %v, want ErrNotFound", err)
	}
	// Alice can be added again, after bob.
	again := &inspect.Person{StaffID: f.alice.ID}
	if err := db.AddPerson(ctx, ins.ID, again); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.Inspection(ctx, ins.ID); len(got.People) != 2 || got.People[1].ID != again.ID {
		t.Errorf("people after re-adding: %+v", got.People)
	}
	if err := db.AddPerson(ctx, ins.ID, &inspect.Person{StaffID: f.alice.ID}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("adding alice twice: error = %v, want ErrConflict", err)
	}
}

func TestImportSealed(t *testing.T) {
	src := newFixture(t)
	ph := src.photo(t, "evidence")
	n := nc("A1")
	n.Photos = []inspect.PhotoRef{ph}
	sealed := src.sealed(t, src.alice, t0, n, tally("B1", 6, 0))

	// The hub has the same master data (it is where it comes from).
	dst := newFixture(t)
	if _, err := dst.db.AddHall(ctx, store.Hall{ID: src.hall.ID, RegionID: dst.region.ID, Code: "S01", Name: "源厅"}); err != nil {
		t.Fatal(err)
	}
	// The hub's roster knows more than the record (a badge number): the
	// record is stored as sealed, not completed from the roster.
	sealed.People[0].Badge = ""
	sealed.SealHash, _ = inspect.ComputeSeal(sealed)
	if _, err := dst.db.UpsertStaff(ctx, store.Staff{ID: sealed.People[0].StaffID, EmployeeNo: "S-E001", Name: "王丽",
		Gender: standard.GenderFemale, Role: standard.RoleCashier, Badge: "999", HallID: src.hall.ID}); err != nil {
		t.Fatal(err)
	}
	imported, err := dst.db.ImportSealed(ctx, sealed)
	if err != nil || !imported {
		t.Fatalf("ImportSealed = %v, %v", imported, err)
	}
	got, err := dst.db.Inspection(ctx, sealed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalise(got), normalise(sealed)) {
		t.Errorf("imported differs:\n got %+v\nwant %+v", got, sealed)
	}
	// Its photo has not arrived yet: Verify says so.
	res, err := dst.db.Verify(ctx, sealed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.SealOK || len(res.Photos) != 1 || res.Photos[0].Problem != "missing" {
		t.Errorf("Verify before photo = %+v", res)
	}

	again, err := dst.db.ImportSealed(ctx, sealed)
	if err != nil || again {
		t.Errorf("second ImportSealed = %v, %v; want false, nil", again, err)
	}

	tampered := normalise(sealed)
	tampered.People = slices.Clone(tampered.People)
	tampered.People[0].Findings = slices.Clone(tampered.People[0].Findings)
	tampered.People[0].Findings[0].Note = "改过"
	if _, err := dst.db.ImportSealed(ctx, tampered); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("import with wrong seal: error = %v, want ErrInvalid", err)
	}
	// Same ID, content re-sealed: a different record under the same UUID.
	tampered.SealHash, _ = inspect.ComputeSeal(tampered)
	if _, err := dst.db.ImportSealed(ctx, tampered); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same ID, other seal: error = %v, want ErrConflict", err)
	}
}

// TestConcurrentWrites checks the single-writer design: writers in one
// process queue for the one connection instead of failing with "database is
// locked", however short the busy timeout, and readers run beside them.
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t, store.WithBusyTimeout(time.Millisecond))
	const writers, each = 4, 20
	drafts := make([]*inspect.Inspection, writers)
	for i := range drafts {
		drafts[i] = f.draft(t, t0.Add(time.Duration(i)*time.Minute))
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ins := drafts[w]
			for i := range each {
				fd := inspect.Finding{ItemID: fmt.Sprintf("I%02d", i), Outcome: inspect.Nonconform}
				if err := f.db.SaveFinding(ctx, ins.ID, ins.People[0].ID, &fd); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range each {
			if _, err := f.db.ListInspections(ctx, store.InspectionFilter{}); err != nil {
				errs <- err
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := f.db.ListInspections(ctx, store.InspectionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Findings != each {
			t.Errorf("inspection %s has %d findings, want %d", s.ID, s.Findings, each)
		}
	}
}
