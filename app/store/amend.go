package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dudao-app/dudao/app/inspect"
)

// The changes of an amendment are stored as JSON in a form this package owns,
// versioned, so that a new field in inspect.Finding cannot silently change
// how stored amendments decode. Times are unix milliseconds; absent means the
// zero time.
type changesJSON struct {
	V       int          `json:"v"`
	Changes []changeJSON `json:"changes"`
}

type changeJSON struct {
	PersonID string       `json:"person_id"`
	ItemID   string       `json:"item_id"`
	Finding  *findingJSON `json:"finding,omitempty"`
}

type findingJSON struct {
	ID       string      `json:"id"`
	ItemID   string      `json:"item_id"`
	Outcome  string      `json:"outcome"`
	Observed int         `json:"observed"`
	Failed   int         `json:"failed"`
	Note     string      `json:"note"`
	Photos   []photoJSON `json:"photos,omitempty"`
	At       *int64      `json:"at,omitempty"`
}

type photoJSON struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Type   string `json:"type"`
	At     *int64 `json:"at,omitempty"`
}

const changesVersion = 1

func msJSON(t sql.NullInt64) *int64 {
	if !t.Valid {
		return nil
	}
	return &t.Int64
}

func encodeChanges(cs []inspect.Change) ([]byte, error) {
	out := changesJSON{V: changesVersion, Changes: make([]changeJSON, 0, len(cs))}
	for _, c := range cs {
		cj := changeJSON{PersonID: c.PersonID, ItemID: c.ItemID}
		if f := c.Finding; f != nil {
			fj := &findingJSON{ID: f.ID, ItemID: f.ItemID, Outcome: string(f.Outcome), Observed: f.Observed,
				Failed: f.Failed, Note: f.Note, At: msJSON(nullMS(f.At))}
			for _, p := range f.Photos {
				fj.Photos = append(fj.Photos, photoJSON{SHA256: p.SHA256, Size: p.Size, Type: p.Type, At: msJSON(nullMS(p.At))})
			}
			cj.Finding = fj
		}
		out.Changes = append(out.Changes, cj)
	}
	return json.Marshal(out)
}

func decodeChanges(b []byte) ([]inspect.Change, error) {
	var in changesJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("decode changes: %w", err)
	}
	if in.V != changesVersion {
		return nil, fmt.Errorf("decode changes: unknown encoding version %d", in.V)
	}
	ms := func(p *int64) sql.NullInt64 {
		if p == nil {
			return sql.NullInt64{}
		}
		return sql.NullInt64{Int64: *p, Valid: true}
	}
	var out []inspect.Change
	for _, cj := range in.Changes {
		c := inspect.Change{PersonID: cj.PersonID, ItemID: cj.ItemID}
		if fj := cj.Finding; fj != nil {
			f := &inspect.Finding{ID: fj.ID, ItemID: fj.ItemID, Outcome: inspect.Outcome(fj.Outcome),
				Observed: fj.Observed, Failed: fj.Failed, Note: fj.Note, At: fromNullMS(ms(fj.At))}
			for _, p := range fj.Photos {
				f.Photos = append(f.Photos, inspect.PhotoRef{SHA256: p.SHA256, Size: p.Size, Type: p.Type, At: fromNullMS(ms(p.At))})
			}
			c.Finding = f
		}
		out = append(out, c)
	}
	return out, nil
}

// AddAmendment records a correction to a sealed inspection. a.OriginalHash
// must be the inspection's seal. ID and At are set when empty, and SealHash
// is computed. An amendment authored here (SealHash empty) must reference
// only stored photos; one received with its SealHash must match it. Adding
// an amendment already held with the same seal is a no-op; with a different
// seal it is ErrConflict.
func (db *DB) AddAmendment(ctx context.Context, a *inspect.Amendment) error {
	what := "add amendment"
	if a != nil {
		what = fmt.Sprintf("add amendment %s of inspection %s", a.ID, a.InspectionID)
	}
	return db.update(ctx, what, func(tx *Tx) error { return tx.AddAmendment(ctx, a) })
}

