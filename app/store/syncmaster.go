package store

// Master data by cursor: the hub reads its change log (written by the
// triggers of migration 0004) for a region, and a tablet applies what it
// receives. The hub is the only writer of master data, so a tablet never
// merges: it takes the hub's record, and moves aside a local record that
// stands in its way on a unique key.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultMasterPage is the number of change-log rows read for one page.
const DefaultMasterPage = 1000

// MasterChanges returns the master data that changed after change number
// `after` as the device's region sees it: each changed record's current
// state, or a tombstone when it was deleted or left the region. Every hall a
// returned staff member works in and every region a returned record belongs
// to is included, so the page applies on its own whatever came before it.
// It reads one snapshot. An empty regionID is every region: the desktop of a
// manager over every region (a tablet always has a region).
// ChangeTag returns the tag of master-data change seq, and whether the hub
// holds that change at all (the hub never deletes its change log).
func (db *DB) ChangeTag(ctx context.Context, seq int64) (int64, bool, error) {
	var tag int64
	err := db.r.QueryRowContext(ctx, "SELECT tag FROM sync_changes WHERE seq = ?", seq).Scan(&tag)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("master change %d: %w", seq, translate(err))
	}
	return tag, true, nil
}

func (db *DB) MasterChanges(ctx context.Context, regionID string, after int64, limit int) (MasterPage, error) {
	if limit <= 0 || limit > 10*DefaultMasterPage {
		limit = DefaultMasterPage
	}
	page := MasterPage{Last: after}
	err := db.readTx(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT seq, tag, kind, entity_id FROM sync_changes
			WHERE seq > ?1 AND (region_id = ?2 OR region_id IS NULL OR ?2 = '') ORDER BY seq LIMIT ?3`, after, regionID, limit)
		if err != nil {
			return translate(err)
		}
		var keys []MasterKey
		seen := map[MasterKey]bool{}
		n := 0
		if err := eachRow(rows, func() error {
			var k MasterKey
			if err := rows.Scan(&page.Last, &page.LastTag, &k.Kind, &k.ID); err != nil {
				return err
			}
			n++
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
			return nil
		}); err != nil {
			return err
		}
		page.More = n == limit
		if n == 0 && after > 0 {
			// Nothing new: the cursor stays where it was, tag included.
			if err := q.QueryRowContext(ctx, "SELECT tag FROM sync_changes WHERE seq = ?", after).Scan(&page.LastTag); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return translate(err)
			}
		}
		m := &masterReader{ctx: ctx, q: q, region: regionID, emitted: map[MasterKey]bool{}}
		for _, k := range keys {
			if err := m.add(k, true); err != nil {
				return fmt.Errorf("%s %s: %w", k.Kind, k.ID, err)
			}
		}
		page.Batch = m.b
		return nil
	})
	if err != nil {
		return MasterPage{}, fmt.Errorf("master changes for region %s after %d: %w", regionID, after, err)
	}
	return page, nil
}

type masterReader struct {
	ctx     context.Context
	q       querier
	region  string // "" for every region
	b       MasterBatch
	emitted map[MasterKey]bool
}

// in reports whether a record of region r is the device's to see.
func (m *masterReader) in(r string) bool { return m.region == "" || r == m.region }

// add emits the record's current state when it is in the region. changed
// says the change log named it: then a record out of the region becomes a
// tombstone. A record pulled in only as a dependency is never a tombstone.
func (m *masterReader) add(k MasterKey, changed bool) error {
	if m.emitted[k] {
		return nil
	}
	in, err := m.load(k)
	if err != nil {
		return err
	}
	if !in {
		if changed {
			m.emitted[k] = true
			m.b.Deleted = append(m.b.Deleted, k)
		}
		return nil
	}
	m.emitted[k] = true
	return nil
}

func (m *masterReader) load(k MasterKey) (bool, error) {
	ctx, q := m.ctx, m.q
	switch k.Kind {
	case MasterRegion:
		if !m.in(k.ID) {
			return false, nil
		}
		var r Region
		err := q.QueryRowContext(ctx, "SELECT id, name FROM regions WHERE id = ?", k.ID).Scan(&r.ID, &r.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, translate(err)
		}
		m.b.Regions = append(m.b.Regions, r)
		return true, nil
	case MasterHall:
		var h Hall
		err := q.QueryRowContext(ctx, "SELECT id, region_id, code, name FROM halls WHERE id = ?", k.ID).
			Scan(&h.ID, &h.RegionID, &h.Code, &h.Name)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !m.in(h.RegionID) {
			return false, nil
		} else if err != nil {
			return false, translate(err)
		}
		if err := m.add(MasterKey{MasterRegion, h.RegionID}, false); err != nil {
			return false, err
		}
		m.b.Halls = append(m.b.Halls, h)
		return true, nil
	case MasterStaff:
		s, err := staffBy(ctx, q, "id", k.ID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		region, err := hallRegion(ctx, q, s.HallID)
		if err != nil {
			return false, err
		}
		if !m.in(region) {
			return false, nil
		}
		if err := m.add(MasterKey{MasterHall, s.HallID}, false); err != nil {
			return false, err
		}
		m.b.Staff = append(m.b.Staff, s)
		return true, nil
	case MasterUser:
		var u UserRecord
		err := q.QueryRowContext(ctx, "SELECT "+userCols+", pin_hash FROM users WHERE id = ?", k.ID).
			Scan(&u.ID, &u.Name, &u.Username, &u.Role, &u.RegionID, &u.Disabled, &u.PinHash)
		if errors.Is(err, sql.ErrNoRows) || err == nil && u.RegionID != "" && !m.in(u.RegionID) {
			return false, nil
		} else if err != nil {
			return false, translate(err)
		}
		if u.RegionID != "" {
			if err := m.add(MasterKey{MasterRegion, u.RegionID}, false); err != nil {
				return false, err
			}
		}
		m.b.Users = append(m.b.Users, u)
		return true, nil
	case MasterStandard:
		v, err := strconv.Atoi(k.ID)
		if err != nil {
			return false, fmt.Errorf("%w: standard version %q", ErrInvalid, k.ID)
		}
		var s StandardRecord
		err = q.QueryRowContext(ctx, "SELECT version, hash, body FROM standards WHERE version = ?", v).
			Scan(&s.Version, &s.Hash, &s.Body)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, translate(err)
		}
		m.b.Standards = append(m.b.Standards, s)
		return true, nil
	}
	return false, fmt.Errorf("%w: unknown kind of master data %q", ErrInvalid, k.Kind)
}

// ApplyMaster applies master data from the hub on a tablet, and sets the
// given settings (the new cursor) in the same transaction, so a cut between
// the two can never skip or repeat a page. full means the batch is the hub's
// whole master data for the region: local records it does not list are
// removed where nothing refers to them (a hub restored from a backup may no
// longer have them). Records are matched by ID; a local record that holds
// an incoming record's code, name, employee number or user name under
// another ID is renamed out of the way, since the hub's data wins.
func (db *DB) ApplyMaster(ctx context.Context, b MasterBatch, full bool, settings map[string]string) error {
	return db.update(ctx, "apply master data", func(tx *Tx) error {
		return tx.applyMaster(ctx, b, full, settings)
	})
}

func (tx *Tx) applyMaster(ctx context.Context, b MasterBatch, full bool, settings map[string]string) error {
	exec := func(what, q string, args ...any) error {
		if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("apply master data: %s: %w", what, translate(err))
		}
		return nil
	}
	if full {
		if err := tx.pruneMaster(ctx, b); err != nil {
			return err
		}
	}
	// A moved-aside record keeps its row and references; its key gets the
	// start of its own ID appended, which no hub key looks like.
	const aside = " ~' || substr(id, 1, 8)"
	for _, r := range b.Regions {
		if err := exec("region "+r.ID, "UPDATE regions SET name = name || '"+aside+" WHERE name = ? AND id <> ?", r.Name, r.ID); err != nil {
			return err
		}
		if err := exec("region "+r.ID, `INSERT INTO regions (id, name) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name`, r.ID, r.Name); err != nil {
			return err
		}
	}
	for _, h := range b.Halls {
		if err := exec("hall "+h.Code, "UPDATE halls SET code = code || '"+aside+" WHERE code = ? AND id <> ?", h.Code, h.ID); err != nil {
			return err
		}
		if err := exec("hall "+h.Code, "UPDATE halls SET name = name || '"+aside+" WHERE name = ? AND id <> ?", h.Name, h.ID); err != nil {
			return err
		}
		if err := exec("hall "+h.Code, `INSERT INTO halls (id, region_id, code, name, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET region_id = excluded.region_id, code = excluded.code, name = excluded.name`,
			h.ID, h.RegionID, h.Code, h.Name, toMS(tx.db.now())); err != nil {
			return err
		}
	}
	for _, s := range b.Staff {
		if err := exec("staff "+s.EmployeeNo, "UPDATE staff SET employee_no = employee_no || '"+aside+" WHERE employee_no = ? AND id <> ?",
			s.EmployeeNo, s.ID); err != nil {
			return err
		}
		if err := exec("staff "+s.EmployeeNo, `INSERT INTO staff (`+staffCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET employee_no = excluded.employee_no, name = excluded.name,
				gender = excluded.gender, role = excluded.role, badge = excluded.badge, hall_id = excluded.hall_id,
				active_from = excluded.active_from, active_to = excluded.active_to`,
			s.ID, s.EmployeeNo, s.Name, s.Gender, s.Role, s.Badge, s.HallID, toMS(s.ActiveFrom), nullMSPtr(s.ActiveTo)); err != nil {
			return err
		}
	}
	for _, u := range b.Users {
		if err := exec("user "+u.Username, "UPDATE users SET username = username || '"+aside+" WHERE username = ? AND id <> ?",
			u.Username, u.ID); err != nil {
			return err
		}
		if err := exec("user "+u.Username, `INSERT INTO users (id, name, username, role, region_id, pin_hash, created_at, disabled)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, username = excluded.username, role = excluded.role,
				region_id = excluded.region_id, pin_hash = excluded.pin_hash, disabled = excluded.disabled`,
			u.ID, u.Name, u.Username, u.Role, nullString(u.RegionID), u.PinHash, toMS(tx.db.now()), boolInt(u.Disabled)); err != nil {
			return err
		}
	}
	for _, s := range b.Standards {
		if err := exec(fmt.Sprintf("standard version %d", s.Version),
			"INSERT INTO standards (version, hash, body, imported_at) VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING",
			s.Version, s.Hash, s.Body, toMS(tx.db.now())); err != nil {
			return err
		}
		var held string
		if err := tx.tx.QueryRowContext(ctx, "SELECT hash FROM standards WHERE version = ?", s.Version).Scan(&held); err != nil {
			return fmt.Errorf("apply master data: standard version %d: %w", s.Version, translate(err))
		}
		if held != s.Hash {
			return fmt.Errorf("apply master data: standard version %d: %w: this device holds hash %s, the hub %s",
				s.Version, ErrConflict, held, s.Hash)
		}
	}
	for _, k := range b.Deleted {
		if err := tx.deleteMaster(ctx, k); err != nil {
			return err
		}
	}
	for k, v := range settings {
		if err := tx.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	// A tablet serves nobody's pulls; the triggers' log of what it just
	// applied is of no use here.
	return exec("clear change log", "DELETE FROM sync_changes")
}

// deleteMaster removes one record on a tombstone. Halls and regions that
// local records still refer to stay: an inspection made in a hall keeps it.
func (tx *Tx) deleteMaster(ctx context.Context, k MasterKey) error {
	var q string
	var args []any
	switch k.Kind {
	case MasterStaff:
		q, args = "DELETE FROM staff WHERE id = ?", []any{k.ID}
	case MasterUser:
		q, args = "DELETE FROM users WHERE id = ?", []any{k.ID}
	case MasterHall:
		q = `DELETE FROM halls WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM inspections WHERE hall_id = ?1)
			AND NOT EXISTS (SELECT 1 FROM staff WHERE hall_id = ?1)`
		args = []any{k.ID}
	case MasterRegion:
		q = `DELETE FROM regions WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM halls WHERE region_id = ?1)
			AND NOT EXISTS (SELECT 1 FROM users WHERE region_id = ?1)
			AND NOT EXISTS (SELECT 1 FROM devices WHERE region_id = ?1)`
		args = []any{k.ID}
	case MasterStandard:
		return nil // a standard version is never deleted: inspections are judged by it
	default:
		return fmt.Errorf("apply master data: %w: unknown kind %q", ErrInvalid, k.Kind)
	}
	if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("apply master data: delete %s %s: %w", k.Kind, k.ID, translate(err))
	}
	return nil
}

// pruneMaster deletes local master records that a full batch does not list.
func (tx *Tx) pruneMaster(ctx context.Context, b MasterBatch) error {
	keep := map[MasterKey]bool{}
	for _, r := range b.Regions {
		keep[MasterKey{MasterRegion, r.ID}] = true
	}
	for _, h := range b.Halls {
		keep[MasterKey{MasterHall, h.ID}] = true
	}
	for _, s := range b.Staff {
		keep[MasterKey{MasterStaff, s.ID}] = true
	}
	for _, u := range b.Users {
		keep[MasterKey{MasterUser, u.ID}] = true
	}
	// Children before parents, so that a parent is free when its turn comes.
	for _, t := range []struct {
		kind  MasterKind
		table string
	}{{MasterStaff, "staff"}, {MasterUser, "users"}, {MasterHall, "halls"}, {MasterRegion, "regions"}} {
		rows, err := tx.tx.QueryContext(ctx, "SELECT id FROM "+t.table)
		if err != nil {
			return fmt.Errorf("apply master data: list %s: %w", t.table, translate(err))
		}
		var gone []string
		if err := eachRow(rows, func() error {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !keep[MasterKey{t.kind, id}] {
				gone = append(gone, id)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("apply master data: list %s: %w", t.table, err)
		}
		for _, id := range gone {
			if err := tx.deleteMaster(ctx, MasterKey{t.kind, id}); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetSettings sets several local settings in one transaction.
func (db *DB) SetSettings(ctx context.Context, kv map[string]string) error {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	return db.update(ctx, "save settings "+strings.Join(keys, ", "), func(tx *Tx) error {
		for k, v := range kv {
			if err := tx.SetSetting(ctx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}
