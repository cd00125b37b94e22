package flow

import (
	"context"
	"fmt"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

// historyPage is how many rows History asks the store for at a time while
// it filters on what the store cannot (device, grade).
const historyPage = 100

// History lists this device's inspections, newest first.
//
// Hall, staff, dates and draft/sealed are filtered by the store's indexes.
// The device and the grade are not in the store's list, so every candidate
// row is loaded and scored (records.Reader: the inspection, its amendments,
// the cached standard) before it is kept or dropped, and Offset skips rows
// that passed the filter. The cost is therefore one record load per row up to
// Offset+Limit that the store's own filters let through: a page of 50 is a
// few tens of milliseconds; paging deep into a long history with a grade
// filter grows with the depth. Summaries need the score anyway, so without a
// grade filter the extra cost is only that of rows from other devices.
//
// The sync state of a sealed inspection is its place in the outbox (see
// app/store/synctablet.go): sealed until sent, sent, delivered once a
// receipt covers it, or quarantined. Records made under the device ID this
// device had before it enrolled with a hub are listed too.
func (f *Flow) History(ctx context.Context, hf HistoryFilter) ([]Summary, error) {
	const op = "list inspections"
	sf := store.InspectionFilter{HallID: hf.HallID, StaffID: hf.StaffID, From: hf.From, To: hf.To}
	switch hf.State {
	case "":
	case StateDraft:
		sf.Status = inspect.StatusDraft
	case StateSealed, StateSent, StateDelivered, StateQuarantined:
		sf.Status = inspect.StatusSealed
	default:
		return nil, fmt.Errorf("%s: %w", op, invalid("unknown state %q", hf.State))
	}
	if hf.Limit < 0 || hf.Offset < 0 {
		return nil, fmt.Errorf("%s: %w", op, invalid("limit %d and offset %d must not be negative", hf.Limit, hf.Offset))
	}
	devs, err := f.myDevices(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	states, err := f.outboxStates(ctx)
	if err != nil {
		return nil, storeErr(op, err)
	}
	skip := hf.Offset
	var out []Summary
	for off := 0; ; off += historyPage {
		sf.Limit, sf.Offset = historyPage, off
		rows, err := f.db.ListInspections(ctx, sf)
		if err != nil {
			return nil, storeErr(op, err)
		}
		for _, r := range rows {
			s, ok, err := f.summary(ctx, r, devs, hf.Grade, states)
			if err != nil {
				return nil, storeErr(op, err)
			}
			if !ok || hf.State != "" && s.State != hf.State {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, s)
			if hf.Limit > 0 && len(out) == hf.Limit {
				return out, nil
			}
		}
		if len(rows) < historyPage {
			return out, nil
		}
	}
}

// summary scores one listed inspection; ok is false when it is another
// device's or does not have the grade asked for. states are the sync
// states of sealed inspections by ID (missing: not queued yet, sealed).
func (f *Flow) summary(ctx context.Context, r store.InspectionSummary, devices map[string]bool, grade string,
	states map[string]SyncState) (Summary, bool, error) {
	rec, err := f.rd.Load(ctx, r.ID)
	if err != nil {
		return Summary{}, false, err
	}
	if !devices[rec.Original.DeviceID] {
		return Summary{}, false, nil
	}
	f.learnClauses(rec.Standard)
	score := rec.Result.Inspection
	if grade != "" && (!score.Scored || score.Grade.ID != grade) {
		return Summary{}, false, nil
	}
	s := Summary{
		ID: r.ID, HallID: r.HallID, HallName: r.HallName, Supervisor: r.SupervisorName,
		StartedAt: r.StartedAt, People: r.People, Findings: len(score.Deductions),
		Score: score.Points, Scored: score.Scored, Grade: score.Grade,
		State: StateDraft, SealHash: r.SealHash,
	}
	if r.Status == inspect.StatusSealed {
		s.State = StateSealed
		if st, ok := states[r.ID]; ok {
			s.State = st
		}
	}
	return s, true, nil
}
