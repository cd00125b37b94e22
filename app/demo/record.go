package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// minutes advances t by lo..hi minutes and a few seconds.
func (g *gen) minutes(t time.Time, lo, hi int) time.Time {
	return t.Add(time.Duration(lo+g.r.IntN(hi-lo+1))*time.Minute + time.Duration(g.r.IntN(60))*time.Second)
}

// observe picks the staff a visit observes: those on the roster that day, the
// incident's person first, repeat offenders more often than not (a supervisor
// keeps an eye on them), the rest at random.
func (g *gen) observe(v *visit) []*staffRec {
	day := g.day(v.day)
	var pool, out []*staffRec
	for i := range g.staff {
		s := &g.staff[i]
		if s.Hall != v.hall || !s.activeOn(day) {
			continue
		}
		switch {
		case v.inc != nil && v.inc.emp == s.EmployeeNo:
			out = append(out, s)
		case len(s.Habits) > 0 && g.r.Float64() < 0.75:
			out = append(out, s)
		default:
			pool = append(pool, s)
		}
	}
	for _, i := range g.r.Perm(len(pool)) {
		if len(out) >= v.size {
			break
		}
		out = append(out, pool[i])
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// findings decides what the supervisor records about one person: most items
// conform and are left unmarked; habits and a bad day raise the odds of a
// nonconformity; tallies are counted on about half the behaviours; a few
// situational items are marked N/A. Critical items fail only in incidents.
func (g *gen) findings(s *staffRec, v *visit) []inspect.Finding {
	var out []inspect.Finding
	for _, it := range g.v.PersonItems(s.Role, s.Gender) {
		if inc := v.inc; inc != nil && inc.emp == s.EmployeeNo && inc.item == it.ID {
			out = append(out, inspect.Finding{ItemID: it.ID, Outcome: inc.outcome, Observed: inc.observed, Failed: inc.failed, Note: inc.note})
			continue
		}
		if it.Critical {
			continue
		}
		habit := s.Habits[it.ID]
		if it.Kind == standard.KindTally {
			if g.r.Float64() >= 0.45 && (habit == 0 || g.r.Float64() >= 0.8) {
				continue
			}
			f := inspect.Finding{ItemID: it.ID, Outcome: inspect.Tallied, Observed: 2 + g.r.IntN(9)}
			p := min(0.9, s.TallyFail*v.mood+habit)
			for range f.Observed {
				if g.r.Float64() < p {
					f.Failed++
				}
			}
			if f.Failed > 0 && g.r.Float64() < 0.7 {
				f.Note = g.note(tallyNotes, it.ID)
			}
			out = append(out, f)
			continue
		}
		switch x := g.r.Float64(); {
		case x < s.Slip*v.mood+habit:
			f := inspect.Finding{ItemID: it.ID, Outcome: inspect.Nonconform}
			if g.r.Float64() < 0.9 {
				f.Note = g.note(shortNotes, it.ID)
			}
			out = append(out, f)
		case len(naNotes[it.ID]) > 0 && g.r.Float64() < 0.04:
			out = append(out, inspect.Finding{ItemID: it.ID, Outcome: inspect.NotApplicable, Note: g.note(naNotes, it.ID)})
		}
	}
	return out
}

func (g *gen) note(from map[string][]string, item string) string {
	if ns := from[item]; len(ns) > 0 {
		return pick(g.r, ns)
	}
	return ""
}

// hallFindings are the opening checks (C1): the incident's, or now and then
// one found by a supervisor who arrived at opening time.
func (g *gen) hallFindings(v *visit, first bool) []inspect.Finding {
	if v.opening() {
		out := []inspect.Finding{{ItemID: v.inc.item, Outcome: v.inc.outcome, Note: v.inc.note}}
		return append(out, v.inc.extra...)
	}
	if !first || g.r.Float64() >= 0.12*v.mood {
		return nil
	}
	item := pick(g.r, []string{"C1.1", "C1.2", "C1.3", "C1.3"})
	return []inspect.Finding{{ItemID: item, Outcome: inspect.Nonconform, Note: g.note(shortNotes, item)}}
}

// recorder is the part of the store the tablet's inspection flow writes
// through. Both *store.DB (each call its own transaction, as on the tablet)
// and *store.Tx (several calls in one) have it.
type recorder interface {
	CreateInspection(ctx context.Context, ins *inspect.Inspection) error
	AddPerson(ctx context.Context, inspectionID string, p *inspect.Person) error
	SaveFinding(ctx context.Context, inspectionID, personID string, f *inspect.Finding) error
	SaveSignature(ctx context.Context, inspectionID string, s inspect.Signature) error
	Seal(ctx context.Context, inspectionID string, at time.Time) (string, error)
}

var (
	_ recorder = (*store.DB)(nil)
	_ recorder = (*store.Tx)(nil)
)

// inspection makes one visit into a sealed inspection.
//
// The visit is first observed in memory, its photos stored, and then replayed
// through the calls the tablet makes (create, add person, save finding, sign,
// seal) inside one transaction. One durable commit per inspection instead of
// one per finding is what keeps the whole demo to a few seconds; the calls
// and their validation are the tablet's.
func (g *gen) inspection(v *visit) error {
	// The plan's start is an estimate; a visit that ran long pushes the
	// supervisor's next one back by the time it overran, plus the journey.
	if busy, ok := g.busy[v.sup]; ok && v.start.Before(busy.Add(20*time.Minute)) {
		v.start = g.minutes(busy.In(CST), 20, 35)
	}
	ins, err := g.observeVisit(v, true)
	if err != nil {
		return err
	}
	sealAt, err := g.sign(v, ins)
	if err != nil {
		return err
	}
	if err := g.flushPhotos(); err != nil {
		return fmt.Errorf("inspection %s: %w", ins.ID, err)
	}
	var hash string
	err = g.db.InTx(g.ctx, func(tx *store.Tx) (err error) {
		hash, err = g.write(tx, ins, sealAt)
		return err
	})
	if err != nil {
		return err
	}
	ins.Status, ins.EndedAt, ins.SealedAt, ins.SealHash = inspect.StatusSealed, sealAt, sealAt, hash
	v.sealed = &sealedRec{ins: ins, hash: hash}
	g.busy[v.sup] = sealAt
	g.sum.Inspections++
	return nil
}

// write replays an observed inspection into the store and seals it at
// sealAt, or leaves it a draft when sealAt is zero.
func (g *gen) write(w recorder, ins *inspect.Inspection, sealAt time.Time) (string, error) {
	ctx := g.ctx
	draft := *ins
	draft.People, draft.HallFindings, draft.Signatures = nil, nil, nil
	if err := w.CreateInspection(ctx, &draft); err != nil {
		return "", err
	}
	for i := range ins.HallFindings {
		if err := w.SaveFinding(ctx, ins.ID, "", &ins.HallFindings[i]); err != nil {
			return "", err
		}
	}
	for _, p := range ins.People {
		bare := p
		bare.Findings = nil
		if err := w.AddPerson(ctx, ins.ID, &bare); err != nil {
			return "", err
		}
		for i := range p.Findings {
			if err := w.SaveFinding(ctx, ins.ID, p.ID, &p.Findings[i]); err != nil {
				return "", err
			}
		}
	}
	for _, s := range ins.Signatures {
		if err := w.SaveSignature(ctx, ins.ID, s); err != nil {
			return "", err
		}
	}
	if sealAt.IsZero() {
		return "", nil
	}
	return w.Seal(ctx, ins.ID, sealAt)
}

// observeVisit decides what the supervisor records on a visit. With full
// set it observes everyone planned; the draft of the last day stops part-way.
func (g *gen) observeVisit(v *visit, full bool) (*inspect.Inspection, error) {
	ins := &inspect.Inspection{
		ID: g.ids.at(v.start), HallID: g.hallIDs[v.hall], SupervisorID: g.users[v.sup], DeviceID: g.deviceID,
		StandardVersion: g.v.Version, StartedAt: utc(v.start), Status: inspect.StatusDraft,
	}
	t := g.minutes(v.start, 1, 3)

	first := v.start.Hour() == 9 && v.start.Minute() < 15
	for _, f := range g.hallFindings(v, first) {
		if err := g.finding(ins, nil, &f, &t, v.inc); err != nil {
			return nil, err
		}
		ins.HallFindings = append(ins.HallFindings, f)
	}

	people := g.observe(v)
	if !full {
		people = people[:min(2, len(people))]
	}
	for _, s := range people {
		t = g.minutes(t, 2, 4)
		p := inspect.Person{
			ID: g.ids.at(t), StaffID: s.id, EmployeeNo: s.EmployeeNo, Name: s.Name, Badge: s.badge,
			Role: s.Role, Gender: s.Gender,
		}
		if err := inspect.ValidatePerson(&p); err != nil {
			return nil, fmt.Errorf("inspection %s: %w", ins.ID, err)
		}
		fs := g.findings(s, v)
		if !full {
			fs = fs[:min(2, len(fs))]
		}
		for _, f := range fs {
			if err := g.finding(ins, &p, &f, &t, v.inc); err != nil {
				return nil, err
			}
			p.Findings = append(p.Findings, f)
		}
		ins.People = append(ins.People, p)
		g.sum.People++
	}
	return ins, nil
}

// finding stamps, photographs and validates one finding; *t moves on by the
// minute or two it takes to record it.
func (g *gen) finding(ins *inspect.Inspection, p *inspect.Person, f *inspect.Finding, t *time.Time, inc *incident) error {
	*t = g.minutes(*t, 1, 3)
	f.At = utc(*t)
	f.ID = g.ids.at(*t)

	scripted := inc != nil && inc.item == f.ItemID && (p == nil) == (inc.emp == "") && (p == nil || p.StaffID == g.member(inc.emp).id)
	n := 0
	switch {
	case scripted:
		n = inc.photos
	case f.Outcome == inspect.Nonconform && strings.HasPrefix(f.ItemID, "A") && g.r.Float64() < 0.22:
		n = 1 + g.r.IntN(2)
	case f.Outcome == inspect.Nonconform && p == nil && g.r.Float64() < 0.5:
		n = 1
	}
	for i := range n {
		img, err := scenePhoto(g.r)
		if err != nil {
			return err
		}
		f.Photos = append(f.Photos, g.photo(img, "image/jpeg", t.Add(time.Duration(-20+10*i)*time.Second)))
	}

	if err := inspect.ValidateFinding(g.v, p, f); err != nil {
		return fmt.Errorf("inspection %s: %w", ins.ID, err)
	}
	if scripted {
		if p != nil {
			inc.personID = p.ID
		}
		saved := *f
		inc.finding = &saved
	}
	g.sum.Findings++
	return nil
}

// sign adds the signatures and returns the time to seal at. The supervisor
// always signs; staff with findings sign about half the time, others now and
// then, and the incident's person may record a disagreement instead of or
// besides signing.
func (g *gen) sign(v *visit, ins *inspect.Inspection) (time.Time, error) {
	last := ins.StartedAt
	for _, f := range ins.HallFindings {
		last = later(last, f.At)
	}
	for _, p := range ins.People {
		for _, f := range p.Findings {
			last = later(last, f.At)
		}
	}
	// The supervisor reviews the record before handing the tablet round.
	at := g.minutes(last.In(CST), 3, 6)

	add := func(role inspect.SignerRole, personID, name, disagree string, draw bool) error {
		s := inspect.Signature{Role: role, PersonID: personID, Name: name, Disagreement: disagree, At: utc(at)}
		if draw {
			b, err := signaturePNG(g.opt.Seed, name, g.r)
			if err != nil {
				return err
			}
			ref := g.photo(b, "image/png", at)
			s.Image = &ref
		}
		ins.Signatures = append(ins.Signatures, s)
		g.sum.Signatures++
		if disagree != "" {
			g.sum.Disagreements++
		}
		return nil
	}

	for _, p := range ins.People {
		at = at.Add(time.Duration(20+g.r.IntN(40)) * time.Second)
		if inc := v.inc; inc != nil && inc.disagree != "" && inc.personID == p.ID {
			if err := add(inspect.SignerStaff, p.ID, p.Name, inc.disagree, inc.signs); err != nil {
				return time.Time{}, err
			}
			continue
		}
		chance := 0.2
		if slices.ContainsFunc(p.Findings, func(f inspect.Finding) bool { return f.Outcome == inspect.Nonconform || f.Failed > 0 }) {
			chance = 0.5
		}
		if g.r.Float64() < chance {
			if err := add(inspect.SignerStaff, p.ID, p.Name, "", true); err != nil {
				return time.Time{}, err
			}
		}
	}
	at = at.Add(time.Duration(20+g.r.IntN(30)) * time.Second)
	if err := add(inspect.SignerSupervisor, g.users[v.sup], Logins[v.sup].Name, "", true); err != nil {
		return time.Time{}, err
	}
	return utc(at.Add(time.Duration(5+g.r.IntN(20)) * time.Second)), nil
}

// amendments has the manager correct the incidents that carry a reason: the
// finding becomes N/A, a day or two after the inspection, never after End.
func (g *gen) amendments(vs []*visit) error {
	for _, v := range vs {
		inc := v.inc
		if inc == nil || inc.amend == "" || inc.finding == nil || v.sealed == nil {
			continue
		}
		day := v.sealed.ins.SealedAt.In(CST)
		at := g.clock(time.Date(day.Year(), day.Month(), day.Day()+1+g.r.IntN(2), 0, 0, 0, 0, CST), 10, g.r.IntN(50))
		if limit := g.day(g.opt.Days - 1).Add(9 * time.Hour); at.After(limit) {
			at = limit
		}
		f := &inspect.Finding{
			ID: g.ids.at(at), ItemID: inc.item, Outcome: inspect.NotApplicable, Note: inc.amend, At: utc(at),
		}
		a := &inspect.Amendment{
			ID: g.ids.at(at), InspectionID: v.sealed.ins.ID, OriginalHash: v.sealed.hash, Reason: inc.amend,
			AuthorID: g.users[1], DeviceID: g.deviceID, At: utc(at),
			Changes: []inspect.Change{{PersonID: inc.personID, ItemID: inc.item, Finding: f}},
		}
		if err := inspect.ValidateAmendment(g.v, v.sealed.ins, a); err != nil {
			return err
		}
		if err := g.db.AddAmendment(g.ctx, a); err != nil {
			return fmt.Errorf("amend inspection %s: %w", a.InspectionID, err)
		}
		g.sum.Amendments++
	}
	return nil
}

// draft leaves one inspection in progress on the last day, in another hall
// than that morning's, for the app to resume.
func (g *gen) draft(vs []*visit) error {
	lastDay := g.opt.Days - 1
	morning := vs[len(vs)-1]
	start := g.clock(g.day(lastDay), 10, 30)
	if morning.day == lastDay && morning.sealed != nil {
		start = g.minutes(morning.sealed.ins.SealedAt.In(CST), 30, 45)
	}
	d := &visit{day: lastDay, hall: (morning.hall + 1 + g.r.IntN(len(halls)-1)) % len(halls), sup: 0, start: start, size: 3, mood: 1}
	ins, err := g.observeVisit(d, false)
	if err != nil {
		return fmt.Errorf("draft: %w", err)
	}
	if err := g.flushPhotos(); err != nil {
		return fmt.Errorf("draft: %w", err)
	}
	// Call by call, each its own transaction, exactly as the tablet saves a
	// draft while the supervisor works.
	if _, err := g.write(g.db, ins, time.Time{}); err != nil {
		return fmt.Errorf("draft: %w", err)
	}
	g.sum.Drafts++
	g.sum.From = g.day(vs[0].day)
	g.sum.To = g.day(lastDay)
	return nil
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(inspect.TimePrecision) }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
