package admin

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// DefaultPageSize is the inspection page a query without a limit gets;
// MaxPageSize bounds what one call may ask for.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// LocalOptions configure a Local.
type LocalOptions struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Hub is the hub tablets enrol with; nil when there is none (a desktop
	// on its own database), and then EnrolDevice is refused.
	Hub *HubInvite
	// Logger records what managers change (default slog.Default()).
	Logger *slog.Logger
	// RecordedBy says who enters the changes when it is not the manager at
	// their own desk: dudao-hub's commands acting for a manager (--as) set
	// it to the hub's operator. It is kept beside the manager where a
	// change records who made it (off-roster links); "" for the desk.
	RecordedBy string
}

// HubInvite is what an enrolment invite carries besides the code: the
// hub's address and certificate pins, and how long a code stays valid.
type HubInvite struct {
	URL      string
	Pins     []string
	EnrolTTL time.Duration // 0: 15 minutes, as the hub's own enrolments
}

// defaultEnrolTTL is the hub's (sync.HubOptions.EnrolTTL): a code on a
// manager's screen is scanned at once, and one that leaks soon expires.
const defaultEnrolTTL = 15 * time.Minute

// Local is the Service over a store on this machine, for one manager: the
// hub runs it for the manager a call comes from, and a desktop without a
// hub runs it on its own database.
//
// A manager with a region sees and changes only that region: a hall,
// member of staff, inspection, photo, device or conflict of another region
// is ErrNotFound, as if it did not exist. A manager without a region (a
// single office) works over every region.
//
// Standard versions are shared by every region (a tablet uses the newest,
// wherever it was imported from), so only a manager over every region
// imports one; a regional manager is refused, unless their region is the
// only one there is (the demo, a single office). A version only ever adds
// to what exists: a version number is never reused for other content.
//
// Devices: a regional manager enrols and revokes tablets; a manager's
// desktop is revoked with dudao-hub device revoke or by a manager over
// every region, and never by its own manager through the desk (which would
// lock them out of it).
type Local struct {
	db      *store.DB
	manager store.User
	opt     LocalOptions
	log     *slog.Logger
	reports *records.Reports
}

var _ Service = (*Local)(nil)

// NewLocal returns the Service of manager over db. The caller has checked
// that manager may work (ManagerByUsername does).
func NewLocal(db *store.DB, manager store.User, opt LocalOptions) *Local {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Local{db: db, manager: manager, opt: opt, reports: records.NewReports(db),
		log: opt.Logger.With("manager", manager.Username)}
}

// ManagerByUsername returns the manager with this user name, refusing with
// ErrForbidden anyone who may not use the manager's screens: an unknown
// user name, a supervisor, a disabled account.
func ManagerByUsername(ctx context.Context, db *store.DB, username string) (store.User, error) {
	u, err := db.UserByUsername(ctx, username)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.User{}, fmt.Errorf("manager %q: no such account: %w", username, ErrForbidden)
	case err != nil:
		return store.User{}, err
	case u.Role != store.RoleManager:
		return store.User{}, fmt.Errorf("%s is a %s, not a manager: %w", u.Username, u.Role, ErrForbidden)
	case u.Disabled:
		return store.User{}, fmt.Errorf("the account of %s is disabled: %w", u.Username, ErrForbidden)
	}
	return u, nil
}

// region is the manager's region, "" for every region.
func (l *Local) region() string { return l.manager.RegionID }

// inScope reports whether something of regionID is the manager's to see.
func (l *Local) inScope(regionID string) bool {
	return l.manager.RegionID == "" || regionID == l.manager.RegionID
}

func (l *Local) now() time.Time { return l.opt.Now() }

// refresh brings the inspection index up to date before it is read.
func (l *Local) refresh(ctx context.Context) error {
	if n, err := l.db.RefreshInspectionIndex(ctx); err != nil {
		return err
	} else if n > 0 {
		l.log.Debug("graded inspections for the index", "count", n)
	}
	return nil
}

