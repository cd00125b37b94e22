// Package store is the durable store of a device or hub: master data, standard
// versions, inspections with their findings and signatures, amendments, and
// the content-addressed photo files.
//
// The database is SQLite in WAL mode with a single writer connection and a
// read pool. Sealed inspections and amendments are immutable in the database
// itself (triggers), not only in this code, so a stray UPDATE fails loudly
// and Verify can tell when someone went around the triggers.
package store

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// Sentinel errors. Every error returned by this package is wrapped with the
// operation and record it concerns; test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	// ErrSealed is inspect.ErrSealed: a sealed record cannot change.
	ErrSealed = inspect.ErrSealed
	// ErrConflict: the record exists with different content (same standard
	// version with another hash, same UUID with another seal, a duplicate
	// unique key).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a rule (missing field, unknown role, ...).
	ErrInvalid = errors.New("invalid")
	// ErrNotSealed: the operation needs a sealed inspection (amendments).
	ErrNotSealed = errors.New("inspection is not sealed")
	// ErrDiskFull: the device has no room left; nothing was saved.
	ErrDiskFull = errors.New("device storage is full")
	// ErrLocked: another program held the database for longer than the busy
	// timeout; nothing was saved, trying again may work.
	ErrLocked = errors.New("database is busy")
	// ErrTooLarge: a photo is over the size limit.
	ErrTooLarge = errors.New("too large")
	// ErrAuth: unknown user name or wrong PIN (deliberately not saying which).
	ErrAuth = errors.New("wrong user name or PIN")
	// ErrDisabled: the account exists and the PIN is right, but it is disabled.
	ErrDisabled = errors.New("account is disabled")
	// ErrSchemaTooNew: the database was written by a newer version of Dudao.
	ErrSchemaTooNew = errors.New("database schema is newer than this app")
)

// Store is what the inspection flow, sync and the UI need from a store. The
// SQLite DB implements it; a hub back end on PostgreSQL would too.
type Store interface {
	CreateInspection(ctx context.Context, ins *inspect.Inspection) error
	AddPerson(ctx context.Context, inspectionID string, p *inspect.Person) error
	RemovePerson(ctx context.Context, inspectionID, personID string) error
	SaveFinding(ctx context.Context, inspectionID, personID string, f *inspect.Finding) error
	DeleteFinding(ctx context.Context, inspectionID, personID, itemID string) error
	SaveSignature(ctx context.Context, inspectionID string, s inspect.Signature) error
	ReassignDraft(ctx context.Context, inspectionID, supervisorID string) error
	Seal(ctx context.Context, inspectionID string, at time.Time) (string, error)
	ImportSealed(ctx context.Context, ins *inspect.Inspection) (bool, error)
	Inspection(ctx context.Context, id string) (*inspect.Inspection, error)
	ListInspections(ctx context.Context, f InspectionFilter) ([]InspectionSummary, error)
	CountInspections(ctx context.Context, f InspectionFilter) (int, error)
	AddAmendment(ctx context.Context, a *inspect.Amendment) error
	Amendments(ctx context.Context, inspectionID string) ([]inspect.Amendment, error)
	Verify(ctx context.Context, inspectionID string) (VerifyResult, error)
	RepeatOffences(ctx context.Context, staffID, itemID string, since time.Time) (int, error)
	RepeatCounts(ctx context.Context, staffID string, since time.Time) (map[string]int, error)

	PutPhoto(ctx context.Context, r io.Reader, mime string) (inspect.PhotoRef, error)
	OpenPhoto(sha string) (io.ReadCloser, error)

	ImportStandard(ctx context.Context, v *standard.Version, raw []byte) (bool, error)
	Standards(ctx context.Context) ([]StandardInfo, error)
	StandardBody(ctx context.Context, version int) ([]byte, error)
}

