package store

// The hub's side of sync: its identity, device enrolment and tokens, and
// receiving sealed records. Photos are in syncphoto.go, master-data changes
// in syncmaster.go.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// Setting keys of the hub's identity. settingRestored marks a backup copy:
// the first HubIdentity on a database that has it gives the hub a new
// epoch and removes it, so that each restore of one backup file is an
// epoch of its own (a backup restored twice would otherwise come back with
// an epoch its tablets had already seen after the first restore, and they
// would skip the master data the hub lost).
const (
	settingHubID    = "hub.id"
	settingEpoch    = "hub.epoch"
	settingRestored = "hub.restored-copy"
)

// newEpoch returns a fresh random epoch. Random rather than counted: two
// backups of the same hub restored on two machines must not share one.
func newEpoch() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate epoch: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// HubIdentity returns the hub's ID and epoch, creating both on first use.
func (db *DB) HubIdentity(ctx context.Context) (HubIdentity, error) {
	if !db.restoreChecked.Load() {
		if err := db.takeRestoredEpoch(ctx); err != nil {
			return HubIdentity{}, err
		}
		db.restoreChecked.Store(true)
	}
	id, err1 := db.Setting(ctx, settingHubID)
	epoch, err2 := db.Setting(ctx, settingEpoch)
	if err1 == nil && err2 == nil && id != "" && epoch != "" {
		return HubIdentity{HubID: id, Epoch: epoch}, nil
	}
	var out HubIdentity
	err := db.update(ctx, "create hub identity", func(tx *Tx) error {
		newHub, err := newID()
		if err != nil {
			return err
		}
		e, err := newEpoch()
		if err != nil {
			return err
		}
		// Another process (serve and an admin command) may race here: the
		// first writer wins and both read its values back.
		for k, v := range map[string]string{settingHubID: newHub, settingEpoch: e} {
			if _, err := tx.tx.ExecContext(ctx,
				"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", k, v); err != nil {
				return translate(err)
			}
		}
		if out.HubID, err = tx.Setting(ctx, settingHubID); err != nil {
			return err
		}
		out.Epoch, err = tx.Setting(ctx, settingEpoch)
		return err
	})
	return out, err
}

// takeRestoredEpoch gives a restored backup its own epoch (settingRestored).
// Of two processes opening it at once, only the one that removes the mark
// changes the epoch.
func (db *DB) takeRestoredEpoch(ctx context.Context) error {
	if _, err := db.Setting(ctx, settingRestored); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("hub identity: %w", err)
	}
	return db.update(ctx, "give the restored hub a new epoch", func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", settingRestored)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		epoch, err := newEpoch()
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, "UPDATE settings SET value = ? WHERE key = ?", epoch, settingEpoch); err != nil {
			return translate(err)
		}
		db.log.Info("this hub database is a restored backup: it takes a new sync epoch, and tablets re-check what it holds", "epoch", epoch)
		return nil
	})
}

// ---- devices ----

const deviceAccountCols = `id, name, ifnull(region_id, ''), ifnull(user_id, ''), created_at, revoked_at,
	token_hash IS NOT NULL, enrolled_at, revoke_reason, last_seen_at, last_sync_at, ifnull(pending_count, -1),
	(SELECT max(expires_at) FROM sync_enrolments e WHERE e.device_id = devices.id AND e.used_at IS NULL)`

func scanDeviceAccount(sc interface{ Scan(...any) error }) (DeviceAccount, error) {
	var d DeviceAccount
	var created int64
	var revoked, enrolled, seen, synced, codeExpires sql.NullInt64
	if err := sc.Scan(&d.ID, &d.Name, &d.RegionID, &d.UserID, &created, &revoked, &d.Enrolled, &enrolled,
		&d.RevokeReason, &seen, &synced, &d.Pending, &codeExpires); err != nil {
		return DeviceAccount{}, err
	}
	if !d.Enrolled {
		d.CodeExpiresAt = fromNullMS(codeExpires)
	}
	d.CreatedAt, d.RevokedAt = fromMS(created), fromNullMSPtr(revoked)
	d.EnrolledAt, d.LastSeenAt, d.LastSyncAt = fromNullMS(enrolled), fromNullMS(seen), fromNullMS(synced)
	return d, nil
}

