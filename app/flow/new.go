package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// Flow is the Workflow over the device's local store.
type Flow struct {
	db   *store.DB
	rd   *records.Reader
	rep  *records.Reports // rd is its Reader, so the standards cache is shared
	now  func() time.Time
	log  *slog.Logger
	host func() (string, error)

	devMu  sync.Mutex
	device string // this device's ID once known

	clauseMu sync.Mutex
	clauseOf map[string]string // item ID -> clause ID, over every version seen
}

var _ Workflow = (*Flow)(nil)

// Option configures New.
type Option func(*Flow)

// WithClock replaces the clock for start, finding, signature, seal and
// amendment times and for the repeat-offence window (tests).
func WithClock(now func() time.Time) Option { return func(f *Flow) { f.now = now } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(f *Flow) { f.log = l } }

// WithDeviceName names the device record created on first use instead of
// the host name.
func WithDeviceName(name string) Option {
	return func(f *Flow) { f.host = func() (string, error) { return name, nil } }
}

// SettingDevice is the setting that holds this device's ID. Enrolment with a
// hub writes it; until then New's first use creates a device record.
const SettingDevice = "device.id"

// New returns the workflow over db. It does not touch the database; this
// device's identity is settled on first use (see DeviceID).
func New(db *store.DB, opts ...Option) (*Flow, error) {
	if db == nil {
		return nil, errors.New("new workflow: no store")
	}
	rep := records.NewReports(db)
	f := &Flow{
		db:       db,
		rd:       rep.Reader,
		rep:      rep,
		now:      time.Now,
		log:      slog.Default(),
		host:     os.Hostname,
		clauseOf: map[string]string{},
	}
	for _, o := range opts {
		o(f)
	}
	// The shipped standard is known before any database lookup, so quick
	// phrases work from the first screen.
	f.learnClauses(standard.V1())
	return f, nil
}

// clock is now as the store keeps times.
func (f *Flow) clock() time.Time { return f.now().UTC().Truncate(inspect.TimePrecision) }

// DeviceID returns this device's ID, creating its device record on first use.
//
// A store holding exactly one device and no device setting is adopted as that
// device's: that is the demo database generated on first start (whose drafts
// and history belong to "the demo tablet"), and a store holding several
// devices is a hub's, where a new record is the honest choice.
func (f *Flow) DeviceID(ctx context.Context) (string, error) {
	f.devMu.Lock()
	defer f.devMu.Unlock()
	if f.device != "" {
		return f.device, nil
	}
	id, err := f.db.Setting(ctx, SettingDevice)
	switch {
	case err == nil && id != "":
		f.device = id
		return id, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return "", storeErr("identify this device", err)
	}
	devices, err := f.db.Devices(ctx)
	if err != nil {
		return "", storeErr("identify this device", err)
	}
	var adopt *store.Device
	if len(devices) == 1 && devices[0].RevokedAt == nil {
		adopt = &devices[0]
	}
	name, err := f.host()
	if err != nil || strings.TrimSpace(name) == "" {
		name = "tablet"
	}
	err = f.db.InTx(ctx, func(tx *store.Tx) error {
		// Another process may have got here first.
		if id, err := tx.Setting(ctx, SettingDevice); err == nil && id != "" {
			f.device = id
			return nil
		}
		if adopt != nil {
			f.device = adopt.ID
		} else {
			d, err := tx.AddDevice(ctx, store.Device{Name: name})
			if err != nil {
				return err
			}
			f.device = d.ID
		}
		return tx.SetSetting(ctx, SettingDevice, f.device)
	})
	if err != nil {
		f.device = ""
		return "", storeErr("register this device", err)
	}
	f.log.Info("device identity settled", "device", f.device, "adopted", adopt != nil)
	return f.device, nil
}

// standard returns a stored version of the standard, parsed and cached.
func (f *Flow) standard(ctx context.Context, version int) (*standard.Version, error) {
	v, err := f.rd.Standard(ctx, version)
	if err != nil {
		return nil, err
	}
	f.learnClauses(v)
	return v, nil
}

