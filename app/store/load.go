package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/dudao-app/dudao/app/inspect"
)

// loadInspections reads inspections and everything in them, in the order of
// ids; an ID the store does not hold is ErrNotFound naming it.
//
// Five queries serve any number of inspections: a sync loads each batch of
// records it sends (the tablet) or has just stored (the hub, which reads them
// back), and a statement's fixed cost (the call into SQLite, the bind, the
// reset; about 15 µs) paid five times per record was a quarter of the hub's
// work per record. The IDs go in as one JSON array, so that one statement
// text serves every batch size and stays in the statement cache.
//
// json_each stops SQLite from re-planning the statement at every call, as it
// does for a bare parameter in a query with several candidate plans (the
// driver clears the bindings before every execution): 10-25 µs per query
// instead of a few.
func loadInspections(ctx context.Context, q querier, ids []string) ([]*inspect.Inspection, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("load inspections: %w", err)
	}
	const wanted = `IN (SELECT value FROM json_each(?))`
	byID := make(map[string]*inspect.Inspection, len(ids))

	rows, err := q.QueryContext(ctx, `SELECT id, hall_id, supervisor_id, device_id, standard_version,
		started_at, ended_at, status, sealed_at, seal_hash FROM inspections WHERE id `+wanted, idList)
	if err != nil {
		return nil, translate(err)
	}
	if err := eachRow(rows, func() error {
		ins := &inspect.Inspection{}
		var started int64
		var ended, sealed sql.NullInt64
		var hash sql.NullString
		if err := rows.Scan(&ins.ID, &ins.HallID, &ins.SupervisorID, &ins.DeviceID, &ins.StandardVersion,
			&started, &ended, &ins.Status, &sealed, &hash); err != nil {
			return err
		}
		ins.StartedAt, ins.EndedAt, ins.SealedAt = fromMS(started), fromNullMS(ended), fromNullMS(sealed)
		ins.SealHash = hash.String
		byID[ins.ID] = ins
		return nil
	}); err != nil {
		return nil, fmt.Errorf("inspections: %w", err)
	}
	out := make([]*inspect.Inspection, len(ids))
	for i, id := range ids {
		if out[i] = byID[id]; out[i] == nil {
			return nil, fmt.Errorf("inspection %s: %w", id, ErrNotFound)
		}
	}

	// A person's findings are placed once every person is read.
	type personAt struct {
		ins *inspect.Inspection
		i   int
	}
	people := map[string]personAt{}
	rows, err = q.QueryContext(ctx, `SELECT inspection_id, id, ifnull(staff_id, ''), off_roster, employee_no,
		name, badge, role, gender FROM observed_people WHERE inspection_id `+wanted+`
		ORDER BY inspection_id, position`, idList)
	if err != nil {
		return nil, translate(err)
	}
	if err := eachRow(rows, func() error {
		var insID string
		var p inspect.Person
		if err := rows.Scan(&insID, &p.ID, &p.StaffID, &p.OffRoster, &p.EmployeeNo, &p.Name, &p.Badge, &p.Role, &p.Gender); err != nil {
			return err
		}
		ins := byID[insID]
		ins.People = append(ins.People, p)
		people[p.ID] = personAt{ins, len(ins.People) - 1}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}

	photos := map[string][]inspect.PhotoRef{}
	rows, err = q.QueryContext(ctx, `SELECT fp.finding_id, fp.sha256, fp.size, fp.type, fp.at
		FROM finding_photos fp JOIN findings f ON f.id = fp.finding_id
		WHERE f.inspection_id `+wanted+` ORDER BY fp.finding_id, fp.position`, idList)
	if err != nil {
		return nil, translate(err)
	}
	if err := eachRow(rows, func() error {
		var fid string
		var p inspect.PhotoRef
		var at sql.NullInt64
		if err := rows.Scan(&fid, &p.SHA256, &p.Size, &p.Type, &at); err != nil {
			return err
		}
		p.At = fromNullMS(at)
		photos[fid] = append(photos[fid], p)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("photos: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT inspection_id, id, ifnull(person_id, ''), item_id, outcome,
		observed, failed, note, at FROM findings WHERE inspection_id `+wanted+`
		ORDER BY inspection_id, at, item_id, id`, idList)
	if err != nil {
		return nil, translate(err)
	}
	if err := eachRow(rows, func() error {
		var insID, person string
		var f inspect.Finding
		var at int64
		if err := rows.Scan(&insID, &f.ID, &person, &f.ItemID, &f.Outcome, &f.Observed, &f.Failed, &f.Note, &at); err != nil {
			return err
		}
		f.At = fromMS(at)
		f.Photos = photos[f.ID]
		if person == "" {
			ins := byID[insID]
			ins.HallFindings = append(ins.HallFindings, f)
			return nil
		}
		p, ok := people[person]
		if !ok || p.ins.ID != insID {
			return fmt.Errorf("finding %s: person %s is not in inspection %s", f.ID, person, insID)
		}
		p.ins.People[p.i].Findings = append(p.ins.People[p.i].Findings, f)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT inspection_id, role, person_id, name, image_sha256, image_size,
		image_type, image_at, disagreement, at FROM signatures WHERE inspection_id `+wanted+`
		ORDER BY inspection_id, at, role, person_id`, idList)
	if err != nil {
		return nil, translate(err)
	}
	if err := eachRow(rows, func() error {
		var insID string
		var s inspect.Signature
		var sha, typ sql.NullString
		var size, imgAt sql.NullInt64
		var at int64
		if err := rows.Scan(&insID, &s.Role, &s.PersonID, &s.Name, &sha, &size, &typ, &imgAt, &s.Disagreement, &at); err != nil {
			return err
		}
		if sha.Valid {
			s.Image = &inspect.PhotoRef{SHA256: sha.String, Size: size.Int64, Type: typ.String, At: fromNullMS(imgAt)}
		}
		s.At = fromMS(at)
		ins := byID[insID]
		ins.Signatures = append(ins.Signatures, s)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	return out, nil
}