// Scope says who is working and over what.
func (l *Local) Scope(ctx context.Context) (Scope, error) {
	s := Scope{UserID: l.manager.ID, Username: l.manager.Username, Name: l.manager.Name, RegionID: l.manager.RegionID}
	if s.RegionID != "" {
		name, err := l.regionName(ctx, s.RegionID)
		if err != nil {
			return Scope{}, fmt.Errorf("scope of %s: %w", l.manager.Username, err)
		}
		s.RegionName = name
	}
	switch err := l.mayImportStandard(ctx); {
	case err == nil:
		s.ImportsStandards = true
	case !errors.Is(err, ErrForbidden):
		return Scope{}, fmt.Errorf("scope of %s: %w", l.manager.Username, err)
	}
	return s, nil
}

func (l *Local) regionNames(ctx context.Context) (map[string]string, error) {
	rs, err := l.db.Regions(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		out[r.ID] = r.Name
	}
	return out, nil
}

func (l *Local) regionName(ctx context.Context, id string) (string, error) {
	names, err := l.regionNames(ctx)
	if err != nil {
		return "", err
	}
	name, ok := names[id]
	if !ok {
		return "", fmt.Errorf("region %s: %w", id, ErrNotFound)
	}
	return name, nil
}

// hall returns a hall of the manager's region.
func (l *Local) hall(ctx context.Context, id string) (store.Hall, error) {
	halls, err := l.db.Halls(ctx)
	if err != nil {
		return store.Hall{}, err
	}
	for _, h := range halls {
		if h.ID == id && l.inScope(h.RegionID) {
			return h, nil
		}
	}
	return store.Hall{}, fmt.Errorf("hall %s: %w", id, ErrNotFound)
}

// ---- halls and staff ----

// Halls lists the region's halls by code with their staff and last
// inspection; query keeps those whose code or name contains it.
func (l *Local) Halls(ctx context.Context, query string) ([]HallRow, error) {
	hs, err := l.db.HallFigures(ctx, l.region(), query)
	if err != nil {
		return nil, err
	}
	out := make([]HallRow, len(hs))
	for i, h := range hs {
		out[i] = HallRow{Hall: h.Hall, RegionName: h.RegionName, ActiveStaff: h.ActiveStaff, LastInspection: h.LastInspection}
	}
	return out, nil
}

// Staff lists the region's staff: on the roster first, then those who
// left; each by hall code and name.
func (l *Local) Staff(ctx context.Context, q StaffQuery) ([]StaffRow, error) {
	if q.HallID != "" {
		if _, err := l.hall(ctx, q.HallID); err != nil {
			return nil, fmt.Errorf("list staff: %w", err)
		}
	}
	ss, err := l.db.SearchStaff(ctx, store.StaffSearch{RegionID: l.region(), HallID: q.HallID, Text: q.Text,
		IncludeInactive: q.IncludeInactive})
	if err != nil {
		return nil, err
	}
	out := make([]StaffRow, len(ss))
	for i, s := range ss {
		out[i] = StaffRow{Staff: s.Staff, HallCode: s.HallCode, HallName: s.HallName}
	}
	return out, nil
}

// staffRow returns a member of staff of the manager's region.
func (l *Local) staffRow(ctx context.Context, id string) (StaffRow, error) {
	s, err := l.db.StaffByID(ctx, id)
	if err != nil {
		return StaffRow{}, err
	}
	h, err := l.hall(ctx, s.HallID)
	if err != nil {
		// Staff of another region's hall do not exist for this manager.
		return StaffRow{}, fmt.Errorf("staff %s: %w", id, ErrNotFound)
	}
	return StaffRow{Staff: s, HallCode: h.Code, HallName: h.Name}, nil
}