// NewEnrolment records a device to be enrolled and its one-time code (as a
// hash), valid until expires. The device gets its token when a tablet
// redeems the code.
//
// A tablet (UserID empty) needs a region. A manager's desktop (UserID set)
// is bound to an enabled manager and takes the manager's region, which is
// empty for a manager over every region; a RegionID given for it must be
// that region.
func (db *DB) NewEnrolment(ctx context.Context, d Device, codeHash string, expires time.Time) (Device, error) {
	what := fmt.Sprintf("enrol device %q", d.Name)
	if strings.TrimSpace(d.Name) == "" {
		return Device{}, fmt.Errorf("%s: %w: empty name", what, ErrInvalid)
	}
	if d.RegionID == "" && d.UserID == "" {
		return Device{}, fmt.Errorf("%s: %w: no region", what, ErrInvalid)
	}
	if codeHash == "" {
		return Device{}, fmt.Errorf("%s: %w: no code", what, ErrInvalid)
	}
	err := db.update(ctx, what, func(tx *Tx) error {
		if d.UserID != "" {
			u, err := scanUser(tx.tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", d.UserID))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("%s: user %s: %w", what, d.UserID, ErrNotFound)
			case err != nil:
				return fmt.Errorf("%s: %w", what, translate(err))
			case u.Role != RoleManager:
				return fmt.Errorf("%s: %w: %s is a %s; only a manager's desktop is bound to a user", what, ErrInvalid, u.Username, u.Role)
			case u.Disabled:
				return fmt.Errorf("%s: %w: %s", what, ErrDisabled, u.Username)
			case d.RegionID != "" && d.RegionID != u.RegionID:
				return fmt.Errorf("%s: %w: region %s is not the region of manager %s", what, ErrInvalid, d.RegionID, u.Username)
			}
			d.RegionID = u.RegionID
		}
		if d.RegionID != "" {
			if err := exists(ctx, tx.tx, "regions", "id", d.RegionID); err != nil {
				return fmt.Errorf("%s: region %s: %w", what, d.RegionID, err)
			}
		}
		var err error
		if d, err = tx.AddDevice(ctx, d); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx,
			"INSERT INTO sync_enrolments (code_hash, device_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
			codeHash, d.ID, toMS(db.now()), toMS(expires)); err != nil {
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		return nil
	})
	return d, err
}

