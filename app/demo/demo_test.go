package demo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// end is a fixed End so the tests do not depend on the day they run.
var end = time.Date(2026, 11, 20, 0, 0, 0, 0, demo.CST)

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "dudao.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func generate(t *testing.T, seed int64) (*store.DB, *demo.Summary) {
	t.Helper()
	db := open(t)
	sum, err := demo.Generate(context.Background(), db, demo.Options{Seed: seed, End: end})
	if err != nil {
		t.Fatal(err)
	}
	return db, sum
}

// fixture is one demo database shared by the read-only tests: generating it
// takes a few seconds.
var fixture struct {
	once sync.Once
	db   *store.DB
	sum  *demo.Summary
	all  []*inspect.Inspection // every inspection, drafts included, oldest first
	err  error
}

func shared(t *testing.T) (*store.DB, *demo.Summary, []*inspect.Inspection) {
	t.Helper()
	fixture.once.Do(func() {
		db, err := store.Open(filepath.Join(fixtureDir, "dudao.db"))
		if err != nil {
			fixture.err = err
			return
		}
		fixture.db = db
		ctx := context.Background()
		if fixture.sum, err = demo.Generate(ctx, db, demo.Options{Seed: 1, End: end}); err != nil {
			fixture.err = err
			return
		}
		list, err := db.ListInspections(ctx, store.InspectionFilter{})
		if err != nil {
			fixture.err = err
			return
		}
		for _, s := range list {
			ins, err := db.Inspection(ctx, s.ID)
			if err != nil {
				fixture.err = err
				return
			}
			fixture.all = append(fixture.all, ins)
		}
		slices.SortFunc(fixture.all, func(a, b *inspect.Inspection) int { return a.StartedAt.Compare(b.StartedAt) })
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return fixture.db, fixture.sum, fixture.all
}

func TestSummary(t *testing.T) {
	_, sum, _ := shared(t)
	t.Logf("\n%s", sum)
	if sum.Inspections < 80 || sum.Drafts != 1 || sum.Halls != 3 || sum.Staff < 20 {
		t.Errorf("summary does not keep the promise:\n%s", sum)
	}
	for _, l := range demo.Logins {
		if !strings.Contains(sum.String(), l.Username) || !strings.Contains(sum.String(), "PIN "+l.PIN) {
			t.Errorf("summary does not show the login %s with its PIN", l.Username)
		}
	}
}

func TestMasterData(t *testing.T) {
	db, _, _ := shared(t)
	ctx := context.Background()

	halls, err := db.Halls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(halls) != 3 {
		t.Fatalf("%d halls, want 3", len(halls))
	}
	staff, err := db.Staff(ctx, store.StaffFilter{IncludeInactive: true})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[standard.Role]int{}
	genders := map[standard.Gender]int{}
	inactive := 0
	for _, s := range staff {
		roles[s.Role]++
		genders[s.Gender]++
		if s.ActiveTo != nil {
			inactive++
		}
	}
	if len(staff) < 20 {
		t.Errorf("%d staff, want at least 20", len(staff))
	}
	for _, r := range standard.Roles {
		if roles[r] == 0 {
			t.Errorf("no staff with role %s", r)
		}
	}
	if genders[standard.GenderMale] == 0 || genders[standard.GenderFemale] == 0 {
		t.Errorf("genders %v, want both", genders)
	}
	if inactive != 1 {
		t.Errorf("%d inactive staff, want 1", inactive)
	}

	for _, l := range demo.Logins {
		u, err := db.Authenticate(ctx, l.Username, l.PIN)
		if err != nil {
			t.Errorf("log in as %s with the documented PIN: %v", l.Username, err)
			continue
		}
		if u.Role != l.Role || u.Name != l.Name {
			t.Errorf("%s logged in as %+v, want %s %s", l.Username, u, l.Role, l.Name)
		}
	}
	if _, err := db.Authenticate(ctx, demo.SupervisorUsername, demo.ManagerPIN); !errors.Is(err, store.ErrAuth) {
		t.Errorf("wrong PIN: got %v, want ErrAuth", err)
	}
	devices, err := db.Devices(ctx)
	if err != nil || len(devices) != 1 {
		t.Errorf("devices %v, %v; want the demo tablet", devices, err)
	}
}

func TestInspections(t *testing.T) {
	db, _, all := shared(t)
	ctx := context.Background()

	var sealed []*inspect.Inspection
	var drafts []*inspect.Inspection
	for _, ins := range all {
		if ins.Status == inspect.StatusSealed {
			sealed = append(sealed, ins)
		} else {
			drafts = append(drafts, ins)
		}
	}
	if len(drafts) != 1 {
		t.Fatalf("%d drafts, want exactly 1", len(drafts))
	}
	if len(sealed) < 80 || len(sealed) > 130 {
		t.Errorf("%d sealed inspections, want about 100", len(sealed))
	}
	first, last := sealed[0].StartedAt.In(demo.CST), sealed[len(sealed)-1].StartedAt.In(demo.CST)
	if d := drafts[0].StartedAt.In(demo.CST); !sameDay(d, end) {
		t.Errorf("draft started %s, want on %s", d, end.Format(time.DateOnly))
	}
	if !sameDay(last, end) {
		t.Errorf("last sealed inspection on %s, want %s", last, end.Format(time.DateOnly))
	}
	if span := end.Sub(dayOf(first)); span < 90*24*time.Hour {
		t.Errorf("inspections span %s from %s, want at least 90 days", span, first)
	}

	perHall := map[string]int{}
	for _, ins := range all {
		perHall[ins.HallID]++
		st := ins.StartedAt.In(demo.CST)
		if h := st.Hour()*60 + st.Minute(); h < 9*60 || h > 17*60+30 {
			t.Errorf("inspection %s starts at %s, outside opening hours", ins.ID, st.Format(time.TimeOnly))
		}
		if ins.Status == inspect.StatusSealed {
			if e := ins.EndedAt.In(demo.CST); e.Hour()*60+e.Minute() > 17*60+30 {
				t.Errorf("inspection %s ends at %s, after closing", ins.ID, e.Format(time.TimeOnly))
			}
			if n := len(ins.People); n < 3 || n > 6 {
				t.Errorf("inspection %s observed %d people, want 3–6", ins.ID, n)
			}
			if !slices.ContainsFunc(ins.Signatures, func(s inspect.Signature) bool {
				return s.Role == inspect.SignerSupervisor && s.Image != nil
			}) {
				t.Errorf("inspection %s has no supervisor signature", ins.ID)
			}
		}
	}
	for hall, n := range perHall {
		if weekly := float64(n) / 13; weekly < 1.8 || weekly > 3.4 {
			t.Errorf("hall %s: %d inspections, %.1f a week; want 2–3", hall, n, weekly)
		}
	}

	// Every sealed inspection verifies: seal recomputed and every photo present.
	for _, ins := range sealed {
		res, err := db.Verify(ctx, ins.ID)
		if err != nil {
			t.Fatalf("verify %s: %v", ins.ID, err)
		}
		if !res.OK() {
			t.Errorf("inspection %s does not verify: %+v", ins.ID, res)
		}
	}
}

func TestStories(t *testing.T) {
	db, _, all := shared(t)
	ctx := context.Background()
	v := standard.V1()

	var longNotes, photos, staffSigs, disagreements, na, tallies, hallFindings, amendments int
	offences := map[string]int{} // staff ID + item
	grades := map[string]int{}
	critical := 0
	for _, ins := range all {
		notes := func(fs []inspect.Finding) {
			for _, f := range fs {
				if utf8.RuneCountInString(f.Note) >= 200 {
					longNotes++
				}
				photos += len(f.Photos)
				switch f.Outcome {
				case inspect.NotApplicable:
					na++
				case inspect.Tallied:
					tallies++
				}
			}
		}
		notes(ins.HallFindings)
		hallFindings += len(ins.HallFindings)
		for _, p := range ins.People {
			notes(p.Findings)
			if ins.Status != inspect.StatusSealed {
				continue
			}
			for _, f := range p.Findings {
				if f.Outcome == inspect.Nonconform {
					offences[p.StaffID+" "+f.ItemID]++
				}
			}
		}
		for _, s := range ins.Signatures {
			if s.Role == inspect.SignerStaff {
				staffSigs++
			}
			if s.Disagreement != "" {
				disagreements++
			}
		}
		if ins.Status != inspect.StatusSealed {
			continue
		}
		res, err := inspect.ScoreInspection(v, ins)
		if err != nil {
			t.Fatalf("score %s: %v", ins.ID, err)
		}
		grades[res.Inspection.Grade.ID]++
		if res.Inspection.Capped {
			critical++
		}
		as, err := db.Amendments(ctx, ins.ID)
		if err != nil {
			t.Fatal(err)
		}
		amendments += len(as)
	}
	t.Logf("grades %v; %d long notes, %d photos, %d N/A, %d tallies, %d hall findings, %d staff signatures, %d disagreements, %d amendments",
		grades, longNotes, photos, na, tallies, hallFindings, staffSigs, disagreements, amendments)

	repeat := 0
	for _, n := range offences {
		if n >= 3 {
			repeat++
		}
	}
	sealed := 0
	for _, n := range grades {
		sealed += n
	}
	for name, ok := range map[string]bool{
		"a long note (≥200 characters)":             longNotes >= 1,
		"a repeat offender (same item ≥3 times)":    repeat >= 1,
		"a critical failure":                        critical >= 1,
		"an amendment":                              amendments >= 1,
		"photos on findings":                        photos >= 5,
		"staff signatures":                          staffSigs >= 10,
		"a disagreement":                            disagreements >= 1,
		"N/A findings":                              na >= 5,
		"tallies":                                   tallies >= 50,
		"hall findings":                             hallFindings >= 2,
		"mostly pass or better":                     grades["fail"]*10 <= sealed,
		"a few fails":                               grades["fail"] >= 1,
		"most excellent or good":                    grades["excellent"]+grades["good"] >= sealed*3/4,
		"critical failures are rare (≤5%)":          critical*20 <= sealed,
		"someone not excellent apart from critical": grades["good"]+grades["pass"] >= 1,
	} {
		if !ok {
			t.Errorf("the demo lacks %s", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	db1, _, _ := shared(t)

	// The same seed, with End left to default to the day Now falls on (in
	// the evening, CST, once the day's visits are over), must give the
	// fixture's inspections exactly.
	db2 := open(t)
	sum2, err := demo.Generate(context.Background(), db2, demo.Options{
		Seed: 1, Now: func() time.Time { return end.Add(19 * time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sameDay(sum2.To, end) {
		t.Errorf("End defaulted to %s, want the day of Now, %s", sum2.To, end.Format(time.DateOnly))
	}
	db3, _ := generate(t, 2)
	a, b, c := seals(t, db1), seals(t, db2), seals(t, db3)
	if !slices.Equal(a, b) {
		t.Errorf("same seed and End gave different inspections:\n%v\n%v", a[:3], b[:3])
	}
	if slices.Equal(a, c) {
		t.Error("a different seed gave the same inspections")
	}
}

func seals(t *testing.T, db *store.DB) []string {
	t.Helper()
	list, err := db.ListInspections(context.Background(), store.InspectionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		out = append(out, s.ID+" "+s.SealHash)
	}
	slices.Sort(out)
	return out
}

func TestRefusesNonEmptyStore(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	r, err := db.AddRegion(ctx, "昆明")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddHall(ctx, store.Hall{RegionID: r.ID, Code: "X-1", Name: "已有营业厅"}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, db, demo.Options{End: end}); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("generate into a store with a hall: got %v, want ErrNotEmpty", err)
	}

	// Running it a second time on a demo store is refused and adds nothing.
	shared, _, all := shared(t)
	if _, err := demo.Generate(ctx, shared, demo.Options{End: end}); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("second run: got %v, want ErrNotEmpty", err)
	}
	n, err := shared.CountInspections(ctx, store.InspectionFilter{})
	if err != nil || n != len(all) {
		t.Errorf("after a refused second run: %d inspections (%v), want %d", n, err, len(all))
	}
}

func sameDay(a, b time.Time) bool {
	a, b = a.In(demo.CST), b.In(demo.CST)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func dayOf(t time.Time) time.Time {
	t = t.In(demo.CST)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, demo.CST)
}

// fixtureDir holds the shared fixture; TestMain removes it, since no single
// test's TempDir outlives the others.
var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dudao-demo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	if fixture.db != nil {
		fixture.db.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestDefaultEndIsNeverLater: made in the small hours, the demo ends
// yesterday, so no inspection starts, ends or is sealed after the moment
// the database was made; made in the evening, it ends today.
func TestDefaultEndIsNeverLater(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		now     time.Time
		lastDay time.Time
	}{
		{"01:39", time.Date(2026, 11, 26, 1, 39, 0, 0, demo.CST), time.Date(2026, 11, 25, 0, 0, 0, 0, demo.CST)},
		{"20:00", time.Date(2026, 11, 26, 20, 0, 0, 0, demo.CST), time.Date(2026, 11, 26, 0, 0, 0, 0, demo.CST)},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := open(t)
			if _, err := demo.Generate(ctx, db, demo.Options{Now: func() time.Time { return c.now }}); err != nil {
				t.Fatal(err)
			}
			rows, err := db.ListInspections(ctx, store.InspectionFilter{})
			if err != nil || len(rows) == 0 {
				t.Fatalf("inspections: %d, %v", len(rows), err)
			}
			var last time.Time
			for _, r := range rows {
				ins, err := db.Inspection(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				for what, at := range map[string]time.Time{"starts": ins.StartedAt, "ends": ins.EndedAt, "is sealed": ins.SealedAt} {
					if at.After(c.now) {
						t.Errorf("inspection %s %s at %v, after the demo was made at %v", ins.ID, what, at.In(demo.CST), c.now)
					}
				}
				if ins.StartedAt.After(last) {
					last = ins.StartedAt
				}
			}
			if d := last.In(demo.CST); d.Year() != c.lastDay.Year() || d.YearDay() != c.lastDay.YearDay() {
				t.Errorf("the last inspection is on %v, want the day %v", d, c.lastDay.Format("2006-01-02"))
			}
		})
	}
}
