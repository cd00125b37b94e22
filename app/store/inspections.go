package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// ---- DB wrappers: each write is one transaction ----

// CreateInspection stores a new draft with everything it already holds
// (people, findings, signatures). It sets the ID when empty, StartedAt when
// zero, and normalises times to what the store keeps, so that ins equals what
// Inspection returns.
func (db *DB) CreateInspection(ctx context.Context, ins *inspect.Inspection) error {
	return db.update(ctx, "create inspection "+idOf(ins), func(tx *Tx) error {
		return tx.CreateInspection(ctx, ins)
	})
}

// AddPerson adds an observed person to a draft, after the people already in
// it. The ID is set when empty; for a person on the roster (StaffID set),
// empty details are filled from the roster.
func (db *DB) AddPerson(ctx context.Context, inspectionID string, p *inspect.Person) error {
	return db.update(ctx, fmt.Sprintf("add person to inspection %s", inspectionID), func(tx *Tx) error {
		return tx.AddPerson(ctx, inspectionID, p)
	})
}

// RemovePerson removes an observed person from a draft, with their findings
// and signature.
func (db *DB) RemovePerson(ctx context.Context, inspectionID, personID string) error {
	return db.update(ctx, fmt.Sprintf("remove person %s from inspection %s", personID, inspectionID), func(tx *Tx) error {
		return tx.RemovePerson(ctx, inspectionID, personID)
	})
}

// SaveFinding records a finding on an item for a person of a draft, or for
// the hall when personID is empty. A finding for the same subject and item
// is replaced, photo list included, and keeps its ID, which is written back
// to f.ID; f.At is set when zero.
func (db *DB) SaveFinding(ctx context.Context, inspectionID, personID string, f *inspect.Finding) error {
	if f == nil {
		return fmt.Errorf("save finding of inspection %s: %w: nil finding", inspectionID, ErrInvalid)
	}
	return db.update(ctx, fmt.Sprintf("save finding %s of inspection %s", f.ItemID, inspectionID), func(tx *Tx) error {
		return tx.SaveFinding(ctx, inspectionID, personID, f)
	})
}

// DeleteFinding removes the finding on an item, so the item conforms again.
// Deleting a finding that does not exist is not an error.
func (db *DB) DeleteFinding(ctx context.Context, inspectionID, personID, itemID string) error {
	return db.update(ctx, fmt.Sprintf("delete finding %s of inspection %s", itemID, inspectionID), func(tx *Tx) error {
		return tx.DeleteFinding(ctx, inspectionID, personID, itemID)
	})
}

// SaveSignature records a signature or disagreement, replacing an earlier one
// by the same role and person.
func (db *DB) SaveSignature(ctx context.Context, inspectionID string, s inspect.Signature) error {
	return db.update(ctx, fmt.Sprintf("save %s signature of inspection %s", s.Role, inspectionID), func(tx *Tx) error {
		return tx.SaveSignature(ctx, inspectionID, s)
	})
}