// RedeemEnrolment exchanges a one-time code for a device token (stored as
// tokenHash). nonceHash identifies the redeeming tablet: the same tablet may
// redeem the same code again before it expires, which replaces the token
// (its first answer was lost); another tablet may not.
func (db *DB) RedeemEnrolment(ctx context.Context, codeHash, nonceHash, tokenHash string) (DeviceAccount, error) {
	var dev DeviceAccount
	err := db.update(ctx, "redeem enrolment code", func(tx *Tx) error {
		var deviceID string
		var expires int64
		var used sql.NullInt64
		var nonce sql.NullString
		err := tx.tx.QueryRowContext(ctx,
			"SELECT device_id, expires_at, used_at, nonce_hash FROM sync_enrolments WHERE code_hash = ?", codeHash).
			Scan(&deviceID, &expires, &used, &nonce)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("redeem enrolment code: %w: unknown code", ErrEnrolment)
		case err != nil:
			return fmt.Errorf("redeem enrolment code: %w", translate(err))
		case db.now().After(fromMS(expires)):
			return fmt.Errorf("redeem enrolment code: %w: it expired at %s", ErrEnrolment,
				fromMS(expires).In(inspect.HallZone).Format("2006-01-02 15:04"))
		case used.Valid && nonce.String != nonceHash:
			return fmt.Errorf("redeem enrolment code: %w: it was already used", ErrEnrolment)
		}
		d, err := scanDeviceAccount(tx.tx.QueryRowContext(ctx,
			"SELECT "+deviceAccountCols+" FROM devices WHERE id = ?", deviceID))
		if err != nil {
			return fmt.Errorf("redeem enrolment code: device %s: %w", deviceID, translate(err))
		}
		if d.Revoked() {
			return fmt.Errorf("redeem enrolment code: device %s: %w", deviceID, ErrRevoked)
		}
		now := db.now()
		if _, err := tx.tx.ExecContext(ctx,
			"UPDATE devices SET token_hash = ?, enrolled_at = ? WHERE id = ?", tokenHash, toMS(now), deviceID); err != nil {
			return fmt.Errorf("redeem enrolment code: %w", translate(err))
		}
		if _, err := tx.tx.ExecContext(ctx,
			"UPDATE sync_enrolments SET used_at = ?, nonce_hash = ? WHERE code_hash = ?", toMS(now), nonceHash, codeHash); err != nil {
			return fmt.Errorf("redeem enrolment code: %w", translate(err))
		}
		d.Enrolled, d.EnrolledAt = true, now
		dev = d
		return nil
	})
	return dev, err
}

// DeviceByToken finds the device holding a token, by the token's hash.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash string) (DeviceAccount, error) {
	if tokenHash == "" {
		return DeviceAccount{}, fmt.Errorf("find device by token: %w", ErrNotFound)
	}
	d, err := scanDeviceAccount(db.r.QueryRowContext(ctx,
		"SELECT "+deviceAccountCols+" FROM devices WHERE token_hash = ?", tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return DeviceAccount{}, fmt.Errorf("find device by token: %w", ErrNotFound)
	}
	if err != nil {
		return DeviceAccount{}, fmt.Errorf("find device by token: %w", translate(err))
	}
	return d, nil
}

// DeviceAccounts lists devices in order of creation.
func (db *DB) DeviceAccounts(ctx context.Context) ([]DeviceAccount, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+deviceAccountCols+" FROM devices ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", translate(err))
	}
	var out []DeviceAccount
	if err := eachRow(rows, func() error {
		d, err := scanDeviceAccount(rows)
		out = append(out, d)
		return err
	}); err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// RevokeDevice revokes a device by its ID or its exact name (when only one
// device has it): its token stops working at once and its unused enrolment
// codes with it. Revoking a revoked device keeps the first date and reason.
func (db *DB) RevokeDevice(ctx context.Context, ref, reason string) (DeviceAccount, error) {
	ref, reason = strings.TrimSpace(ref), strings.TrimSpace(reason)
	var dev DeviceAccount
	err := db.update(ctx, fmt.Sprintf("revoke device %s", ref), func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx,
			"SELECT "+deviceAccountCols+" FROM devices WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC, created_at", ref)
		if err != nil {
			return fmt.Errorf("revoke device %s: %w", ref, translate(err))
		}
		var found []DeviceAccount
		if err := eachRow(rows, func() error {
			d, err := scanDeviceAccount(rows)
			found = append(found, d)
			return err
		}); err != nil {
			return fmt.Errorf("revoke device %s: %w", ref, err)
		}
		switch {
		case len(found) == 0:
			return fmt.Errorf("device %q: %w", ref, ErrNotFound)
		case len(found) > 1 && found[0].ID != ref:
			return fmt.Errorf("device %q: %w: %d devices have that name; give the ID", ref, ErrInvalid, len(found))
		}
		dev = found[0]
		if dev.Revoked() {
			return nil
		}
		if reason == "" {
			reason = "revoked by the hub's administrator"
		}
		now := db.now()
		if _, err := tx.tx.ExecContext(ctx,
			"UPDATE devices SET revoked_at = ?, revoke_reason = ? WHERE id = ?", toMS(now), reason, dev.ID); err != nil {
			return fmt.Errorf("revoke device %s: %w", ref, translate(err))
		}
		if _, err := tx.tx.ExecContext(ctx,
			"UPDATE sync_enrolments SET expires_at = min(expires_at, ?) WHERE device_id = ? AND used_at IS NULL",
			toMS(now), dev.ID); err != nil {
			return fmt.Errorf("revoke device %s: %w", ref, translate(err))
		}
		dev.RevokedAt, dev.RevokeReason = &now, reason
		return nil
	})
	return dev, err
}

