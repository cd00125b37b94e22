package flow_test

import (
	"database/sql"
	"testing"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// TestOnlyTheOwnerSignsAndSeals: another supervisor on the same tablet can
// open a draft from the history, but cannot draw a signature that would be
// stored as the owner's, withdraw the owner's, or seal the draft.
func TestOnlyTheOwnerSignsAndSeals(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	other, err := e.flow.Open(ctx, d.Inspection.ID) // as the history opens it
	if err != nil {
		t.Fatal(err)
	}
	if !d.OwnedBy(e.sup) || other.OwnedBy(e.sup2) || other.OwnedBy(flow.User{}) {
		t.Errorf("OwnedBy: owner %v, other %v, nobody %v", d.OwnedBy(e.sup), other.OwnedBy(e.sup2), other.OwnedBy(flow.User{}))
	}

	for name, u := range map[string]flow.User{"another supervisor": e.sup2, "a manager": e.mgr, "nobody": {}} {
		err := e.flow.SignSupervisor(ctx, u, other, signaturePNG(t))
		wantErr(t, err, flow.ErrNotOwner)
		if key := flow.MessageKey(err); key != "error.not_owner" {
			t.Errorf("%s: MessageKey = %q", name, key)
		}
		if n := len(e.stored(d.Inspection.ID).Signatures) + len(other.Inspection.Signatures); n != 0 {
			t.Fatalf("%s signed: %d signatures stored", name, n)
		}
	}

	if err := e.flow.SignSupervisor(ctx, e.sup, d, signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	other, err = e.flow.Open(ctx, d.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.flow.SignSupervisor(ctx, e.sup2, other, nil), flow.ErrNotOwner)
	_, err = e.flow.Seal(ctx, e.sup2, other)
	wantErr(t, err, flow.ErrNotOwner)
	// A Draft whose supervisor was changed in memory is still checked
	// against the stored record.
	forged := *other
	ins := *other.Inspection
	ins.SupervisorID = e.sup2.ID
	forged.Inspection = &ins
	_, err = e.flow.Seal(ctx, e.sup2, &forged)
	wantErr(t, err, flow.ErrNotOwner)

	stored := e.stored(d.Inspection.ID)
	if stored.Status != inspect.StatusDraft || other.ReadOnly || len(stored.Signatures) != 1 || stored.Signatures[0].PersonID != e.sup.ID {
		t.Fatalf("after the refusals: status %s, signatures %+v", stored.Status, stored.Signatures)
	}
	if _, err := e.flow.Seal(ctx, e.sup, d); err != nil {
		t.Fatalf("the owner seals: %v", err)
	}
}

// A draft whose supervisor can no longer sign in on the tablet (disabled or
// removed) would never be finished; another user takes it over, signs it as
// themselves and seals it. While its supervisor can still sign in, nobody
// else can take it.
func TestTakeOverAbandonedDraft(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	if err := e.flow.SignSupervisor(ctx, e.sup, d, signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	other, err := e.flow.Open(ctx, d.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	if can, err := e.flow.CanTakeOver(ctx, other); err != nil || can {
		t.Fatalf("CanTakeOver while its supervisor is on the tablet = %v, %v", can, err)
	}
	wantErr(t, e.flow.TakeOver(ctx, e.sup2, other), flow.ErrNotOwner)

	raw, err := sql.Open("sqlite3", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE users SET disabled = 1 WHERE id = ?", e.sup.ID); err != nil {
		t.Fatal(err)
	}
	if can, err := e.flow.CanTakeOver(ctx, other); err != nil || !can {
		t.Fatalf("CanTakeOver once its supervisor is disabled = %v, %v", can, err)
	}
	if err := e.flow.TakeOver(ctx, e.sup2, other); err != nil {
		t.Fatal(err)
	}
	stored := e.stored(d.Inspection.ID)
	if stored.SupervisorID != e.sup2.ID || len(stored.Signatures) != 0 || len(stored.People) != len(d.Inspection.People) {
		t.Fatalf("after the takeover: supervisor %s, signatures %+v", stored.SupervisorID, stored.Signatures)
	}
	_, err = e.flow.Seal(ctx, e.sup2, other)
	wantErr(t, err, flow.ErrUnsigned)
	if err := e.flow.SignSupervisor(ctx, e.sup2, other, signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Seal(ctx, e.sup2, other); err != nil {
		t.Fatalf("the new supervisor seals: %v", err)
	}
}