// MasterData is the hub-owned reference data: regions, halls, staff, users,
// devices, and local settings.
type MasterData interface {
	AddRegion(ctx context.Context, name string) (Region, error)
	Regions(ctx context.Context) ([]Region, error)
	AddHall(ctx context.Context, h Hall) (Hall, error)
	Halls(ctx context.Context) ([]Hall, error)
	ResolveHall(ctx context.Context, ref string) (Hall, error)
	UpsertStaff(ctx context.Context, s Staff) (Staff, error)
	Staff(ctx context.Context, f StaffFilter) ([]Staff, error)
	StaffByID(ctx context.Context, id string) (Staff, error)
	StaffByEmployeeNo(ctx context.Context, employeeNo string) (Staff, error)
	DeactivateStaff(ctx context.Context, id string, at time.Time) error
	ApplyRoster(ctx context.Context, c RosterChanges) (RosterResult, error)
	AddUser(ctx context.Context, u User, pin string) (User, error)
	Users(ctx context.Context) ([]User, error)
	Authenticate(ctx context.Context, username, pin string) (User, error)
	AddDevice(ctx context.Context, d Device) (Device, error)
	Devices(ctx context.Context) ([]Device, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

var (
	_ Store      = (*DB)(nil)
	_ MasterData = (*DB)(nil)
)

// Region groups halls; managers and devices may be scoped to one.
type Region struct {
	ID   string
	Name string
}

// Hall is a business hall.
type Hall struct {
	ID       string
	RegionID string
	Code     string
	Name     string
}

// Staff is a member of a hall's staff as the roster lists them.
type Staff struct {
	ID         string
	EmployeeNo string
	Name       string
	Gender     standard.Gender
	Role       standard.Role
	Badge      string
	HallID     string
	ActiveFrom time.Time
	ActiveTo   *time.Time // nil while active
}

// Active reports whether the staff member is active now.
func (s Staff) Active() bool { return s.ActiveAt(time.Now()) }

// ActiveAt reports whether the staff member was active at t: not yet
// deactivated, or deactivated after t.
func (s Staff) ActiveAt(t time.Time) bool { return s.ActiveTo == nil || s.ActiveTo.After(t) }

// StaffFilter selects staff. The zero value lists every active member.
type StaffFilter struct {
	HallID          string
	IncludeInactive bool
}

// UserRole is what a user may do.
type UserRole string

const (
	RoleSupervisor UserRole = "supervisor"
	RoleManager    UserRole = "manager"
)

// Valid reports whether r is a known user role.
func (r UserRole) Valid() bool { return r == RoleSupervisor || r == RoleManager }

// User is someone who logs in: a supervisor or a manager.
type User struct {
	ID       string
	Name     string
	Username string
	Role     UserRole
	RegionID string // empty: not scoped to a region
	Disabled bool
}

// Device is an enrolled tablet or desktop.
type Device struct {
	ID       string
	Name     string
	RegionID string
	// UserID is set for a manager's desktop: the manager it is bound to,
	// whose admin calls it carries. Empty for a tablet.
	UserID    string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// RosterChanges is one roster import: staff to add or update, and staff IDs
// no longer on the roster, deactivated at At (now when zero).
type RosterChanges struct {
	Upsert     []Staff
	Deactivate []string
	At         time.Time
	// Progress, when set, is called after each change applied with the
	// number done and the total (upserts and deactivations), on the
	// caller's goroutine, inside the transaction.
	Progress func(done, total int)
}

// RosterResult says what a roster import did. Staff holds the upserted staff
// with their IDs, in the order given.
type RosterResult struct {
	Added       int
	Updated     int
	Deactivated int
	Staff       []Staff
}

// StandardInfo describes an imported standard version.
type StandardInfo struct {
	Version     int
	Hash        string
	ImportedAt  time.Time
	Inspections int // how many inspections were recorded against it
}

// InspectionFilter selects inspections. Empty fields do not filter; From is
// inclusive and To exclusive on StartedAt; Limit 0 means no limit.
type InspectionFilter struct {
	HallID       string
	SupervisorID string
	StaffID      string // inspections in which this staff member was observed
	From, To     time.Time
	Status       inspect.Status
	Limit        int
	Offset       int
}

// InspectionSummary is one row of the inspection list.
type InspectionSummary struct {
	ID             string
	HallID         string
	HallName       string
	SupervisorID   string
	SupervisorName string
	StartedAt      time.Time
	Status         inspect.Status
	SealHash       string
	People         int
	Findings       int
}

// VerifyResult is the outcome of re-checking a stored inspection: its seal
// recomputed from the rows, every photo file re-hashed, every amendment
// re-sealed.
type VerifyResult struct {
	Status       inspect.Status
	StoredHash   string
	ComputedHash string
	SealOK       bool
	Photos       []PhotoCheck
	Amendments   []AmendmentCheck
}

// OK reports whether the inspection is sealed and every check passed.
func (r VerifyResult) OK() bool {
	if !r.SealOK {
		return false
	}
	for _, p := range r.Photos {
		if !p.OK {
			return false
		}
	}
	for _, a := range r.Amendments {
		if !a.OK {
			return false
		}
	}
	return true
}

// PhotoCheck is the check of one photo file.
type PhotoCheck struct {
	SHA256  string
	OK      bool
	Problem string // "missing", "hash mismatch: file hashes to …"
}

// AmendmentCheck is the check of one amendment's seal and chain.
type AmendmentCheck struct {
	ID      string
	OK      bool
	Problem string
}