// NoteDeviceSync records that a device finished a sync (the hub signed its
// receipt) at at, and what it said it still had to send: pending < 0 means
// it did not say, which is kept as not known rather than as the count of an
// earlier sync. An unknown device is ErrNotFound.
func (db *DB) NoteDeviceSync(ctx context.Context, deviceID string, at time.Time, pending int) error {
	var p sql.NullInt64
	if pending >= 0 {
		p = sql.NullInt64{Int64: int64(pending), Valid: true}
	}
	return db.update(ctx, "note sync of device "+deviceID, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, "UPDATE devices SET last_sync_at = ?, pending_count = ? WHERE id = ?",
			toMS(norm(at)), p, deviceID)
		if err != nil {
			return fmt.Errorf("note sync of device %s: %w", deviceID, translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("note sync of device %s: %w", deviceID, ErrNotFound)
		}
		return nil
	})
}

// TouchDevice records when a device was last heard from.
func (db *DB) TouchDevice(ctx context.Context, id string, at time.Time) error {
	return db.update(ctx, "touch device "+id, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "UPDATE devices SET last_seen_at = ? WHERE id = ?", toMS(norm(at)), id); err != nil {
			return fmt.Errorf("touch device %s: %w", id, translate(err))
		}
		return nil
	})
}

// ---- receiving sealed records ----

// Receive takes sealed records delivered by a device, all in one write
// transaction, each in its own savepoint so that one bad record rolls back
// alone. The duplicate check and the insert run in that one transaction, so
// concurrent deliveries of one record store exactly one copy (kobocat#470).
// The hub stamps its own received time. A failure of the transaction itself
// (disk full, database busy) returns an error and keeps nothing.
func (db *DB) Receive(ctx context.Context, dev DeviceAccount, recs []Incoming) ([]ReceiveOutcome, error) {
	if dev.ID == "" || dev.RegionID == "" {
		return nil, fmt.Errorf("receive records: %w: device without ID or region", ErrInvalid)
	}
	var out []ReceiveOutcome
	receive := func(batchReadBack bool) error {
		return db.update(ctx, fmt.Sprintf("receive %d records from device %s", len(recs), dev.ID), func(tx *Tx) error {
			out = out[:0]
			tx.batchReadBack = batchReadBack
			now := db.now()
			for i, in := range recs {
				o, err := tx.receiveOne(ctx, dev, in, now, i)
				if err != nil {
					return err
				}
				out = append(out, o)
			}
			if batchReadBack {
				return tx.readBackAll(ctx)
			}
			return nil
		})
	}
	err := receive(true)
	if errors.Is(err, errStoredForm) {
		db.log.Error("an inspection received does not read back as it was sealed; storing the batch one record at a time",
			"device", dev.ID, "err", err)
		err = receive(false)
	}
	if err != nil {
		return nil, err
	}
	// Presence is a file system question; ask it after the commit.
	for i := range out {
		if out[i].Status == Stored || out[i].Status == Held {
			db.fillPresence(ctx, &out[i])
		}
	}
	return out, nil
}

