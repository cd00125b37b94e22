package store

// What the manager's desktop reads and writes beyond the tablet's needs:
// halls with their figures, staff search, a person's history, the sealed
// inspection list over the inspection index, off-roster links and the
// attention lists, each optionally narrowed to one region. regionID ""
// everywhere below means every region.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// ---- users ----

// UserByUsername returns the user with this user name, ErrNotFound if none.
func (db *DB) UserByUsername(ctx context.Context, username string) (User, error) {
	return userBy(ctx, db.r, "username", strings.TrimSpace(username))
}

// UserByID returns the user with this ID, ErrNotFound if none.
func (db *DB) UserByID(ctx context.Context, id string) (User, error) {
	return userBy(ctx, db.r, "id", id)
}

func userBy(ctx context.Context, q querier, col, val string) (User, error) {
	// col is a constant of this package, never input.
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE "+col+" = ?", val))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", val, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %s: %w", val, translate(err))
	}
	return u, nil
}

// ---- halls and staff ----

// HallFigures is a hall with what the manager's hall list shows of it.
type HallFigures struct {
	Hall
	RegionName  string
	ActiveStaff int
	// LastInspection is the start of its newest sealed inspection; zero if
	// it has none.
	LastInspection time.Time
}

// HallFigures lists the halls of a region by code, with their active staff
// and last sealed inspection. text, when not empty, keeps the halls whose
// code or name contains it (case-insensitive).
func (db *DB) HallFigures(ctx context.Context, regionID, text string) ([]HallFigures, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT h.id, h.region_id, h.code, h.name, ifnull(r.name, ''),
		(SELECT count(*) FROM staff s WHERE s.hall_id = h.id AND (s.active_to IS NULL OR s.active_to > ?3)),
		(SELECT max(x.started_at) FROM inspection_index x WHERE x.hall_id = h.id)
		FROM halls h LEFT JOIN regions r ON r.id = h.region_id
		WHERE (?1 = '' OR h.region_id = ?1)
		  AND (?2 = '' OR instr(lower(h.code), lower(?2)) > 0 OR instr(lower(h.name), lower(?2)) > 0)
		ORDER BY h.code`, regionID, strings.TrimSpace(text), toMS(db.now()))
	if err != nil {
		return nil, fmt.Errorf("list hall figures: %w", translate(err))
	}
	var out []HallFigures
	if err := eachRow(rows, func() error {
		var h HallFigures
		var last sql.NullInt64
		if err := rows.Scan(&h.ID, &h.RegionID, &h.Code, &h.Name, &h.RegionName, &h.ActiveStaff, &last); err != nil {
			return err
		}
		h.LastInspection = fromNullMS(last)
		out = append(out, h)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list hall figures: %w", err)
	}
	return out, nil
}

// StaffSearch selects staff for the manager's list. Empty fields do not
// filter; Text matches name, employee number or badge (substring,
// case-insensitive).
type StaffSearch struct {
	RegionID        string
	HallID          string
	Text            string
	IncludeInactive bool
}

// StaffListing is a member of staff with their hall.
type StaffListing struct {
	Staff
	HallCode, HallName, RegionID string
}

// SearchStaff lists staff: those on the roster first, then those who left;
// each by hall code, name and employee number.
func (db *DB) SearchStaff(ctx context.Context, q StaffSearch) ([]StaffListing, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.id, s.employee_no, s.name, s.gender, s.role, s.badge, s.hall_id,
		s.active_from, s.active_to, h.code, h.name, h.region_id
		FROM staff s JOIN halls h ON h.id = s.hall_id
		WHERE (?1 = '' OR h.region_id = ?1) AND (?2 = '' OR s.hall_id = ?2)
		  AND (?3 OR s.active_to IS NULL OR s.active_to > ?5)
		  AND (?4 = '' OR instr(lower(s.name), lower(?4)) > 0 OR instr(lower(s.employee_no), lower(?4)) > 0
		       OR instr(lower(s.badge), lower(?4)) > 0)
		ORDER BY s.active_to IS NOT NULL AND s.active_to <= ?5, h.code, s.name, s.employee_no`,
		q.RegionID, q.HallID, q.IncludeInactive, strings.TrimSpace(q.Text), toMS(db.now()))
	if err != nil {
		return nil, fmt.Errorf("search staff: %w", translate(err))
	}
	var out []StaffListing
	if err := eachRow(rows, func() error {
		var l StaffListing
		s, err := scanStaff(scanExtra{rows, []any{&l.HallCode, &l.HallName, &l.RegionID}})
		if err != nil {
			return err
		}
		l.Staff = s
		out = append(out, l)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("search staff: %w", err)
	}
	return out, nil
}

