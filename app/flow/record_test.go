package flow_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// outcome describes a finding compactly for comparisons: "" when conforming.
func outcome(f *inspect.Finding) string {
	if f == nil {
		return ""
	}
	s := string(f.Outcome)
	if f.Observed != 0 || f.Failed != 0 {
		s += fmt.Sprintf(" %d/%d", f.Failed, f.Observed)
	}
	if f.Note != "" {
		s += " “" + f.Note + "”"
	}
	return s
}

// step is one recording call and the finding it should leave.
type step struct {
	name string
	call func(f *flow.Flow, d *flow.Draft, pid string) (flow.ItemState, error)
	want string // outcome() of the item afterwards
	err  error  // the error wanted instead
}

func toggle(item string) func(*flow.Flow, *flow.Draft, string) (flow.ItemState, error) {
	return func(f *flow.Flow, d *flow.Draft, pid string) (flow.ItemState, error) {
		return f.ToggleNonconform(ctx, d, pid, item)
	}
}

func setNA(item string, na bool) func(*flow.Flow, *flow.Draft, string) (flow.ItemState, error) {
	return func(f *flow.Flow, d *flow.Draft, pid string) (flow.ItemState, error) {
		return f.SetNotApplicable(ctx, d, pid, item, na)
	}
}

func tally(item string, observed, failed int) func(*flow.Flow, *flow.Draft, string) (flow.ItemState, error) {
	return func(f *flow.Flow, d *flow.Draft, pid string) (flow.ItemState, error) {
		return f.SetTally(ctx, d, pid, item, observed, failed)
	}
}

func note(item, text string) func(*flow.Flow, *flow.Draft, string) (flow.ItemState, error) {
	return func(f *flow.Flow, d *flow.Draft, pid string) (flow.ItemState, error) {
		return f.SetNote(ctx, d, pid, item, text)
	}
}

// TestRecording runs sequences of calls on one item of 赵磊 (a male cashier)
// and checks, after every call, the returned state, the Draft in memory and
// the store.
func TestRecording(t *testing.T) {
	tests := []struct {
		name  string
		item  string
		steps []step
	}{
		{"toggle twice returns to conforming", "A1.2", []step{
			{"mark", toggle("A1.2"), "nonconform", nil},
			{"unmark", toggle("A1.2"), "", nil},
		}},
		{"tally toggle counts failures", "G1.1", []step{
			{"first tap", toggle("G1.1"), "tally 1/1", nil},
			{"second tap", toggle("G1.1"), "tally 2/2", nil},
			{"counted successes too", tally("G1.1", 7, 2), "tally 2/7", nil},
			{"another tap", toggle("G1.1"), "tally 3/8", nil},
			{"with a note", note("G1.1", "门口排队时"), "tally 3/8 “门口排队时”", nil},
			{"counts keep the note", tally("G1.1", 9, 3), "tally 3/9 “门口排队时”", nil},
			{"more failed than observed", tally("G1.1", 1, 2), "tally 3/9 “门口排队时”", flow.ErrInvalid},
			{"negative", tally("G1.1", -1, 0), "tally 3/9 “门口排队时”", flow.ErrInvalid},
			{"too many", tally("G1.1", inspect.MaxTallyCount+1, 0), "tally 3/9 “门口排队时”", flow.ErrInvalid},
			{"all good", tally("G1.1", 4, 0), "tally 0/4 “门口排队时”", nil},
			{"zero clears", tally("G1.1", 0, 0), "", nil},
			{"zero again is nothing", tally("G1.1", 0, 0), "", nil},
		}},
		{"counts on a check item", "A1.2", []step{
			{"refused", tally("A1.2", 3, 1), "", flow.ErrInvalid},
		}},
		{"not applicable", "C7.2", []step{
			{"N/A", setNA("C7.2", true), "na", nil},
			{"N/A again", setNA("C7.2", true), "na", nil},
			{"tap after N/A conforms", toggle("C7.2"), "", nil},
			{"N/A with a note", setNA("C7.2", true), "na", nil},
			{"note", note("C7.2", "今天没有老年客户"), "na “今天没有老年客户”", nil},
			{"un-N/A conforms", setNA("C7.2", false), "", nil},
			{"mark", toggle("C7.2"), "nonconform", nil},
			{"un-N/A leaves a nonconformity", setNA("C7.2", false), "nonconform", nil},
			{"N/A replaces it", setNA("C7.2", true), "na", nil},
		}},
		{"N/A of a tally drops its counts", "C3.1", []step{
			{"tap", toggle("C3.1"), "tally 1/1", nil},
			{"N/A", setNA("C3.1", true), "na", nil},
			{"tap counts again", toggle("C3.1"), "tally 1/1", nil},
		}},
		{"notes need a finding", "A3.2", []step{
			{"note on conforming", note("A3.2", "穿拖鞋"), "", flow.ErrNoFinding},
			{"empty note on conforming", note("A3.2", "  "), "", nil},
			{"mark", toggle("A3.2"), "nonconform", nil},
			{"note", note("A3.2", "  穿拖鞋上岗 "), "nonconform “穿拖鞋上岗”", nil},
			{"too long", note("A3.2", strings.Repeat("长", inspect.MaxNoteRunes+1)), "nonconform “穿拖鞋上岗”", flow.ErrInvalid},
			{"clear note", note("A3.2", ""), "nonconform", nil},
		}},
		{"item of another gender", "A5.2", []step{
			{"refused", toggle("A5.2"), "", flow.ErrInvalid},
		}},
		{"hall item on a person", "C1.1", []step{
			{"refused", toggle("C1.1"), "", flow.ErrInvalid},
		}},
		{"unknown item", "Z9.9", []step{
			{"refused", toggle("Z9.9"), "", flow.ErrInvalid},
		}},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.start(e.sup, hallA, "赵磊")
			pid := person(t, d, "赵磊")
			for _, s := range tt.steps {
				st, err := s.call(e.flow, d, pid)
				if s.err != nil {
					if !errors.Is(err, s.err) {
						t.Fatalf("%s: error = %v, want %v", s.name, err, s.err)
					}
				} else if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				} else if got := outcome(st.Finding); got != s.want {
					t.Errorf("%s: returned %q, want %q", s.name, got, s.want)
				} else if st.Item.ID != tt.item || st.Clause.ID != st.Item.Clause {
					t.Errorf("%s: returned item %s clause %s", s.name, st.Item.ID, st.Clause.ID)
				}
				if got := outcome(finding(d.Inspection, pid, tt.item)); got != s.want {
					t.Errorf("%s: draft has %q, want %q", s.name, got, s.want)
				}
				if got := outcome(finding(e.stored(d.Inspection.ID), pid, tt.item)); got != s.want {
					t.Errorf("%s: store has %q, want %q", s.name, got, s.want)
				}
			}
		})
	}
}