// recordRejection tells an error that is the record's fault (it is refused
// and the others go on) from one of the transaction (everything stops).
func recordRejection(err error) bool {
	for _, e := range []error{ErrInvalid, ErrNotFound, ErrConflict, ErrNotSealed, ErrSealed, ErrOutOfRegion, ErrTooLarge} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (tx *Tx) receiveOne(ctx context.Context, dev DeviceAccount, in Incoming, now time.Time, i int) (ReceiveOutcome, error) {
	key := in.Key()
	o := ReceiveOutcome{Key: key}
	if (in.Inspection == nil) == (in.Amendment == nil) || key.ID == "" {
		o.Status, o.Err = Rejected, fmt.Errorf("record %d: %w: exactly one inspection or amendment with an ID", i+1, ErrInvalid)
		return o, nil
	}
	// One name for every record's savepoint: each is released or rolled back
	// before the next begins, and one statement text is prepared once.
	const sp = "rec"
	if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
		return o, fmt.Errorf("receive %s %s: %w", key.Kind, key.ID, translate(err))
	}
	readBackLen := len(tx.readBack)
	var photos []inspect.PhotoRef
	var err error
	if in.Inspection != nil {
		o.ReceivedHash = in.Inspection.SealHash
		photos = in.Inspection.Photos()
		o.Status, o.HeldHash, err = tx.receiveInspection(ctx, dev, in.Inspection)
	} else {
		o.ReceivedHash = in.Amendment.SealHash
		photos = amendmentPhotos(in.Amendment)
		o.Status, o.HeldHash, err = tx.receiveAmendment(ctx, dev, in.Amendment)
	}
	if err == nil && o.Status == Conflicting {
		err = tx.recordConflict(ctx, dev.ID, key, o.HeldHash, o.ReceivedHash, now)
		if err == nil {
			o.Err = fmt.Errorf("%s %s: %w: the hub holds seal %s, this device sent %s",
				key.Kind, key.ID, ErrConflict, o.HeldHash, o.ReceivedHash)
		}
	}
	if err == nil && (o.Status == Stored || o.Status == Held) {
		err = tx.noteReceived(ctx, dev.ID, key, o.ReceivedHash, photos, in.ClockOffset, now)
		o.PhotosExpected = len(photos)
		o.Missing = photos // narrowed to the missing ones after the commit
	}
	if err != nil {
		tx.readBack = tx.readBack[:readBackLen]
		for _, stmt := range []string{"ROLLBACK TO " + sp, "RELEASE " + sp} {
			if _, rerr := tx.tx.ExecContext(ctx, stmt); rerr != nil {
				return o, fmt.Errorf("receive %s %s: roll back: %w", key.Kind, key.ID, translate(rerr))
			}
		}
		if !recordRejection(err) {
			return o, err
		}
		o.Status, o.Err, o.Missing, o.PhotosExpected = Rejected, err, nil, 0
		return o, nil
	}
	if _, err := tx.tx.ExecContext(ctx, "RELEASE "+sp); err != nil {
		return o, fmt.Errorf("receive %s %s: %w", key.Kind, key.ID, translate(err))
	}
	return o, nil
}