// Person is one member of staff with their sealed inspections in the
// region, newest first, each with their own score and grade as amended.
func (l *Local) Person(ctx context.Context, staffID string) (*PersonDetail, error) {
	row, err := l.staffRow(ctx, staffID)
	if err != nil {
		return nil, err
	}
	if err := l.refresh(ctx); err != nil {
		return nil, fmt.Errorf("person %s: %w", staffID, err)
	}
	obs, err := l.db.Observations(ctx, staffID, l.region())
	if err != nil {
		return nil, err
	}
	d := &PersonDetail{StaffRow: row, Inspections: make([]PersonInspection, 0, len(obs))}
	for _, o := range obs {
		if o.Linked {
			d.Linked++
		}
		d.Inspections = append(d.Inspections, PersonInspection{
			InspectionID: o.InspectionID, StartedAt: o.StartedAt, HallName: cmp.Or(o.HallName, o.HallID),
			Supervisor: cmp.Or(o.SupervisorName, o.SupervisorID), Scored: o.Scored, Score: o.Score,
			Grade: o.Grade, Offences: o.Offences, Amended: o.Amendments > 0,
		})
	}
	return d, nil
}

// ---- standards ----

// Standards lists the versions, newest first, each with how many sealed
// inspections of the region were made with it.
func (l *Local) Standards(ctx context.Context) ([]store.StandardInfo, error) {
	all, err := l.db.Standards(ctx)
	if err != nil {
		return nil, err
	}
	use, err := l.db.StandardUse(ctx, l.region())
	if err != nil {
		return nil, err
	}
	out := make([]store.StandardInfo, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		s := all[i]
		s.Inspections = use[s.Version]
		out = append(out, s)
	}
	return out, nil
}

// Standard is one version, parsed.
func (l *Local) Standard(ctx context.Context, version int) (*standard.Version, error) {
	body, err := l.db.StandardBody(ctx, version)
	if err != nil {
		return nil, err
	}
	return standard.Parse(fmt.Sprintf("standard version %d", version), body)
}

// ImportStandard checks a standard file with the loader and stores it as a
// new version. A file the loader refuses is a *StandardError listing every
// problem with its line; a version number already imported with other
// content is ErrInvalid. Importing the very same version again changes
// nothing and returns it.
func (l *Local) ImportStandard(ctx context.Context, name string, data []byte) (store.StandardInfo, error) {
	name = cmp.Or(strings.TrimSpace(name), "standard")
	if err := l.mayImportStandard(ctx); err != nil {
		return store.StandardInfo{}, fmt.Errorf("import standard %s: %w", name, err)
	}
	v, err := standard.Parse(name, data)
	if err != nil {
		var ve *standard.ValidationError
		if !errors.As(err, &ve) {
			return store.StandardInfo{}, fmt.Errorf("import standard %s: %w: %w", name, ErrInvalid, err)
		}
		se := &StandardError{File: name}
		for _, p := range ve.Problems {
			p.File = "" // the file is named once, by StandardError
			se.Problems = append(se.Problems, p.Error())
		}
		if len(se.Problems) == 0 {
			se.Problems = []string{err.Error()}
		}
		return store.StandardInfo{}, fmt.Errorf("import standard: %w", se)
	}
	imported, err := l.db.ImportStandard(ctx, v, data)
	if errors.Is(err, store.ErrConflict) {
		next := v.Version + 1
		if all, lerr := l.db.Standards(ctx); lerr == nil && len(all) > 0 {
			next = max(next, all[len(all)-1].Version+1)
		}
		return store.StandardInfo{}, fmt.Errorf("import standard %s: %w: version %d is already imported with other content, and a version never changes once inspections may use it; give this file version %d",
			name, ErrInvalid, v.Version, next)
	}
	if err != nil {
		return store.StandardInfo{}, err
	}
	infos, err := l.Standards(ctx)
	if err != nil {
		return store.StandardInfo{}, err
	}
	for _, s := range infos {
		if s.Version == v.Version {
			if imported {
				l.log.Info("standard version imported", "version", v.Version, "file", name, "hash", s.Hash)
			}
			return s, nil
		}
	}
	return store.StandardInfo{}, fmt.Errorf("import standard %s: version %d: %w after import", name, v.Version, ErrNotFound)
}

// mayImportStandard refuses a regional manager: a standard version is used
// by every region. The manager of the only region there is is over every
// region, and may.
func (l *Local) mayImportStandard(ctx context.Context) error {
	if l.region() == "" {
		return nil
	}
	regions, err := l.db.Regions(ctx)
	if err != nil {
		return err
	}
	if len(regions) == 1 && regions[0].ID == l.region() {
		return nil
	}
	return fmt.Errorf("%w: standard versions are shared by every region, so a new one is imported by a manager over every region (head office), or on the hub with dudao-hub standard import", ErrForbidden)
}