// SaveStaffSignature is SaveSignature for a staff member's signature or
// disagreement, with seen, a digest of the findings they were shown (see
// migration 0008), in the same transaction.
func (db *DB) SaveStaffSignature(ctx context.Context, inspectionID string, s inspect.Signature, seen string) error {
	return db.update(ctx, fmt.Sprintf("save staff signature of inspection %s", inspectionID), func(tx *Tx) error {
		if s.Role != inspect.SignerStaff {
			return fmt.Errorf("save staff signature of inspection %s: %w: role %q", inspectionID, ErrInvalid, s.Role)
		}
		if err := tx.SaveSignature(ctx, inspectionID, s); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE signatures SET findings_seen = ?
			WHERE inspection_id = ? AND role = 'staff' AND person_id = ?`, nullString(seen), inspectionID, s.PersonID); err != nil {
			return fmt.Errorf("save staff signature of inspection %s: %w", inspectionID, translate(err))
		}
		return nil
	})
}

// StaffSignaturesSeen returns, by person ID, the digest of the findings each
// staff member who signed or declined was shown; people whose signature has
// none (made before it was recorded) are left out.
func (db *DB) StaffSignaturesSeen(ctx context.Context, inspectionID string) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT person_id, findings_seen FROM signatures
		WHERE inspection_id = ? AND role = 'staff' AND findings_seen IS NOT NULL`, inspectionID)
	if err != nil {
		return nil, fmt.Errorf("staff signatures of inspection %s: %w", inspectionID, translate(err))
	}
	out := map[string]string{}
	err = eachRow(rows, func() error {
		var person, seen string
		if err := rows.Scan(&person, &seen); err != nil {
			return err
		}
		out[person] = seen
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staff signatures of inspection %s: %w", inspectionID, err)
	}
	return out, nil
}

// Seal finalises a draft at the given time: EndedAt is set if still zero,
// SealedAt to at, and the seal hash is computed over the stored content. It
// fails if a referenced photo is not in the store. From then on the database
// refuses every change to the inspection.
func (db *DB) Seal(ctx context.Context, inspectionID string, at time.Time) (string, error) {
	var hash string
	err := db.update(ctx, fmt.Sprintf("seal inspection %s", inspectionID), func(tx *Tx) (err error) {
		hash, err = tx.Seal(ctx, inspectionID, at)
		return err
	})
	return hash, err
}

// ImportSealed stores a sealed inspection received from elsewhere (a hub
// receiving an upload). Its seal must match its content. The same ID with the
// same seal is a no-op (imported is false); the same ID with another seal is
// ErrConflict naming both. Its photos may arrive later.
func (db *DB) ImportSealed(ctx context.Context, ins *inspect.Inspection) (bool, error) {
	var imported bool
	err := db.update(ctx, "import inspection "+idOf(ins), func(tx *Tx) (err error) {
		imported, err = tx.ImportSealed(ctx, ins)
		return err
	})
	return imported, err
}

// Inspection loads an inspection with its people (in the order added), their
// findings and photos, hall findings and signatures.
func (db *DB) Inspection(ctx context.Context, id string) (*inspect.Inspection, error) {
	var ins *inspect.Inspection
	err := db.readTx(ctx, func(q querier) (err error) {
		ins, err = loadInspection(ctx, q, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load inspection %s: %w", id, err)
	}
	return ins, nil
}

// Inspections loads inspections as Inspection does, in the order of ids, from
// one snapshot and with a few queries for all of them.
func (db *DB) Inspections(ctx context.Context, ids []string) ([]*inspect.Inspection, error) {
	var out []*inspect.Inspection
	err := db.readTx(ctx, func(q querier) (err error) {
		out, err = loadInspections(ctx, q, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load %d inspections: %w", len(ids), err)
	}
	return out, nil
}

// Inspection is DB.Inspection inside the transaction.
func (tx *Tx) Inspection(ctx context.Context, id string) (*inspect.Inspection, error) {
	ins, err := loadInspection(ctx, tx.tx, id)
	if err != nil {
		return nil, fmt.Errorf("load inspection %s: %w", id, err)
	}
	return ins, nil
}

func idOf(ins *inspect.Inspection) string {
	if ins == nil {
		return "<nil>"
	}
	return ins.ID
}

// ---- Tx methods ----

// CreateInspection is DB.CreateInspection in a transaction.
func (tx *Tx) CreateInspection(ctx context.Context, ins *inspect.Inspection) error {
	if ins == nil {
		return fmt.Errorf("create inspection: %w: nil inspection", ErrInvalid)
	}
	if ins.Status != "" && ins.Status != inspect.StatusDraft {
		return fmt.Errorf("create inspection %s: %w: status %q (a sealed inspection is imported, not created)",
			ins.ID, ErrInvalid, ins.Status)
	}
	if err := tx.createDraft(ctx, ins, true); err != nil {
		return fmt.Errorf("create inspection %s: %w", ins.ID, err)
	}
	return nil
}

// createDraft inserts ins as a draft. fill completes rostered people from the
// roster; an import must not, since that would change a sealed record.
func (tx *Tx) createDraft(ctx context.Context, ins *inspect.Inspection, fill bool) error {
	switch {
	case ins.HallID == "":
		return fmt.Errorf("%w: no hall", ErrInvalid)
	case ins.SupervisorID == "":
		return fmt.Errorf("%w: no supervisor", ErrInvalid)
	case ins.StandardVersion <= 0:
		return fmt.Errorf("%w: no standard version", ErrInvalid)
	}
	if !tx.known[hallKey(ins.HallID)] {
		if err := exists(ctx, tx.tx, "halls", "id", ins.HallID); err != nil {
			return fmt.Errorf("hall %s: %w", ins.HallID, err)
		}
		tx.noteKnown(hallKey(ins.HallID))
	}
	if stdKey := fmt.Sprint("standard\x00", ins.StandardVersion); !tx.known[stdKey] {
		var one int
		if err := tx.tx.QueryRowContext(ctx, "SELECT 1 FROM standards WHERE version = ?", ins.StandardVersion).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("standard version %d: %w", ins.StandardVersion, ErrNotFound)
			}
			return translate(err)
		}
		tx.noteKnown(stdKey)
	}
	if ins.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		ins.ID = id
	}
	if ins.StartedAt.IsZero() {
		ins.StartedAt = tx.db.now()
	}
	ins.StartedAt, ins.EndedAt = norm(ins.StartedAt), norm(ins.EndedAt)
	ins.Status, ins.SealedAt, ins.SealHash = inspect.StatusDraft, time.Time{}, ""
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO inspections
		(id, hall_id, supervisor_id, device_id, standard_version, started_at, ended_at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'draft')`,
		ins.ID, ins.HallID, ins.SupervisorID, ins.DeviceID, ins.StandardVersion,
		toMS(ins.StartedAt), nullMS(ins.EndedAt)); err != nil {
		return translate(err)
	}
	// The inspection is new, so its people and findings are exactly the
	// ones inserted here: a staff member observed twice is found in memory,
	// and a finding has no photos to replace.
	staffSeen := map[string]string{}
	for i := range ins.People {
		if err := tx.insertPerson(ctx, ins.ID, &ins.People[i], i+1, fill, staffSeen); err != nil {
			return err
		}
	}
	if err := uniqueItems(ins.HallFindings); err != nil {
		return fmt.Errorf("hall: %w", err)
	}
	for i := range ins.HallFindings {
		if err := tx.saveFinding(ctx, ins.ID, "", &ins.HallFindings[i], true); err != nil {
			return err
		}
	}
	for i := range ins.Signatures {
		if err := tx.saveSignature(ctx, ins.ID, &ins.Signatures[i]); err != nil {
			return err
		}
	}
	return nil
}

func hallKey(id string) string { return "hall\x00" + id }

// noteKnown records that a hall or standard exists in this transaction.
func (tx *Tx) noteKnown(key string) {
	if tx.known == nil {
		tx.known = map[string]bool{}
	}
	tx.known[key] = true
}

// uniqueItems refuses two findings on one item for one subject: saving both
// would keep only the second, and the record would differ from what was given.
func uniqueItems(fs []inspect.Finding) error {
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.ItemID] {
			return fmt.Errorf("%w: item %s has two findings", ErrInvalid, f.ItemID)
		}
		seen[f.ItemID] = true
	}
	return nil
}

// requireDraft returns ErrNotFound or ErrSealed unless the inspection is a
// draft. The triggers would refuse a change to a sealed inspection anyway,
// but not a change that touches no row, such as deleting a missing finding.
func requireDraft(ctx context.Context, q querier, id string) error {
	var status string
	err := q.QueryRowContext(ctx, "SELECT status FROM inspections WHERE id = ?", id).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("inspection %s: %w", id, ErrNotFound)
	case err != nil:
		return translate(err)
	case status != string(inspect.StatusDraft):
		return ErrSealed
	}
	return nil
}

// AddPerson is DB.AddPerson in a transaction.
func (tx *Tx) AddPerson(ctx context.Context, inspectionID string, p *inspect.Person) error {
	fail := func(err error) error {
		return fmt.Errorf("add person to inspection %s: %w", inspectionID, err)
	}
	if p == nil {
		return fail(fmt.Errorf("%w: nil person", ErrInvalid))
	}
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fail(err)
	}
	var pos int
	if err := tx.tx.QueryRowContext(ctx,
		"SELECT ifnull(max(position), 0) + 1 FROM observed_people WHERE inspection_id = ?", inspectionID).Scan(&pos); err != nil {
		return fail(translate(err))
	}
	if err := tx.insertPerson(ctx, inspectionID, p, pos, true, nil); err != nil {
		return fail(err)
	}
	return nil
}

// insertPerson inserts p at position pos. staffSeen is nil for a person
// added to an existing draft; for a new inspection it maps the staff IDs of
// the people inserted so far to their person IDs, which are then all the
// inspection has.
func (tx *Tx) insertPerson(ctx context.Context, inspectionID string, p *inspect.Person, pos int, fill bool, staffSeen map[string]string) error {
	if p.StaffID != "" {
		var other string
		var err error
		if staffSeen != nil {
			var dup bool
			if other, dup = staffSeen[p.StaffID]; !dup {
				err = sql.ErrNoRows
			}
		} else {
			err = tx.tx.QueryRowContext(ctx,
				"SELECT id FROM observed_people WHERE inspection_id = ? AND staff_id = ?", inspectionID, p.StaffID).Scan(&other)
		}
		if err == nil {
			return fmt.Errorf("staff %s: %w: already observed as person %s", p.StaffID, ErrConflict, other)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return translate(err)
		}
		if fill {
			if s, err := staffBy(ctx, tx.tx, "id", p.StaffID); err == nil {
				fillFromRoster(p, s)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
	}
	switch {
	case p.StaffID == "" && p.Name == "" && p.EmployeeNo == "":
		return fmt.Errorf("%w: person has neither staff ID, name nor employee number", ErrInvalid)
	case p.Role != "" && !p.Role.Valid():
		return fmt.Errorf("person %s: %w: unknown role %q", p.Name, ErrInvalid, p.Role)
	case p.Gender != "" && !p.Gender.Valid():
		return fmt.Errorf("person %s: %w: unknown gender %q", p.Name, ErrInvalid, p.Gender)
	}
	if p.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		p.ID = id
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO observed_people
		(id, inspection_id, position, staff_id, off_roster, employee_no, name, badge, role, gender)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, inspectionID, pos, nullString(p.StaffID), boolInt(p.OffRoster),
		p.EmployeeNo, p.Name, p.Badge, p.Role, p.Gender); err != nil {
		return fmt.Errorf("person %s: %w", p.ID, translate(err))
	}
	if staffSeen != nil && p.StaffID != "" {
		staffSeen[p.StaffID] = p.ID
	}
	if err := uniqueItems(p.Findings); err != nil {
		return fmt.Errorf("person %s: %w", p.ID, err)
	}
	for i := range p.Findings {
		if err := tx.saveFinding(ctx, inspectionID, p.ID, &p.Findings[i], staffSeen != nil); err != nil {
			return err
		}
	}
	return nil
}

// fillFromRoster completes what the caller left empty; what the supervisor
// typed wins, because the record is of what they saw.
func fillFromRoster(p *inspect.Person, s Staff) {
	if p.EmployeeNo == "" {
		p.EmployeeNo = s.EmployeeNo
	}
	if p.Name == "" {
		p.Name = s.Name
	}
	if p.Badge == "" {
		p.Badge = s.Badge
	}
	if p.Role == "" {
		p.Role = s.Role
	}
	if p.Gender == "" {
		p.Gender = s.Gender
	}
}

// RemovePerson is DB.RemovePerson in a transaction.
func (tx *Tx) RemovePerson(ctx context.Context, inspectionID, personID string) error {
	fail := func(err error) error {
		return fmt.Errorf("remove person %s from inspection %s: %w", personID, inspectionID, err)
	}
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fail(err)
	}
	if _, err := tx.tx.ExecContext(ctx,
		"DELETE FROM signatures WHERE inspection_id = ? AND role = 'staff' AND person_id = ?",
		inspectionID, personID); err != nil {
		return fail(translate(err))
	}
	// Findings and their photos go by ON DELETE CASCADE.
	res, err := tx.tx.ExecContext(ctx,
		"DELETE FROM observed_people WHERE id = ? AND inspection_id = ?", personID, inspectionID)
	if err != nil {
		return fail(translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fail(ErrNotFound)
	}
	return nil
}

// SaveFinding is DB.SaveFinding in a transaction.
func (tx *Tx) SaveFinding(ctx context.Context, inspectionID, personID string, f *inspect.Finding) error {
	if f == nil {
		return fmt.Errorf("save finding of inspection %s: %w: nil finding", inspectionID, ErrInvalid)
	}
	fail := func(err error) error {
		return fmt.Errorf("save finding %s of inspection %s: %w", f.ItemID, inspectionID, err)
	}
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fail(err)
	}
	if personID != "" {
		var one int
		err := tx.tx.QueryRowContext(ctx,
			"SELECT 1 FROM observed_people WHERE id = ? AND inspection_id = ?", personID, inspectionID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fail(fmt.Errorf("person %s: %w", personID, ErrNotFound))
		} else if err != nil {
			return fail(translate(err))
		}
	}
	if err := tx.saveFinding(ctx, inspectionID, personID, f, false); err != nil {
		return fail(err)
	}
	return nil
}

func validFinding(f *inspect.Finding) error {
	switch {
	case strings.TrimSpace(f.ItemID) == "":
		return fmt.Errorf("%w: finding has no item", ErrInvalid)
	case f.Outcome != inspect.Nonconform && f.Outcome != inspect.NotApplicable && f.Outcome != inspect.Tallied:
		return fmt.Errorf("item %s: %w: unknown outcome %q", f.ItemID, ErrInvalid, f.Outcome)
	case f.Observed < 0 || f.Failed < 0:
		return fmt.Errorf("item %s: %w: negative count", f.ItemID, ErrInvalid)
	case f.Failed > f.Observed && (f.Observed > 0 || f.Outcome == inspect.Tallied):
		return fmt.Errorf("item %s: %w: failed %d times out of %d observed", f.ItemID, ErrInvalid, f.Failed, f.Observed)
	}
	seen := map[string]bool{}
	for _, p := range f.Photos {
		if err := validPhotoRef(p); err != nil {
			return fmt.Errorf("item %s: %w", f.ItemID, err)
		}
		if seen[p.SHA256] {
			return fmt.Errorf("item %s: %w: photo %s listed twice", f.ItemID, ErrInvalid, p.SHA256)
		}
		seen[p.SHA256] = true
	}
	return nil
}

func validPhotoRef(p inspect.PhotoRef) error {
	switch {
	case !inspect.ValidHash(p.SHA256):
		return fmt.Errorf("%w: photo hash %q is not a lowercase hex SHA-256", ErrInvalid, p.SHA256)
	case p.Size < 0:
		return fmt.Errorf("photo %s: %w: negative size", p.SHA256, ErrInvalid)
	case p.Type == "":
		return fmt.Errorf("photo %s: %w: no type", p.SHA256, ErrInvalid)
	}
	return nil
}

func normPhotos(ps []inspect.PhotoRef) {
	for i := range ps {
		ps[i].At = norm(ps[i].At)
	}
}

// saveFinding upserts f. fresh says the finding is one of a new inspection's,
// so it has no photos yet to replace.
func (tx *Tx) saveFinding(ctx context.Context, inspectionID, personID string, f *inspect.Finding, fresh bool) error {
	if err := validFinding(f); err != nil {
		return err
	}
	if f.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		f.ID = id
	}
	if f.At.IsZero() {
		f.At = tx.db.now()
	}
	f.At = norm(f.At)
	normPhotos(f.Photos)
	// The conflict target is the expression index findings_subject_item.
	// On update the row keeps its ID, which RETURNING hands back.
	id := f.ID
	var err error
	if fresh {
		// Nothing to update in a new inspection (uniqueItems refused two
		// findings on one item), so a plain insert: RETURNING would make
		// SQLite collect the row in a temporary table first.
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO findings
			(id, inspection_id, person_id, item_id, outcome, observed, failed, note, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, inspectionID, nullString(personID), f.ItemID, f.Outcome, f.Observed, f.Failed, f.Note, toMS(f.At))
	} else {
		err = tx.tx.QueryRowContext(ctx, `INSERT INTO findings
			(id, inspection_id, person_id, item_id, outcome, observed, failed, note, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (inspection_id, ifnull(person_id, ''), item_id) DO UPDATE SET
				outcome = excluded.outcome, observed = excluded.observed, failed = excluded.failed,
				note = excluded.note, at = excluded.at
			RETURNING id`,
			f.ID, inspectionID, nullString(personID), f.ItemID, f.Outcome, f.Observed, f.Failed, f.Note, toMS(f.At)).Scan(&id)
	}
	if err != nil {
		return fmt.Errorf("item %s: %w", f.ItemID, translate(err))
	}
	f.ID = id
	if !fresh {
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM finding_photos WHERE finding_id = ?", id); err != nil {
			return fmt.Errorf("item %s: %w", f.ItemID, translate(err))
		}
	}
	for i, p := range f.Photos {
		if _, err := tx.tx.ExecContext(ctx,
			"INSERT INTO finding_photos (finding_id, position, sha256, size, type, at) VALUES (?, ?, ?, ?, ?, ?)",
			id, i+1, p.SHA256, p.Size, p.Type, nullMS(p.At)); err != nil {
			return fmt.Errorf("item %s: photo %s: %w", f.ItemID, p.SHA256, translate(err))
		}
	}
	return nil
}

// DeleteFinding is DB.DeleteFinding in a transaction.
func (tx *Tx) DeleteFinding(ctx context.Context, inspectionID, personID, itemID string) error {
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fmt.Errorf("delete finding %s of inspection %s: %w", itemID, inspectionID, err)
	}
	if _, err := tx.tx.ExecContext(ctx,
		"DELETE FROM findings WHERE inspection_id = ? AND ifnull(person_id, '') = ? AND item_id = ?",
		inspectionID, personID, itemID); err != nil {
		return fmt.Errorf("delete finding %s of inspection %s: %w", itemID, inspectionID, translate(err))
	}
	return nil
}

// SaveSignature is DB.SaveSignature in a transaction.
func (tx *Tx) SaveSignature(ctx context.Context, inspectionID string, s inspect.Signature) error {
	fail := func(err error) error {
		return fmt.Errorf("save %s signature of inspection %s: %w", s.Role, inspectionID, err)
	}
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fail(err)
	}
	if s.Role == inspect.SignerStaff {
		var one int
		err := tx.tx.QueryRowContext(ctx,
			"SELECT 1 FROM observed_people WHERE id = ? AND inspection_id = ?", s.PersonID, inspectionID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fail(fmt.Errorf("person %s: %w", s.PersonID, ErrNotFound))
		} else if err != nil {
			return fail(translate(err))
		}
	}
	if err := tx.saveSignature(ctx, inspectionID, &s); err != nil {
		return fail(err)
	}
	return nil
}

func (tx *Tx) saveSignature(ctx context.Context, inspectionID string, s *inspect.Signature) error {
	switch {
	case s.Role != inspect.SignerSupervisor && s.Role != inspect.SignerStaff:
		return fmt.Errorf("%w: unknown signer role %q", ErrInvalid, s.Role)
	case s.PersonID == "":
		return fmt.Errorf("%w: signature has no person", ErrInvalid)
	}
	var img struct {
		sha, typ sql.NullString
		size, at sql.NullInt64
	}
	if s.Image != nil {
		if err := validPhotoRef(*s.Image); err != nil {
			return fmt.Errorf("signature image: %w", err)
		}
		im := *s.Image
		im.At = norm(im.At)
		s.Image = &im
		img.sha, img.typ = nullString(im.SHA256), nullString(im.Type)
		img.size, img.at = sql.NullInt64{Int64: im.Size, Valid: true}, nullMS(im.At)
	}
	if s.At.IsZero() {
		s.At = tx.db.now()
	}
	s.At = norm(s.At)
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO signatures
		(inspection_id, role, person_id, name, image_sha256, image_size, image_type, image_at, disagreement, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (inspection_id, role, person_id) DO UPDATE SET
			name = excluded.name, image_sha256 = excluded.image_sha256, image_size = excluded.image_size,
			image_type = excluded.image_type, image_at = excluded.image_at,
			disagreement = excluded.disagreement, at = excluded.at`,
		inspectionID, s.Role, s.PersonID, s.Name, img.sha, img.size, img.typ, img.at, s.Disagreement, toMS(s.At)); err != nil {
		return translate(err)
	}
	return nil
}

// Seal is DB.Seal in a transaction.
func (tx *Tx) Seal(ctx context.Context, inspectionID string, at time.Time) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("seal inspection %s: %w", inspectionID, err)
	}
	if err := requireDraft(ctx, tx.tx, inspectionID); err != nil {
		return fail(err)
	}
	ins, err := loadInspection(ctx, tx.tx, inspectionID)
	if err != nil {
		return fail(err)
	}
	if at.IsZero() {
		at = tx.db.now()
	}
	ins.SealedAt = norm(at)
	if ins.EndedAt.IsZero() {
		ins.EndedAt = ins.SealedAt
	}
	for _, p := range ins.Photos() {
		var size int64
		err := tx.tx.QueryRowContext(ctx, "SELECT size FROM photos WHERE sha256 = ?", p.SHA256).Scan(&size)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fail(fmt.Errorf("photo %s: %w: it was never stored on this device", p.SHA256, ErrNotFound))
		case err != nil:
			return fail(translate(err))
		case size != p.Size:
			return fail(fmt.Errorf("photo %s: %w: recorded as %d bytes, stored as %d", p.SHA256, ErrInvalid, p.Size, size))
		}
	}
	hash, err := inspect.ComputeSeal(ins)
	if err != nil {
		return fail(err)
	}
	if err := tx.markSealed(ctx, ins.ID, ins.EndedAt, ins.SealedAt, hash); err != nil {
		return fail(err)
	}
	return hash, nil
}

