package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/pin"
)

// ---- regions ----

// AddRegion adds a region with a new ID.
func (db *DB) AddRegion(ctx context.Context, name string) (Region, error) {
	var r Region
	err := db.update(ctx, fmt.Sprintf("add region %q", name), func(tx *Tx) (err error) {
		r, err = tx.AddRegion(ctx, name)
		return err
	})
	return r, err
}

// AddRegion adds a region with a new ID.
func (tx *Tx) AddRegion(ctx context.Context, name string) (Region, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Region{}, fmt.Errorf("add region: %w: empty name", ErrInvalid)
	}
	id, err := newID()
	if err != nil {
		return Region{}, fmt.Errorf("add region %q: %w", name, err)
	}
	if _, err := tx.tx.ExecContext(ctx, "INSERT INTO regions (id, name) VALUES (?, ?)", id, name); err != nil {
		return Region{}, fmt.Errorf("add region %q: %w", name, translate(err))
	}
	return Region{ID: id, Name: name}, nil
}

// Regions lists the regions by name.
func (db *DB) Regions(ctx context.Context) ([]Region, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, name FROM regions ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", translate(err))
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, fmt.Errorf("list regions: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list regions: %w", translate(err))
	}
	return out, nil
}

// ---- halls ----

// AddHall adds a hall; its ID is generated when empty.
func (db *DB) AddHall(ctx context.Context, h Hall) (Hall, error) {
	err := db.update(ctx, fmt.Sprintf("add hall %s", h.Code), func(tx *Tx) (err error) {
		h, err = tx.AddHall(ctx, h)
		return err
	})
	return h, err
}

// AddHall adds a hall; its ID is generated when empty.
func (tx *Tx) AddHall(ctx context.Context, h Hall) (Hall, error) {
	h.Code, h.Name = strings.TrimSpace(h.Code), strings.TrimSpace(h.Name)
	switch {
	case h.Code == "":
		return Hall{}, fmt.Errorf("add hall %q: %w: empty code", h.Name, ErrInvalid)
	case h.Name == "":
		return Hall{}, fmt.Errorf("add hall %s: %w: empty name", h.Code, ErrInvalid)
	case h.RegionID == "":
		return Hall{}, fmt.Errorf("add hall %s: %w: no region", h.Code, ErrInvalid)
	}
	if err := exists(ctx, tx.tx, "regions", "id", h.RegionID); err != nil {
		return Hall{}, fmt.Errorf("add hall %s: region %s: %w", h.Code, h.RegionID, err)
	}
	// A hall is referred to by ID, code or exact name interchangeably, so no
	// two of those may be equal across halls.
	var clash string
	err := tx.tx.QueryRowContext(ctx,
		"SELECT code FROM halls WHERE code IN (?1, ?2) OR name IN (?1, ?2) OR id IN (?1, ?2) LIMIT 1",
		h.Code, h.Name).Scan(&clash)
	switch {
	case err == nil:
		return Hall{}, fmt.Errorf("add hall %s %s: %w: hall %s already uses that code or name; a hall is named by its ID, code or name, so they must all differ", h.Code, h.Name, ErrConflict, clash)
	case !errors.Is(err, sql.ErrNoRows):
		return Hall{}, fmt.Errorf("add hall %s: %w", h.Code, translate(err))
	}
	if h.ID == "" {
		id, err := newID()
		if err != nil {
			return Hall{}, fmt.Errorf("add hall %s: %w", h.Code, err)
		}
		h.ID = id
	}
	if _, err := tx.tx.ExecContext(ctx,
		"INSERT INTO halls (id, region_id, code, name, created_at) VALUES (?, ?, ?, ?, ?)",
		h.ID, h.RegionID, h.Code, h.Name, toMS(tx.db.now())); err != nil {
		return Hall{}, fmt.Errorf("add hall %s: %w", h.Code, translate(err))
	}
	return h, nil
}

// Halls lists the halls by code.
func (db *DB) Halls(ctx context.Context) ([]Hall, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, region_id, code, name FROM halls ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("list halls: %w", translate(err))
	}
	out, err := scanHalls(rows)
	if err != nil {
		return nil, fmt.Errorf("list halls: %w", err)
	}
	return out, nil
}

