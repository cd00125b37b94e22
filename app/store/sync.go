package store

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// Sentinel errors of the sync side.
var (
	// ErrOutOfRegion: the record or photo belongs to a hall outside the
	// device's region.
	ErrOutOfRegion = errors.New("outside the device's region")
	// ErrRevoked: the device was revoked on the hub.
	ErrRevoked = errors.New("device is revoked")
	// ErrEnrolment: the enrolment code is unknown, used or expired.
	ErrEnrolment = errors.New("enrolment code is not valid")
)

// HubStore is what the sync server needs from the hub's store. The SQLite
// DB implements it; a PostgreSQL back end would implement the same methods
// and leave the protocol untouched.
type HubStore interface {
	HubIdentity(ctx context.Context) (HubIdentity, error)

	NewEnrolment(ctx context.Context, d Device, codeHash string, expires time.Time) (Device, error)
	RedeemEnrolment(ctx context.Context, codeHash, nonceHash, tokenHash string) (DeviceAccount, error)
	DeviceByToken(ctx context.Context, tokenHash string) (DeviceAccount, error)
	DeviceAccounts(ctx context.Context) ([]DeviceAccount, error)
	RevokeDevice(ctx context.Context, ref, reason string) (DeviceAccount, error)
	TouchDevice(ctx context.Context, id string, at time.Time) error
	NoteDeviceSync(ctx context.Context, deviceID string, at time.Time, pending int) error

	Receive(ctx context.Context, dev DeviceAccount, recs []Incoming) ([]ReceiveOutcome, error)
	PhotoUpload(ctx context.Context, deviceID, sha string) (PhotoUpload, error)
	PutPhotoChunk(ctx context.Context, deviceID, sha string, offset int64, chunk []byte) (PhotoUpload, error)
	HeldRecords(ctx context.Context, deviceID string) ([]HeldRecord, error)

	MasterChanges(ctx context.Context, regionID string, after int64, limit int) (MasterPage, error)
	ChangeTag(ctx context.Context, seq int64) (tag int64, held bool, err error)

	Conflicts(ctx context.Context) ([]Conflict, error)
	OffRoster(ctx context.Context, hallID string) ([]OffRosterPerson, error)
	Backup(ctx context.Context, path string) error

	// StandardBody lets the hub check received findings against the
	// standard version they were recorded with.
	StandardBody(ctx context.Context, version int) ([]byte, error)
}

// TabletStore is what the sync client needs from a tablet's store.
type TabletStore interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	SetSettings(ctx context.Context, kv map[string]string) error

	ApplyMaster(ctx context.Context, b MasterBatch, full bool, settings map[string]string) error
	EnqueueSealed(ctx context.Context, clockOffset *time.Duration) (int, error)
	Outbox(ctx context.Context, states ...OutboxState) ([]OutboxItem, error)
	UpdateOutbox(ctx context.Context, us []OutboxUpdate) error
	Requeue(ctx context.Context, id string) error

	Inspection(ctx context.Context, id string) (*inspect.Inspection, error)
	Inspections(ctx context.Context, ids []string) ([]*inspect.Inspection, error)
	Amendment(ctx context.Context, id string) (*inspect.Amendment, error)
	OpenPhoto(sha string) (io.ReadCloser, error)
}

var (
	_ HubStore    = (*DB)(nil)
	_ TabletStore = (*DB)(nil)
)

// RecordKind says whether a sealed record is an inspection or an amendment.
type RecordKind string

const (
	KindInspection RecordKind = "inspection"
	KindAmendment  RecordKind = "amendment"
)

// Valid reports whether k is a known kind.
func (k RecordKind) Valid() bool { return k == KindInspection || k == KindAmendment }

// HubIdentity names a hub and the epoch of its database. The epoch changes
// when the database is a restored backup, so a tablet can tell that the hub
// may have forgotten things and that its cursor means nothing any more.
type HubIdentity struct {
	HubID string
	Epoch string
}

// DeviceAccount is a device with its sync credentials' state.
type DeviceAccount struct {
	Device
	Enrolled     bool // the enrolment code was redeemed: the device holds a token
	EnrolledAt   time.Time
	RevokeReason string
	LastSeenAt   time.Time
	// LastSyncAt is when the device last finished a sync (the hub signed
	// its receipt); zero if never.
	LastSyncAt time.Time
	// Pending is what the device said at that sync it still had to send;
	// -1 when it did not say (or never synced).
	Pending int
	// CodeExpiresAt is when the device's unused enrolment code stops
	// working; zero once enrolled (or without a code).
	CodeExpiresAt time.Time
}

// Revoked reports whether the device was revoked.
func (d DeviceAccount) Revoked() bool { return d.RevokedAt != nil }

// Incoming is one sealed record a device delivers: exactly one of
// Inspection and Amendment is set. ClockOffset is the device's offset from
// the hub's clock measured at its previous sync, nil when never measured.
type Incoming struct {
	Inspection  *inspect.Inspection
	Amendment   *inspect.Amendment
	ClockOffset *time.Duration
}

// Key returns the record's kind and ID.
func (in Incoming) Key() RecordKey {
	switch {
	case in.Inspection != nil:
		return RecordKey{Kind: KindInspection, ID: in.Inspection.ID}
	case in.Amendment != nil:
		return RecordKey{Kind: KindAmendment, ID: in.Amendment.ID}
	}
	return RecordKey{}
}

// RecordKey names a sealed record.
type RecordKey struct {
	Kind RecordKind
	ID   string
}

// ReceiveStatus is what the hub did with a delivered record.
type ReceiveStatus string

