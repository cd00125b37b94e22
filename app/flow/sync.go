package flow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	stdsync "sync"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// Syncer is what the screens need of sync with the hub (app/sync). *Sync
// implements it; it is separate from Workflow because a device works
// without a hub, and the screens offer sync only when they have one.
type Syncer interface {
	// Enrolled reports whether this device is enrolled with a hub.
	Enrolled(ctx context.Context) bool
	// SyncStatus is what the settings show: the hub, this device, the last
	// sync, and the hub's message if it revoked this device.
	SyncStatus(ctx context.Context) (SyncStatus, error)
	// Enrol enrols this device with the hub of an invite: the
	// dudao://enrol?… text the hub shows and puts in its QR code. Records of
	// this device from before keep showing in the history, and go to the hub
	// at the next sync. A text that is not an invite is ErrBadInvite.
	Enrol(ctx context.Context, invite string) error
	// SyncNow runs one sync: pull master data, push sealed records and their
	// photos, take the hub's receipt. progress (may be nil) gets the
	// progress in order, from sync's goroutines: it must return quickly.
	// Network failures are retried with backoff before SyncNow gives up.
	// A second SyncNow while one runs returns an error that is
	// dsync.ErrSyncRunning.
	SyncNow(ctx context.Context, progress func(SyncProgress)) (SyncReport, error)
	// Pending lists the sealed records not delivered yet, with why.
	Pending(ctx context.Context) ([]PendingItem, error)
	// PendingCount is how many sealed records are not delivered yet: what
	// Pending would list, counted without listing them.
	PendingCount(ctx context.Context) (int, error)
	// Requeue puts a parked or quarantined record back in line once a
	// person has dealt with its reason.
	Requeue(ctx context.Context, id string) error
}

// Progress and report of a sync, as app/sync gives them.
type (
	SyncProgress = dsync.Progress
	SyncReport   = dsync.Report
	SyncStage    = dsync.Stage
)

// SyncStatus is this device's sync state.
type SyncStatus struct {
	Enrolled    bool
	HubURL      string
	HubID       string
	DeviceID    string
	DeviceName  string
	LastSync    time.Time     // zero before the first complete sync
	ClockOffset time.Duration // this device's clock minus the hub's
	// Revoked is the hub's message when it revoked this device; the
	// records not sent stay on the device (and can be exported as PDF).
	Revoked string
}

// PendingItem is a sealed record not yet delivered to the hub.
type PendingItem struct {
	ID   string
	Kind string // "inspection" or "amendment"
	// InspectionID is the inspection (amended), HallName and StartedAt its.
	InspectionID string
	HallName     string
	StartedAt    time.Time
	// State is StateSealed (waiting to be sent, or refused: see Parked),
	// StateSent (the hub lacks photos) or StateQuarantined (the hub holds
	// another record under the same ID; never retried by itself).
	State  SyncState
	Parked bool
	// ReasonCode is the app/sync error code (sync.error.<code> in the
	// translations), empty when the record simply waits; Reason is the
	// hub's or the client's message.
	ReasonCode string
	Reason     string
	// SealHash is this device's seal, HeldHash the one the hub holds (for a
	// quarantined record).
	SealHash, HeldHash            string
	PhotosExpected, PhotosPresent int
	Attempts                      int
	QueuedAt                      time.Time
}

// ErrBadInvite: the text is not a hub's enrolment invite.
var ErrBadInvite = errors.New("not a Dudao enrolment code")

// settingPrevious holds the device IDs this device had before enrolling
// (space-separated): their records are still this device's.
const settingPrevious = "device.previous"

// Sync is the Syncer over a Flow's store and an app/sync client.
type Sync struct {
	f   *Flow
	opt dsync.ClientOptions

	mu       stdsync.Mutex
	c        *dsync.Client // nil until enrolled or opened
	progress func(SyncProgress)

	running stdsync.Mutex // one SyncNow at a time
}

var _ Syncer = (*Sync)(nil)

// NewSync returns the sync facade over f. opt tunes the client (tests make
// the backoff short); its Progress is replaced by SyncNow's callback. The
// logger defaults to f's.
func NewSync(f *Flow, opt dsync.ClientOptions) *Sync {
	if opt.Logger == nil {
		opt.Logger = f.log
	}
	s := &Sync{f: f, opt: opt}
	s.opt.Progress = s.emit
	return s
}

func (s *Sync) emit(p SyncProgress) {
	s.mu.Lock()
	fn := s.progress
	s.mu.Unlock()
	if fn != nil {
		fn(p)
	}
}

