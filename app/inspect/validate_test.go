package inspect_test

import (
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

func TestValidateFinding(t *testing.T) {
	v := testStandard()
	man := promoter("p", "王强", standard.GenderMale)
	prom := &man
	long := strings.Repeat("长", inspect.MaxNoteRunes+1)
	tests := []struct {
		name    string
		person  *inspect.Person
		f       inspect.Finding
		wantErr string // "" = valid
	}{
		{"nonconform check", prom, nc("A3.1"), ""},
		{"N/A", prom, na("A1.1"), ""},
		{"tally counts", prom, tallied("G1.1", 5, 2), ""},
		{"hall item on hall", nil, nc("C1.1"), ""},
		{"unknown item", prom, nc("X1"), `"X1": not in standard version 1`},
		{"hall item on a person", prom, nc("C1.1"), "does not apply"},
		{"person item on the hall", nil, nc("A1.1"), "checked on people"},
		{"female item on a man", prom, nc("A5.2"), "does not apply"},
		{"cashier item on a promoter", prom, nc("C9.1"), "does not apply"},
		{"counts on a check item", prom, inspect.Finding{ItemID: "A3.1", Outcome: inspect.Nonconform, Observed: 2, Failed: 1}, "only for tally"},
		{"tallied outcome on check item", prom, inspect.Finding{ItemID: "A3.1", Outcome: inspect.Tallied}, "only for tally"},
		{"failed above observed", prom, tallied("G1.1", 2, 3), "failed ≤ observed"},
		{"negative counts", prom, tallied("G1.1", -1, 0), "failed ≤ observed"},
		{"unknown outcome", prom, inspect.Finding{ItemID: "A3.1", Outcome: "maybe"}, `unknown outcome "maybe"`},
		{"note too long", prom, inspect.Finding{ItemID: "A3.1", Outcome: inspect.Nonconform, Note: long}, "at most 4000"},
		{"bad photo hash", prom, inspect.Finding{ItemID: "A3.1", Outcome: inspect.Nonconform, Photos: []inspect.PhotoRef{{SHA256: "ABC"}}}, "not a SHA-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := inspect.ValidateFinding(v, tt.person, &tt.f)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidatePerson(t *testing.T) {
	ok := inspect.Person{Name: "临时工", OffRoster: true, Role: standard.RolePromoter, Gender: standard.GenderFemale}
	if err := inspect.ValidatePerson(&ok); err != nil {
		t.Fatalf("off-roster person refused: %v", err)
	}
	for name, p := range map[string]inspect.Person{
		"empty name":         {Name: " ", OffRoster: true, Role: standard.RolePromoter, Gender: standard.GenderMale},
		"unknown role":       {Name: "甲", OffRoster: true, Role: "cook", Gender: standard.GenderMale},
		"unknown gender":     {Name: "甲", OffRoster: true, Role: standard.RoleCashier, Gender: "x"},
		"neither roster nor": {Name: "甲", Role: standard.RoleCashier, Gender: standard.GenderMale},
		"both roster and":    {Name: "甲", StaffID: "s", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderMale},
	} {
		if err := inspect.ValidatePerson(&p); err == nil {
			t.Errorf("%s: accepted %+v", name, p)
		}
	}
}

func TestValidateAmendment(t *testing.T) {
	v := testStandard()
	orig := sealedSample()
	orig.SealHash = mustSeal(t, orig)
	good := func() *inspect.Amendment {
		f := na("A3.1")
		return &inspect.Amendment{OriginalHash: orig.SealHash, Reason: "复核", Changes: []inspect.Change{{PersonID: "p1", ItemID: "A3.1", Finding: &f}}}
	}
	if err := inspect.ValidateAmendment(v, orig, good()); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(a *inspect.Amendment){
		"no reason":      func(a *inspect.Amendment) { a.Reason = "  " },
		"wrong original": func(a *inspect.Amendment) { a.OriginalHash = strings.Repeat("1", 64) },
		"no changes":     func(a *inspect.Amendment) { a.Changes = nil },
		"unknown person": func(a *inspect.Amendment) { a.Changes[0].PersonID = "nobody" },
		"item mismatch":  func(a *inspect.Amendment) { a.Changes[0].ItemID = "A1.1" },
		"inapplicable item": func(a *inspect.Amendment) {
			f := nc("A5.2")
			a.Changes[0] = inspect.Change{PersonID: "p1", ItemID: "A5.2", Finding: &f}
		},
		"unknown item clear": func(a *inspect.Amendment) { a.Changes[0] = inspect.Change{PersonID: "p1", ItemID: "Q1"} },
	}
	for name, mutate := range cases {
		a := good()
		mutate(a)
		if err := inspect.ValidateAmendment(v, orig, a); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	draft := sealedSample()
	draft.Status = inspect.StatusDraft
	if err := inspect.ValidateAmendment(v, draft, good()); err == nil {
		t.Error("amendment of a draft accepted")
	}
}