// scanExtra scans a row of staffCols followed by more columns.
type scanExtra struct {
	rows  *sql.Rows
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }

// ---- a person's history ----

// Observation is one sealed inspection that observed a member of staff,
// with their own score in the effective record as the index graded it.
type Observation struct {
	InspectionID   string
	PersonID       string
	StartedAt      time.Time
	HallID         string
	HallName       string
	SupervisorID   string
	SupervisorName string
	// Graded is false while the index has not graded the inspection (run
	// RefreshInspectionIndex first).
	Graded     bool
	Scored     bool
	Score      float64
	Grade      string
	Offences   int
	Amendments int
	// Linked marks an off-roster observation a manager linked to them.
	Linked bool
}

// Observations lists the sealed inspections of a region that observed a
// member of staff, on the roster or through an off-roster link, newest
// first, as the index graded them (run RefreshInspectionIndex first).
func (db *DB) Observations(ctx context.Context, staffID, regionID string) ([]Observation, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT g.inspection_id, g.person_id, g.started_at, x.hall_id, ifnull(h.name, ''),
			x.supervisor_id, ifnull(u.name, ''), x.graded, g.scored, g.score, g.grade, g.offences, x.amendments,
			o.staff_id IS NULL
		FROM graded_people g JOIN inspection_index x ON x.inspection_id = g.inspection_id
		JOIN observed_people o ON o.id = g.person_id
		LEFT JOIN halls h ON h.id = x.hall_id
		LEFT JOIN users u ON u.id = x.supervisor_id
		WHERE g.staff_id = ?1 AND (?2 = '' OR g.region_id = ?2)
		ORDER BY g.started_at DESC, g.inspection_id DESC`, staffID, regionID)
	if err != nil {
		return nil, fmt.Errorf("observations of staff %s: %w", staffID, translate(err))
	}
	var out []Observation
	if err := eachRow(rows, func() error {
		var o Observation
		var started int64
		if err := rows.Scan(&o.InspectionID, &o.PersonID, &started, &o.HallID, &o.HallName, &o.SupervisorID,
			&o.SupervisorName, &o.Graded, &o.Scored, &o.Score, &o.Grade, &o.Offences, &o.Amendments, &o.Linked); err != nil {
			return err
		}
		o.StartedAt = fromMS(started)
		out = append(out, o)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("observations of staff %s: %w", staffID, err)
	}
	return out, nil
}

// ---- the sealed inspection list ----

// Completeness filters sealed inspections by whether the store holds every
// photo they reference.
type Completeness string

const (
	AnyCompleteness Completeness = ""
	Complete        Completeness = "complete"
	Incomplete      Completeness = "incomplete"
)

// SealedFilter selects sealed inspections from the inspection index. Empty
// fields do not filter. From is inclusive and To exclusive on StartedAt;
// Limit 0 means no limit.
type SealedFilter struct {
	RegionID     string
	HallID       string
	StaffID      string // observed in it, on the roster or by an off-roster link
	SupervisorID string
	From, To     time.Time
	Grade        string // grade band ID of the effective record
	Completeness Completeness
	Limit        int
	Offset       int
}

// SealedRow is one sealed inspection of the manager's list. The grade and
// counts are of the effective record, as the index last graded it.
type SealedRow struct {
	ID              string
	RegionID        string
	HallID          string
	HallName        string
	SupervisorID    string
	SupervisorName  string
	DeviceID        string
	DeviceName      string
	StandardVersion int
	StartedAt       time.Time
	SealHash        string
	People          int
	Findings        int
	Graded          bool
	Scored          bool
	Score           float64
	Grade           string
	Amendments      int
	PhotosExpected  int
	PhotosPresent   int
}

// sealedSelect is the filter of the inspection index as SQL: the tables,
// the conditions with their arguments and the order they are listed in.
type sealedSelect struct {
	from, where, order string
	args               []any
	// alone: no condition but the person's (and the region, the period),
	// which graded_people holds, so the person's rows are counted without
	// the index's.
	alone bool
}

// sealedQuery builds the filter of the inspection index. One condition
// drives the query through its index, the most selective one given, in the
// order below; the others are written with a unary plus on the column,
// which keeps them from being used as an index, so that SQLite, which has no
// statistics here, cannot pick a broad index (say the region's) and walk
// most of the table for a narrow filter. The period stays indexable: every
// index it is used with has started_at after its equality columns.
//
// A person drives through graded_people, which has the inspections' times
// and regions, so a page of someone observed thousands of times is read in
// order instead of sorted. The region is written otherwise, to spare
// reading the table row of every match when counting: with a person, it is
// graded_people's; with a hall, the hall's region, checked once; with a
// grade, it goes with the grade through inspection_index_region_grade; with
// a supervisor, inspection_index_supervisor holds it.
func sealedQuery(f SealedFilter) sealedSelect {
	driver := "started"
	switch {
	case f.StaffID != "":
		driver = "staff"
	case f.HallID != "":
		driver = "hall"
	case f.SupervisorID != "":
		driver = "supervisor"
	case f.Completeness == Incomplete:
		driver = "incomplete"
	case f.Grade != "":
		driver = "grade"
	case f.RegionID != "":
		driver = "region"
	}
	col := func(name, c string) string {
		if driver == name {
			return "x." + c
		}
		return "+x." + c
	}
	q := sealedSelect{from: "inspection_index x", order: "x.started_at DESC, x.inspection_id DESC"}
	started := "x.started_at"
	var conds []string
	if driver == "staff" {
		q.from = "graded_people g JOIN inspection_index x ON x.inspection_id = g.inspection_id"
		q.order = "g.started_at DESC, g.inspection_id DESC"
		started = "g.started_at"
		conds = append(conds, "g.staff_id = ?")
		q.args = append(q.args, f.StaffID)
		q.alone = f.HallID == "" && f.SupervisorID == "" && f.Grade == "" && f.Completeness == AnyCompleteness
	}
	if f.HallID != "" {
		conds = append(conds, col("hall", "hall_id")+" = ?")
		q.args = append(q.args, f.HallID)
	}
	if f.SupervisorID != "" {
		conds = append(conds, col("supervisor", "supervisor_id")+" = ?")
		q.args = append(q.args, f.SupervisorID)
	}
	switch {
	case f.RegionID == "":
	case driver == "hall":
		conds = append(conds, "(SELECT region_id FROM halls WHERE id = ?) = ?")
		q.args = append(q.args, f.HallID, f.RegionID)
	case driver == "grade":
		conds = append(conds, "x.region_id = ?")
		q.args = append(q.args, f.RegionID)
	case driver == "staff":
		conds = append(conds, "g.region_id = ?")
		q.args = append(q.args, f.RegionID)
	default:
		conds = append(conds, col("region", "region_id")+" = ?")
		q.args = append(q.args, f.RegionID)
	}
	if f.Grade != "" {
		conds = append(conds, col("grade", "grade")+" = ?")
		q.args = append(q.args, f.Grade)
	}
	switch f.Completeness {
	case Incomplete:
		// The partial index's own condition, verbatim, or SQLite will not
		// use it; behind another driver it costs one comparison a row.
		if driver == "incomplete" {
			conds = append(conds, "x.photos_present < x.photos_expected")
		} else {
			conds = append(conds, "+x.photos_present < x.photos_expected")
		}
	case Complete:
		conds = append(conds, "+x.photos_present >= x.photos_expected")
	}
	if !f.From.IsZero() {
		conds = append(conds, started+" >= ?")
		q.args = append(q.args, toMS(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, started+" < ?")
		q.args = append(q.args, toMS(f.To))
	}
	if len(conds) > 0 {
		q.where = " WHERE " + strings.Join(conds, " AND ")
	}
	return q
}

// sealedCols are a SealedRow's columns over inspection_index x,
// inspections i, halls h, users u and devices d.
const sealedCols = `x.inspection_id, x.region_id, x.hall_id, ifnull(h.name, ''), x.supervisor_id,
	ifnull(u.name, ''), i.device_id, ifnull(d.name, ''), x.standard_version, x.started_at,
	ifnull(i.seal_hash, ''), x.people, x.findings, x.graded, x.scored, x.score, x.grade, x.amendments,
	x.photos_expected, x.photos_present`

func scanSealed(rows *sql.Rows) (SealedRow, error) {
	var r SealedRow
	var started int64
	err := rows.Scan(&r.ID, &r.RegionID, &r.HallID, &r.HallName, &r.SupervisorID, &r.SupervisorName,
		&r.DeviceID, &r.DeviceName, &r.StandardVersion, &started, &r.SealHash, &r.People, &r.Findings,
		&r.Graded, &r.Scored, &r.Score, &r.Grade, &r.Amendments, &r.PhotosExpected, &r.PhotosPresent)
	r.StartedAt = fromMS(started)
	return r, err
}

// sealedPageQuery selects the IDs of one page through the filter's index
// first, and only then joins what the rows show, so the cost follows the
// page size, not the number of matches.
func sealedPageQuery(f SealedFilter) (string, []any) {
	q := sealedQuery(f)
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	args := append(q.args, limit, max(f.Offset, 0))
	return `WITH page AS (
		SELECT x.inspection_id AS id, x.started_at AS started FROM ` + q.from + q.where + `
		ORDER BY ` + q.order + ` LIMIT ? OFFSET ?)
	SELECT ` + sealedCols + `
	FROM page p
	JOIN inspection_index x ON x.inspection_id = p.id
	JOIN inspections i ON i.id = p.id
	LEFT JOIN halls h ON h.id = x.hall_id
	LEFT JOIN users u ON u.id = x.supervisor_id
	LEFT JOIN devices d ON d.id = i.device_id
	ORDER BY p.started DESC, p.id DESC`, args
}

// SealedPage returns one page of the sealed inspections matching f, newest
// first, and how many match in all, read from one snapshot. A person's
// inspections are those the index has graded (RefreshInspectionIndex).
func (db *DB) SealedPage(ctx context.Context, f SealedFilter) ([]SealedRow, int, error) {
	db.flushPhotoNotes(ctx) // completeness counts photos received a moment ago
	var out []SealedRow
	var total int
	err := db.readTx(ctx, func(q querier) error {
		var err error
		if total, err = countSealed(ctx, q, f); err != nil {
			return err
		}
		query, args := sealedPageQuery(f)
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return translate(err)
		}
		return eachRow(rows, func() error {
			r, err := scanSealed(rows)
			out = append(out, r)
			return err
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list sealed inspections: %w", err)
	}
	return out, total, nil
}

// countSealed counts the matches of f. Complete rows are counted as all
// rows less the incomplete ones: both counts go through indexes, where
// counting the complete ones directly reads every row of the table. A
// person's rows alone are counted in graded_people, every one of which has
// its row in the index.
func countSealed(ctx context.Context, q querier, f SealedFilter) (int, error) {
	count := func(f SealedFilter) (int, error) {
		sq := sealedQuery(f)
		from := sq.from
		if sq.alone {
			from = "graded_people g"
		}
		var n int
		err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+from+sq.where, sq.args...).Scan(&n)
		return n, translate(err)
	}
	if f.Completeness != Complete {
		return count(f)
	}
	f.Completeness = AnyCompleteness
	all, err := count(f)
	if err != nil {
		return 0, err
	}
	f.Completeness = Incomplete
	incomplete, err := count(f)
	return all - incomplete, err
}

// SealedInspection returns the index row of one sealed inspection;
// ErrNotFound for a draft or an unknown ID.
func (db *DB) SealedInspection(ctx context.Context, id string) (SealedRow, error) {
	db.flushPhotoNotes(ctx)
	rows, err := db.r.QueryContext(ctx, "SELECT "+sealedCols+`
		FROM inspection_index x JOIN inspections i ON i.id = x.inspection_id
		LEFT JOIN halls h ON h.id = x.hall_id
		LEFT JOIN users u ON u.id = x.supervisor_id
		LEFT JOIN devices d ON d.id = i.device_id
		WHERE x.inspection_id = ?`, id)
	if err != nil {
		return SealedRow{}, fmt.Errorf("read sealed inspection %s: %w", id, translate(err))
	}
	var out []SealedRow
	if err := eachRow(rows, func() error {
		r, err := scanSealed(rows)
		out = append(out, r)
		return err
	}); err != nil {
		return SealedRow{}, fmt.Errorf("read sealed inspection %s: %w", id, err)
	}
	if len(out) == 0 {
		return SealedRow{}, fmt.Errorf("sealed inspection %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// ---- photos, standards, receipts ----

// PhotoHeld reports whether the store holds a photo: its file at its
// content address with the size a record gives. Unlike the photos table
// this is true on a hub for an upload whose row is not written yet.
func (db *DB) PhotoHeld(sha string, size int64) bool { return db.photoHeld(sha, size) }

// PhotoInRegion reports whether a sealed inspection of the region (any
// region for "") or one of its amendments references the photo, as the
// inspection index knows it.
func (db *DB) PhotoInRegion(ctx context.Context, sha, regionID string) (bool, error) {
	var one int
	err := db.r.QueryRowContext(ctx, `SELECT 1 FROM inspection_photos ip
		JOIN inspection_index x ON x.inspection_id = ip.inspection_id
		WHERE ip.sha256 = ?1 AND (?2 = '' OR x.region_id = ?2) LIMIT 1`, sha, regionID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("find photo %s: %w", sha, translate(err))
	}
	return true, nil
}

// StandardUse counts the sealed inspections of a region per standard
// version.
func (db *DB) StandardUse(ctx context.Context, regionID string) (map[int]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT standard_version, count(*) FROM inspection_index
		WHERE ?1 = '' OR region_id = ?1 GROUP BY standard_version`, regionID)
	if err != nil {
		return nil, fmt.Errorf("count inspections per standard: %w", translate(err))
	}
	out := map[int]int{}
	if err := eachRow(rows, func() error {
		var v, n int
		if err := rows.Scan(&v, &n); err != nil {
			return err
		}
		out[v] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count inspections per standard: %w", err)
	}
	return out, nil
}