func (tx *Tx) markSealed(ctx context.Context, id string, ended, sealed time.Time, hash string) error {
	// "+?", not "?": the unary plus keeps the plan (the index on id is
	// still used) but stops SQLite from marking the statement to be
	// re-planned whenever the parameter is rebound, which it does for a bare
	// parameter in a statement with several candidate plans; the driver
	// clears the bindings before every execution, so such a statement was
	// parsed and planned again at every call (10-25 µs instead of about
	// 2.5). This one carries the inspection index's trigger (migration
	// 0007), the costliest to plan.
	res, err := tx.tx.ExecContext(ctx, `UPDATE inspections
		SET status = 'sealed', ended_at = ?, sealed_at = ?, seal_hash = ?
		WHERE id = +? AND status = 'draft'`,
		nullMS(ended), nullMS(sealed), hash, id)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrSealed
	}
	return nil
}

// ImportSealed is DB.ImportSealed in a transaction.
func (tx *Tx) ImportSealed(ctx context.Context, in *inspect.Inspection) (bool, error) {
	return tx.importSealed(ctx, in, false)
}

// importSealed is ImportSealed; absent says the caller has found in this
// transaction that no inspection has in.ID, which spares the lookup.
func (tx *Tx) importSealed(ctx context.Context, in *inspect.Inspection, absent bool) (bool, error) {
	if in == nil {
		return false, fmt.Errorf("import inspection: %w: nil inspection", ErrInvalid)
	}
	fail := func(err error) (bool, error) {
		return false, fmt.Errorf("import inspection %s: %w", in.ID, err)
	}
	switch {
	case in.ID == "":
		return fail(fmt.Errorf("%w: no ID", ErrInvalid))
	case in.Status != inspect.StatusSealed:
		return fail(fmt.Errorf("%w: status %q, want sealed", ErrInvalid, in.Status))
	case !inspect.ValidHash(in.SealHash):
		return fail(fmt.Errorf("%w: seal %q is not a SHA-256", ErrInvalid, in.SealHash))
	}
	computed, err := inspect.ComputeSeal(in)
	if err != nil {
		return fail(err)
	}
	if computed != in.SealHash {
		return fail(fmt.Errorf("%w: content hashes to %s, not its seal %s", ErrInvalid, computed, in.SealHash))
	}
	if !absent {
		var status string
		var stored sql.NullString
		err = tx.tx.QueryRowContext(ctx, "SELECT status, seal_hash FROM inspections WHERE id = ?", in.ID).Scan(&status, &stored)
		switch {
		case err == nil && status == string(inspect.StatusSealed) && stored.String == in.SealHash:
			return false, nil
		case err == nil:
			return fail(fmt.Errorf("%w: held with seal %q (%s), received %s", ErrConflict, stored.String, status, in.SealHash))
		case !errors.Is(err, sql.ErrNoRows):
			return fail(translate(err))
		}
	}

	// Insert as a draft (children of a sealed inspection are refused), then
	// seal with the record's own times and hash.
	draft := cloneInspection(in)
	draft.Status = ""
	if err := tx.createDraft(ctx, draft, false); err != nil {
		return fail(err)
	}
	if err := tx.markSealed(ctx, in.ID, norm(in.EndedAt), norm(in.SealedAt), in.SealHash); err != nil {
		return fail(err)
	}
	// What the store keeps must reproduce the seal, or a later Verify would
	// call an intact record tampered. This reads the rows back with the
	// loader Verify uses, so it catches a field the store drops or alters on
	// the way in or out.
	if tx.batchReadBack {
		tx.readBack = append(tx.readBack, in)
		return true, nil
	}
	back, err := loadInspection(ctx, tx.tx, in.ID)
	if err != nil {
		return fail(err)
	}
	if err := checkStoredForm(back, in.SealHash); err != nil {
		return fail(err)
	}
	return true, nil
}