// staffSeenInRegion refuses (ErrOutOfRegion) a member of staff the device
// could not have been given: one the hub has in another region now, and
// whom its change log (the region of every version of a staff row the hub
// served) never had in the device's region. A person moved to another
// region after the inspection was made still passes, so a tablet that was
// offline meanwhile is not refused a true record; so does an ID the hub
// does not hold at all (removed since, or lost by a restore from a backup
// older than the tablet's roster), which no other region's reports can
// show.
func (tx *Tx) staffSeenInRegion(ctx context.Context, staffID, region string) error {
	key := "staff\x00" + staffID + "\x00" + region
	if tx.known[key] {
		return nil
	}
	var now string
	err := tx.tx.QueryRowContext(ctx, `SELECT h.region_id FROM staff s JOIN halls h ON h.id = s.hall_id
		WHERE s.id = ?`, staffID).Scan(&now)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return translate(err)
	case now != region:
		// Rare (a transfer or a forged record), so the log's scan of the
		// region's changes is paid only then.
		var ever bool
		if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sync_changes
			WHERE region_id = ? AND kind = 'staff' AND entity_id = ?)`, region, staffID).Scan(&ever); err != nil {
			return translate(err)
		}
		if !ever {
			return fmt.Errorf("%w: on another region's roster on the hub, never on this one's", ErrOutOfRegion)
		}
	}
	tx.noteKnown(key)
	return nil
}

// hallRegion returns the region of a hall, ErrNotFound when the hub does not
// know the hall.
func hallRegion(ctx context.Context, q querier, hallID string) (string, error) {
	var region string
	err := q.QueryRowContext(ctx, "SELECT region_id FROM halls WHERE id = ?", hallID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("hall %s: %w on the hub", hallID, ErrNotFound)
	}
	return region, translate(err)
}

func (tx *Tx) receiveInspection(ctx context.Context, dev DeviceAccount, ins *inspect.Inspection) (ReceiveStatus, string, error) {
	fail := func(err error) (ReceiveStatus, string, error) {
		return Rejected, "", fmt.Errorf("inspection %s: %w", ins.ID, err)
	}
	// The hall's region and what the hub holds under the ID, in one query.
	// "+?" keeps SQLite from re-planning the join at every call (see
	// markSealed).
	var region, status, held sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT h.region_id, i.status, i.seal_hash FROM (SELECT 1)
		LEFT JOIN halls h ON h.id = +?1 LEFT JOIN inspections i ON i.id = +?2`, ins.HallID, ins.ID).
		Scan(&region, &status, &held)
	switch {
	case err != nil:
		return fail(translate(err))
	case !region.Valid:
		return fail(fmt.Errorf("hall %s: %w on the hub", ins.HallID, ErrNotFound))
	case region.String != dev.RegionID:
		return fail(fmt.Errorf("hall %s: %w", ins.HallID, ErrOutOfRegion))
	}
	tx.noteKnown(hallKey(ins.HallID))
	switch {
	case status.Valid && status.String == string(inspect.StatusSealed) && held.String == ins.SealHash:
		return Held, held.String, nil
	case status.Valid:
		return Conflicting, held.String, nil
	}
	for _, p := range ins.People {
		if p.StaffID == "" {
			continue // off the roster: the manager links them (staff offroster)
		}
		if err := tx.staffSeenInRegion(ctx, p.StaffID, dev.RegionID); err != nil {
			return fail(fmt.Errorf("person %s (%s): %w", p.StaffID, p.Name, err))
		}
	}
	if _, err := tx.importSealed(ctx, ins, true); err != nil {
		return Rejected, "", err
	}
	return Stored, ins.SealHash, nil
}

func (tx *Tx) receiveAmendment(ctx context.Context, dev DeviceAccount, a *inspect.Amendment) (ReceiveStatus, string, error) {
	fail := func(err error) (ReceiveStatus, string, error) {
		return Rejected, "", fmt.Errorf("amendment %s: %w", a.ID, err)
	}
	if a.SealHash == "" {
		return fail(fmt.Errorf("%w: not sealed", ErrInvalid))
	}
	var hall string
	err := tx.tx.QueryRowContext(ctx, "SELECT hall_id FROM inspections WHERE id = ?", a.InspectionID).Scan(&hall)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(fmt.Errorf("the inspection it amends, %s, is %w on the hub yet", a.InspectionID, ErrNotFound))
	} else if err != nil {
		return fail(translate(err))
	}
	region, err := hallRegion(ctx, tx.tx, hall)
	if err != nil {
		return fail(err)
	}
	if region != dev.RegionID {
		return fail(fmt.Errorf("hall %s: %w", hall, ErrOutOfRegion))
	}
	var held string
	err = tx.tx.QueryRowContext(ctx, "SELECT seal_hash FROM amendments WHERE id = ?", a.ID).Scan(&held)
	switch {
	case err == nil && held == a.SealHash:
		return Held, held, nil
	case err == nil:
		return Conflicting, held, nil
	case !errors.Is(err, sql.ErrNoRows):
		return fail(translate(err))
	}
	// AddAmendment fills and trims fields; a sealed record must arrive
	// complete, and the seal check inside catches any difference.
	c := *a
	c.Changes = append([]inspect.Change(nil), a.Changes...)
	for i, ch := range c.Changes {
		if ch.Finding != nil {
			f := *ch.Finding
			f.Photos = append([]inspect.PhotoRef(nil), f.Photos...)
			c.Changes[i].Finding = &f
		}
	}
	if err := tx.AddAmendment(ctx, &c); err != nil {
		return Rejected, "", err
	}
	return Stored, a.SealHash, nil
}