// AddAmendment is DB.AddAmendment in a transaction.
func (tx *Tx) AddAmendment(ctx context.Context, a *inspect.Amendment) error {
	if a == nil {
		return fmt.Errorf("add amendment: %w: nil amendment", ErrInvalid)
	}
	fail := func(err error) error {
		return fmt.Errorf("add amendment %s of inspection %s: %w", a.ID, a.InspectionID, err)
	}
	a.Reason = strings.TrimSpace(a.Reason)
	switch {
	case a.InspectionID == "":
		return fail(fmt.Errorf("%w: no inspection", ErrInvalid))
	case a.Reason == "":
		return fail(fmt.Errorf("%w: no reason given", ErrInvalid))
	case a.AuthorID == "":
		return fail(fmt.Errorf("%w: no author", ErrInvalid))
	case len(a.Changes) == 0:
		return fail(fmt.Errorf("%w: no changes", ErrInvalid))
	}
	received := a.SealHash != ""
	if a.Seq < 0 {
		return fail(fmt.Errorf("%w: sequence number %d is negative", ErrInvalid, a.Seq))
	}
	if a.ID == "" {
		if received {
			return fail(fmt.Errorf("%w: sealed amendment without ID", ErrInvalid))
		}
		id, err := newID()
		if err != nil {
			return fail(err)
		}
		a.ID = id
	}
	if a.At.IsZero() {
		a.At = tx.db.now()
	}
	a.At = norm(a.At)

	var status string
	var seal sql.NullString
	err := tx.tx.QueryRowContext(ctx, "SELECT status, seal_hash FROM inspections WHERE id = ?", a.InspectionID).Scan(&status, &seal)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fail(fmt.Errorf("inspection %s: %w", a.InspectionID, ErrNotFound))
	case err != nil:
		return fail(translate(err))
	case status != string(inspect.StatusSealed):
		return fail(ErrNotSealed)
	case a.OriginalHash != seal.String:
		return fail(fmt.Errorf("%w: amends seal %s but the inspection's seal is %s", ErrConflict, a.OriginalHash, seal.String))
	}

	people := map[string]bool{"": true}
	rows, err := tx.tx.QueryContext(ctx, "SELECT id FROM observed_people WHERE inspection_id = ?", a.InspectionID)
	if err != nil {
		return fail(translate(err))
	}
	if err := eachRow(rows, func() error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		people[id] = true
		return nil
	}); err != nil {
		return fail(err)
	}
	if !received && a.Seq == 0 {
		// Numbered here, under the write lock, in the order they are made.
		if err := tx.tx.QueryRowContext(ctx, "SELECT ifnull(max(seq), 0) + 1 FROM amendments WHERE inspection_id = ?",
			a.InspectionID).Scan(&a.Seq); err != nil {
			return fail(translate(err))
		}
	}
	for i := range a.Changes {
		if err := tx.prepareChange(ctx, a, &a.Changes[i], people, !received); err != nil {
			return fail(fmt.Errorf("change %d: %w", i+1, err))
		}
	}

	hash, err := inspect.ComputeAmendmentSeal(a)
	if err != nil {
		return fail(err)
	}
	if received && hash != a.SealHash {
		return fail(fmt.Errorf("%w: content hashes to %s, not its seal %s", ErrInvalid, hash, a.SealHash))
	}
	a.SealHash = hash

	var held string
	err = tx.tx.QueryRowContext(ctx, "SELECT seal_hash FROM amendments WHERE id = ?", a.ID).Scan(&held)
	switch {
	case err == nil && held == hash:
		return nil
	case err == nil:
		return fail(fmt.Errorf("%w: held with seal %s, received %s", ErrConflict, held, hash))
	case !errors.Is(err, sql.ErrNoRows):
		return fail(translate(err))
	}
	changes, err := encodeChanges(a.Changes)
	if err != nil {
		return fail(err)
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO amendments
		(id, inspection_id, original_hash, reason, author_id, device_id, at, seq, changes, seal_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.InspectionID, a.OriginalHash, a.Reason, a.AuthorID, a.DeviceID, toMS(a.At), a.Seq, changes, hash); err != nil {
		return fail(translate(err))
	}
	return nil
}

// prepareChange validates one change and fills what may be left implicit:
// the finding's item, ID and time.
func (tx *Tx) prepareChange(ctx context.Context, a *inspect.Amendment, c *inspect.Change, people map[string]bool, checkPhotos bool) error {
	if !people[c.PersonID] {
		return fmt.Errorf("person %s: %w in inspection %s", c.PersonID, ErrNotFound, a.InspectionID)
	}
	if strings.TrimSpace(c.ItemID) == "" {
		return fmt.Errorf("%w: no item", ErrInvalid)
	}
	f := c.Finding
	if f == nil {
		return nil
	}
	if f.ItemID == "" {
		f.ItemID = c.ItemID
	}
	if f.ItemID != c.ItemID {
		return fmt.Errorf("%w: finding for item %s in a change of item %s", ErrInvalid, f.ItemID, c.ItemID)
	}
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
		f.At = a.At
	}
	f.At = norm(f.At)
	normPhotos(f.Photos)
	if !checkPhotos {
		return nil
	}
	for _, p := range f.Photos {
		if err := exists(ctx, tx.tx, "photos", "sha256", p.SHA256); err != nil {
			return fmt.Errorf("photo %s: %w", p.SHA256, err)
		}
	}
	return nil
}

// Amendments returns the amendments of an inspection, oldest first.
func (db *DB) Amendments(ctx context.Context, inspectionID string) ([]inspect.Amendment, error) {
	var out []inspect.Amendment
	err := db.readTx(ctx, func(q querier) error {
		if err := exists(ctx, q, "inspections", "id", inspectionID); err != nil {
			return err
		}
		var err error
		out, err = loadAmendments(ctx, q, inspectionID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list amendments of inspection %s: %w", inspectionID, err)
	}
	return out, nil
}

func loadAmendments(ctx context.Context, q querier, inspectionID string) ([]inspect.Amendment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, inspection_id, original_hash, reason, author_id, device_id, at,
		seq, changes, seal_hash FROM amendments WHERE inspection_id = ? ORDER BY seq, at, id`, inspectionID)
	if err != nil {
		return nil, translate(err)
	}
	var out []inspect.Amendment
	err = eachRow(rows, func() error {
		var a inspect.Amendment
		var at int64
		var changes []byte
		if err := rows.Scan(&a.ID, &a.InspectionID, &a.OriginalHash, &a.Reason, &a.AuthorID, &a.DeviceID,
			&at, &a.Seq, &changes, &a.SealHash); err != nil {
			return err
		}
		a.At = fromMS(at)
		cs, err := decodeChanges(changes)
		if err != nil {
			return fmt.Errorf("amendment %s: %w", a.ID, err)
		}
		a.Changes = cs
		out = append(out, a)
		return nil
	})
	return out, err
}
