package inspect_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

const (
	photoA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	photoB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	sigImg = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

func sealedSample() *inspect.Inspection {
	f := nc("A3.1")
	f.Note = "柜台内穿拖鞋，已提醒"
	f.Photos = []inspect.PhotoRef{{SHA256: photoA, Size: 1000, Type: "image/jpeg", At: t0}, {SHA256: photoB, Size: 2000, Type: "image/jpeg", At: t0}}
	return &inspect.Inspection{
		ID: "0190-ins", HallID: "hall", SupervisorID: "sup", DeviceID: "dev", StandardVersion: 1,
		StartedAt: t0, EndedAt: t0.Add(40e9), SealedAt: t0.Add(41e9), Status: inspect.StatusSealed,
		HallFindings: []inspect.Finding{nc("C1.1")},
		People: []inspect.Person{
			promoter("p1", "王强", standard.GenderMale, f, tallied("G1.1", 5, 1)),
			promoter("p2", "李娜", standard.GenderFemale),
		},
		Signatures: []inspect.Signature{
			{Role: inspect.SignerSupervisor, PersonID: "sup", Name: "督导员", Image: &inspect.PhotoRef{SHA256: sigImg, Size: 10, Type: "image/png", At: t0}, At: t0},
			{Role: inspect.SignerStaff, PersonID: "p1", Name: "王强", Disagreement: "当时在换鞋", At: t0},
		},
	}
}

func mustSeal(t *testing.T, ins *inspect.Inspection) string {
	t.Helper()
	h, err := inspect.ComputeSeal(ins)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSealIsLowercaseHexAndStable(t *testing.T) {
	h := mustSeal(t, sealedSample())
	if !inspect.ValidHash(h) {
		t.Fatalf("seal %q is not 64 lowercase hex characters", h)
	}
	if h2 := mustSeal(t, sealedSample()); h2 != h {
		t.Fatalf("same content sealed twice: %s then %s", h, h2)
	}
	// Order of people, findings, photos and signatures is not content.
	s := sealedSample()
	s.People[0], s.People[1] = s.People[1], s.People[0]
	fs := s.People[1].Findings
	fs[0], fs[1] = fs[1], fs[0]
	fs[1].Photos[0], fs[1].Photos[1] = fs[1].Photos[1], fs[1].Photos[0]
	s.Signatures[0], s.Signatures[1] = s.Signatures[1], s.Signatures[0]
	if got := mustSeal(t, s); got != h {
		t.Errorf("reordering changed the seal: %s vs %s", got, h)
	}
	// Sub-millisecond noise is below the stored precision.
	s = sealedSample()
	s.StartedAt = s.StartedAt.Add(300e3) // 300 µs
	if got := mustSeal(t, s); got != h {
		t.Errorf("sub-millisecond time change altered the seal")
	}
}

func TestSealDetectsEveryChange(t *testing.T) {
	base := mustSeal(t, sealedSample())
	tamper := map[string]func(*inspect.Inspection){
		"note one character": func(i *inspect.Inspection) {
			i.People[0].Findings[0].Note = strings.Replace(i.People[0].Findings[0].Note, "拖", "托", 1)
		},
		"photo hash":        func(i *inspect.Inspection) { i.People[0].Findings[0].Photos[0].SHA256 = photoB[:63] + "c" },
		"photo removed":     func(i *inspect.Inspection) { i.People[0].Findings[0].Photos = i.People[0].Findings[0].Photos[:1] },
		"signature image":   func(i *inspect.Inspection) { i.Signatures[0].Image.SHA256 = photoA },
		"signature removed": func(i *inspect.Inspection) { i.Signatures = i.Signatures[:1] },
		"disagreement":      func(i *inspect.Inspection) { i.Signatures[1].Disagreement = "" },
		"tally count":       func(i *inspect.Inspection) { i.People[0].Findings[1].Failed = 0 },
		"outcome":           func(i *inspect.Inspection) { i.HallFindings[0].Outcome = inspect.NotApplicable },
		"finding removed":   func(i *inspect.Inspection) { i.HallFindings = nil },
		"person name":       func(i *inspect.Inspection) { i.People[1].Name = "李娜娜" },
		"person role":       func(i *inspect.Inspection) { i.People[1].Role = standard.RoleCashier },
		"off-roster flag":   func(i *inspect.Inspection) { i.People[1].OffRoster = true },
		"standard version":  func(i *inspect.Inspection) { i.StandardVersion = 2 },
		"hall":              func(i *inspect.Inspection) { i.HallID = "other" },
		"sealed time":       func(i *inspect.Inspection) { i.SealedAt = i.SealedAt.Add(1e6) },
		"finding moved to person": func(i *inspect.Inspection) {
			i.People[1].Findings = i.People[0].Findings[:1]
			i.People[0].Findings = i.People[0].Findings[1:]
		},
	}
	for name, change := range tamper {
		t.Run(name, func(t *testing.T) {
			s := sealedSample()
			change(s)
			if got := mustSeal(t, s); got == base {
				t.Errorf("change %q left the seal unchanged", name)
			}
		})
	}
}

func TestPhotosListsEachReferenceOnce(t *testing.T) {
	s := sealedSample()
	s.HallFindings[0].Photos = []inspect.PhotoRef{{SHA256: photoA}}
	got := map[string]bool{}
	for _, p := range s.Photos() {
		if got[p.SHA256] {
			t.Errorf("photo %s listed twice", p.SHA256)
		}
		got[p.SHA256] = true
	}
	for _, want := range []string{photoA, photoB, sigImg} {
		if !got[want] {
			t.Errorf("photo %s missing from %v", want, got)
		}
	}
}

func TestAmendmentSealChainsToOriginal(t *testing.T) {
	orig := sealedSample()
	orig.SealHash = mustSeal(t, orig)
	fix := na("A3.1")
	a := &inspect.Amendment{ID: "am1", InspectionID: orig.ID, OriginalHash: orig.SealHash, Reason: "顾客证实其为换鞋途中", AuthorID: "mgr", At: t0.Add(3600e9),
		Changes: []inspect.Change{{PersonID: "p1", ItemID: "A3.1", Finding: &fix}}}
	h1, err := inspect.ComputeAmendmentSeal(a)
	if err != nil || !inspect.ValidHash(h1) {
		t.Fatalf("amendment seal %q, %v", h1, err)
	}
	a.OriginalHash = strings.Repeat("0", 64)
	if h2, _ := inspect.ComputeAmendmentSeal(a); h2 == h1 {
		t.Error("amendment seal does not depend on the original's seal")
	}
	a.OriginalHash = orig.SealHash
	if err := inspect.ValidateAmendment(testStandard(), orig, a); err != nil {
		t.Fatalf("valid amendment refused: %v", err)
	}
	eff := inspect.Effective(orig, []inspect.Amendment{*a})
	if got := eff.People[0].Findings; len(got) != 2 || got[1].Outcome != inspect.NotApplicable {
		t.Errorf("effective findings %+v, want A3.1 replaced by N/A", got)
	}
	if orig.People[0].Findings[0].Outcome != inspect.Nonconform {
		t.Error("Effective modified the original")
	}
	clear := &inspect.Amendment{At: t0.Add(7200e9), Changes: []inspect.Change{{ItemID: "C1.1"}}}
	eff = inspect.Effective(orig, []inspect.Amendment{*clear, *a})
	if len(eff.HallFindings) != 0 {
		t.Errorf("a change with no finding should clear the hall finding: %+v", eff.HallFindings)
	}
}

func TestSealRefusesInvalidUTF8(t *testing.T) {
	s := sealedSample()
	s.People[0].Findings[0].Note = "拖\xff鞋"
	if _, err := inspect.ComputeSeal(s); err == nil || !strings.Contains(err.Error(), "note is not valid UTF-8") {
		t.Fatalf("err = %v: invalid UTF-8 would be replaced by the encoder and collide", err)
	}
}

// Amendments apply in the order the device made them (Seq), whatever its
// clock said: a tablet whose clock was set back after a flat battery must
// not let an older correction win.
func TestAmendmentsApplyBySequenceNotClock(t *testing.T) {
	orig := sealedSample()
	orig.SealHash = mustSeal(t, orig)
	first, second := na("A3.1"), nc("A3.1")
	first.Note, second.Note = "第一次更正", "第二次更正"
	older := inspect.Amendment{ID: "am1", Seq: 1, At: t0.Add(48 * time.Hour),
		Changes: []inspect.Change{{PersonID: "p1", ItemID: "A3.1", Finding: &first}}}
	newer := inspect.Amendment{ID: "am2", Seq: 2, At: t0.Add(-20 * 365 * 24 * time.Hour), // clock reset to years ago
		Changes: []inspect.Change{{PersonID: "p1", ItemID: "A3.1", Finding: &second}}}
	for _, order := range [][]inspect.Amendment{{older, newer}, {newer, older}} {
		eff := inspect.Effective(orig, order)
		i := slices.IndexFunc(eff.People[0].Findings, func(f inspect.Finding) bool { return f.ItemID == "A3.1" })
		if i < 0 || eff.People[0].Findings[i].Note != "第二次更正" {
			t.Errorf("effective A3.1 = %+v, want the second amendment's finding", eff.People[0].Findings)
		}
	}
	// Made before Seq existed (0): ordered by time, before numbered ones.
	legacy := inspect.Amendment{ID: "am0", At: t0.Add(72 * time.Hour),
		Changes: []inspect.Change{{PersonID: "p1", ItemID: "A3.1", Finding: &first}}}
	eff := inspect.Effective(orig, []inspect.Amendment{newer, legacy})
	i := slices.IndexFunc(eff.People[0].Findings, func(f inspect.Finding) bool { return f.ItemID == "A3.1" })
	if i < 0 || eff.People[0].Findings[i].Note != "第二次更正" {
		t.Errorf("a numbered amendment did not apply after an unnumbered one: %+v", eff.People[0].Findings)
	}
}

// The sequence number is sealed, and an amendment without one keeps the
// encoding (and so the seal) it had before the field existed.
func TestAmendmentSequenceIsSealed(t *testing.T) {
	a := &inspect.Amendment{ID: "am1", InspectionID: "i1", OriginalHash: strings.Repeat("ab", 32), Reason: "r",
		AuthorID: "u", DeviceID: "d", At: t0, Changes: []inspect.Change{{ItemID: "C1.1"}}}
	b, err := inspect.CanonicalAmendment(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "seq") {
		t.Errorf("an unnumbered amendment's encoding changed: %s", b)
	}
	h0, _ := inspect.ComputeAmendmentSeal(a)
	a.Seq = 2
	if h2, _ := inspect.ComputeAmendmentSeal(a); h2 == h0 {
		t.Error("the seal does not cover the sequence number")
	}
}