// amendmentPhotos lists the photos an amendment's changes reference, each once.
func amendmentPhotos(a *inspect.Amendment) []inspect.PhotoRef {
	seen := map[string]bool{}
	var out []inspect.PhotoRef
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
	return out
}

func (tx *Tx) noteReceived(ctx context.Context, deviceID string, key RecordKey, hash string, photos []inspect.PhotoRef, offset *time.Duration, now time.Time) error {
	var off sql.NullInt64
	if offset != nil {
		off = sql.NullInt64{Int64: offset.Milliseconds(), Valid: true}
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO sync_received
		(device_id, record_id, kind, seal_hash, received_at, clock_offset_ms) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (device_id, record_id) DO NOTHING`,
		deviceID, key.ID, key.Kind, hash, toMS(now), off); err != nil {
		return fmt.Errorf("%s %s: note received: %w", key.Kind, key.ID, translate(err))
	}
	// The manifest is written for a held record too: a record stored by
	// other means (before sync existed) gets one the first time it is sent.
	for _, p := range photos {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO sync_record_photos (record_id, sha256, size, type)
			VALUES (?, ?, ?, ?) ON CONFLICT (record_id, sha256) DO NOTHING`,
			key.ID, p.SHA256, p.Size, p.Type); err != nil {
			return fmt.Errorf("%s %s: photo manifest: %w", key.Kind, key.ID, translate(err))
		}
	}
	return nil
}

