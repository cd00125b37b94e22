package flow_test

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// TestWholeInspection walks a supervisor's visit: five staff, three
// deviations, review, signatures, seal.
func TestWholeInspection(t *testing.T) {
	e := newEnv(t)
	five := []string{"杨建华", "李娜", "赵磊", "刘洋", "周婷"}
	d := e.start(e.sup, hallA, five...)
	if len(d.Inspection.People) != 5 {
		t.Fatalf("%d people", len(d.Inspection.People))
	}
	li, liu := person(t, d, "李娜"), person(t, d, "刘洋")

	// Deviation 1: 李娜's badge, with a quick phrase as the note.
	if _, err := e.flow.ToggleNonconform(ctx, d, li, "A1.2"); err != nil {
		t.Fatal(err)
	}
	phrase := e.flow.QuickPhrases("A1.2")[0].ZH
	if _, err := e.flow.SetNote(ctx, d, li, "A1.2", phrase); err != nil {
		t.Fatal(err)
	}
	// Deviation 2: 刘洋 missed greeting 2 customers of 5.
	if _, err := e.flow.ToggleNonconform(ctx, d, liu, "G1.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.SetTally(ctx, d, liu, "G1.1", 5, 2); err != nil {
		t.Fatal(err)
	}
	// Deviation 3: the hall opened late.
	if _, err := e.flow.ToggleNonconform(ctx, d, "", "C1.1"); err != nil {
		t.Fatal(err)
	}

	r, err := e.flow.Review(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	want, err := inspect.ScoreInspection(d.Standard, e.stored(d.Inspection.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Result, want) {
		t.Errorf("review result differs from ScoreInspection of the stored draft:\n got %+v\nwant %+v", r.Result, want)
	}
	if len(r.People) != 5 || len(r.Hall) != 1 || r.Hall[0].Item.ID != "C1.1" {
		t.Fatalf("review: %d people, hall %+v", len(r.People), r.Hall)
	}
	for _, pr := range r.People {
		if !reflect.DeepEqual(pr.Score, want.People[pr.Person.ID]) {
			t.Errorf("%s: score %+v, want %+v", pr.Person.Name, pr.Score, want.People[pr.Person.ID])
		}
		var ids []string
		for _, f := range pr.Findings {
			ids = append(ids, f.Item.ID)
		}
		explained := strings.Join(pr.Score.Explain("en"), "\n")
		switch pr.Person.Name {
		case "李娜":
			if !slices.Equal(ids, []string{"A1.2"}) || !strings.Contains(explained, "A1 ") || pr.Score.Points >= 100 {
				t.Errorf("李娜: findings %v, explanation %q, %v points", ids, explained, pr.Score.Points)
			}
		case "刘洋":
			if !slices.Equal(ids, []string{"G1.1"}) || !strings.Contains(explained, "G1 ") ||
				!strings.Contains(explained, "failed 2 of 5") {
				t.Errorf("刘洋: findings %v, explanation %q", ids, explained)
			}
		default:
			if len(ids) != 0 || pr.Score.Points != 100 {
				t.Errorf("%s: findings %v, %v points", pr.Person.Name, ids, pr.Score.Points)
			}
		}
	}
	if !strings.Contains(strings.Join(r.Result.Inspection.Explain("zh"), "\n"), "C1") {
		t.Errorf("inspection explanation lacks the hall's clause: %q", r.Result.Inspection.Explain("zh"))
	}
	if len(r.Result.Inspection.Deductions) != 3 {
		t.Errorf("%d deductions, want 3", len(r.Result.Inspection.Deductions))
	}
	if !slices.Equal(r.Missing, []string{flow.MissingSupervisorSignature}) {
		t.Errorf("missing = %v", r.Missing)
	}

	// Sealing needs the supervisor's signature.
	_, err = e.flow.Seal(ctx, e.owner(d), d)
	wantErr(t, err, flow.ErrUnsigned)
	if d.ReadOnly || e.stored(d.Inspection.ID).Status != inspect.StatusDraft {
		t.Fatal("a refused seal changed the draft")
	}

	// 李娜 signs; 刘洋 declines and disagrees; the supervisor signs.
	if err := e.flow.SignStaff(ctx, d, li, signaturePNG(t), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SignStaff(ctx, d, liu, nil, "  当时只有我一个人在岗，顾不过来。 "); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SignStaff(ctx, d, li, []byte("not a png"), ""); !errors.Is(err, flow.ErrInvalid) {
		t.Errorf("a signature that is not a PNG: %v", err)
	}
	if err := e.flow.SignStaff(ctx, d, liu, nil, strings.Repeat("不", inspect.MaxNoteRunes+1)); !errors.Is(err, flow.ErrInvalid) {
		t.Errorf("an over-long disagreement: %v", err)
	}
	// Withdrawing before signing is a no-op.
	if err := e.flow.SignSupervisor(ctx, e.owner(d), d, nil); err != nil {
		t.Errorf("withdrawing a signature never given: %v", err)
	}
	if err := e.flow.SignSupervisor(ctx, e.owner(d), d, signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	r, err = e.flow.Review(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Missing) != 0 {
		t.Errorf("missing after signing: %v", r.Missing)
	}
	for _, pr := range r.People {
		switch pr.Person.Name {
		case "李娜":
			if !pr.Signed || pr.Disagree != "" {
				t.Errorf("李娜: signed %v, disagree %q", pr.Signed, pr.Disagree)
			}
		case "刘洋":
			if pr.Signed || pr.Disagree != "当时只有我一个人在岗，顾不过来。" {
				t.Errorf("刘洋: signed %v, disagree %q", pr.Signed, pr.Disagree)
			}
		}
	}
	if got := e.stored(d.Inspection.ID).Signatures; len(got) != 3 || len(d.Inspection.Signatures) != 3 {
		t.Errorf("signatures: stored %d, draft %d", len(got), len(d.Inspection.Signatures))
	}
	for _, s := range d.Inspection.Signatures {
		if s.Role == inspect.SignerSupervisor && (s.PersonID != e.sup.ID || s.Name != "张督导" || s.Image == nil || s.Image.Type != "image/png") {
			t.Errorf("supervisor's signature = %+v", s)
		}
	}

	hash, err := e.flow.Seal(ctx, e.owner(d), d)
	if err != nil {
		t.Fatal(err)
	}
	if !inspect.ValidHash(hash) || !d.ReadOnly || d.Inspection.Status != inspect.StatusSealed || d.Inspection.SealHash != hash {
		t.Fatalf("after sealing: hash %q, read-only %v, %+v", hash, d.ReadOnly, d.Inspection)
	}
	v, err := e.db.Verify(ctx, d.Inspection.ID)
	if err != nil || !v.OK() {
		t.Fatalf("verify: %+v, %v", v, err)
	}
	if len(v.Photos) != 1 {
		t.Errorf("verified %d photos, want 1 (the test's two signatures are the same drawing)", len(v.Photos))
	}
	// The sealed record still reviews the same, with nothing missing.
	r2, err := e.flow.Review(ctx, d)
	if err != nil || len(r2.Missing) != 0 || math.Abs(r2.Result.Inspection.Points-r.Result.Inspection.Points) > 1e-9 {
		t.Errorf("review of the sealed record: %+v, %v", r2, err)
	}
	if drafts, _ := e.flow.Drafts(ctx, e.sup); len(drafts) != 0 {
		t.Errorf("drafts after sealing: %+v", drafts)
	}
}

func TestSealedIsReadOnly(t *testing.T) {
	e := newEnv(t)
	d, pid := e.sealedWithFinding()
	opened, err := e.flow.Open(ctx, d.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !opened.ReadOnly || opened.HallName != "优付通北京路营业厅" {
		t.Fatalf("opened sealed: read-only %v, hall %q", opened.ReadOnly, opened.HallName)
	}
	png := signaturePNG(t)
	jpg := encodeJPEG(t, scene(32, 32))
	calls := map[string]func(d *flow.Draft) error{
		"toggle":  func(d *flow.Draft) error { _, err := e.flow.ToggleNonconform(ctx, d, pid, "A1.1"); return err },
		"N/A":     func(d *flow.Draft) error { _, err := e.flow.SetNotApplicable(ctx, d, pid, "A1.1", true); return err },
		"tally":   func(d *flow.Draft) error { _, err := e.flow.SetTally(ctx, d, pid, "G1.1", 2, 1); return err },
		"note":    func(d *flow.Draft) error { _, err := e.flow.SetNote(ctx, d, pid, "A1.2", "x"); return err },
		"photo":   func(d *flow.Draft) error { _, err := e.flow.AttachPhoto(ctx, d, pid, "A1.2", "p.jpg", jpg); return err },
		"unphoto": func(d *flow.Draft) error { _, err := e.flow.RemovePhoto(ctx, d, pid, "A1.2", "x"); return err },
		"add":     func(d *flow.Draft) error { _, err := e.flow.AddPerson(ctx, d, e.staff["赵磊"].ID); return err },
		"off roster": func(d *flow.Draft) error {
			_, err := e.flow.AddOffRoster(ctx, d, "某人", "cashier", "male")
			return err
		},
		"remove":     func(d *flow.Draft) error { return e.flow.RemovePerson(ctx, d, pid) },
		"sign":       func(d *flow.Draft) error { return e.flow.SignSupervisor(ctx, e.owner(d), d, png) },
		"staff sign": func(d *flow.Draft) error { return e.flow.SignStaff(ctx, d, pid, png, "") },
		"seal":       func(d *flow.Draft) error { _, err := e.flow.Seal(ctx, e.owner(d), d); return err },
	}
	for name, call := range calls {
		for _, dd := range []*flow.Draft{d, opened} {
			if err := call(dd); !errors.Is(err, inspect.ErrSealed) {
				t.Errorf("%s on a sealed inspection: %v, want ErrSealed", name, err)
			}
		}
	}
	// A stale Draft that missed the seal (another screen sealed it) is
	// refused by the store and stays as it was.
	stale := *opened
	ins := *opened.Inspection
	stale.Inspection, stale.ReadOnly = &ins, false
	ins.Status = inspect.StatusDraft
	if _, err := e.flow.ToggleNonconform(ctx, &stale, pid, "A1.1"); !errors.Is(err, inspect.ErrSealed) {
		t.Errorf("stale draft: %v, want ErrSealed", err)
	}
	if v, _ := e.db.Verify(ctx, d.Inspection.ID); !v.OK() {
		t.Errorf("sealed record changed: %+v", v)
	}
}

func TestAmend(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")
	if _, err := e.flow.ToggleNonconform(ctx, d, pid, "A1.2"); err != nil {
		t.Fatal(err)
	}
	// Amending a draft is refused: edit it instead.
	change := []inspect.Change{{PersonID: pid, ItemID: "A1.2", Finding: &inspect.Finding{Outcome: inspect.NotApplicable, Note: "服务证送修"}}}
	_, err := e.flow.Amend(ctx, e.mgr, d.Inspection.ID, "服务证当天送修", change)
	wantErr(t, err, flow.ErrNotSealed)
	hash := e.signAndSeal(d)
	before, _ := e.flow.Review(ctx, d)

	for _, bad := range []struct {
		name    string
		reason  string
		changes []inspect.Change
	}{
		{"no reason", "  ", change},
		{"no change", "理由", nil},
		{"unknown person", "理由", []inspect.Change{{PersonID: "nobody", ItemID: "A1.2"}}},
		{"item that does not apply", "理由", []inspect.Change{{PersonID: pid, ItemID: "A5.1", Finding: &inspect.Finding{Outcome: inspect.Nonconform}}}},
	} {
		if _, err := e.flow.Amend(ctx, e.mgr, d.Inspection.ID, bad.reason, bad.changes); !errors.Is(err, flow.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", bad.name, err)
		}
	}

	a, err := e.flow.Amend(ctx, e.mgr, d.Inspection.ID, " 服务证当天送修 ", change)
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := e.flow.DeviceID(ctx)
	if a.OriginalHash != hash || a.AuthorID != e.mgr.ID || a.DeviceID != dev || a.Reason != "服务证当天送修" ||
		!inspect.ValidHash(a.SealHash) || a.Changes[0].Finding.ID == "" || a.Changes[0].Finding.ItemID != "A1.2" {
		t.Errorf("amendment = %+v", a)
	}
	if change[0].Finding.ID != "" {
		t.Error("Amend changed the caller's finding")
	}

	opened, err := e.flow.Open(ctx, d.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(opened.Amendments) != 1 || opened.Inspection.SealHash != hash {
		t.Fatalf("opened: %d amendments, seal %s", len(opened.Amendments), opened.Inspection.SealHash)
	}
	// The original is untouched; checklist and review show it as amended.
	if f := finding(opened.Inspection, pid, "A1.2"); f == nil || f.Outcome != inspect.Nonconform {
		t.Errorf("original finding = %+v", f)
	}
	sub, _ := e.flow.Checklist(ctx, opened, pid)
	for _, s := range sub.Sections {
		for _, it := range s.Items {
			if it.Item.ID == "A1.2" && (it.Finding == nil || it.Finding.Outcome != inspect.NotApplicable) {
				t.Errorf("amended checklist shows %+v", it.Finding)
			}
		}
	}
	after, _ := e.flow.Review(ctx, opened)
	if before.Result.Inspection.Points >= 100 || after.Result.Inspection.Points != 100 {
		t.Errorf("points before %v, after the amendment %v", before.Result.Inspection.Points, after.Result.Inspection.Points)
	}
	if v, err := e.db.Verify(ctx, d.Inspection.ID); err != nil || !v.OK() || len(v.Amendments) != 1 {
		t.Errorf("verify: %+v, %v", v, err)
	}
}

// TestRepeatHint seals two inspections with the same finding on 赵磊; the
// third shows it as his third time.
func TestRepeatHint(t *testing.T) {
	e := newEnv(t)
	var sealed []string
	for range 2 {
		d := e.start(e.sup, hallA, "赵磊", "李娜")
		if _, err := e.flow.ToggleNonconform(ctx, d, person(t, d, "赵磊"), "A5.1"); err != nil {
			t.Fatal(err)
		}
		// A tally with failures counts too; one without does not.
		if _, err := e.flow.SetTally(ctx, d, person(t, d, "赵磊"), "G1.1", 3, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := e.flow.SetTally(ctx, d, person(t, d, "李娜"), "G1.1", 3, 0); err != nil {
			t.Fatal(err)
		}
		e.signAndSeal(d)
		sealed = append(sealed, d.Inspection.ID)
	}
	// A draft's findings are not offences yet.
	draft := e.start(e.sup, hallA, "赵磊")
	if _, err := e.flow.ToggleNonconform(ctx, draft, person(t, draft, "赵磊"), "A5.1"); err != nil {
		t.Fatal(err)
	}

	d := e.start(e.sup, hallA, "赵磊", "李娜")
	zhao := person(t, d, "赵磊")
	off, err := e.flow.AddOffRoster(ctx, d, "临时工", "cashier", "male")
	if err != nil {
		t.Fatal(err)
	}
	repeats := func(d *flow.Draft, pid string) map[string]int {
		t.Helper()
		sub, err := e.flow.Checklist(ctx, d, pid)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, s := range sub.Sections {
			for _, it := range s.Items {
				if it.Repeats != 0 {
					m[it.Item.ID] = it.Repeats
				}
			}
		}
		return m
	}
	if got := repeats(d, zhao); !reflect.DeepEqual(got, map[string]int{"A5.1": 2, "G1.1": 2}) {
		t.Errorf("赵磊's repeats = %v, want A5.1 and G1.1 twice", got)
	}
	if got := repeats(d, person(t, d, "李娜")); len(got) != 0 {
		t.Errorf("李娜's repeats = %v, want none", got)
	}
	if got := repeats(d, off.PersonID); len(got) != 0 {
		t.Errorf("off-roster repeats = %v", got)
	}
	st, err := e.flow.ToggleNonconform(ctx, d, zhao, "A5.1")
	if err != nil || st.Repeats != 2 {
		t.Errorf("marking A5.1: repeats %d, %v; want 2 (the hint says 3rd time)", st.Repeats, err)
	}
	// An old record shows the hint it had: the first saw nothing before it,
	// the second one earlier offence.
	for i, want := range []int{0, 1} {
		old, err := e.flow.Open(ctx, sealed[i])
		if err != nil {
			t.Fatal(err)
		}
		if got := repeats(old, person(t, old, "赵磊"))["A5.1"]; got != want {
			t.Errorf("sealed inspection %d shows A5.1 repeats %d, want %d", i+1, got, want)
		}
	}
	// Outside the window nothing counts.
	e.clock.set(t0.Add(flow.RepeatWindow + 24*60*60*1e9))
	if got := repeats(d, zhao); len(got) != 0 {
		t.Errorf("after the window: %v", got)
	}
}

// TestResume closes the store in the middle of a draft and reopens it, as
// after the app was killed: the draft comes back exactly.
func TestResume(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜", "刘洋")
	li, liu := person(t, d, "李娜"), person(t, d, "刘洋")
	steps := []error{
		e.flow.SignStaff(ctx, d, liu, nil, "不同意"),
	}
	for _, st := range []func() (flow.ItemState, error){
		func() (flow.ItemState, error) { return e.flow.ToggleNonconform(ctx, d, li, "A1.2") },
		func() (flow.ItemState, error) { return e.flow.SetNote(ctx, d, li, "A1.2", "未佩戴服务证") },
		func() (flow.ItemState, error) {
			return e.flow.AttachPhoto(ctx, d, li, "A1.2", "badge.jpg", encodeJPEG(t, scene(80, 60)))
		},
		func() (flow.ItemState, error) { return e.flow.SetTally(ctx, d, liu, "G1.1", 6, 2) },
		func() (flow.ItemState, error) { return e.flow.SetNotApplicable(ctx, d, liu, "C7.2", true) },
		func() (flow.ItemState, error) { return e.flow.ToggleNonconform(ctx, d, "", "C1.3") },
	} {
		_, err := st()
		steps = append(steps, err)
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.AddOffRoster(ctx, d, "临时工", "promoter", "female"); err != nil {
		t.Fatal(err)
	}
	want := *d.Inspection

	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	e.db = e.openStore()
	e.flow = e.newFlow()

	drafts, err := e.flow.Drafts(ctx, e.sup)
	if err != nil || len(drafts) != 1 || drafts[0].ID != want.ID {
		t.Fatalf("drafts after reopening: %+v, %v", drafts, err)
	}
	got, err := e.flow.Open(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ReadOnly || got.HallName != d.HallName || got.Standard.Version != d.Standard.Version {
		t.Errorf("reopened: %+v", got)
	}
	if a, b := canonical(t, &want), canonical(t, got.Inspection); a != b {
		t.Errorf("reopened draft differs from the one in memory:\n got %s\nwant %s", b, a)
	}
	// And it goes on.
	if _, err := e.flow.ToggleNonconform(ctx, got, li, "A1.1"); err != nil {
		t.Fatal(err)
	}
	e.signAndSeal(got)
}

// canonical is the seal's encoding, which covers every recorded fact and
// normalises order: equal encodings, equal records.
func canonical(t *testing.T, ins *inspect.Inspection) string {
	t.Helper()
	b, err := inspect.Canonical(ins)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