const (
	// Stored: new to the hub, now held.
	Stored ReceiveStatus = "stored"
	// Held: the hub already held it with the same seal; nothing changed.
	Held ReceiveStatus = "held"
	// Conflicting: the hub holds another record under the same UUID.
	Conflicting ReceiveStatus = "conflict"
	// Rejected: the record breaks a rule; Err says which.
	Rejected ReceiveStatus = "rejected"
)

// ReceiveOutcome is the hub's answer for one delivered record.
type ReceiveOutcome struct {
	Key          RecordKey
	Status       ReceiveStatus
	ReceivedHash string
	HeldHash     string // the seal the hub holds, for Held and Conflicting
	Err          error  // for Rejected and Conflicting
	// The photos the record references and which of them the hub still needs.
	PhotosExpected int
	PhotosPresent  int
	Missing        []inspect.PhotoRef
}

// PhotoUpload is what the hub holds of one photo a device is to deliver.
type PhotoUpload struct {
	Ref      inspect.PhotoRef // as the record's manifest lists it
	Offset   int64            // bytes held of a partial upload
	Complete bool             // stored under its content address and verified
}

// HeldRecord is one record the hub holds for a device, for its receipt.
type HeldRecord struct {
	Key        RecordKey
	Hash       string
	ReceivedAt time.Time
	// ClockOffset is the device's clock minus the hub's as the device knew
	// it when it queued the record (nil: never measured).
	ClockOffset    *time.Duration
	PhotosExpected int
	PhotosPresent  int
}

// Complete reports whether every photo the record references is held.
func (h HeldRecord) Complete() bool { return h.PhotosPresent >= h.PhotosExpected }

// MasterKind is a kind of master data that tablets pull.
type MasterKind string

const (
	MasterRegion   MasterKind = "region"
	MasterHall     MasterKind = "hall"
	MasterStaff    MasterKind = "staff"
	MasterUser     MasterKind = "user"
	MasterStandard MasterKind = "standard"
)

// MasterKey names one master record; for a standard the ID is its version.
type MasterKey struct {
	Kind MasterKind
	ID   string
}

// UserRecord is a user with the PIN hash a tablet needs to sign them in
// offline.
type UserRecord struct {
	User
	PinHash string
}

// StandardRecord is a standard version as imported.
type StandardRecord struct {
	Version int
	Hash    string
	Body    []byte
}

// MasterBatch is master data to apply on a tablet: records to create or
// update, and tombstones of records deleted or gone out of the region.
type MasterBatch struct {
	Regions   []Region
	Halls     []Hall
	Staff     []Staff
	Users     []UserRecord
	Standards []StandardRecord
	Deleted   []MasterKey
}

// Len is the number of records and tombstones in the batch.
func (b MasterBatch) Len() int {
	return len(b.Regions) + len(b.Halls) + len(b.Staff) + len(b.Users) + len(b.Standards) + len(b.Deleted)
}

// MasterPage is one page of master-data changes for a region.
type MasterPage struct {
	Batch MasterBatch
	Last  int64 // the change number to continue after
	More  bool  // another page follows
	// LastTag is the tag of change Last (migration 0010), for the cursor:
	// ChangeTag tells later whether the hub still holds that change.
	LastTag int64
}

// Conflict is a record received with a seal other than the one held.
type Conflict struct {
	ID           int64
	Kind         RecordKind
	RecordID     string
	HeldHash     string
	ReceivedHash string
	DeviceID     string
	DeviceName   string
	FirstAt      time.Time
	LastAt       time.Time
	Attempts     int
}

// OffRosterPerson is someone observed in a sealed inspection who was not on
// the hall's roster on the device, for a manager to link to a roster entry.
type OffRosterPerson struct {
	InspectionID string
	HallID       string
	HallName     string
	StartedAt    time.Time
	PersonID     string
	Name         string
	EmployeeNo   string
	Badge        string
	Role         string
	Gender       string
}

// OutboxState is a sealed record's sync state on a tablet.
type OutboxState string

const (
	// OutboxSealed: sealed, not yet sent (or to be sent again).
	OutboxSealed OutboxState = "sealed"
	// OutboxSent: the hub took it, but no receipt says it is complete yet.
	OutboxSent OutboxState = "sent"
	// OutboxDelivered: a signed receipt says the hub holds it complete.
	OutboxDelivered OutboxState = "delivered"
	// OutboxParked: the hub refused it for a reason a person must fix; it is
	// tried again at the next sync, never in a loop.
	OutboxParked OutboxState = "parked"
	// OutboxQuarantined: the hub holds another record under its UUID; it is
	// never sent again unless a person requeues it.
	OutboxQuarantined OutboxState = "quarantined"
)

// OutboxItem is one sealed record on its way to the hub.
type OutboxItem struct {
	Key            RecordKey
	SealHash       string
	State          OutboxState
	ReasonCode     string
	Reason         string
	HeldHash       string
	Attempts       int
	PhotosExpected int
	PhotosPresent  int
	ClockOffset    *time.Duration
	QueuedAt       time.Time
	UpdatedAt      time.Time
	DeliveredAt    time.Time
	ReceiptEpoch   string
}

// OutboxUpdate changes one outbox item. Empty strings keep nothing: the
// reason is replaced (cleared when empty), as are the photo counts.
type OutboxUpdate struct {
	ID             string
	State          OutboxState
	ReasonCode     string
	Reason         string
	HeldHash       string
	PhotosExpected int
	PhotosPresent  int
	Attempted      bool   // count one more attempt
	ReceiptEpoch   string // for OutboxDelivered
	// DeliveredAt, for OutboxDelivered, is when by the hub's clock (its
	// receipt's time): the photo retention counts from it, so that a
	// device clock set wrong cannot free photos early. Zero: this device's
	// clock.
	DeliveredAt time.Time
}