// ReceivedAt returns when the hub first received a record; zero when it
// never did (a record made on this database).
func (db *DB) ReceivedAt(ctx context.Context, recordID string) (time.Time, error) {
	var at sql.NullInt64
	if err := db.r.QueryRowContext(ctx, "SELECT min(received_at) FROM sync_received WHERE record_id = ?", recordID).
		Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("read receipt of %s: %w", recordID, translate(err))
	}
	return fromNullMS(at), nil
}

// DeliveredCounts counts, per device ID, the records the hub holds that the
// device delivered.
func (db *DB) DeliveredCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT device_id, count(*) FROM sync_received GROUP BY device_id")
	if err != nil {
		return nil, fmt.Errorf("count delivered records: %w", translate(err))
	}
	out := map[string]int{}
	if err := eachRow(rows, func() error {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count delivered records: %w", err)
	}
	return out, nil
}

// ---- attention: conflicts and off-roster people ----

// ConflictsIn lists the conflicts of a region, newest first. A conflict
// belongs to the region of the record it is about, when the hub holds that
// record (the region of its hall, or of the amended inspection's hall),
// whichever device sent the other copy: a region's device cannot make
// another region's record, its ID and its seal, show on its own manager's
// list by sending a copy of it. A conflict about a record the hub does not
// hold belongs to the sending device's region.
func (db *DB) ConflictsIn(ctx context.Context, regionID string) ([]Conflict, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.id, c.kind, c.record_id, c.held_hash, c.received_hash,
		c.device_id, ifnull(d.name, ''), c.first_at, c.last_at, c.attempts
		FROM sync_conflicts c LEFT JOIN devices d ON d.id = c.device_id
		WHERE ?1 = '' OR coalesce(
			CASE c.kind
			WHEN 'inspection' THEN (SELECT h.region_id FROM inspections i JOIN halls h ON h.id = i.hall_id
			                        WHERE i.id = c.record_id)
			WHEN 'amendment' THEN (SELECT h.region_id FROM amendments a JOIN inspections i ON i.id = a.inspection_id
			                       JOIN halls h ON h.id = i.hall_id WHERE a.id = c.record_id)
			END, d.region_id) = ?1
		ORDER BY c.last_at DESC, c.id DESC`, regionID)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", translate(err))
	}
	return scanConflicts(rows)
}

// UnlinkedOffRoster lists the people recorded off the roster in sealed
// inspections of a region that no manager has linked to a roster entry yet,
// newest inspection first.
func (db *DB) UnlinkedOffRoster(ctx context.Context, regionID string) ([]OffRosterPerson, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT x.inspection_id, x.hall_id, ifnull(h.name, ''), x.started_at,
		p.id, p.name, p.employee_no, p.badge, p.role, p.gender
		FROM observed_people p JOIN inspection_index x ON x.inspection_id = p.inspection_id
		LEFT JOIN halls h ON h.id = x.hall_id
		WHERE p.off_roster = 1 AND (?1 = '' OR x.region_id = ?1)
		  AND NOT EXISTS (SELECT 1 FROM offroster_links l WHERE l.person_id = p.id)
		ORDER BY x.started_at DESC, x.inspection_id, p.position`, regionID)
	if err != nil {
		return nil, fmt.Errorf("list off-roster people: %w", translate(err))
	}
	return scanOffRoster(rows)
}