// ResolveHall finds a hall by its ID, its code or its exact name, which is
// how people and the CLI refer to halls.
func (db *DB) ResolveHall(ctx context.Context, ref string) (Hall, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Hall{}, fmt.Errorf("resolve hall: %w: empty reference", ErrInvalid)
	}
	rows, err := db.r.QueryContext(ctx,
		"SELECT id, region_id, code, name FROM halls WHERE id = ?1 OR code = ?1 OR name = ?1 ORDER BY code", ref)
	if err != nil {
		return Hall{}, fmt.Errorf("resolve hall %q: %w", ref, translate(err))
	}
	hs, err := scanHalls(rows)
	if err != nil {
		return Hall{}, fmt.Errorf("resolve hall %q: %w", ref, err)
	}
	switch len(hs) {
	case 0:
		return Hall{}, fmt.Errorf("hall %q: %w", ref, ErrNotFound)
	case 1:
		return hs[0], nil
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = fmt.Sprintf("%s %s", h.Code, h.Name)
	}
	return Hall{}, fmt.Errorf("hall %q: %w: ambiguous, matches %s", ref, ErrInvalid, strings.Join(names, " and "))
}

func scanHalls(rows *sql.Rows) ([]Hall, error) {
	defer rows.Close()
	var out []Hall
	for rows.Next() {
		var h Hall
		if err := rows.Scan(&h.ID, &h.RegionID, &h.Code, &h.Name); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, translate(rows.Err())
}

// ---- staff ----

const staffCols = "id, employee_no, name, gender, role, badge, hall_id, active_from, active_to"

func scanStaff(sc interface{ Scan(...any) error }) (Staff, error) {
	var s Staff
	var from int64
	var to sql.NullInt64
	err := sc.Scan(&s.ID, &s.EmployeeNo, &s.Name, &s.Gender, &s.Role, &s.Badge, &s.HallID, &from, &to)
	s.ActiveFrom = fromMS(from)
	s.ActiveTo = fromNullMSPtr(to)
	return s, err
}

// UpsertStaff adds a member of staff or updates the one with the same ID, or
// failing that the same employee number (the roster's key). Setting ActiveTo
// to nil reactivates them.
func (db *DB) UpsertStaff(ctx context.Context, s Staff) (Staff, error) {
	err := db.update(ctx, fmt.Sprintf("save staff %s", s.EmployeeNo), func(tx *Tx) (err error) {
		s, err = tx.UpsertStaff(ctx, s)
		return err
	})
	return s, err
}

// UpsertStaff is DB.UpsertStaff in a transaction.
func (tx *Tx) UpsertStaff(ctx context.Context, s Staff) (Staff, error) {
	s, _, err := tx.upsertStaff(ctx, s)
	return s, err
}

func (tx *Tx) upsertStaff(ctx context.Context, s Staff) (Staff, bool, error) {
	s.EmployeeNo, s.Name = strings.TrimSpace(s.EmployeeNo), strings.TrimSpace(s.Name)
	s.Badge = strings.TrimSpace(s.Badge)
	fail := func(err error) (Staff, bool, error) {
		return Staff{}, false, fmt.Errorf("save staff %s: %w", s.EmployeeNo, err)
	}
	switch {
	case s.EmployeeNo == "":
		return Staff{}, false, fmt.Errorf("save staff %q: %w: empty employee number", s.Name, ErrInvalid)
	case s.Name == "":
		return fail(fmt.Errorf("%w: empty name", ErrInvalid))
	case !s.Gender.Valid():
		return fail(fmt.Errorf("%w: unknown gender %q", ErrInvalid, s.Gender))
	case !s.Role.Valid():
		return fail(fmt.Errorf("%w: unknown role %q", ErrInvalid, s.Role))
	case s.HallID == "":
		return fail(fmt.Errorf("%w: no hall", ErrInvalid))
	}
	if err := exists(ctx, tx.tx, "halls", "id", s.HallID); err != nil {
		return fail(fmt.Errorf("hall %s: %w", s.HallID, err))
	}

	var existing *Staff
	if s.ID != "" {
		old, err := scanStaff(tx.tx.QueryRowContext(ctx, "SELECT "+staffCols+" FROM staff WHERE id = ?", s.ID))
		if err == nil {
			existing = &old
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fail(translate(err))
		}
	}
	if existing == nil {
		old, err := scanStaff(tx.tx.QueryRowContext(ctx, "SELECT "+staffCols+" FROM staff WHERE employee_no = ?", s.EmployeeNo))
		switch {
		case err == nil && s.ID != "" && old.ID != s.ID:
			return fail(fmt.Errorf("%w: employee number already belongs to staff %s", ErrConflict, old.ID))
		case err == nil:
			existing = &old
		case !errors.Is(err, sql.ErrNoRows):
			return fail(translate(err))
		}
	}
	if existing != nil {
		s.ID = existing.ID
		if s.ActiveFrom.IsZero() {
			s.ActiveFrom = existing.ActiveFrom
		}
	}
	if s.ID == "" {
		id, err := newID()
		if err != nil {
			return fail(err)
		}
		s.ID = id
	}
	if s.ActiveFrom.IsZero() {
		s.ActiveFrom = tx.db.now()
	}
	s.ActiveFrom = norm(s.ActiveFrom)
	if s.ActiveTo != nil {
		t := norm(*s.ActiveTo)
		s.ActiveTo = &t
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO staff (`+staffCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET employee_no = excluded.employee_no, name = excluded.name,
			gender = excluded.gender, role = excluded.role, badge = excluded.badge,
			hall_id = excluded.hall_id, active_from = excluded.active_from, active_to = excluded.active_to`,
		s.ID, s.EmployeeNo, s.Name, s.Gender, s.Role, s.Badge, s.HallID, toMS(s.ActiveFrom), nullMSPtr(s.ActiveTo))
	if err != nil {
		return fail(translate(err))
	}
	return s, existing == nil, nil
}

// Staff lists staff by employee number.
func (db *DB) Staff(ctx context.Context, f StaffFilter) ([]Staff, error) {
	q := "SELECT " + staffCols + " FROM staff WHERE 1 = 1"
	var args []any
	if f.HallID != "" {
		q += " AND hall_id = ?"
		args = append(args, f.HallID)
	}
	if !f.IncludeInactive {
		q += " AND (active_to IS NULL OR active_to > ?)"
		args = append(args, toMS(db.now()))
	}
	q += " ORDER BY employee_no"
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", translate(err))
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("list staff: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list staff: %w", translate(err))
	}
	return out, nil
}

// StaffByID returns one member of staff, active or not.
func (db *DB) StaffByID(ctx context.Context, id string) (Staff, error) {
	return staffBy(ctx, db.r, "id", id)
}

// StaffByEmployeeNo returns the member of staff with this employee number.
func (db *DB) StaffByEmployeeNo(ctx context.Context, employeeNo string) (Staff, error) {
	return staffBy(ctx, db.r, "employee_no", strings.TrimSpace(employeeNo))
}

// StaffByID is DB.StaffByID inside the transaction.
func (tx *Tx) StaffByID(ctx context.Context, id string) (Staff, error) {
	return staffBy(ctx, tx.tx, "id", id)
}

// StaffByEmployeeNo is DB.StaffByEmployeeNo inside the transaction.
func (tx *Tx) StaffByEmployeeNo(ctx context.Context, employeeNo string) (Staff, error) {
	return staffBy(ctx, tx.tx, "employee_no", strings.TrimSpace(employeeNo))
}

func staffBy(ctx context.Context, q querier, col, val string) (Staff, error) {
	// col is one of two constants above, never input.
	s, err := scanStaff(q.QueryRowContext(ctx, "SELECT "+staffCols+" FROM staff WHERE "+col+" = ?", val))
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, fmt.Errorf("staff %s: %w", val, ErrNotFound)
	}
	if err != nil {
		return Staff{}, fmt.Errorf("read staff %s: %w", val, translate(err))
	}
	return s, nil
}

