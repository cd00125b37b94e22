package store_test

import (
	"maps"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

func TestRepeatOffences(t *testing.T) {
	f := newFixture(t)
	db := f.db
	day := 24 * time.Hour
	// Before the window: does not count.
	f.sealed(t, f.alice, t0.Add(-10*day), nc("A1"))
	// In the window.
	f.sealed(t, f.alice, t0, nc("A1"), tally("B1", 5, 2), tally("C1", 4, 0), na("D1"))
	f.sealed(t, f.alice, t0.Add(day), nc("A1"), tally("B1", 3, 1))
	amended := f.sealed(t, f.alice, t0.Add(2*day), nc("A1"), nc("E1"))
	// Someone else's findings and a draft do not count.
	f.sealed(t, f.bob, t0.Add(day), nc("A1"), nc("B1"))
	f.draft(t, t0.Add(3*day), nc("A1"))
	// A hall finding on the same item is not the person's.
	hallOnly := &inspect.Inspection{HallID: f.hall.ID, SupervisorID: f.sup.ID, StandardVersion: 1, StartedAt: t0.Add(day),
		HallFindings: []inspect.Finding{nc("A1")}}
	if err := db.CreateInspection(ctx, hallOnly); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Seal(ctx, hallOnly.ID, t0.Add(day+time.Hour)); err != nil {
		t.Fatal(err)
	}

	since := t0.Add(-day)
	check := func(name string, want map[string]int) {
		t.Run(name, func(t *testing.T) {
			got, err := db.RepeatCounts(ctx, f.alice.ID, since)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) {
				t.Errorf("RepeatCounts = %v, want %v", got, want)
			}
			for _, item := range []string{"A1", "B1", "C1", "D1", "E1", "Z9"} {
				n, err := db.RepeatOffences(ctx, f.alice.ID, item, since)
				if err != nil {
					t.Fatal(err)
				}
				if n != want[item] {
					t.Errorf("RepeatOffences(%s) = %d, want %d", item, n, want[item])
				}
			}
		})
	}
	check("sealed findings", map[string]int{"A1": 3, "B1": 2, "E1": 1})

	// An amendment that clears A1 and turns E1 into N/A takes them out;
	// one that records a tally failure adds C1.
	person := amended.People[0].ID
	if err := db.AddAmendment(ctx, &inspect.Amendment{InspectionID: amended.ID, OriginalHash: amended.SealHash,
		Reason: "复核", AuthorID: f.sup.ID, At: t0.Add(5 * day), Changes: []inspect.Change{
			{PersonID: person, ItemID: "A1"},
			{PersonID: person, ItemID: "E1", Finding: &inspect.Finding{Outcome: inspect.NotApplicable}},
			{PersonID: person, ItemID: "C1", Finding: &inspect.Finding{Outcome: inspect.Tallied, Observed: 2, Failed: 1}},
		}}); err != nil {
		t.Fatal(err)
	}
	check("after amendment", map[string]int{"A1": 2, "B1": 2, "C1": 1})

	// A later amendment wins over an earlier one.
	if err := db.AddAmendment(ctx, &inspect.Amendment{InspectionID: amended.ID, OriginalHash: amended.SealHash,
		Reason: "再次复核", AuthorID: f.sup.ID, At: t0.Add(6 * day), Changes: []inspect.Change{
			{PersonID: person, ItemID: "A1", Finding: &inspect.Finding{Outcome: inspect.Nonconform}},
		}}); err != nil {
		t.Fatal(err)
	}
	check("after second amendment", map[string]int{"A1": 3, "B1": 2, "C1": 1})

	if got, err := db.RepeatCounts(ctx, f.bob.ID, since); err != nil || !maps.Equal(got, map[string]int{"A1": 1, "B1": 1}) {
		t.Errorf("bob's counts = %v, %v", got, err)
	}
	if got, err := db.RepeatCounts(ctx, "nobody", since); err != nil || len(got) != 0 {
		t.Errorf("unknown staff counts = %v, %v", got, err)
	}
}