func (tx *Tx) recordConflict(ctx context.Context, deviceID string, key RecordKey, held, received string, now time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO sync_conflicts
		(kind, record_id, held_hash, received_hash, device_id, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (record_id, received_hash, device_id) DO UPDATE SET
			last_at = excluded.last_at, attempts = attempts + 1`,
		key.Kind, key.ID, held, received, deviceID, toMS(now), toMS(now)); err != nil {
		return fmt.Errorf("%s %s: record conflict: %w", key.Kind, key.ID, translate(err))
	}
	return nil
}

// fillPresence narrows o.Missing to the photos the hub does not hold yet.
func (db *DB) fillPresence(ctx context.Context, o *ReceiveOutcome) {
	var missing []inspect.PhotoRef
	for _, p := range o.Missing {
		if !db.photoHeld(p.SHA256, p.Size) {
			missing = append(missing, p)
		}
	}
	o.Missing = missing
	o.PhotosPresent = o.PhotosExpected - len(missing)
}

// HeldRecords lists every record the hub holds for a device (that the device
// delivered), with its photos expected and present, ordered by kind and ID.
func (db *DB) HeldRecords(ctx context.Context, deviceID string) ([]HeldRecord, error) {
	type row struct {
		HeldRecord
		shas []string
	}
	var rows []row
	err := db.readTx(ctx, func(q querier) error {
		rs, err := q.QueryContext(ctx, `SELECT r.kind, r.record_id, r.seal_hash, r.received_at, r.clock_offset_ms,
			ifnull((SELECT group_concat(sha256 || ':' || size, ' ') FROM sync_record_photos p WHERE p.record_id = r.record_id), '')
			FROM sync_received r WHERE r.device_id = ? ORDER BY r.kind, r.record_id`, deviceID)
		if err != nil {
			return translate(err)
		}
		return eachRow(rs, func() error {
			var r row
			var at int64
			var offset sql.NullInt64
			var shas string
			if err := rs.Scan(&r.Key.Kind, &r.Key.ID, &r.Hash, &at, &offset, &shas); err != nil {
				return err
			}
			r.ReceivedAt = fromMS(at)
			if offset.Valid {
				d := time.Duration(offset.Int64) * time.Millisecond
				r.ClockOffset = &d
			}
			r.shas = strings.Fields(shas)
			rows = append(rows, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list records held for device %s: %w", deviceID, err)
	}
	held := map[string]bool{}
	out := make([]HeldRecord, len(rows))
	for i, r := range rows {
		r.PhotosExpected = len(r.shas)
		for _, s := range r.shas {
			ok, seen := held[s]
			if !seen {
				sha, size, _ := strings.Cut(s, ":")
				n, err := strconv.ParseInt(size, 10, 64)
				ok = err == nil && db.photoHeld(sha, n)
				held[s] = ok
			}
			if ok {
				r.PhotosPresent++
			}
		}
		out[i] = r.HeldRecord
	}
	return out, nil
}

// ---- listings for the hub's administrator ----

// Conflicts lists the records received with a seal other than the one held,
// newest first.
func (db *DB) Conflicts(ctx context.Context) ([]Conflict, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.id, c.kind, c.record_id, c.held_hash, c.received_hash,
		c.device_id, ifnull(d.name, ''), c.first_at, c.last_at, c.attempts
		FROM sync_conflicts c LEFT JOIN devices d ON d.id = c.device_id ORDER BY c.last_at DESC, c.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", translate(err))
	}
	return scanConflicts(rows)
}

// scanConflicts reads rows of the columns Conflicts and ConflictsIn select.
func scanConflicts(rows *sql.Rows) ([]Conflict, error) {
	var out []Conflict
	if err := eachRow(rows, func() error {
		var c Conflict
		var first, last int64
		if err := rows.Scan(&c.ID, &c.Kind, &c.RecordID, &c.HeldHash, &c.ReceivedHash, &c.DeviceID, &c.DeviceName,
			&first, &last, &c.Attempts); err != nil {
			return err
		}
		c.FirstAt, c.LastAt = fromMS(first), fromMS(last)
		out = append(out, c)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	return out, nil
}

// OffRoster lists the people recorded off-roster in sealed inspections,
// newest inspection first; hallID "" lists every hall.
func (db *DB) OffRoster(ctx context.Context, hallID string) ([]OffRosterPerson, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT i.id, i.hall_id, ifnull(h.name, ''), i.started_at,
		p.id, p.name, p.employee_no, p.badge, p.role, p.gender
		FROM observed_people p JOIN inspections i ON i.id = p.inspection_id
		LEFT JOIN halls h ON h.id = i.hall_id
		WHERE p.off_roster = 1 AND i.status = 'sealed' AND (?1 = '' OR i.hall_id = ?1)
		ORDER BY i.started_at DESC, i.id, p.position`, hallID)
	if err != nil {
		return nil, fmt.Errorf("list off-roster people: %w", translate(err))
	}
	return scanOffRoster(rows)
}

// scanOffRoster reads rows of the columns OffRoster and UnlinkedOffRoster
// select.
func scanOffRoster(rows *sql.Rows) ([]OffRosterPerson, error) {
	var out []OffRosterPerson
	if err := eachRow(rows, func() error {
		var p OffRosterPerson
		var started int64
		if err := rows.Scan(&p.InspectionID, &p.HallID, &p.HallName, &started, &p.PersonID, &p.Name,
			&p.EmployeeNo, &p.Badge, &p.Role, &p.Gender); err != nil {
			return err
		}
		p.StartedAt = fromMS(started)
		out = append(out, p)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list off-roster people: %w", err)
	}
	return out, nil
}
