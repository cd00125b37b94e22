package store_test

import (
	"errors"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

func TestDeleteSignature(t *testing.T) {
	f := newFixture(t)
	db := f.db
	ins := f.draft(t, t0, nc("A1"))
	alice := ins.People[0].ID
	img := f.photo(t, "signature")
	for _, s := range []inspect.Signature{
		{Role: inspect.SignerSupervisor, PersonID: f.sup.ID, Name: "张督导", Image: &img},
		{Role: inspect.SignerStaff, PersonID: alice, Name: "王丽", Image: &img, Disagreement: "不同意"},
	} {
		if err := db.SaveSignature(ctx, ins.ID, s); err != nil {
			t.Fatal(err)
		}
	}

	if err := db.DeleteSignature(ctx, ins.ID, inspect.SignerSupervisor, f.sup.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.Inspection(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Signatures) != 1 || got.Signatures[0].Role != inspect.SignerStaff || got.Signatures[0].PersonID != alice {
		t.Fatalf("after deleting the supervisor's signature: %+v", got.Signatures)
	}
	// Again, and one that never existed: no-ops.
	if err := db.DeleteSignature(ctx, ins.ID, inspect.SignerSupervisor, f.sup.ID); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if err := db.DeleteSignature(ctx, ins.ID, inspect.SignerStaff, "nobody"); err != nil {
		t.Errorf("delete of a missing signature: %v", err)
	}

	// Inside a transaction that rolls back, nothing happens.
	boom := errors.New("boom")
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSignature(ctx, ins.ID, inspect.SignerStaff, alice); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if got, _ := db.Inspection(ctx, ins.ID); len(got.Signatures) != 1 {
		t.Fatalf("a rolled-back delete removed the signature: %+v", got.Signatures)
	}

	for name, c := range map[string]struct {
		id     string
		role   inspect.SignerRole
		person string
		want   error
	}{
		"unknown inspection": {"no-such-id", inspect.SignerSupervisor, f.sup.ID, store.ErrNotFound},
		"unknown role":       {ins.ID, "witness", f.sup.ID, store.ErrInvalid},
		"no person":          {ins.ID, inspect.SignerStaff, "", store.ErrInvalid},
	} {
		if err := db.DeleteSignature(ctx, c.id, c.role, c.person); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestDeleteSignatureSealed(t *testing.T) {
	f := newFixture(t)
	ins := f.draft(t, t0)
	if err := f.db.SaveSignature(ctx, ins.ID, inspect.Signature{Role: inspect.SignerSupervisor, PersonID: f.sup.ID, Name: "张督导"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Seal(ctx, ins.ID, t0.Add(3600e9)); err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct {
		role   inspect.SignerRole
		person string
	}{{inspect.SignerSupervisor, f.sup.ID}, {inspect.SignerStaff, ins.People[0].ID}} {
		if err := f.db.DeleteSignature(ctx, ins.ID, who.role, who.person); !errors.Is(err, store.ErrSealed) {
			t.Errorf("delete %s signature of a sealed inspection: %v, want ErrSealed", who.role, err)
		}
	}
	v, err := f.db.Verify(ctx, ins.ID)
	if err != nil || !v.SealOK {
		t.Fatalf("seal after refused deletes: %+v, %v", v, err)
	}
	if got, _ := f.db.Inspection(ctx, ins.ID); len(got.Signatures) != 1 {
		t.Fatalf("signatures of the sealed inspection: %+v", got.Signatures)
	}
}