// client returns the enrolled client, opening it on first use.
func (s *Sync) client(ctx context.Context) (*dsync.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		return s.c, nil
	}
	c, err := dsync.Open(ctx, s.f.db, s.opt)
	if err != nil {
		return nil, err
	}
	s.c = c
	return c, nil
}

// Client is the sync client of the hub this device is enrolled with, for
// the manager's desk: admin.NewRemote calls the hub's admin API over it.
// Not enrolled, the error wraps sync.ErrNotEnrolled.
func (s *Sync) Client(ctx context.Context) (*dsync.Client, error) { return s.client(ctx) }

func (s *Sync) Enrolled(ctx context.Context) bool {
	_, err := s.client(ctx)
	return err == nil
}

func (s *Sync) SyncStatus(ctx context.Context) (SyncStatus, error) {
	c, err := s.client(ctx)
	if errors.Is(err, dsync.ErrNotEnrolled) {
		dev, derr := s.f.DeviceID(ctx)
		return SyncStatus{DeviceID: dev}, derr
	}
	if err != nil {
		return SyncStatus{}, fmt.Errorf("read sync status: %w", err)
	}
	st := c.Status(ctx)
	return SyncStatus{Enrolled: true, HubURL: st.HubURL, HubID: st.HubID, DeviceID: st.DeviceID,
		DeviceName: st.DeviceName, LastSync: st.LastSync, ClockOffset: st.ClockOffset, Revoked: st.Revoked}, nil
}

func (s *Sync) Enrol(ctx context.Context, text string) error {
	const op = "enrol with the hub"
	inv, err := dsync.ParseInvite(text)
	if err != nil {
		return fmt.Errorf("%s: %w: %v", op, ErrBadInvite, err)
	}
	if !s.running.TryLock() {
		return fmt.Errorf("%s: %w", op, &dsync.Error{Code: dsync.CodeSyncRunning})
	}
	defer s.running.Unlock()
	// The records made under this device's ID so far stay this device's:
	// remember the ID before enrolment replaces it.
	old, err := s.f.DeviceID(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := s.f.rememberDevice(ctx, old); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	c, err := dsync.Enrol(ctx, s.f.db, inv, s.opt)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	s.mu.Lock()
	s.c = c
	s.mu.Unlock()
	// app/sync wrote the hub's device ID as this device's: read it again.
	s.f.forgetDevice()
	s.f.log.Info("enrolled with the hub", "hub", c.HubID(), "device", c.DeviceID(), "previous", old)
	return nil
}

func (s *Sync) SyncNow(ctx context.Context, progress func(SyncProgress)) (SyncReport, error) {
	const op = "sync with the hub"
	c, err := s.client(ctx)
	if err != nil {
		return SyncReport{}, fmt.Errorf("%s: %w", op, err)
	}
	if !s.running.TryLock() {
		return SyncReport{}, fmt.Errorf("%s: %w", op, &dsync.Error{Code: dsync.CodeSyncRunning})
	}
	defer s.running.Unlock()
	s.mu.Lock()
	s.progress = progress
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.progress = nil
		s.mu.Unlock()
	}()
	rep, err := c.Sync(ctx)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", op, err)
	}
	s.pruneDelivered(ctx, rep.HubTime)
	return rep, nil
}

// PhotoRetention is how long a tablet keeps the photos and signature images
// of records after a hub receipt says they were delivered. Within it, a hub
// restored from an older backup gets them sent again; after it, the hub's
// own backups hold them. The tablet's screens and reports show a
// placeholder for a photo that is only on the hub.
const PhotoRetention = 30 * 24 * time.Hour

// pruneDelivered frees the tablet's storage of photos delivered longer than
// PhotoRetention ago, by the hub's clock (hubNow, the receipt's time; the
// delivered marks are dated by it too): a tablet whose clock jumps a year
// ahead must not free every photo at once. A failure costs space, not
// data, so it is logged and the sync still counts as done.
func (s *Sync) pruneDelivered(ctx context.Context, hubNow time.Time) {
	if hubNow.IsZero() {
		return
	}
	res, err := s.f.db.PruneDeliveredPhotos(ctx, hubNow.Add(-PhotoRetention))
	switch {
	case err != nil:
		s.f.log.Warn("free delivered photos", "err", err)
	case res.Files > 0:
		s.f.log.Info("freed delivered photos", "files", res.Files, "bytes", res.Bytes)
	}
}

func (s *Sync) PendingCount(ctx context.Context) (int, error) {
	n, err := s.f.db.UndeliveredCount(ctx)
	if err != nil {
		return 0, storeErr("count records not delivered", err)
	}
	return n, nil
}

