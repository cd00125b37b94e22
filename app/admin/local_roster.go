package admin

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/store"
)

// Roster imports, as the manager's screens and dudao-hub's roster import
// both run them: the file is parsed and planned against the store's staff
// (package roster), a regional manager's rows for other regions are
// rejected, and the plan is applied in one transaction only while it is
// still the plan that was shown.

// RosterImport is a roster file planned against a store.
type RosterImport struct {
	// File is the file as parsed.
	File *roster.File
	// Plan is the roster package's plan once the region's rules are
	// applied: what the CLI prints and writes its rejects file from.
	Plan *roster.Plan
	// Summary is the plan as the Service returns it, with its Digest.
	Summary *RosterPlan
	// Changes are what applying it writes.
	Changes store.RosterChanges
}

// PlanRosterFile parses a roster file and plans it against the store's
// current halls and staff, changing nothing. regionID "" plans as a manager
// over every region; otherwise rows naming a hall of another region, or an
// employee number of someone in another region, are rejected with that
// reason (which names nothing of the other region), and the rest is planned
// against the region's own halls and staff only, so that no reason or
// warning can name another region's. progress (may be nil) is called with
// the bytes read of the file and, at the end, with the total done. now
// decides who is active.
func PlanRosterFile(ctx context.Context, db *store.DB, regionID string, f RosterFile, now time.Time, progress Progress) (*RosterImport, error) {
	file, err := parseRoster(f, progress, 1)
	if err != nil {
		return nil, err
	}
	halls, err := db.Halls(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := db.Staff(ctx, store.StaffFilter{IncludeInactive: true})
	if err != nil {
		return nil, err
	}
	imp := planRoster(file, f.Data, halls, staff, regionID, now)
	if progress != nil {
		progress(len(f.Data)+1, len(f.Data)+1)
	}
	return imp, nil
}

// ApplyRosterFile parses a roster file, plans it as PlanRosterFile does and
// applies the plan, all while holding the store's write lock, so nothing
// changes between the plan and its application. When digest is not "" and
// the plan's Digest differs (the file or the staff changed since the plan
// the manager saw), it is ErrStale and nothing changes. at is when the
// people missing from the roster stop being active. progress (may be nil)
// is called with the bytes read (total not known yet), then with the file's
// size plus the changes applied of its size plus all the changes.
func ApplyRosterFile(ctx context.Context, db *store.DB, regionID string, f RosterFile, digest string, at time.Time, progress Progress) (*RosterImport, *RosterOutcome, error) {
	file, err := parseRoster(f, progress, 0)
	if err != nil {
		return nil, nil, err
	}
	var imp *RosterImport
	var res store.RosterResult
	err = db.InTx(ctx, func(tx *store.Tx) error {
		halls, err := tx.Halls(ctx)
		if err != nil {
			return err
		}
		staff, err := tx.AllStaff(ctx)
		if err != nil {
			return err
		}
		imp = planRoster(file, f.Data, halls, staff, regionID, at)
		if digest != "" && imp.Summary.Digest != digest {
			return fmt.Errorf("apply roster %s: %w; check the dry run again", imp.Summary.File, ErrStale)
		}
		c := imp.Changes
		c.At = at
		if progress != nil {
			size := len(f.Data)
			c.Progress = func(done, total int) { progress(size+done, size+total) }
			progress(size, size+len(c.Upsert)+len(c.Deactivate))
		}
		res, err = tx.ApplyRoster(ctx, c)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return imp, &RosterOutcome{Added: res.Added, Updated: res.Updated, Deactivated: res.Deactivated,
		Rejected: imp.Plan.RejectedLines()}, nil
}

// parseRoster parses the file, reporting the bytes read with total
// len+extra (extra 0: total not known).
func parseRoster(f RosterFile, progress Progress, extra int) (*roster.File, error) {
	var r io.Reader = bytes.NewReader(f.Data)
	if progress != nil {
		total := 0
		if extra > 0 {
			total = len(f.Data) + extra
		}
		r = &countingReader{r: r, progress: progress, total: total}
	}
	file, err := roster.Parse(cmp.Or(f.Name, "roster.csv"), r, roster.Options{Encoding: f.Encoding})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return file, nil
}

// countingReader reports the bytes read through it.
type countingReader struct {
	r        io.Reader
	progress Progress
	done     int
	total    int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.done += n
		c.progress(c.done, c.total)
	}
	return n, err
}

// planRoster plans a parsed file against the current halls and staff.
func planRoster(file *roster.File, data []byte, halls []store.Hall, staff []store.Staff, regionID string, now time.Time) *RosterImport {
	cur := roster.Current{}
	hallByID := map[string]store.Hall{}
	for _, h := range halls {
		hallByID[h.ID] = h
		cur.Halls = append(cur.Halls, roster.Hall{ID: h.ID, Code: h.Code, Name: h.Name})
	}
	staffByID := map[string]store.Staff{}
	for _, s := range staff {
		staffByID[s.ID] = s
		cur.Staff = append(cur.Staff, roster.Staff{
			ID: s.ID, EmployeeNo: s.EmployeeNo, Name: s.Name, Gender: s.Gender, Role: s.Role,
			HallID: s.HallID, Badge: s.Badge, Active: s.ActiveAt(now),
		})
	}
	if regionID != "" {
		file = withoutOtherRegions(file, cur, hallByID, staff, regionID)
		cur = regionOnly(cur, hallByID, regionID)
	}
	plan := file.Plan(cur)

	imp := &RosterImport{File: file, Plan: plan}
	sum := &RosterPlan{File: file.Name, Encoding: file.Encoding, Lines: file.Lines, Rows: len(file.Rows),
		Unchanged: plan.Unchanged, HeldBack: plan.HeldBack}
	sum.Warnings = append(slices.Clone(file.Warnings), plan.Warnings...)
	for _, h := range plan.Halls {
		sum.Halls = append(sum.Halls, h.Name)
	}
	change := func(c roster.Change) RosterChange {
		rc := RosterChange{Line: c.Row.Line, EmployeeNo: c.New.EmployeeNo, Name: c.New.Name, HallName: c.Hall.Name,
			Role: c.New.Role, Gender: c.New.Gender, Badge: c.New.Badge}
		for _, fc := range c.Fields {
			rc.Changes = append(rc.Changes, fc.String())
		}
		imp.Changes.Upsert = append(imp.Changes.Upsert, store.Staff{
			ID: c.New.ID, EmployeeNo: c.New.EmployeeNo, Name: c.New.Name, Gender: c.New.Gender,
			Role: c.New.Role, Badge: c.New.Badge, HallID: c.New.HallID,
		})
		return rc
	}
	for _, c := range plan.Add {
		sum.Add = append(sum.Add, change(c))
	}
	for _, c := range plan.Update {
		sum.Update = append(sum.Update, change(c))
	}
	for _, s := range plan.Deactivate {
		st := staffByID[s.ID]
		h := hallByID[st.HallID]
		sum.Deactivate = append(sum.Deactivate, StaffRow{Staff: st, HallCode: h.Code, HallName: h.Name})
		imp.Changes.Deactivate = append(imp.Changes.Deactivate, s.ID)
	}
	for _, r := range plan.Rejects {
		// Chinese first for the manager, then field, value and English.
		sum.Rejects = append(sum.Rejects, RosterReject{Line: r.Line, Reason: r.Message(), Row: []string{r.EmployeeNo, r.Name}})
	}
	sum.Digest = planDigest(data, imp)
	imp.Summary = sum
	return imp
}

// Why a regional manager's row is refused, in Chinese then English as the
// roster package writes its reasons (roster.ReasonSep). Neither names what
// the other region holds (its hall, staff or region): the manager may not
// see it.
const (
	reasonHallElsewhere  = "该营业厅不在您管理的区域内 / hall not in your region"
	reasonStaffElsewhere = "该工号属于其他区域的员工，只有管理全部区域的经理才能跨区域调动员工 / " +
		"employee number belongs to staff outside your region; only a manager over every region moves staff between regions"
)

// withoutOtherRegions turns the rows a manager of regionID may not import
// into rejects: a row whose hall is in another region, and a row whose
// employee number is someone's in another region (moving staff between
// regions is for a manager over every region). The roster package resolves
// the halls, as it will for the plan; the rows are found before planning
// because a row that changes nothing appears in no list of the plan, yet
// would still make its hall "covered" and deactivate that hall's staff.
func withoutOtherRegions(file *roster.File, cur roster.Current, halls map[string]store.Hall, staff []store.Staff,
	regionID string) *roster.File {
	type refusal struct{ field, value, reason string }
	why := map[int]refusal{}
	resolved := file.Plan(roster.Current{Halls: cur.Halls}) // no staff: every placeable row is an addition
	for _, c := range resolved.Add {
		if h := halls[c.Hall.ID]; h.RegionID != regionID {
			why[c.Row.Line] = refusal{roster.FieldHall, c.Row.Hall, reasonHallElsewhere}
		}
	}
	// Numbers compare as the roster package compares them, so one number
	// may be several records'; any of them elsewhere refuses the row.
	elsewhere := map[string]bool{}
	for _, s := range staff {
		if halls[s.HallID].RegionID != regionID {
			elsewhere[normEmployeeNo(s.EmployeeNo)] = true
		}
	}
	for _, r := range file.Rows {
		if _, done := why[r.Line]; done {
			continue
		}
		if elsewhere[normEmployeeNo(r.EmployeeNo)] {
			why[r.Line] = refusal{roster.FieldEmployeeNo, r.EmployeeNo, reasonStaffElsewhere}
		}
	}
	if len(why) == 0 {
		return file
	}
	out := *file
	out.Rows = nil
	out.Rejects = slices.Clone(file.Rejects)
	for _, r := range file.Rows {
		no, bad := why[r.Line]
		if !bad {
			out.Rows = append(out.Rows, r)
			continue
		}
		out.Rejects = append(out.Rejects, roster.Reject{File: file.Name, Line: r.Line, Field: no.field,
			Value: no.value, Reason: no.reason, EmployeeNo: r.EmployeeNo, Name: r.Name})
	}
	return &out
}

// regionOnly is what a regional manager's rows are planned against: the
// region's halls and their staff. The rows naming anything else are
// rejected already (withoutOtherRegions); planning against the region alone
// keeps the planner's reasons and warnings (an ambiguous hall, a number on
// several records, a hall name it suggests) from naming another region's.
func regionOnly(cur roster.Current, halls map[string]store.Hall, regionID string) roster.Current {
	var out roster.Current
	for _, h := range cur.Halls {
		if halls[h.ID].RegionID == regionID {
			out.Halls = append(out.Halls, h)
		}
	}
	for _, s := range cur.Staff {
		if halls[s.HallID].RegionID == regionID {
			out.Staff = append(out.Staff, s)
		}
	}
	return out
}

// normEmployeeNo is how the roster package compares employee numbers:
// trimmed, full-width characters narrowed, upper case.
func normEmployeeNo(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\u200b\u200c\u200d\u2060\ufeff", r)
	})
	return strings.ToUpper(width.Narrow.String(s))
}

