package store_test

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

func TestSeal(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ph := f.photo(t, "evidence")
	finding := nc("A1")
	finding.Photos = []inspect.PhotoRef{ph}
	ins := f.draft(t, t0, finding)
	at := t0.Add(90*time.Minute + 7*time.Microsecond)

	hash, err := db.Seal(ctx, ins.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	if !inspect.ValidHash(hash) {
		t.Fatalf("seal %q is not a hash", hash)
	}
	got, err := db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantAt := at.Truncate(time.Millisecond)
	if got.Status != inspect.StatusSealed || got.SealHash != hash || !got.SealedAt.Equal(wantAt) || !got.EndedAt.Equal(wantAt) {
		t.Errorf("sealed inspection = status %s hash %s sealed %v ended %v", got.Status, got.SealHash, got.SealedAt, got.EndedAt)
	}
	if again, _ := inspect.ComputeSeal(got); again != hash {
		t.Errorf("seal recomputed from the loaded record = %s, stored %s", again, hash)
	}
	res, err := db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.StoredHash != hash || res.ComputedHash != hash || len(res.Photos) != 1 {
		t.Errorf("Verify of an intact inspection = %+v", res)
	}
}

func TestSealNeedsStoredPhotos(t *testing.T) {
	f := newFixture(t)
	finding := nc("A1")
	finding.Photos = []inspect.PhotoRef{{SHA256: strings.Repeat("ab", 32), Size: 10, Type: "image/jpeg"}}
	ins := f.draft(t, t0, finding)
	if _, err := f.db.Seal(ctx, ins.ID, t0); !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "abab") {
		t.Fatalf("seal with an unknown photo: error = %v, want ErrNotFound naming the photo", err)
	}
	wrongSize := f.photo(t, "real")
	wrongSize.Size++
	if err := f.db.SaveFinding(ctx, ins.ID, ins.People[0].ID, &inspect.Finding{ItemID: "A1", Outcome: inspect.Nonconform,
		Photos: []inspect.PhotoRef{wrongSize}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Seal(ctx, ins.ID, t0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("seal with a wrong photo size: error = %v, want ErrInvalid", err)
	}
	if got, _ := f.db.Inspection(ctx, ins.ID); got.Status != inspect.StatusDraft {
		t.Errorf("a failed seal left status %s", got.Status)
	}
}

func TestSealedIsImmutable(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ph := f.photo(t, "evidence")
	finding := nc("A1")
	finding.Photos = []inspect.PhotoRef{ph}
	ins := f.draft(t, t0, finding)
	hall := nc("H1")
	if err := db.SaveFinding(ctx, ins.ID, "", &hall); err != nil {
		t.Fatal(err)
	}
	person := ins.People[0].ID
	if err := db.SaveSignature(ctx, ins.ID, inspect.Signature{Role: inspect.SignerSupervisor, PersonID: f.sup.ID, Name: "张督导"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Seal(ctx, ins.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	t.Run("api", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			do   func() error
		}{
			{"seal again", func() error { _, err := db.Seal(ctx, ins.ID, t0); return err }},
			{"add person", func() error { return db.AddPerson(ctx, ins.ID, &inspect.Person{StaffID: f.bob.ID}) }},
			{"remove person", func() error { return db.RemovePerson(ctx, ins.ID, person) }},
			{"new finding", func() error {
				return db.SaveFinding(ctx, ins.ID, person, &inspect.Finding{ItemID: "Z9", Outcome: inspect.Nonconform})
			}},
			{"change finding", func() error {
				return db.SaveFinding(ctx, ins.ID, person, &inspect.Finding{ItemID: "A1", Outcome: inspect.NotApplicable})
			}},
			{"delete finding", func() error { return db.DeleteFinding(ctx, ins.ID, person, "A1") }},
			{"delete missing finding", func() error { return db.DeleteFinding(ctx, ins.ID, person, "Z9") }},
			{"delete hall finding", func() error { return db.DeleteFinding(ctx, ins.ID, "", "H1") }},
			{"signature", func() error {
				return db.SaveSignature(ctx, ins.ID, inspect.Signature{Role: inspect.SignerStaff, PersonID: person, Disagreement: "不同意"})
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.do(); !errors.Is(err, store.ErrSealed) || !errors.Is(err, inspect.ErrSealed) {
					t.Fatalf("error = %v, want ErrSealed", err)
				}
			})
		}
	})

	t.Run("raw sql", func(t *testing.T) {
		raw := rawDB(t, f.path)
		for _, q := range []string{
			"UPDATE inspections SET hall_id = hall_id WHERE id = ?1",
			"UPDATE inspections SET status = 'draft' WHERE id = ?1",
			"UPDATE inspections SET seal_hash = '" + strings.Repeat("0", 64) + "' WHERE id = ?1",
			"DELETE FROM inspections WHERE id = ?1",
			"UPDATE findings SET note = 'x' WHERE inspection_id = ?1",
			"DELETE FROM findings WHERE inspection_id = ?1",
			"INSERT INTO findings (id, inspection_id, item_id, outcome, at) VALUES ('f-new', ?1, 'Z9', 'nonconform', 0)",
			"DELETE FROM observed_people WHERE inspection_id = ?1",
			"UPDATE observed_people SET name = 'x' WHERE inspection_id = ?1",
			"INSERT INTO observed_people (id, inspection_id, position, off_roster, name) VALUES ('p-new', ?1, 9, 1, 'x')",
			"UPDATE finding_photos SET size = 1 WHERE finding_id IN (SELECT id FROM findings WHERE inspection_id = ?1)",
			"DELETE FROM finding_photos WHERE finding_id IN (SELECT id FROM findings WHERE inspection_id = ?1)",
			"UPDATE signatures SET disagreement = 'x' WHERE inspection_id = ?1",
			"DELETE FROM signatures WHERE inspection_id = ?1",
			"INSERT INTO signatures (inspection_id, role, person_id, at) VALUES (?1, 'staff', 'p', 0)",
		} {
			t.Run(q, func(t *testing.T) {
				_, err := raw.Exec(q, ins.ID)
				if err == nil || !strings.Contains(err.Error(), "inspection is sealed") {
					t.Fatalf("error = %v, want 'inspection is sealed'", err)
				}
			})
		}
	})

	// INSERT OR REPLACE deletes the old row without firing DELETE triggers
	// unless recursive_triggers is on, as it is on the store's connections.
	t.Run("replace", func(t *testing.T) {
		raw, err := sql.Open("sqlite3", f.path+"?_busy_timeout=5000&_fk=1&_recursive_triggers=1")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, q := range []string{
			"INSERT OR REPLACE INTO inspections (id, hall_id, supervisor_id, device_id, standard_version, started_at, status) SELECT id, hall_id, supervisor_id, device_id, standard_version, started_at, 'draft' FROM inspections WHERE id = ?1",
			"REPLACE INTO observed_people (id, inspection_id, position, off_roster, name) SELECT id, inspection_id, position, off_roster, 'x' FROM observed_people WHERE inspection_id = ?1",
		} {
			if _, err := raw.Exec(q, ins.ID); err == nil || !strings.Contains(err.Error(), "inspection is sealed") {
				t.Errorf("%s: error = %v, want 'inspection is sealed'", q, err)
			}
		}
	})

	res, err := db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Errorf("after refused changes Verify = %+v", res)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ph1, ph2 := f.photo(t, "first photo"), f.photo(t, "second photo")
	finding := nc("A1")
	finding.Note = "未佩戴工牌"
	finding.Photos = []inspect.PhotoRef{ph1, ph2}
	ins := f.sealed(t, f.alice, t0, finding)

	// Someone with the file and a SQLite shell drops the triggers and
	// changes one byte of a note.
	raw := rawDB(t, f.path)
	if _, err := raw.Exec("DROP TRIGGER findings_sealed_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE findings SET note = '未佩戴工牌 ' WHERE inspection_id = ?", ins.ID); err != nil {
		t.Fatal(err)
	}
	res, err := db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.SealOK || res.OK() || res.StoredHash != ins.SealHash || res.ComputedHash == ins.SealHash {
		t.Errorf("Verify after changing a note = %+v, want seal mismatch", res)
	}

	// Overwrite one byte of a photo file.
	path := db.PhotoPath(ph2.SHA256)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err = db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bad []store.PhotoCheck
	for _, p := range res.Photos {
		if !p.OK {
			bad = append(bad, p)
		}
	}
	if len(res.Photos) != 2 || len(bad) != 1 || bad[0].SHA256 != ph2.SHA256 || !strings.HasPrefix(bad[0].Problem, "hash mismatch: file hashes to ") {
		t.Errorf("Verify after changing a photo: photos %+v", res.Photos)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	res, _ = db.Verify(ctx, ins.ID)
	for _, p := range res.Photos {
		if p.SHA256 == ph2.SHA256 && p.Problem != "missing" {
			t.Errorf("deleted photo: %+v, want missing", p)
		}
	}
	// Putting the photo back repairs it.
	if _, err := db.PutPhoto(ctx, bytes.NewReader([]byte("second photo")), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	res, _ = db.Verify(ctx, ins.ID)
	for _, p := range res.Photos {
		if !p.OK {
			t.Errorf("after re-upload: %+v", p)
		}
	}
}

func TestAmendments(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ins := f.sealed(t, f.alice, t0, nc("A1"), tally("B1", 5, 2))
	person := ins.People[0].ID
	ph := f.photo(t, "amendment photo")

	draft := f.draft(t, t0)
	for _, tc := range []struct {
		name string
		a    inspect.Amendment
		want error
	}{
		{"draft", inspect.Amendment{InspectionID: draft.ID, OriginalHash: ins.SealHash, Reason: "r", AuthorID: f.sup.ID,
			Changes: []inspect.Change{{PersonID: draft.People[0].ID, ItemID: "A1"}}}, store.ErrNotSealed},
		{"unknown inspection", inspect.Amendment{InspectionID: "nope", Reason: "r", AuthorID: f.sup.ID,
			Changes: []inspect.Change{{ItemID: "A1"}}}, store.ErrNotFound},
		{"wrong original hash", inspect.Amendment{InspectionID: ins.ID, OriginalHash: strings.Repeat("0", 64), Reason: "r",
			AuthorID: f.sup.ID, Changes: []inspect.Change{{PersonID: person, ItemID: "A1"}}}, store.ErrConflict},
		{"no reason", inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, AuthorID: f.sup.ID,
			Changes: []inspect.Change{{PersonID: person, ItemID: "A1"}}}, store.ErrInvalid},
		{"no changes", inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "r", AuthorID: f.sup.ID}, store.ErrInvalid},
		{"unknown person", inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "r", AuthorID: f.sup.ID,
			Changes: []inspect.Change{{PersonID: "nope", ItemID: "A1"}}}, store.ErrNotFound},
		{"unstored photo", inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "r", AuthorID: f.sup.ID,
			Changes: []inspect.Change{{PersonID: person, ItemID: "A1", Finding: &inspect.Finding{Outcome: inspect.Nonconform,
				Photos: []inspect.PhotoRef{{SHA256: strings.Repeat("cd", 32), Size: 1, Type: "image/png"}}}}}}, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.AddAmendment(ctx, &tc.a); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}

	// Two amendments, both chained to the original's seal.
	a1 := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "工牌在口袋里，已核实", AuthorID: f.sup.ID,
		DeviceID: "dev-1", At: t0.Add(24 * time.Hour), Changes: []inspect.Change{{PersonID: person, ItemID: "A1"}}}
	a2 := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "补充照片", AuthorID: f.sup2.ID,
		DeviceID: "dev-2", At: t0.Add(48 * time.Hour), Changes: []inspect.Change{
			{PersonID: person, ItemID: "B1", Finding: &inspect.Finding{Outcome: inspect.Tallied, Observed: 5, Failed: 1, Note: "重新计数", Photos: []inspect.PhotoRef{ph}}},
			{ItemID: "H3", Finding: &inspect.Finding{Outcome: inspect.Nonconform, Note: "hall"}},
		}}
	for _, a := range []*inspect.Amendment{a1, a2} {
		if err := db.AddAmendment(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == "" || !inspect.ValidHash(a.SealHash) {
			t.Fatalf("amendment not completed: %+v", a)
		}
	}
	if a2.Changes[0].Finding.ItemID != "B1" || a2.Changes[0].Finding.ID == "" {
		t.Errorf("change finding not completed: %+v", a2.Changes[0].Finding)
	}
	got, err := db.Amendments(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != a1.ID || got[1].ID != a2.ID {
		t.Fatalf("Amendments = %+v", got)
	}
	for i, want := range []*inspect.Amendment{a1, a2} {
		h, _ := inspect.ComputeAmendmentSeal(&got[i])
		if h != want.SealHash || got[i].SealHash != want.SealHash {
			t.Errorf("amendment %d reloaded hashes to %s, sealed %s", i, h, want.SealHash)
		}
	}
	if len(got[1].Changes) != 2 || got[1].Changes[0].Finding.Photos[0] != ph || got[0].Changes[0].Finding != nil {
		t.Errorf("changes reloaded: %+v", got[1].Changes)
	}

	// Re-sending the same amendment (a sync retry) is a no-op; the same ID
	// with other content is a conflict.
	resend := got[1]
	if err := db.AddAmendment(ctx, &resend); err != nil {
		t.Errorf("re-adding the same amendment: %v", err)
	}
	forged := got[0]
	forged.Reason = "另一个理由"
	forged.SealHash, _ = inspect.ComputeAmendmentSeal(&forged)
	if err := db.AddAmendment(ctx, &forged); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same ID, other content: error = %v, want ErrConflict", err)
	}
	mislabelled := got[0]
	mislabelled.Reason = "改了内容但没改封印"
	if err := db.AddAmendment(ctx, &mislabelled); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("content not matching its seal: error = %v, want ErrInvalid", err)
	}

	res, err := db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Amendments) != 2 || len(res.Photos) != 1 {
		t.Errorf("Verify with amendments = %+v", res)
	}

	raw := rawDB(t, f.path)
	for _, q := range []string{
		"UPDATE amendments SET reason = 'x' WHERE id = ?1",
		"DELETE FROM amendments WHERE id = ?1",
	} {
		if _, err := raw.Exec(q, a1.ID); err == nil || !strings.Contains(err.Error(), "amendment is sealed") {
			t.Errorf("%s: error = %v, want 'amendment is sealed'", q, err)
		}
	}
	if _, err := raw.Exec("DROP TRIGGER amendments_no_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE amendments SET reason = '改过' WHERE id = ?", a1.ID); err != nil {
		t.Fatal(err)
	}
	res, err = db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || !res.SealOK || res.Amendments[0].OK || res.Amendments[0].ID != a1.ID || !res.Amendments[1].OK ||
		!strings.HasPrefix(res.Amendments[0].Problem, "seal mismatch") {
		t.Errorf("Verify after changing an amendment = %+v", res)
	}
}