// DeactivateStaff marks a member of staff as gone from at (now when zero).
// Their past inspections are kept. Deactivating someone already inactive
// keeps the earlier date.
func (db *DB) DeactivateStaff(ctx context.Context, id string, at time.Time) error {
	return db.update(ctx, fmt.Sprintf("deactivate staff %s", id), func(tx *Tx) error {
		return tx.DeactivateStaff(ctx, id, at)
	})
}

// DeactivateStaff is DB.DeactivateStaff in a transaction.
func (tx *Tx) DeactivateStaff(ctx context.Context, id string, at time.Time) error {
	_, err := tx.deactivateStaff(ctx, id, at)
	return err
}

func (tx *Tx) deactivateStaff(ctx context.Context, id string, at time.Time) (bool, error) {
	if at.IsZero() {
		at = tx.db.now()
	}
	res, err := tx.tx.ExecContext(ctx,
		"UPDATE staff SET active_to = ?1 WHERE id = ?2 AND (active_to IS NULL OR active_to > ?1)", toMS(norm(at)), id)
	if err != nil {
		return false, fmt.Errorf("deactivate staff %s: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	if err := exists(ctx, tx.tx, "staff", "id", id); err != nil {
		return false, fmt.Errorf("deactivate staff %s: %w", id, err)
	}
	return false, nil
}

// ApplyRoster applies one roster import in a single transaction: if any
// change fails, none is kept.
func (db *DB) ApplyRoster(ctx context.Context, c RosterChanges) (RosterResult, error) {
	var res RosterResult
	err := db.update(ctx, "apply roster", func(tx *Tx) (err error) {
		res, err = tx.ApplyRoster(ctx, c)
		return err
	})
	return res, err
}

// ApplyRoster is DB.ApplyRoster in a transaction.
func (tx *Tx) ApplyRoster(ctx context.Context, c RosterChanges) (RosterResult, error) {
	var res RosterResult
	total := len(c.Upsert) + len(c.Deactivate)
	done := 0
	step := func() {
		done++
		if c.Progress != nil {
			c.Progress(done, total)
		}
	}
	for i, s := range c.Upsert {
		saved, added, err := tx.upsertStaff(ctx, s)
		if err != nil {
			return RosterResult{}, fmt.Errorf("apply roster: change %d: %w", i+1, err)
		}
		if added {
			res.Added++
		} else {
			res.Updated++
		}
		res.Staff = append(res.Staff, saved)
		step()
	}
	at := c.At
	if at.IsZero() {
		at = tx.db.now()
	}
	for _, id := range c.Deactivate {
		changed, err := tx.deactivateStaff(ctx, id, at)
		if err != nil {
			return RosterResult{}, fmt.Errorf("apply roster: %w", err)
		}
		if changed {
			res.Deactivated++
		}
		step()
	}
	return res, nil
}

// ---- users ----

const userCols = "id, name, username, role, ifnull(region_id, ''), disabled"

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	err := sc.Scan(&u.ID, &u.Name, &u.Username, &u.Role, &u.RegionID, &u.Disabled)
	return u, err
}

