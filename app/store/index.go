package store

// The inspection index (migration 0007): one row of derived facts per sealed
// inspection, for the manager's list. The triggers keep where and when it
// was, and how many of its photos are held; the grade needs the standard and
// the scoring rules, which live in Go, so RefreshInspectionIndex fills it
// for the rows the triggers left ungraded (new, or amended since).

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// indexBatch is how many inspections one refresh transaction grades: small
// enough that the write lock is held for a few milliseconds, so a hub
// receiving records meanwhile hardly waits.
const indexBatch = 200

// gradedFacts is what grading one inspection found.
type gradedFacts struct {
	id              string
	started         time.Time
	amendments      int
	people          int
	findings        int
	scored          bool
	score           float64
	grade           string
	persons         []gradedPerson
	amendmentPhotos []inspect.PhotoRef
	// unreadable: the record could not be loaded; it is indexed without a
	// grade, as one that cannot be scored.
	unreadable bool
}

type gradedPerson struct {
	id       string
	staffID  string // "" off the roster
	scored   bool
	score    float64
	grade    string
	offences int
}

// RefreshInspectionIndex grades the sealed inspections whose index row is
// not graded yet: those sealed or received since the last refresh, and
// those amended since. It returns how many it graded. With nothing to do it
// is one indexed read, so the manager's calls run it before every listing;
// the hub also runs it in the background at start, where a database
// migrated to schema 7 has every inspection to grade.
//
// An inspection that cannot be scored (its standard version is missing or
// does not know one of its items), or cannot even be loaded (a damaged
// row), is indexed without a grade and logged, so it is listed but never
// blocks the refresh; an amendment to it brings it round again.
func (db *DB) RefreshInspectionIndex(ctx context.Context) (int, error) {
	db.flushPhotoNotes(ctx)
	db.index.Lock()
	defer db.index.Unlock()
	total := 0
	for {
		ids, err := db.ungraded(ctx)
		if err != nil {
			return total, fmt.Errorf("refresh inspection index: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		facts, err := db.gradeAll(ctx, ids)
		if err != nil {
			return total, fmt.Errorf("refresh inspection index: %w", err)
		}
		n, err := db.writeGrades(ctx, facts)
		if err != nil {
			return total, fmt.Errorf("refresh inspection index: %w", err)
		}
		total += n
		// n < len(facts) when an amendment arrived while grading: those rows
		// stay ungraded and come round again, with the amendment.
	}
}

func (db *DB) ungraded(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx,
		"SELECT inspection_id FROM inspection_index WHERE graded = 0 ORDER BY inspection_id LIMIT ?", indexBatch)
	if err != nil {
		return nil, translate(err)
	}
	var ids []string
	err = eachRow(rows, func() error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// gradeAll loads and scores a batch of inspections, a share of it on each
// processor (up to the read pool's connections), each share from one
// snapshot; writeGrades checks that nothing changed since.
func (db *DB) gradeAll(ctx context.Context, ids []string) ([]gradedFacts, error) {
	out := make([]gradedFacts, len(ids))
	workers := max(1, min(runtime.GOMAXPROCS(0), db.readers, len(ids)/8))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			errs[w] = db.readTx(ctx, func(q querier) error {
				for i := w; i < len(ids); i += workers {
					id := ids[i]
					ins, ams, err := loadForGrading(ctx, q, id)
					if err != nil {
						if serr := notTheRecords(ctx, q, id, err); serr != nil {
							return serr
						}
						db.log.Error("inspection indexed without a grade: it cannot be loaded", "inspection", id, "err", err)
						out[i] = gradedFacts{id: id, unreadable: true}
						continue
					}
					if out[i], err = db.grade(ctx, q, ins, ams); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// loadForGrading loads an inspection and its amendments.
func loadForGrading(ctx context.Context, q querier, id string) (*inspect.Inspection, []inspect.Amendment, error) {
	ins, err := loadInspection(ctx, q, id)
	if err != nil {
		return nil, nil, fmt.Errorf("inspection %s: %w", id, err)
	}
	ams, err := loadAmendments(ctx, q, id)
	if err != nil {
		return nil, nil, fmt.Errorf("amendments of inspection %s: %w", id, err)
	}
	return ins, ams, nil
}

// notTheRecords returns err when loading a record failed for a reason that
// is not the record's own (the call was cancelled, the database is locked,
// full or no longer answers), which must fail the refresh rather than
// leave the record ungraded for good; nil when the record itself is what
// cannot be read.
func notTheRecords(ctx context.Context, q querier, id string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrLocked) || errors.Is(err, ErrDiskFull) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var n int
	if perr := q.QueryRowContext(ctx, "SELECT count(*) FROM inspection_index WHERE inspection_id = ?", id).Scan(&n); perr != nil {
		return fmt.Errorf("%w (and the database no longer answers: %v)", err, translate(perr))
	}
	return nil
}

// grade scores one inspection as its amendments make it, as records.Reader
// does for reports.
func (db *DB) grade(ctx context.Context, q querier, ins *inspect.Inspection, ams []inspect.Amendment) (gradedFacts, error) {
	f := gradedFacts{id: ins.ID, started: ins.StartedAt, amendments: len(ams), people: len(ins.People)}
	seen := map[string]bool{}
	for _, a := range ams {
		for _, p := range amendmentPhotos(&a) {
			if !seen[p.SHA256] {
				seen[p.SHA256] = true
				f.amendmentPhotos = append(f.amendmentPhotos, p)
			}
		}
	}
	eff := inspect.Effective(ins, ams)
	f.findings = len(eff.HallFindings)
	for _, p := range eff.People {
		f.findings += len(p.Findings)
	}
	v, err := db.standardFor(ctx, q, ins.StandardVersion)
	if err != nil {
		db.log.Warn("inspection indexed without a grade", "inspection", ins.ID, "err", err)
		return f, nil
	}
	res, err := inspect.ScoreInspection(v, eff)
	if err != nil {
		db.log.Warn("inspection indexed without a grade", "inspection", ins.ID, "err", err)
		return f, nil
	}
	f.scored, f.score, f.grade = res.Inspection.Scored, res.Inspection.Points, res.Inspection.Grade.ID
	for _, p := range eff.People {
		s := res.People[p.ID]
		gp := gradedPerson{id: p.ID, staffID: p.StaffID, scored: s.Scored, score: s.Points, grade: s.Grade.ID}
		for _, fd := range p.Findings {
			if (effectiveFinding{outcome: fd.Outcome, failed: fd.Failed}).offence() {
				gp.offences++
			}
		}
		f.persons = append(f.persons, gp)
	}
	return f, nil
}

// standardFor returns a stored standard version, parsed, from the cache.
func (db *DB) standardFor(ctx context.Context, q querier, version int) (*standard.Version, error) {
	db.index.stdMu.Lock()
	defer db.index.stdMu.Unlock()
	if v, ok := db.index.standards[version]; ok {
		return v, nil
	}
	var body []byte
	if err := q.QueryRowContext(ctx, "SELECT body FROM standards WHERE version = ?", version).Scan(&body); err != nil {
		return nil, fmt.Errorf("standard version %d: %w", version, translate(err))
	}
	v, err := standard.Parse(fmt.Sprintf("standard version %d", version), body)
	if err != nil {
		return nil, err
	}
	if db.index.standards == nil {
		db.index.standards = map[int]*standard.Version{}
	}
	db.index.standards[version] = v
	return v, nil
}

// writeGrades stores the facts of a batch in one transaction. A row is
// written only while the inspection still has the amendments it was graded
// with; otherwise an amendment came in between and the row stays ungraded.
func (db *DB) writeGrades(ctx context.Context, facts []gradedFacts) (int, error) {
	n := 0
	err := db.update(ctx, "write inspection grades", func(tx *Tx) error {
		n = 0
		for _, f := range facts {
			if f.unreadable {
				k, err := tx.indexUnreadable(ctx, f.id)
				if err != nil {
					return err
				}
				n += k
				continue
			}
			res, err := tx.tx.ExecContext(ctx, `UPDATE inspection_index
				SET graded = 1, amendments = ?1, people = ?2, findings = ?3, scored = ?4, score = ?5, grade = ?6
				WHERE inspection_id = ?7 AND graded = 0
				  AND (SELECT count(*) FROM amendments WHERE inspection_id = ?7) = ?1`,
				f.amendments, f.people, f.findings, boolInt(f.scored), f.score, f.grade, f.id)
			if err != nil {
				return fmt.Errorf("grade inspection %s: %w", f.id, translate(err))
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			n++
			if _, err := tx.tx.ExecContext(ctx, "DELETE FROM graded_people WHERE inspection_id = ?", f.id); err != nil {
				return fmt.Errorf("grade inspection %s: %w", f.id, translate(err))
			}
			for _, p := range f.persons {
				// An off-roster person counts for the staff member a
				// manager linked them to.
				if _, err := tx.tx.ExecContext(ctx, `INSERT INTO graded_people
					(person_id, inspection_id, staff_id, started_at, region_id, scored, score, grade, offences)
					VALUES (?1, ?2, ifnull(?3, (SELECT staff_id FROM offroster_links WHERE person_id = ?1)), ?4,
						(SELECT region_id FROM inspection_index WHERE inspection_id = ?2), ?5, ?6, ?7, ?8)`,
					p.id, f.id, nullString(p.staffID), toMS(f.started), boolInt(p.scored), p.score, p.grade, p.offences); err != nil {
					return fmt.Errorf("grade inspection %s person %s: %w", f.id, p.id, translate(err))
				}
			}
			if len(f.amendmentPhotos) == 0 {
				continue
			}
			for _, p := range f.amendmentPhotos {
				if _, err := tx.tx.ExecContext(ctx, `INSERT INTO inspection_photos (inspection_id, sha256, size, type)
					VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, f.id, p.SHA256, p.Size, p.Type); err != nil {
					return fmt.Errorf("grade inspection %s: photo %s: %w", f.id, p.SHA256, translate(err))
				}
			}
			if _, err := tx.tx.ExecContext(ctx, `UPDATE inspection_index SET
				photos_expected = (SELECT count(*) FROM inspection_photos WHERE inspection_id = ?1),
				photos_present = (SELECT count(*) FROM inspection_photos ip JOIN photos p ON p.sha256 = ip.sha256
					WHERE ip.inspection_id = ?1)
				WHERE inspection_id = ?1`, f.id); err != nil {
				return fmt.Errorf("grade inspection %s: count photos: %w", f.id, translate(err))
			}
		}
		return nil
	})
	return n, err
}

// indexUnreadable marks the index row of a record that cannot be loaded as
// graded without a grade (with the amendments it has now, so that the next
// one sends it back to be graded), and forgets its people's grades. It
// returns 1 when it marked the row.
func (tx *Tx) indexUnreadable(ctx context.Context, id string) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE inspection_index
		SET graded = 1, amendments = (SELECT count(*) FROM amendments WHERE inspection_id = ?1),
			people = 0, findings = 0, scored = 0, score = 0, grade = ''
		WHERE inspection_id = ?1 AND graded = 0`, id)
	if err != nil {
		return 0, fmt.Errorf("index inspection %s without a grade: %w", id, translate(err))
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return 0, nil
	}
	if _, err := tx.tx.ExecContext(ctx, "DELETE FROM graded_people WHERE inspection_id = ?", id); err != nil {
		return 0, fmt.Errorf("index inspection %s without a grade: %w", id, translate(err))
	}
	return 1, nil
}

// NoteHeldPhotos records in the photos table the photo files a hub holds
// that the table does not list: uploads completed before schema 7, when a
// completed upload wrote no row, or whose row could not be written. The
// inspection index counts a photo as held by its row, so this brings the
// completeness of old records up to date. It checks each missing photo's
// file (size and place, not content; Verify re-hashes), so the hub runs it
// in the background at start, not before every listing. It returns how many
// rows it wrote.
func (db *DB) NoteHeldPhotos(ctx context.Context) (int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT sha256, max(size), max(type) FROM inspection_photos ip
		WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.sha256 = ip.sha256) GROUP BY sha256`)
	if err != nil {
		return 0, fmt.Errorf("note held photos: %w", translate(err))
	}
	var held []inspect.PhotoRef
	if err := eachRow(rows, func() error {
		var p inspect.PhotoRef
		if err := rows.Scan(&p.SHA256, &p.Size, &p.Type); err != nil {
			return err
		}
		if db.photoHeld(p.SHA256, p.Size) {
			held = append(held, p)
		}
		return ctx.Err()
	}); err != nil {
		return 0, fmt.Errorf("note held photos: %w", err)
	}
	n := 0
	for len(held) > 0 {
		batch := held[:min(len(held), indexBatch)]
		held = held[len(batch):]
		err := db.update(ctx, "note held photos", func(tx *Tx) error {
			for _, p := range batch {
				k, err := tx.notePhoto(ctx, p)
				if err != nil {
					return err
				}
				n += k
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// notePhoto records a photo the store holds; the index counts it present
// for every inspection that references it (trigger). It returns 1 when the
// row is new.
func (tx *Tx) notePhoto(ctx context.Context, p inspect.PhotoRef) (int, error) {
	typ := p.Type
	if typ == "" {
		typ = "application/octet-stream"
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO photos (sha256, size, type, stored_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, p.SHA256, p.Size, typ, toMS(tx.db.now()))
	if err != nil {
		return 0, fmt.Errorf("note photo %s: %w", p.SHA256, translate(err))
	}
	k, _ := res.RowsAffected()
	return int(k), nil
}
