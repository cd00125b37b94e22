package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// Start creates a draft in the hall with the ticked staff, against the newest
// standard on the device. The draft, its people and the remembered hall and
// selection are one transaction: either the supervisor has a draft with
// everyone in it, or nothing happened.
func (f *Flow) Start(ctx context.Context, user User, hallID string, staffIDs []string) (*Draft, error) {
	const op = "start inspection"
	if user.ID == "" {
		return nil, fmt.Errorf("%s: %w", op, invalid("nobody is signed in"))
	}
	dev, err := f.DeviceID(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v, err := f.newestStandard(ctx)
	if err != nil {
		return nil, storeErr(op, err)
	}
	name, err := f.hallName(ctx, hallID)
	if err != nil {
		return nil, storeErr(op, err)
	}
	ids := uniqueNonEmpty(staffIDs)
	present, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}

	ins := inspect.NewDraft(hallID, user.ID, dev, v.Version)
	ins.StartedAt = f.clock()
	err = f.db.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			s, err := tx.StaffByID(ctx, id)
			if err != nil {
				return err
			}
			p := personOf(s)
			if err := inspect.ValidatePerson(&p); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			ins.People = append(ins.People, p)
		}
		if err := tx.CreateInspection(ctx, ins); err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, lastHallKey(user.ID), hallID); err != nil {
			return err
		}
		return tx.SetSetting(ctx, presentKey(user.ID, hallID), string(present))
	})
	if err != nil {
		return nil, storeErr(fmt.Sprintf("%s in hall %s", op, name), err)
	}
	f.log.Info("inspection started", "inspection", ins.ID, "hall", hallID, "people", len(ins.People))
	return &Draft{Inspection: ins, Standard: v, HallName: name}, nil
}