// ---- inspections ----

// inspectionFilter turns a query into the store's filter, checking that
// what it names is in the manager's region.
func (l *Local) inspectionFilter(ctx context.Context, q InspectionQuery) (store.SealedFilter, error) {
	f := store.SealedFilter{RegionID: l.region(), HallID: q.HallID, StaffID: q.StaffID, SupervisorID: q.SupervisorID,
		Grade: q.Grade, Completeness: store.Completeness(q.Completeness), Offset: max(q.Offset, 0), Limit: q.Limit}
	switch q.Completeness {
	case AnyCompleteness, Complete, Incomplete:
	default:
		return f, fmt.Errorf("%w: completeness %q (want %q or %q)", ErrInvalid, q.Completeness, Complete, Incomplete)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = DefaultPageSize
	case f.Limit > MaxPageSize:
		f.Limit = MaxPageSize
	}
	if q.HallID != "" {
		if _, err := l.hall(ctx, q.HallID); err != nil {
			return f, err
		}
	}
	if q.StaffID != "" {
		if _, err := l.staffRow(ctx, q.StaffID); err != nil {
			return f, err
		}
	}
	if !q.From.IsZero() {
		f.From = startOfDay(q.From)
	}
	if !q.To.IsZero() {
		f.To = startOfDay(q.To).AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return f, fmt.Errorf("%w: the period ends %s, before it starts %s", ErrInvalid,
			q.To.In(inspect.HallZone).Format(time.DateOnly), q.From.In(inspect.HallZone).Format(time.DateOnly))
	}
	return f, nil
}

// startOfDay is the first moment of t's day in the halls' zone.
func startOfDay(t time.Time) time.Time {
	t = t.In(inspect.HallZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, inspect.HallZone)
}

// Inspections is one page of the region's sealed inspections matching q,
// newest first, with the total that match. Grades and photo counts are of
// each record as amended; the index is brought up to date first.
func (l *Local) Inspections(ctx context.Context, q InspectionQuery) (InspectionPage, error) {
	f, err := l.inspectionFilter(ctx, q)
	if err != nil {
		return InspectionPage{}, fmt.Errorf("list inspections: %w", err)
	}
	if err := l.refresh(ctx); err != nil {
		return InspectionPage{}, fmt.Errorf("list inspections: %w", err)
	}
	rows, total, err := l.db.SealedPage(ctx, f)
	if err != nil {
		return InspectionPage{}, err
	}
	page := InspectionPage{Total: total, Rows: make([]InspectionRow, len(rows))}
	for i, r := range rows {
		page.Rows[i] = inspectionRow(r)
	}
	return page, nil
}

func inspectionRow(r store.SealedRow) InspectionRow {
	return InspectionRow{
		ID: r.ID, HallID: r.HallID, HallName: cmp.Or(r.HallName, r.HallID),
		SupervisorID: r.SupervisorID, SupervisorName: cmp.Or(r.SupervisorName, r.SupervisorID),
		DeviceName: cmp.Or(r.DeviceName, r.DeviceID), StartedAt: r.StartedAt, SealHash: r.SealHash,
		People: r.People, Findings: r.Findings, Scored: r.Scored, Score: r.Score, Grade: r.Grade,
		Amendments: r.Amendments, PhotosExpected: r.PhotosExpected, PhotosPresent: r.PhotosPresent,
	}
}

