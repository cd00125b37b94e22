package flow_test

import (
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