func checkStoredForm(back *inspect.Inspection, seal string) error {
	if h, err := inspect.ComputeSeal(back); err != nil {
		return err
	} else if h != seal {
		return fmt.Errorf("%w: stored form hashes to %s, not its seal %s", ErrInvalid, h, seal)
	}
	return nil
}

// errStoredForm says that an inspection of a batch did not read back as it
// was sealed; the batch is then stored again one record at a time, so that
// only that record is refused.
var errStoredForm = errors.New("an inspection of the batch does not read back as sealed")

// readBackAll does importSealed's read-back check for every inspection
// collected in tx.readBack, with one load for all of them. Whatever is wrong
// is errStoredForm, so that the batch is received again one record at a
// time and the record's own check decides, as it would have without the
// batch; only a fault of the transaction itself is returned as it is.
func (tx *Tx) readBackAll(ctx context.Context) error {
	if len(tx.readBack) == 0 {
		return nil
	}
	ids := make([]string, len(tx.readBack))
	for i, in := range tx.readBack {
		ids[i] = in.ID
	}
	back, err := loadInspections(ctx, tx.tx, ids)
	if err != nil {
		if !recordRejection(err) {
			return fmt.Errorf("read back %d inspections: %w", len(ids), err)
		}
		return fmt.Errorf("read back %d inspections: %w: %v", len(ids), errStoredForm, err)
	}
	for i, b := range back {
		if err := checkStoredForm(b, tx.readBack[i].SealHash); err != nil {
			return fmt.Errorf("inspection %s: %w: %v", ids[i], errStoredForm, err)
		}
	}
	return nil
}