// OffRosterLink says that an off-roster person observed in a sealed
// inspection is a roster entry, and who said so when.
type OffRosterLink struct {
	InspectionID string
	PersonID     string
	StaffID      string
	LinkedBy     string // user ID: the manager the link is made for
	LinkedAt     time.Time
	// RecordedBy says who entered the link when it was not the manager at
	// their own desk (the hub's operator, dudao-hub staff link); "" when
	// it was.
	RecordedBy string
}

// OffRosterLinkOf returns the link of an observed person, ErrNotFound when
// they are not linked.
func (db *DB) OffRosterLinkOf(ctx context.Context, personID string) (OffRosterLink, error) {
	l := OffRosterLink{PersonID: personID}
	var at int64
	err := db.r.QueryRowContext(ctx, `SELECT inspection_id, staff_id, linked_by, linked_at, recorded_by
		FROM offroster_links WHERE person_id = ?`, personID).Scan(&l.InspectionID, &l.StaffID, &l.LinkedBy, &at, &l.RecordedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return OffRosterLink{}, fmt.Errorf("off-roster link of person %s: %w", personID, ErrNotFound)
	}
	if err != nil {
		return OffRosterLink{}, fmt.Errorf("read off-roster link of person %s: %w", personID, translate(err))
	}
	l.LinkedAt = fromMS(at)
	return l, nil
}