// Amendments are numbered in the order this device makes them, and listed
// and applied in that order even when its clock went back in between.
func TestAmendmentsNumberedInOrderMade(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ins := f.sealed(t, f.alice, t0, nc("A1"))
	person := ins.People[0].ID
	first := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "先改为不适用", AuthorID: f.sup.ID,
		At: t0.Add(48 * time.Hour), Changes: []inspect.Change{{PersonID: person, ItemID: "A1",
			Finding: &inspect.Finding{Outcome: inspect.NotApplicable, Note: "第一次"}}}}
	second := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "再改回不符合", AuthorID: f.sup.ID,
		At: t0.Add(-10 * 365 * 24 * time.Hour), // the clock was reset between the two
		Changes: []inspect.Change{{PersonID: person, ItemID: "A1",
			Finding: &inspect.Finding{Outcome: inspect.Nonconform, Note: "第二次"}}}}
	for _, a := range []*inspect.Amendment{first, second} {
		if err := db.AddAmendment(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if first.Seq != 1 || second.Seq != 2 {
		t.Fatalf("numbered %d and %d, want 1 and 2", first.Seq, second.Seq)
	}
	got, err := db.Amendments(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != first.ID || got[1].ID != second.ID || got[1].Seq != 2 {
		t.Fatalf("Amendments = %+v, want the first made first", got)
	}
	eff := inspect.Effective(ins, got)
	if fs := eff.People[0].Findings; len(fs) != 1 || fs[0].Note != "第二次" {
		t.Errorf("effective findings %+v, want the second amendment's", fs)
	}
	// The number is sealed: what is stored still verifies.
	res, err := db.Verify(ctx, ins.ID)
	if err != nil || !res.OK() {
		t.Errorf("Verify = %+v, %v", res, err)
	}
	neg := *second
	neg.ID, neg.SealHash, neg.Seq = "", "", -1
	if err := db.AddAmendment(ctx, &neg); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("negative sequence: error = %v, want ErrInvalid", err)
	}
}