func TestFindingKeepsIdentity(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")
	first, err := e.flow.ToggleNonconform(ctx, d, pid, "A1.2")
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.flow.SetNote(ctx, d, pid, "A1.2", "未佩戴服务证")
	if err != nil {
		t.Fatal(err)
	}
	if first.Finding.ID == "" || second.Finding.ID != first.Finding.ID || !second.Finding.At.Equal(first.Finding.At) {
		t.Errorf("finding changed identity: %+v then %+v", first.Finding, second.Finding)
	}
	// The returned finding is a copy: changing it changes nothing.
	second.Finding.Note = "tampered"
	if f := finding(d.Inspection, pid, "A1.2"); f.Note != "未佩戴服务证" {
		t.Errorf("draft note = %q", f.Note)
	}
}

func TestHallChecklist(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA)
	sub, err := e.flow.Checklist(ctx, d, "")
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, s := range sub.Sections {
		for _, it := range s.Items {
			items = append(items, it.Item.ID)
		}
	}
	if sub.Person != nil || !slices.Equal(items, []string{"C1.1", "C1.2", "C1.3"}) {
		t.Errorf("hall checklist: person %v, items %v", sub.Person, items)
	}
	st, err := e.flow.ToggleNonconform(ctx, d, "", "C1.1")
	if err != nil || st.Finding == nil || st.Repeats != 0 {
		t.Fatalf("hall item: %+v, %v", st, err)
	}
	if got := outcome(finding(e.stored(d.Inspection.ID), "", "C1.1")); got != "nonconform" {
		t.Errorf("stored hall finding %q", got)
	}
	if _, err := e.flow.ToggleNonconform(ctx, d, "", "A1.1"); !errors.Is(err, flow.ErrInvalid) {
		t.Errorf("person item on the hall: %v", err)
	}
	if _, err := e.flow.ToggleNonconform(ctx, d, "no-such-person", "A1.1"); !errors.Is(err, flow.ErrNotFound) {
		t.Errorf("unknown person: %v", err)
	}
}

func TestChecklistByRoleAndGender(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜", "赵磊", "黄丽华")
	for _, name := range []string{"李娜", "赵磊", "黄丽华"} {
		pid := person(t, d, name)
		sub, err := e.flow.Checklist(ctx, d, pid)
		if err != nil {
			t.Fatal(err)
		}
		p := sub.Person
		var got []string
		for _, s := range sub.Sections {
			if len(s.Section.Items) != 0 || len(s.Items) == 0 {
				t.Errorf("%s: section %s has %d template items and %d states", name, s.Section.ID, len(s.Section.Items), len(s.Items))
			}
			for _, it := range s.Items {
				if it.Clause.ID != it.Item.Clause || it.Clause.Ref == "" {
					t.Errorf("%s: item %s with clause %+v", name, it.Item.ID, it.Clause)
				}
				got = append(got, it.Item.ID)
			}
		}
		var want []string
		for _, it := range d.Standard.PersonItems(p.Role, p.Gender) {
			want = append(want, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (%s, %s): items %v, want %v", name, p.Role, p.Gender, got, want)
		}
	}
}

func TestQuickPhrases(t *testing.T) {
	e := newEnv(t)
	general := e.flow.QuickPhrases("")
	if len(general) < 3 || general[0].ZH != "已当场提醒" || general[0].EN != "Reminded on the spot" {
		t.Fatalf("general phrases = %+v", general)
	}
	badge := e.flow.QuickPhrases("A1.2")
	if len(badge) <= len(general) {
		t.Fatalf("A1.2 phrases = %+v", badge)
	}
	if !slices.ContainsFunc(badge[:len(badge)-len(general)], func(p standard.Text) bool { return p.ZH == "未佩戴服务证" }) {
		t.Errorf("A1.2 phrases lack the clause's own first: %+v", badge)
	}
	if !slices.Equal(badge[len(badge)-len(general):], general) {
		t.Errorf("A1.2 phrases do not end with the general ones")
	}
	if got := e.flow.QuickPhrases("Z9.9"); !slices.Equal(got, general) {
		t.Errorf("unknown item: %+v", got)
	}
	for _, it := range []string{"A3.2", "A4.1", "A5.1", "G1.1", "G3.1", "C1.1", "C3.1", "C5.1"} {
		if got := e.flow.QuickPhrases(it); len(got) <= len(general) {
			t.Errorf("%s has no phrases of its own", it)
		}
	}
}