// newestStandard is the version a new inspection is recorded against.
func (f *Flow) newestStandard(ctx context.Context) (*standard.Version, error) {
	infos, err := f.db.Standards(ctx)
	if err != nil {
		return nil, err
	}
	if len(infos) == 0 {
		return nil, fmt.Errorf("%w: no standard has been imported on this device", ErrNotFound)
	}
	newest := slices.MaxFunc(infos, func(a, b store.StandardInfo) int { return a.Version - b.Version })
	return f.standard(ctx, newest.Version)
}

func (f *Flow) learnClauses(v *standard.Version) {
	f.clauseMu.Lock()
	defer f.clauseMu.Unlock()
	for _, s := range v.Sections {
		for _, it := range s.Items {
			f.clauseOf[it.ID] = it.Clause
		}
	}
}

// storeErr names the operation and, for a full disk or a locked database,
// says what it means for the user's work: nothing was saved. The store's
// sentinels stay in the chain (ErrStorageFull and ErrBusy are the same
// values), so errors.Is works with either package's name.
func storeErr(op string, err error) error {
	switch {
	case errors.Is(err, store.ErrDiskFull):
		return fmt.Errorf("%s: nothing was saved: %w", op, err)
	case errors.Is(err, store.ErrLocked):
		return fmt.Errorf("%s: nothing was saved, try again: %w", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// draftErr is storeErr for a change to a draft, which a failed call leaves
// exactly as it was: the screen can say so rather than fear a lost record.
func draftErr(op string, err error) error {
	switch {
	case errors.Is(err, store.ErrDiskFull):
		return fmt.Errorf("%s: nothing was saved, the draft is kept as it was: %w", op, err)
	case errors.Is(err, store.ErrLocked):
		return fmt.Errorf("%s: nothing was saved, the draft is kept as it was; try again: %w", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// MessageKey returns the translation key of the message a screen shows for
// err, "error.unexpected" for one it cannot explain, "" for nil.
func MessageKey(err error) string {
	keys := []struct {
		target error
		key    string
	}{
		{ErrStorageFull, "error.storage_full"},
		{ErrBusy, "error.busy"},
		{ErrBadInvite, "sync.error.bad_invite"},
		{dsync.ErrUnreachable, "sync.error.unreachable"},
		{dsync.ErrCertChanged, "sync.error.certificate_changed"},
		{dsync.ErrRevoked, "sync.error.device_revoked"},
		{dsync.ErrUnauthenticated, "sync.error.unauthenticated"},
		{dsync.ErrUpdateRequired, "sync.error.update_required"},
		{dsync.ErrHubTooOld, "sync.error.hub_too_old"},
		{dsync.ErrNotHub, "sync.error.not_hub"},
		{dsync.ErrEnrolment, "sync.error.enrolment_invalid"},
		{dsync.ErrBadReceipt, "sync.error.bad_receipt"},
		{dsync.ErrNotEnrolled, "sync.error.not_enrolled"},
		{dsync.ErrSyncRunning, "sync.error.sync_running"},
		{dsync.ErrRateLimited, "sync.error.unavailable"},
		{dsync.ErrUnavailable, "sync.error.unavailable"},
		{dsync.ErrInternal, "sync.error.unavailable"},
		{dsync.ErrForbidden, "sync.error.forbidden"},
		{inspect.ErrSealed, "error.sealed"},
		{ErrUnsigned, "error.unsigned"},
		{ErrNotOwner, "error.not_owner"},
		{ErrBadPhoto, "error.bad_photo"},
		{ErrPhotoDir, "error.photo_dir"},
		{store.ErrTooLarge, "error.bad_photo"},
		{ErrWrongPIN, "error.wrong_pin"},
		{ErrDisabled, "error.disabled"},
		{ErrNoFinding, "error.no_finding"},
		{ErrNotSealed, "error.not_sealed"},
		{ErrNotFound, "error.not_found"},
		{ErrInvalid, "error.invalid"},
		{store.ErrInvalid, "error.invalid"},
	}
	if err == nil {
		return ""
	}
	for _, k := range keys {
		if errors.Is(err, k.target) {
			return k.key
		}
	}
	return "error.unexpected"
}