// LinkOffRoster records a link, with its RecordedBy. The sealed inspection
// is not changed. A manager of a region (regionID not "") cannot see an
// inspection or a member of staff of another region: either is ErrNotFound.
// It refuses, with ErrInvalid, a person who was observed on the roster, a
// member of staff of another region than the inspection's hall, and one
// already in the inspection (observed or linked); with ErrConflict a person
// already linked (a link never changes).
func (db *DB) LinkOffRoster(ctx context.Context, l OffRosterLink, regionID string) error {
	what := fmt.Sprintf("link person %s of inspection %s to staff %s", l.PersonID, l.InspectionID, l.StaffID)
	if l.LinkedBy == "" {
		return fmt.Errorf("%s: %w: no user", what, ErrInvalid)
	}
	if l.LinkedAt.IsZero() {
		l.LinkedAt = db.now()
	}
	return db.update(ctx, what, func(tx *Tx) error {
		var insRegion string
		err := tx.tx.QueryRowContext(ctx, "SELECT region_id FROM inspection_index WHERE inspection_id = ?",
			l.InspectionID).Scan(&insRegion)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && regionID != "" && insRegion != regionID:
			return fmt.Errorf("%s: sealed inspection %s: %w", what, l.InspectionID, ErrNotFound)
		case err != nil:
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		var staffID sql.NullString
		var offRoster bool
		err = tx.tx.QueryRowContext(ctx, "SELECT staff_id, off_roster FROM observed_people WHERE id = ? AND inspection_id = ?",
			l.PersonID, l.InspectionID).Scan(&staffID, &offRoster)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%s: person %s: %w in that inspection", what, l.PersonID, ErrNotFound)
		case err != nil:
			return fmt.Errorf("%s: %w", what, translate(err))
		case !offRoster || staffID.Valid:
			return fmt.Errorf("%s: %w: the person was observed on the roster, as staff %s", what, ErrInvalid, staffID.String)
		}
		var staffRegion, staffName string
		err = tx.tx.QueryRowContext(ctx, "SELECT h.region_id, s.name FROM staff s JOIN halls h ON h.id = s.hall_id WHERE s.id = ?",
			l.StaffID).Scan(&staffRegion, &staffName)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && regionID != "" && staffRegion != regionID:
			return fmt.Errorf("%s: staff %s: %w", what, l.StaffID, ErrNotFound)
		case err != nil:
			return fmt.Errorf("%s: %w", what, translate(err))
		case staffRegion != insRegion:
			return fmt.Errorf("%s: %w: %s works in another region than the inspected hall", what, ErrInvalid, staffName)
		}
		var other string
		var at int64
		err = tx.tx.QueryRowContext(ctx, "SELECT staff_id, linked_at FROM offroster_links WHERE person_id = ?", l.PersonID).
			Scan(&other, &at)
		switch {
		case err == nil:
			return fmt.Errorf("%s: %w: already linked to staff %s on %s", what, ErrConflict, other,
				fromMS(at).In(inspect.HallZone).Format("2006-01-02 15:04"))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		var seen string
		err = tx.tx.QueryRowContext(ctx, `SELECT id FROM observed_people WHERE inspection_id = ?1 AND staff_id = ?2
			UNION ALL SELECT person_id FROM offroster_links WHERE inspection_id = ?1 AND staff_id = ?2 LIMIT 1`,
			l.InspectionID, l.StaffID).Scan(&seen)
		switch {
		case err == nil:
			return fmt.Errorf("%s: %w: %s is already in that inspection, as person %s; one person is observed once",
				what, ErrInvalid, staffName, seen)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO offroster_links (person_id, inspection_id, staff_id, linked_by, linked_at, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?)`, l.PersonID, l.InspectionID, l.StaffID, l.LinkedBy, toMS(norm(l.LinkedAt)),
			strings.TrimSpace(l.RecordedBy)); err != nil {
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		// The person's graded row, if any, now counts for the staff member.
		if _, err := tx.tx.ExecContext(ctx, "UPDATE graded_people SET staff_id = ? WHERE person_id = ?", l.StaffID, l.PersonID); err != nil {
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		return nil
	})
}

// ---- reading inside a transaction (a roster import plans under the lock) ----

// Halls is DB.Halls inside the transaction.
func (tx *Tx) Halls(ctx context.Context) ([]Hall, error) {
	rows, err := tx.tx.QueryContext(ctx, "SELECT id, region_id, code, name FROM halls ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("list halls: %w", translate(err))
	}
	out, err := scanHalls(rows)
	if err != nil {
		return nil, fmt.Errorf("list halls: %w", err)
	}
	return out, nil
}

// AllStaff lists every member of staff, active or not, by employee number,
// inside the transaction.
func (tx *Tx) AllStaff(ctx context.Context) ([]Staff, error) {
	rows, err := tx.tx.QueryContext(ctx, "SELECT "+staffCols+" FROM staff ORDER BY employee_no")
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", translate(err))
	}
	var out []Staff
	if err := eachRow(rows, func() error {
		s, err := scanStaff(rows)
		out = append(out, s)
		return err
	}); err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return out, nil
}

// SupervisorsIn lists the users who sealed an inspection in a region.
func (db *DB) SupervisorsIn(ctx context.Context, regionID string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx,
		"SELECT DISTINCT supervisor_id FROM inspection_index WHERE ?1 = '' OR region_id = ?1 ORDER BY supervisor_id", regionID)
	if err != nil {
		return nil, fmt.Errorf("list supervisors of region %s: %w", regionID, translate(err))
	}
	var out []string
	if err := eachRow(rows, func() error {
		var id string
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	}); err != nil {
		return nil, fmt.Errorf("list supervisors of region %s: %w", regionID, err)
	}
	return out, nil
}