// AddUser adds a user who logs in with pin; the PIN is stored only as a
// salted hash.
func (db *DB) AddUser(ctx context.Context, u User, pinCode string) (User, error) {
	// Hash before taking the write lock: it is deliberately slow.
	h, err := pin.Hash(pinCode)
	if err != nil {
		return User{}, fmt.Errorf("add user %s: %w: %w", u.Username, ErrInvalid, err)
	}
	err = db.update(ctx, fmt.Sprintf("add user %s", u.Username), func(tx *Tx) (err error) {
		u, err = tx.addUser(ctx, u, h)
		return err
	})
	return u, err
}

// AddUser is DB.AddUser in a transaction.
func (tx *Tx) AddUser(ctx context.Context, u User, pinCode string) (User, error) {
	h, err := pin.Hash(pinCode)
	if err != nil {
		return User{}, fmt.Errorf("add user %s: %w: %w", u.Username, ErrInvalid, err)
	}
	return tx.addUser(ctx, u, h)
}

func (tx *Tx) addUser(ctx context.Context, u User, pinHash string) (User, error) {
	u.Username, u.Name = strings.TrimSpace(u.Username), strings.TrimSpace(u.Name)
	switch {
	case u.Username == "":
		return User{}, fmt.Errorf("add user %q: %w: empty user name", u.Name, ErrInvalid)
	case u.Name == "":
		return User{}, fmt.Errorf("add user %s: %w: empty name", u.Username, ErrInvalid)
	case !u.Role.Valid():
		return User{}, fmt.Errorf("add user %s: %w: unknown role %q", u.Username, ErrInvalid, u.Role)
	}
	if u.ID == "" {
		id, err := newID()
		if err != nil {
			return User{}, fmt.Errorf("add user %s: %w", u.Username, err)
		}
		u.ID = id
	}
	if _, err := tx.tx.ExecContext(ctx,
		`INSERT INTO users (id, name, username, role, region_id, pin_hash, created_at, disabled)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Name, u.Username, u.Role, nullString(u.RegionID), pinHash, toMS(tx.db.now()), boolInt(u.Disabled)); err != nil {
		return User{}, fmt.Errorf("add user %s: %w", u.Username, translate(err))
	}
	return u, nil
}

// Users lists users by user name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", translate(err))
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", translate(err))
	}
	return out, nil
}

// dummyHash is verified against when the user name is unknown, so that the
// answer takes as long as for a wrong PIN and does not reveal which names exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := pin.Hash("00000000")
	return h
})

// Authenticate checks a user's PIN. Unknown user and wrong PIN give the same
// ErrAuth; a disabled account gives ErrDisabled once the PIN is right.
func (db *DB) Authenticate(ctx context.Context, username, pinCode string) (User, error) {
	username = strings.TrimSpace(username)
	var hash string
	var u User
	row := db.r.QueryRowContext(ctx, "SELECT "+userCols+", pin_hash FROM users WHERE username = ?", username)
	err := row.Scan(&u.ID, &u.Name, &u.Username, &u.Role, &u.RegionID, &u.Disabled, &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		pin.Verify(pinCode, dummyHash())
		return User{}, fmt.Errorf("log in %s: %w", username, ErrAuth)
	case err != nil:
		return User{}, fmt.Errorf("log in %s: %w", username, translate(err))
	}
	if !pin.Verify(pinCode, hash) {
		return User{}, fmt.Errorf("log in %s: %w", username, ErrAuth)
	}
	if u.Disabled {
		return User{}, fmt.Errorf("log in %s: %w", username, ErrDisabled)
	}
	return u, nil
}

// ---- devices ----

// AddDevice records an enrolled device; its ID is generated when empty and
// CreatedAt set when zero.
func (db *DB) AddDevice(ctx context.Context, d Device) (Device, error) {
	err := db.update(ctx, fmt.Sprintf("add device %q", d.Name), func(tx *Tx) (err error) {
		d, err = tx.AddDevice(ctx, d)
		return err
	})
	return d, err
}

// AddDevice is DB.AddDevice in a transaction.
func (tx *Tx) AddDevice(ctx context.Context, d Device) (Device, error) {
	d.Name = strings.TrimSpace(d.Name)
	if d.ID == "" {
		id, err := newID()
		if err != nil {
			return Device{}, fmt.Errorf("add device %q: %w", d.Name, err)
		}
		d.ID = id
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = tx.db.now()
	}
	d.CreatedAt = norm(d.CreatedAt)
	if d.RevokedAt != nil {
		t := norm(*d.RevokedAt)
		d.RevokedAt = &t
	}
	if _, err := tx.tx.ExecContext(ctx,
		"INSERT INTO devices (id, name, region_id, user_id, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
		d.ID, d.Name, nullString(d.RegionID), nullString(d.UserID), toMS(d.CreatedAt), nullMSPtr(d.RevokedAt)); err != nil {
		return Device{}, fmt.Errorf("add device %s: %w", d.ID, translate(err))
	}
	return d, nil
}

// Devices lists devices in order of enrolment.
func (db *DB) Devices(ctx context.Context) ([]Device, error) {
	rows, err := db.r.QueryContext(ctx,
		"SELECT id, name, ifnull(region_id, ''), ifnull(user_id, ''), created_at, revoked_at FROM devices ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", translate(err))
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var d Device
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Name, &d.RegionID, &d.UserID, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		d.CreatedAt, d.RevokedAt = fromMS(created), fromNullMSPtr(revoked)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list devices: %w", translate(err))
	}
	return out, nil
}

// ---- settings ----

// Setting returns a local setting; ErrNotFound when it was never set.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	return setting(ctx, db.r, key)
}

// Setting is DB.Setting inside the transaction.
func (tx *Tx) Setting(ctx context.Context, key string) (string, error) {
	return setting(ctx, tx.tx, key)
}

func setting(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, translate(err))
	}
	return v, nil
}

// SetSetting sets a local setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	return db.update(ctx, fmt.Sprintf("save setting %s", key), func(tx *Tx) error {
		return tx.SetSetting(ctx, key, value)
	})
}

// SetSetting is DB.SetSetting in a transaction.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return fmt.Errorf("save setting: %w: empty key", ErrInvalid)
	}
	if _, err := tx.tx.ExecContext(ctx,
		"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		key, value); err != nil {
		return fmt.Errorf("save setting %s: %w", key, translate(err))
	}
	return nil
}

// exists returns ErrNotFound unless table has a row with col = val. table and
// col are constants of this package.
func exists(ctx context.Context, q querier, table, col, val string) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE "+col+" = ?", val).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return translate(err)
}