// FilterChoices are the region's halls, the supervisors who work in it
// (those of the region and anyone who inspected one of its halls), and the
// newest standard's grades, best first.
func (l *Local) FilterChoices(ctx context.Context) (FilterChoices, error) {
	var fc FilterChoices
	halls, err := l.db.Halls(ctx)
	if err != nil {
		return fc, err
	}
	for _, h := range halls {
		if l.inScope(h.RegionID) {
			fc.Halls = append(fc.Halls, h)
		}
	}
	users, err := l.db.Users(ctx)
	if err != nil {
		return fc, err
	}
	inspected := map[string]bool{}
	if l.region() != "" {
		if inspected, err = l.supervisorsOfRegion(ctx); err != nil {
			return fc, err
		}
	}
	for _, u := range users {
		if u.Role == store.RoleSupervisor && (l.inScope(u.RegionID) || inspected[u.ID]) {
			fc.Supervisors = append(fc.Supervisors, u)
		}
	}
	slices.SortStableFunc(fc.Supervisors, func(a, b store.User) int { return cmp.Compare(a.Name, b.Name) })
	infos, err := l.db.Standards(ctx)
	if err != nil {
		return fc, err
	}
	if len(infos) > 0 {
		v, err := l.Standard(ctx, infos[len(infos)-1].Version)
		if err != nil {
			return fc, err
		}
		fc.Grades = slices.Clone(v.Grades)
		slices.SortStableFunc(fc.Grades, func(a, b standard.GradeBand) int { return cmp.Compare(b.MinScore, a.MinScore) })
	}
	return fc, nil
}