func uniqueNonEmpty(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// personOf is the observation of a rostered member of staff: what the roster
// says now is what the record keeps, even if the roster changes later.
func personOf(s store.Staff) inspect.Person {
	return inspect.Person{
		ID: inspect.NewID(), StaffID: s.ID, EmployeeNo: s.EmployeeNo, Name: s.Name,
		Badge: s.Badge, Role: s.Role, Gender: s.Gender,
	}
}

// Drafts lists this device's drafts by the user, newest first.
func (f *Flow) Drafts(ctx context.Context, user User) ([]Summary, error) {
	const op = "list drafts"
	devs, err := f.myDevices(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := f.db.ListInspections(ctx, store.InspectionFilter{SupervisorID: user.ID, Status: inspect.StatusDraft})
	if err != nil {
		return nil, storeErr(op, err)
	}
	out := make([]Summary, 0, len(rows))
	for _, r := range rows {
		s, ok, err := f.summary(ctx, r, devs, "", nil)
		if err != nil {
			return nil, storeErr(op, err)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// Open loads an inspection with its standard, and a sealed one's amendments.
func (f *Flow) Open(ctx context.Context, inspectionID string) (*Draft, error) {
	op := "open inspection " + inspectionID
	ins, err := f.db.Inspection(ctx, inspectionID)
	if err != nil {
		return nil, storeErr(op, err)
	}
	v, err := f.standard(ctx, ins.StandardVersion)
	if err != nil {
		return nil, storeErr(op, err)
	}
	name, err := f.hallName(ctx, ins.HallID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, storeErr(op, err)
	}
	d := &Draft{Inspection: ins, Standard: v, HallName: name, ReadOnly: ins.Status == inspect.StatusSealed}
	if d.ReadOnly {
		if d.Amendments, err = f.db.Amendments(ctx, ins.ID); err != nil {
			return nil, storeErr(op, err)
		}
	}
	return d, nil
}

// writable refuses a change to a sealed inspection before anything is tried.
func writable(d *Draft) error {
	switch {
	case d == nil || d.Inspection == nil || d.Standard == nil:
		return invalid("no inspection is open")
	case d.ReadOnly || d.Inspection.Status == inspect.StatusSealed:
		return inspect.ErrSealed
	}
	return nil
}

// AddPerson adds a rostered member of staff to the draft. Adding someone
// already observed returns their checklist: a double tap must not fail.
func (f *Flow) AddPerson(ctx context.Context, d *Draft, staffID string) (*Subject, error) {
	op := "add staff " + staffID
	if err := writable(d); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if i := slices.IndexFunc(d.Inspection.People, func(p inspect.Person) bool { return p.StaffID == staffID }); i >= 0 {
		return f.Checklist(ctx, d, d.Inspection.People[i].ID)
	}
	s, err := f.db.StaffByID(ctx, staffID)
	if err != nil {
		return nil, storeErr(op, err)
	}
	p := personOf(s)
	if err := inspect.ValidatePerson(&p); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, ErrInvalid, err)
	}
	return f.addPerson(ctx, d, p)
}

// AddOffRoster adds someone the roster on this device does not know, with
// what the supervisor typed; the record flags them for the manager.
func (f *Flow) AddOffRoster(ctx context.Context, d *Draft, name string, role standard.Role, gender standard.Gender) (*Subject, error) {
	const op = "add person not on the roster"
	if err := writable(d); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if !utf8.ValidString(name) {
		return nil, fmt.Errorf("%s: %w", op, invalid("the name is not valid text"))
	}
	p := inspect.Person{ID: inspect.NewID(), OffRoster: true, Name: strings.TrimSpace(name), Role: role, Gender: gender}
	if err := inspect.ValidatePerson(&p); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, ErrInvalid, err)
	}
	return f.addPerson(ctx, d, p)
}

func (f *Flow) addPerson(ctx context.Context, d *Draft, p inspect.Person) (*Subject, error) {
	if err := f.db.AddPerson(ctx, d.Inspection.ID, &p); err != nil {
		return nil, draftErr("add "+p.Name, err)
	}
	d.Inspection.People = append(d.Inspection.People, p)
	// The person is saved: a failure to count repeat offences only loses
	// the hints, not the call.
	sub, err := f.Checklist(ctx, d, p.ID)
	if err != nil {
		f.log.Warn("checklist of a new person", "person", p.ID, "err", err)
		return checklist(d, p.ID, nil)
	}
	return sub, nil
}

// RemovePerson takes a person out of the draft with their findings and
// signature (a tick by mistake on the start screen).
func (f *Flow) RemovePerson(ctx context.Context, d *Draft, personID string) error {
	op := "remove person " + personID
	if err := writable(d); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	i := slices.IndexFunc(d.Inspection.People, func(p inspect.Person) bool { return p.ID == personID })
	if i < 0 {
		return fmt.Errorf("%s: %w in this inspection", op, ErrNotFound)
	}
	op = "remove " + d.Inspection.People[i].Name
	if err := f.db.RemovePerson(ctx, d.Inspection.ID, personID); err != nil {
		return draftErr(op, err)
	}
	d.Inspection.People = slices.Delete(d.Inspection.People, i, i+1)
	d.Inspection.Signatures = slices.DeleteFunc(d.Inspection.Signatures, func(s inspect.Signature) bool {
		return s.Role == inspect.SignerStaff && s.PersonID == personID
	})
	return nil
}

// Checklist returns the items that apply to the subject, in the standard's
// sections and order, with their findings and repeat counts. A sealed
// inspection shows its findings as amended.
func (f *Flow) Checklist(ctx context.Context, d *Draft, personID string) (*Subject, error) {
	op := "checklist"
	if d == nil || d.Inspection == nil || d.Standard == nil {
		return nil, fmt.Errorf("%s: %w", op, invalid("no inspection is open"))
	}
	p, _, err := subject(d.view(), personID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	repeats, err := f.repeatCounts(ctx, d, p)
	if err != nil {
		return nil, storeErr(op, err)
	}
	return checklist(d, personID, repeats)
}

// checklist builds a subject's checklist with the given repeat counts (nil:
// none known).
func checklist(d *Draft, personID string, repeats map[string]int) (*Subject, error) {
	p, findings, err := subject(d.view(), personID)
	if err != nil {
		return nil, fmt.Errorf("checklist: %w", err)
	}
	v := d.Standard
	sub := &Subject{PersonID: personID}
	if p != nil {
		cp := clonePerson(*p)
		sub.Person = &cp
	}
	byItem := map[string]*inspect.Finding{}
	for i := range findings {
		byItem[findings[i].ItemID] = &findings[i]
	}
	for _, sec := range v.Sections {
		var items []ItemState
		for _, it := range sec.Items {
			if !applies(it, p) {
				continue
			}
			items = append(items, itemState(v, it, byItem[it.ID], repeats[it.ID]))
		}
		if len(items) == 0 {
			continue
		}
		s := sec
		s.Items = nil
		sub.Sections = append(sub.Sections, SectionState{Section: s, Items: items})
	}
	return sub, nil
}

// view is the inspection as screens show it: a sealed one with its
// amendments applied.
func (d *Draft) view() *inspect.Inspection {
	if d.ReadOnly && len(d.Amendments) > 0 {
		return inspect.Effective(d.Inspection, d.Amendments)
	}
	return d.Inspection
}

func applies(it standard.Item, p *inspect.Person) bool {
	if p == nil {
		return it.Scope == standard.ScopeHall
	}
	return it.AppliesTo(p.Role, p.Gender)
}

// subject finds a person of the inspection (nil for the hall, personID "")
// and their findings.
func subject(ins *inspect.Inspection, personID string) (*inspect.Person, []inspect.Finding, error) {
	if personID == "" {
		return nil, ins.HallFindings, nil
	}
	for i := range ins.People {
		if ins.People[i].ID == personID {
			return &ins.People[i], ins.People[i].Findings, nil
		}
	}
	return nil, nil, fmt.Errorf("person %s: %w in this inspection", personID, ErrNotFound)
}

func itemState(v *standard.Version, it standard.Item, fnd *inspect.Finding, repeats int) ItemState {
	st := ItemState{Item: it, Repeats: repeats}
	st.Clause, _ = v.Clause(it.Clause)
	if fnd != nil {
		c := cloneFinding(*fnd)
		st.Finding = &c
	}
	return st
}

// repeatCounts counts, for a rostered person, earlier sealed offences per
// item in the window, with one query.
//
// A sealed inspection opened later shows the hint it had when it was made:
// offences in the window before its own start. The store counts only from a
// time onwards, so those are counted here from the staff member's sealed
// inspections in that window (one load each, a handful in 90 days).
func (f *Flow) repeatCounts(ctx context.Context, d *Draft, p *inspect.Person) (map[string]int, error) {
	if p == nil || p.StaffID == "" {
		return map[string]int{}, nil
	}
	if d.Inspection.Status != inspect.StatusSealed {
		return f.db.RepeatCounts(ctx, p.StaffID, f.since())
	}
	at := d.Inspection.StartedAt
	rows, err := f.db.ListInspections(ctx, store.InspectionFilter{
		StaffID: p.StaffID, Status: inspect.StatusSealed, From: at.Add(-RepeatWindow), To: at,
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, r := range rows {
		if r.ID == d.Inspection.ID {
			continue
		}
		rec, err := f.rd.Load(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, q := range rec.Effective.People {
			if q.StaffID != p.StaffID {
				continue
			}
			for _, fnd := range q.Findings {
				if offence(fnd) {
					counts[fnd.ItemID]++
				}
			}
		}
	}
	return counts, nil
}

// repeatCount is repeatCounts for one item.
func (f *Flow) repeatCount(ctx context.Context, p *inspect.Person, itemID string) (int, error) {
	if p == nil || p.StaffID == "" {
		return 0, nil
	}
	return f.db.RepeatOffences(ctx, p.StaffID, itemID, f.since())
}

// offence is what the store counts as a repeat: a nonconformity, or a tally
// with a failure.
func offence(fnd inspect.Finding) bool {
	return fnd.Outcome == inspect.Nonconform || fnd.Outcome == inspect.Tallied && fnd.Failed > 0
}

func cloneFinding(fnd inspect.Finding) inspect.Finding {
	fnd.Photos = slices.Clone(fnd.Photos)
	return fnd
}

func clonePerson(p inspect.Person) inspect.Person {
	fs := make([]inspect.Finding, len(p.Findings))
	for i, fnd := range p.Findings {
		fs[i] = cloneFinding(fnd)
	}
	p.Findings = fs
	return p
}