// planDigest identifies a plan: the file's bytes and every change, reject
// and deactivation it would make, in the plan's own (deterministic) order.
func planDigest(data []byte, imp *RosterImport) string {
	h := sha256.New()
	fileSum := sha256.Sum256(data)
	fmt.Fprintf(h, "dudao-roster-plan/1\n%x\n", fileSum)
	p := imp.Plan
	for _, c := range p.Add {
		fmt.Fprintf(h, "add\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Row.Line, c.New.EmployeeNo, c.New.Name, c.New.HallID,
			c.New.Role, c.New.Gender, c.New.Badge)
	}
	for _, c := range p.Update {
		fmt.Fprintf(h, "update\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Row.Line, c.New.ID, c.New.EmployeeNo, c.New.Name,
			c.New.HallID, c.New.Role, c.New.Gender, c.New.Badge)
		for _, fc := range c.Fields {
			fmt.Fprintf(h, "\t%s\n", fc.String())
		}
	}
	for _, s := range p.Deactivate {
		fmt.Fprintf(h, "deactivate\t%s\n", s.ID)
	}
	for _, r := range p.Rejects {
		fmt.Fprintf(h, "reject\t%d\t%s\t%s\t%s\n", r.Line, r.Field, r.Value, r.Reason)
	}
	fmt.Fprintf(h, "unchanged\t%d\nheld back\t%t\n", p.Unchanged, p.HeldBack)
	return hex.EncodeToString(h.Sum(nil))
}

// PlanRoster reads a roster file and says what importing it would do in
// the manager's region, changing nothing.
func (l *Local) PlanRoster(ctx context.Context, f RosterFile, progress Progress) (*RosterPlan, error) {
	imp, err := PlanRosterFile(ctx, l.db, l.region(), f, l.now(), progress)
	if err != nil {
		return nil, err
	}
	return imp.Summary, nil
}

// ApplyRoster applies a roster file in one transaction if its plan is
// still the one with planDigest; otherwise ErrStale and nothing changes.
func (l *Local) ApplyRoster(ctx context.Context, f RosterFile, planDigest string, progress Progress) (*RosterOutcome, error) {
	if strings.TrimSpace(planDigest) == "" {
		return nil, fmt.Errorf("apply roster %s: %w: no plan digest; plan the import first", f.Name, ErrInvalid)
	}
	imp, out, err := ApplyRosterFile(ctx, l.db, l.region(), f, planDigest, l.now(), progress)
	if err != nil {
		return nil, err
	}
	l.log.Info("roster applied", "file", imp.Summary.File, "added", out.Added, "updated", out.Updated,
		"deactivated", out.Deactivated, "rejected", out.Rejected)
	return out, nil
}