func cloneInspection(in *inspect.Inspection) *inspect.Inspection {
	out := *in
	cloneFindings := func(fs []inspect.Finding) []inspect.Finding {
		if fs == nil {
			return nil
		}
		c := make([]inspect.Finding, len(fs))
		for i, f := range fs {
			f.Photos = append([]inspect.PhotoRef(nil), f.Photos...)
			c[i] = f
		}
		return c
	}
	if in.People != nil {
		out.People = make([]inspect.Person, len(in.People))
		for i, p := range in.People {
			p.Findings = cloneFindings(p.Findings)
			out.People[i] = p
		}
	}
	out.HallFindings = cloneFindings(in.HallFindings)
	if in.Signatures != nil {
		out.Signatures = make([]inspect.Signature, len(in.Signatures))
		for i, s := range in.Signatures {
			if s.Image != nil {
				im := *s.Image
				s.Image = &im
			}
			out.Signatures[i] = s
		}
	}
	return &out
}

// ---- loading ----

// loadInspection reads an inspection and everything in it
// (loadInspections).
func loadInspection(ctx context.Context, q querier, id string) (*inspect.Inspection, error) {
	ins, err := loadInspections(ctx, q, []string{id})
	if err != nil {
		return nil, err
	}
	return ins[0], nil
}