// supervisorsOfRegion are the supervisors who sealed an inspection in the
// manager's region, whatever region their account has.
func (l *Local) supervisorsOfRegion(ctx context.Context) (map[string]bool, error) {
	ids, err := l.db.SupervisorsIn(ctx, l.region())
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// sealed returns the index row of a sealed inspection of the region.
func (l *Local) sealed(ctx context.Context, id string) (store.SealedRow, error) {
	r, err := l.db.SealedInspection(ctx, id)
	if err != nil {
		return store.SealedRow{}, err
	}
	if !l.inScope(r.RegionID) {
		return store.SealedRow{}, fmt.Errorf("sealed inspection %s: %w", id, ErrNotFound)
	}
	return r, nil
}

// Inspection is one sealed inspection of the region with its amendments,
// the record as amended and its score. Its photo counts are of the files
// themselves, which is what opening them needs.
func (l *Local) Inspection(ctx context.Context, id string) (*InspectionDetail, error) {
	row, err := l.sealed(ctx, id)
	if err != nil {
		return nil, err
	}
	rec, err := l.reports.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &InspectionDetail{
		Inspection: rec.Original, Amendments: rec.Amendments, Standard: rec.Standard,
		HallName: cmp.Or(row.HallName, row.HallID), DeviceName: cmp.Or(row.DeviceName, row.DeviceID),
		Supervisor: cmp.Or(row.SupervisorName, signerName(rec.Original), row.SupervisorID),
		Effective:  rec.Effective, Result: rec.Result,
	}
	if d.ReceivedAt, err = l.db.ReceivedAt(ctx, id); err != nil {
		return nil, err
	}
	for _, p := range recordPhotos(rec.Original, rec.Amendments) {
		d.PhotosExpected++
		if l.db.PhotoHeld(p.SHA256, p.Size) {
			d.PhotosPresent++
		}
	}
	return d, nil
}

// signerName is the name the supervisor signed with, for a supervisor
// whose account this store does not hold.
func signerName(ins *inspect.Inspection) string {
	for _, s := range ins.Signatures {
		if s.Role == inspect.SignerSupervisor && s.PersonID == ins.SupervisorID {
			return s.Name
		}
	}
	return ""
}

// recordPhotos are the photos of an inspection and its amendments, each once.
func recordPhotos(ins *inspect.Inspection, ams []inspect.Amendment) []inspect.PhotoRef {
	out := ins.Photos()
	seen := map[string]bool{}
	for _, p := range out {
		seen[p.SHA256] = true
	}
	for _, a := range ams {
		for _, c := range a.Changes {
			if c.Finding == nil {
				continue
			}
			for _, p := range c.Finding.Photos {
				if !seen[p.SHA256] {
					seen[p.SHA256] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// Photo returns a photo or signature image that a sealed inspection of the
// region (or one of its amendments) references; ErrNotFound when none
// does, or when the store does not hold it yet.
func (l *Local) Photo(ctx context.Context, sha256 string) ([]byte, error) {
	if !inspect.ValidHash(sha256) {
		return nil, fmt.Errorf("photo %q: %w: not a SHA-256", sha256, ErrInvalid)
	}
	if err := l.refresh(ctx); err != nil {
		return nil, fmt.Errorf("photo %s: %w", sha256, err)
	}
	ok, err := l.db.PhotoInRegion(ctx, sha256, l.region())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("photo %s: %w", sha256, ErrNotFound)
	}
	f, err := l.db.OpenPhoto(sha256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read photo %s: %w", sha256, err)
	}
	return b, nil
}

// Verify re-checks a sealed inspection of the region: its seal, its photo
// files and its amendments.
func (l *Local) Verify(ctx context.Context, id string) (store.VerifyResult, error) {
	if _, err := l.sealed(ctx, id); err != nil {
		return store.VerifyResult{}, err
	}
	return l.db.Verify(ctx, id)
}

// ExportInspection renders the report of a sealed inspection of the region,
// named as the tablet names it.
func (l *Local) ExportInspection(ctx context.Context, id string, opt report.Options) ([]byte, string, error) {
	if _, err := l.sealed(ctx, id); err != nil {
		return nil, "", err
	}
	in, err := l.reports.InspectionReport(ctx, id)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if err := report.RenderInspection(&buf, in, opt); err != nil {
		return nil, "", fmt.Errorf("export inspection %s: %w", id, err)
	}
	return buf.Bytes(), report.FileName("督导报告", in.HallName, report.FileDate(in.Inspection.StartedAt)), nil
}

// ---- summaries ----

// allRegionsScope names a summary of every hall of several regions.
const allRegionsScope = "全部区域"

// summaryReport reads the records a summary covers: one hall; the
// manager's region; or, for a manager over every region, every hall, as
// the summary of the only region when there is one and otherwise as the
// regions' records together under allRegionsScope.
func (l *Local) summaryReport(ctx context.Context, q SummaryQuery, progress func(done, total int)) (report.SummaryReport, error) {
	sq := records.SummaryQuery{From: q.From, To: q.To, Progress: progress}
	switch {
	case q.HallID != "":
		if _, err := l.hall(ctx, q.HallID); err != nil {
			return report.SummaryReport{}, err
		}
		sq.HallID = q.HallID
	case l.region() != "":
		sq.RegionID = l.region()
	default:
		regions, err := l.db.Regions(ctx)
		if err != nil {
			return report.SummaryReport{}, err
		}
		if len(regions) == 1 {
			sq.RegionID = regions[0].ID
			break
		}
		return l.allRegionsReport(ctx, sq, regions)
	}
	return l.reports.SummaryReport(ctx, sq)
}

// allRegionsReport puts the summaries of every region together; the
// renderer orders the records itself.
func (l *Local) allRegionsReport(ctx context.Context, sq records.SummaryQuery, regions []store.Region) (report.SummaryReport, error) {
	out := report.SummaryReport{Scope: allRegionsScope, ScopeKey: "all", Region: true, Standards: map[int]*standard.Version{}}
	progress := sq.Progress
	for i, rg := range regions {
		q := sq
		q.RegionID = rg.ID
		if progress != nil {
			// Each region counts its own records; the whole advances by the
			// regions done plus the share of the current one.
			q.Progress = func(done, total int) {
				if total > 0 {
					progress(i*total+done, len(regions)*total)
				}
			}
		}
		r, err := l.reports.SummaryReport(ctx, q)
		if err != nil {
			return report.SummaryReport{}, err
		}
		out.From, out.To = r.From, r.To
		out.Records = append(out.Records, r.Records...)
		for v, s := range r.Standards {
			out.Standards[v] = s
		}
	}
	return out, nil
}

// Summary computes a hall's or the region's figures over a period, the ones
// the summary PDF prints.
func (l *Local) Summary(ctx context.Context, q SummaryQuery) (*report.SummaryFigures, error) {
	r, err := l.summaryReport(ctx, q, nil)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	f, err := report.ComputeSummary(r)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	return &f, nil
}

// summarySteps is the scale ExportSummary reports progress on: reading the
// records is the first half and drawing the pages the second, which take
// about as long as each other (see records.Reports.records).
const summarySteps = 1000

// ExportSummary renders the summary PDF of a hall or the region, reporting
// progress while the records are read and while the pages are drawn.
func (l *Local) ExportSummary(ctx context.Context, q SummaryQuery, opt report.Options, progress Progress) ([]byte, string, error) {
	half := summarySteps / 2
	var readProgress func(done, total int)
	if progress != nil {
		progress(0, summarySteps)
		readProgress = func(done, total int) {
			if total > 0 {
				progress(done*half/total, summarySteps)
			}
		}
		opt.Progress = func(done, total int) {
			if total > 0 {
				progress(half+done*half/total, summarySteps)
			}
		}
	}
	r, err := l.summaryReport(ctx, q, readProgress)
	if err != nil {
		return nil, "", fmt.Errorf("export summary: %w", err)
	}
	var buf bytes.Buffer
	if err := report.RenderSummary(&buf, r, opt); err != nil {
		return nil, "", fmt.Errorf("export summary: %w", err)
	}
	if progress != nil {
		progress(summarySteps, summarySteps)
	}
	l.log.Info("summary exported", "scope", r.Scope, "records", len(r.Records), "bytes", buf.Len())
	return buf.Bytes(), report.FileName("督导汇总", r.Scope, report.FileDate(r.From)+"至"+report.FileDate(r.To)), nil
}

// ---- devices ----

// Devices lists the region's devices in order of enrolment, with their
// last sync and the records the hub holds from each.
func (l *Local) Devices(ctx context.Context) ([]DeviceRow, error) {
	devs, err := l.db.DeviceAccounts(ctx)
	if err != nil {
		return nil, err
	}
	delivered, err := l.db.DeliveredCounts(ctx)
	if err != nil {
		return nil, err
	}
	regions, err := l.regionNames(ctx)
	if err != nil {
		return nil, err
	}
	usernames, err := l.usernames(ctx)
	if err != nil {
		return nil, err
	}
	var out []DeviceRow
	for _, d := range devs {
		if !l.deviceInScope(d) {
			continue
		}
		out = append(out, deviceRow(d, regions, usernames, delivered))
	}
	return out, nil
}

// deviceInScope: a regional manager sees the devices of their region; a
// desktop of a manager over every region has no region, and only such a
// manager sees it.
func (l *Local) deviceInScope(d store.DeviceAccount) bool {
	return l.region() == "" || d.RegionID == l.region()
}

func (l *Local) usernames(ctx context.Context) (map[string]string, error) {
	users, err := l.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(users))
	for _, u := range users {
		out[u.ID] = u.Username
	}
	return out, nil
}

func deviceRow(d store.DeviceAccount, regions, usernames map[string]string, delivered map[string]int) DeviceRow {
	row := DeviceRow{DeviceAccount: d, RegionName: regions[d.RegionID], LastSync: d.LastSyncAt, Pending: d.Pending,
		Delivered: delivered[d.ID]}
	if d.UserID != "" {
		row.Manager = cmp.Or(usernames[d.UserID], d.UserID)
	}
	return row
}

func (l *Local) device(ctx context.Context, id string) (DeviceRow, error) {
	rows, err := l.Devices(ctx)
	if err != nil {
		return DeviceRow{}, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, nil
		}
	}
	return DeviceRow{}, fmt.Errorf("device %s: %w", id, ErrNotFound)
}

// EnrolDevice records a new tablet of the region and returns its one-time
// code and the invite a tablet scans. It needs the hub (LocalOptions.Hub):
// a tablet enrols with a hub, never with a desktop. A manager over every
// region enrols into the only region there is; with several regions they
// must enrol the tablet with dudao-hub device enrol --region, since this
// call does not say which region.
func (l *Local) EnrolDevice(ctx context.Context, name string) (Enrolment, error) {
	name = strings.TrimSpace(name)
	if l.opt.Hub == nil || l.opt.Hub.URL == "" {
		return Enrolment{}, fmt.Errorf("enrol device %q: %w: enrolling a tablet needs the hub, and this desktop works on its own database; enrol it on the hub", name, ErrInvalid)
	}
	if name == "" {
		return Enrolment{}, fmt.Errorf("enrol device: %w: empty name", ErrInvalid)
	}
	regions, err := l.regionNames(ctx)
	if err != nil {
		return Enrolment{}, err
	}
	region := l.region()
	if region == "" {
		if len(regions) != 1 {
			return Enrolment{}, fmt.Errorf("enrol device %q: %w: there are %d regions and a tablet belongs to one; enrol it with dudao-hub device enrol --region",
				name, ErrInvalid, len(regions))
		}
		for id := range regions {
			region = id
		}
	}
	ttl := cmp.Or(l.opt.Hub.EnrolTTL, defaultEnrolTTL)
	e, err := dsync.NewEnrolment(ctx, l.db, name, region, l.now().Add(ttl))
	if err != nil {
		return Enrolment{}, err
	}
	// The code is live from here on: the answer is built from what the
	// enrolment recorded, so that nothing read after it can report a
	// failure while a working code exists.
	row := DeviceRow{DeviceAccount: store.DeviceAccount{Device: e.Device, Pending: -1}, RegionName: regions[e.Device.RegionID],
		Pending: -1}
	inv := dsync.Invite{URL: l.opt.Hub.URL, Pins: l.opt.Hub.Pins, Code: e.Code}
	l.log.Info("device enrolment created", "device", e.Device.ID, "name", name, "region", region, "expires", e.Expires)
	return Enrolment{Device: row, Code: e.Code, Expires: e.Expires, Invite: inv.String()}, nil
}

// RevokeDevice revokes a device of the region: its token is refused from
// now on. A regional manager revokes tablets only; a manager over every
// region also revokes managers' desktops, except their own (ErrForbidden).
func (l *Local) RevokeDevice(ctx context.Context, deviceID, reason string) (DeviceRow, error) {
	d, err := l.device(ctx, deviceID)
	if err != nil {
		return DeviceRow{}, err
	}
	if d.UserID != "" {
		switch {
		case l.region() != "":
			return DeviceRow{}, fmt.Errorf("revoke device %q: %w: it is a manager's desktop, and a regional manager revokes tablets only; a desktop is revoked on the hub with dudao-hub device revoke, or by a manager over every region",
				d.Name, ErrForbidden)
		case d.UserID == l.manager.ID:
			return DeviceRow{}, fmt.Errorf("revoke device %q: %w: it is your own desktop, and revoking it here would lock you out; revoke it on the hub with dudao-hub device revoke",
				d.Name, ErrForbidden)
		}
	}
	reason = cmp.Or(strings.TrimSpace(reason), "revoked by manager "+l.manager.Username)
	if _, err := l.db.RevokeDevice(ctx, deviceID, reason); err != nil {
		return DeviceRow{}, err
	}
	l.log.Info("device revoked", "device", deviceID, "reason", reason)
	return l.device(ctx, deviceID)
}

// ---- attention ----

// Conflicts are the region's sync conflicts, newest first.
func (l *Local) Conflicts(ctx context.Context) ([]store.Conflict, error) {
	return l.db.ConflictsIn(ctx, l.region())
}

// OffRoster lists the people observed off the roster in the region's
// sealed inspections and not linked yet.
func (l *Local) OffRoster(ctx context.Context) ([]store.OffRosterPerson, error) {
	return l.db.UnlinkedOffRoster(ctx, l.region())
}

// LinkOffRoster records, beside the sealed record, that an off-roster
// person is this roster entry, with the manager, the time and, when someone
// else entered it for them, who (LocalOptions.RecordedBy).
func (l *Local) LinkOffRoster(ctx context.Context, inspectionID, personID, staffID string) error {
	err := l.db.LinkOffRoster(ctx, store.OffRosterLink{InspectionID: inspectionID, PersonID: personID, StaffID: staffID,
		LinkedBy: l.manager.ID, LinkedAt: l.now(), RecordedBy: l.opt.RecordedBy}, l.region())
	if err != nil {
		return err
	}
	l.log.Info("off-roster person linked", "inspection", inspectionID, "person", personID, "staff", staffID,
		"recorded_by", l.opt.RecordedBy)
	return nil
}