func (s *Sync) Pending(ctx context.Context) ([]PendingItem, error) {
	const op = "list records not delivered"
	var items []store.OutboxItem
	c, err := s.client(ctx)
	switch {
	case err == nil:
		items, err = c.Pending(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	case errors.Is(err, dsync.ErrNotEnrolled):
		// Not enrolled: everything sealed waits for a hub.
		if _, err := s.f.db.EnqueueSealed(ctx, nil); err != nil {
			return nil, storeErr(op, err)
		}
		items, err = s.f.db.Outbox(ctx, store.OutboxSealed, store.OutboxSent, store.OutboxParked, store.OutboxQuarantined)
		if err != nil {
			return nil, storeErr(op, err)
		}
	default:
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := make([]PendingItem, 0, len(items))
	for _, it := range items {
		p := PendingItem{ID: it.Key.ID, Kind: string(it.Key.Kind), InspectionID: it.Key.ID,
			State: syncState(it.State), Parked: it.State == store.OutboxParked,
			ReasonCode: it.ReasonCode, Reason: it.Reason, SealHash: it.SealHash, HeldHash: it.HeldHash,
			PhotosExpected: it.PhotosExpected, PhotosPresent: it.PhotosPresent, Attempts: it.Attempts, QueuedAt: it.QueuedAt}
		if it.Key.Kind == store.KindAmendment {
			if a, err := s.f.db.Amendment(ctx, it.Key.ID); err == nil {
				p.InspectionID = a.InspectionID
			}
		}
		if ins, err := s.f.db.Inspection(ctx, p.InspectionID); err == nil {
			p.StartedAt = ins.StartedAt
			p.HallName, _ = s.f.hallName(ctx, ins.HallID)
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Sync) Requeue(ctx context.Context, id string) error {
	c, err := s.client(ctx)
	if err != nil {
		return fmt.Errorf("requeue %s: %w", id, err)
	}
	if err := c.Requeue(ctx, id); err != nil {
		return fmt.Errorf("requeue %s: %w", id, err)
	}
	return nil
}

// syncState is the state the history shows for an outbox state. A parked
// record (refused by the hub) is still only sealed: it is not on the hub.
func syncState(s store.OutboxState) SyncState {
	switch s {
	case store.OutboxSent:
		return StateSent
	case store.OutboxDelivered:
		return StateDelivered
	case store.OutboxQuarantined:
		return StateQuarantined
	}
	return StateSealed
}

// outboxStates maps inspection IDs to their sync state: the worst of the
// inspection's and its amendments', since the record a manager reads on the
// hub is the inspection as amended. An inspection delivered whose amendment
// is not queued yet, waiting or quarantined is not delivered as the tablet
// shows it.
func (f *Flow) outboxStates(ctx context.Context) (map[string]SyncState, error) {
	items, err := f.db.Outbox(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]SyncState, len(items))
	for _, it := range items {
		if it.Key.Kind == store.KindInspection {
			m[it.Key.ID] = syncState(it.State)
		}
	}
	amendments, err := f.db.UndeliveredAmendments(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range amendments {
		st := StateSealed // not queued yet
		if a.State != "" {
			st = syncState(a.State)
		}
		if cur, ok := m[a.InspectionID]; ok && syncRank[st] > syncRank[cur] {
			m[a.InspectionID] = st
		}
	}
	return m, nil
}

// syncRank orders sync states from done to furthest from done.
var syncRank = map[SyncState]int{StateDelivered: 0, StateSent: 1, StateSealed: 2, StateQuarantined: 3}

// rememberDevice adds id to the device IDs this device had.
func (f *Flow) rememberDevice(ctx context.Context, id string) error {
	prev, err := f.previousDevices(ctx)
	if err != nil {
		return err
	}
	if id == "" || slices.Contains(prev, id) {
		return nil
	}
	if err := f.db.SetSetting(ctx, settingPrevious, strings.Join(append(prev, id), " ")); err != nil {
		return storeErr("remember this device's ID", err)
	}
	return nil
}

func (f *Flow) previousDevices(ctx context.Context) ([]string, error) {
	v, err := f.db.Setting(ctx, settingPrevious)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeErr("read this device's earlier IDs", err)
	}
	return strings.Fields(v), nil
}

// forgetDevice drops the cached device ID, so the next DeviceID reads the
// setting enrolment wrote.
func (f *Flow) forgetDevice() {
	f.devMu.Lock()
	f.device = ""
	f.devMu.Unlock()
}

// myDevices is the set of IDs whose records are this device's: its ID and
// those it had before enrolling.
func (f *Flow) myDevices(ctx context.Context) (map[string]bool, error) {
	dev, err := f.DeviceID(ctx)
	if err != nil {
		return nil, err
	}
	prev, err := f.previousDevices(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{dev: true}
	for _, p := range prev {
		m[p] = true
	}
	return m, nil
}