// eachRow calls fn for each row and closes rows.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// ---- listing ----

func inspectionWhere(f InspectionFilter) (string, []any) {
	var conds []string
	var args []any
	if f.HallID != "" {
		conds = append(conds, "i.hall_id = ?")
		args = append(args, f.HallID)
	}
	if f.SupervisorID != "" {
		conds = append(conds, "i.supervisor_id = ?")
		args = append(args, f.SupervisorID)
	}
	if f.StaffID != "" {
		conds = append(conds, "i.id IN (SELECT inspection_id FROM observed_people WHERE staff_id = ?)")
		args = append(args, f.StaffID)
	}
	if !f.From.IsZero() {
		conds = append(conds, "i.started_at >= ?")
		args = append(args, toMS(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "i.started_at < ?")
		args = append(args, toMS(f.To))
	}
	if f.Status != "" {
		conds = append(conds, "i.status = ?")
		args = append(args, f.Status)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// listQuery selects one page through the (…, started_at, id) indexes first,
// and only then joins names and counts people and findings, so the cost
// follows the page size, not the number of inspections.
func listQuery(f InspectionFilter) (string, []any) {
	where, args := inspectionWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	args = append(args, limit, max(f.Offset, 0))
	return `WITH page AS (
		SELECT i.id, i.hall_id, i.supervisor_id, i.started_at, i.status, i.seal_hash
		FROM inspections i` + where + `
		ORDER BY i.started_at DESC, i.id DESC LIMIT ? OFFSET ?)
	SELECT p.id, p.hall_id, ifnull(h.name, ''), p.supervisor_id, ifnull(u.name, ''), p.started_at,
		p.status, ifnull(p.seal_hash, ''),
		(SELECT count(*) FROM observed_people o WHERE o.inspection_id = p.id),
		(SELECT count(*) FROM findings fi WHERE fi.inspection_id = p.id)
	FROM page p
	LEFT JOIN halls h ON h.id = p.hall_id
	LEFT JOIN users u ON u.id = p.supervisor_id
	ORDER BY p.started_at DESC, p.id DESC`, args
}

// ListInspections lists inspections newest first.
func (db *DB) ListInspections(ctx context.Context, f InspectionFilter) ([]InspectionSummary, error) {
	q, args := listQuery(f)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list inspections: %w", translate(err))
	}
	var out []InspectionSummary
	if err := eachRow(rows, func() error {
		var s InspectionSummary
		var started int64
		if err := rows.Scan(&s.ID, &s.HallID, &s.HallName, &s.SupervisorID, &s.SupervisorName, &started,
			&s.Status, &s.SealHash, &s.People, &s.Findings); err != nil {
			return err
		}
		s.StartedAt = fromMS(started)
		out = append(out, s)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list inspections: %w", err)
	}
	return out, nil
}

// CountInspections counts the inspections ListInspections would list without
// Limit and Offset.
func (db *DB) CountInspections(ctx context.Context, f InspectionFilter) (int, error) {
	where, args := inspectionWhere(f)
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM inspections i"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count inspections: %w", translate(err))
	}
	return n, nil
}
