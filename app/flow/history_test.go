package flow_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

const day = 24 * time.Hour

func TestHistory(t *testing.T) {
	e := newEnv(t)
	at := func(days int) { e.clock.set(t0.Add(time.Duration(days) * day)) }

	// 1: hall A, a critical failure (G8.2 argued with a customer): graded fail.
	at(1)
	d1 := e.start(e.sup, hallA, "李娜", "赵磊")
	if _, err := e.flow.ToggleNonconform(ctx, d1, person(t, d1, "李娜"), "G8.2"); err != nil {
		t.Fatal(err)
	}
	e.signAndSeal(d1)
	// 2: hall A, another supervisor, clean.
	at(2)
	d2 := e.start(e.sup2, hallA, "赵磊")
	e.signAndSeal(d2)
	// 3: hall B, one small deviation.
	at(3)
	d3 := e.start(e.sup, hallB, "段志强")
	if _, err := e.flow.ToggleNonconform(ctx, d3, person(t, d3, "段志强"), "A1.1"); err != nil {
		t.Fatal(err)
	}
	e.signAndSeal(d3)
	// 4: hall A, still a draft.
	at(4)
	d4 := e.start(e.sup, hallA, "李娜")

	// Newer inspections recorded on another device (a hub's copy): never
	// this device's history, and more than one store page of them.
	dev, _ := e.flow.DeviceID(ctx)
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range 130 {
			ins := &inspect.Inspection{HallID: e.halls[hallA].ID, SupervisorID: e.sup.ID, DeviceID: "another-device",
				StandardVersion: 1, StartedAt: t0.Add(10*day + time.Duration(i)*time.Minute)}
			if err := tx.CreateInspection(ctx, ins); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	id := map[string]int{d1.Inspection.ID: 1, d2.Inspection.ID: 2, d3.Inspection.ID: 3, d4.Inspection.ID: 4}
	tests := []struct {
		name string
		f    flow.HistoryFilter
		want []int
	}{
		{"all", flow.HistoryFilter{}, []int{4, 3, 2, 1}},
		{"hall", flow.HistoryFilter{HallID: e.halls[hallA].ID}, []int{4, 2, 1}},
		{"staff", flow.HistoryFilter{StaffID: e.staff["赵磊"].ID}, []int{2, 1}},
		{"dates, To exclusive", flow.HistoryFilter{From: t0.Add(2 * day), To: t0.Add(4 * day)}, []int{3, 2}},
		{"from", flow.HistoryFilter{From: t0.Add(3 * day)}, []int{4, 3}},
		{"grade fail", flow.HistoryFilter{Grade: "fail"}, []int{1}},
		{"grade excellent", flow.HistoryFilter{Grade: "excellent"}, []int{4, 3, 2}},
		{"grade good", flow.HistoryFilter{Grade: "good"}, nil},
		{"drafts", flow.HistoryFilter{State: flow.StateDraft}, []int{4}},
		{"sealed", flow.HistoryFilter{State: flow.StateSealed}, []int{3, 2, 1}},
		{"sent", flow.HistoryFilter{State: flow.StateSent}, nil},
		{"delivered", flow.HistoryFilter{State: flow.StateDelivered}, nil},
		{"quarantined", flow.HistoryFilter{State: flow.StateQuarantined}, nil},
		{"limit", flow.HistoryFilter{Limit: 2}, []int{4, 3}},
		{"limit and offset", flow.HistoryFilter{Limit: 2, Offset: 1}, []int{3, 2}},
		{"offset past the end", flow.HistoryFilter{Offset: 10}, nil},
		{"grade with paging", flow.HistoryFilter{Grade: "excellent", Limit: 1, Offset: 1}, []int{3}},
		{"combined", flow.HistoryFilter{HallID: e.halls[hallA].ID, State: flow.StateSealed, StaffID: e.staff["李娜"].ID}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.flow.History(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var nums []int
			for _, s := range got {
				n, ok := id[s.ID]
				if !ok {
					t.Fatalf("listed %s, not one of this device's inspections", s.ID)
				}
				nums = append(nums, n)
			}
			if !slices.Equal(nums, tt.want) {
				t.Errorf("History(%+v) = %v, want %v", tt.f, nums, tt.want)
			}
		})
	}

	all, err := e.flow.History(ctx, flow.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s1 := all[3]
	want := flow.Summary{ID: d1.Inspection.ID, HallID: e.halls[hallA].ID, HallName: "优付通北京路营业厅", Supervisor: "张督导",
		StartedAt: d1.Inspection.StartedAt, People: 2, Findings: 1, State: flow.StateSealed, SealHash: d1.Inspection.SealHash}
	got := s1
	got.Score, got.Scored, got.Grade = 0, false, want.Grade
	if fmt.Sprint(got) != fmt.Sprint(want) || !s1.Scored || s1.Grade.ID != "fail" || s1.Score <= 0 || s1.Score >= 100 {
		t.Errorf("summary = %+v\nwant %+v, scored, graded fail", s1, want)
	}
	if all[0].State != flow.StateDraft || all[0].SealHash != "" || all[0].Score != 100 {
		t.Errorf("draft summary = %+v", all[0])
	}
	if all[2].Supervisor != "王督导" {
		t.Errorf("supervisor of 2 = %q", all[2].Supervisor)
	}
	if dev == "" {
		t.Error("no device")
	}

	for _, bad := range []flow.HistoryFilter{{State: "lost"}, {Limit: -1}, {Offset: -1}} {
		if _, err := e.flow.History(ctx, bad); !errors.Is(err, flow.ErrInvalid) {
			t.Errorf("History(%+v): %v, want ErrInvalid", bad, err)
		}
	}
}

// An inspection shows the sync state of its amendments too: it is delivered
// only when they are, since the hub's record is the inspection as amended.
func TestHistoryStateCountsAmendments(t *testing.T) {
	e := newEnv(t)
	d, pid := e.sealedWithFinding()
	mark := func(id string, st store.OutboxState) {
		t.Helper()
		if _, err := e.db.EnqueueSealed(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.db.UpdateOutbox(ctx, []store.OutboxUpdate{{ID: id, State: st, ReceiptEpoch: "e1"}}); err != nil {
			t.Fatal(err)
		}
	}
	stateIs := func(want flow.SyncState) {
		t.Helper()
		all, err := e.flow.History(ctx, flow.HistoryFilter{})
		if err != nil || len(all) != 1 || all[0].State != want {
			t.Fatalf("history = %+v, %v; want the inspection %s", all, err, want)
		}
		if only, err := e.flow.History(ctx, flow.HistoryFilter{State: want}); err != nil || len(only) != 1 {
			t.Errorf("filtered by %s: %+v, %v", want, only, err)
		}
	}
	mark(d.Inspection.ID, store.OutboxDelivered)
	stateIs(flow.StateDelivered)

	change := []inspect.Change{{PersonID: pid, ItemID: "A1.2", Finding: &inspect.Finding{Outcome: inspect.NotApplicable, Note: "服务证送修"}}}
	a, err := e.flow.Amend(ctx, e.mgr, d.Inspection.ID, "服务证当天送修", change)
	if err != nil {
		t.Fatal(err)
	}
	stateIs(flow.StateSealed) // not queued yet (no sync reached the hub)
	mark(a.ID, store.OutboxSealed)
	stateIs(flow.StateSealed)
	mark(a.ID, store.OutboxQuarantined)
	stateIs(flow.StateQuarantined)
	mark(a.ID, store.OutboxDelivered)
	stateIs(flow.StateDelivered)
}
