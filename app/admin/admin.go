// Package admin is what a manager does: halls and staff, roster imports,
// standard versions, every tablet's sealed inspections, period summaries,
// devices and the things that need a person's attention (sync conflicts,
// people observed off the roster).
//
// Service is written once and reached two ways. Local runs it on a store:
// the hub runs Local for the manager a request comes from (scoped to their
// region), dudao-hub's commands run the same functions, and a desktop with
// no hub configured (the demo, a single office) runs Local on its own
// database. Remote carries each call to a hub's admin API over the sync
// protocol's HTTPS with its certificate pinning; Server is the hub's end of
// it. So a rule (who may see what, how a roster is planned) lives in one
// place.
package admin

import (
	"context"
	"errors"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// Service is the manager's work. Every call is scoped to the manager's
// region (Scope): a hall, person, inspection or device outside it is
// ErrNotFound, as if it did not exist, so that nothing leaks its existence
// across regions. Errors wrap the sentinels below; test with errors.Is.
type Service interface {
	// Scope says who is working and over what.
	Scope(ctx context.Context) (Scope, error)

	// Halls of the region with their staff counts; query filters by code or
	// name (substring, case-insensitive), "" lists all.
	Halls(ctx context.Context, query string) ([]HallRow, error)
	// Staff lists the region's staff, newest roster first by hall code then
	// name.
	Staff(ctx context.Context, q StaffQuery) ([]StaffRow, error)
	// Person is one member of staff's details with their sealed
	// inspections, newest first, each with the person's own score and grade
	// (amendments applied), for the history and the score trend.
	Person(ctx context.Context, staffID string) (*PersonDetail, error)

	// PlanRoster reads a roster file (CSV or xlsx) and says what importing
	// it would do, changing nothing: rows to add and update, every rejected
	// row with its line and reason, who would be deactivated. progress (may
	// be nil) is called with rows done and total.
	PlanRoster(ctx context.Context, f RosterFile, progress Progress) (*RosterPlan, error)
	// ApplyRoster applies the file in one transaction, if its plan is still
	// the one the manager saw (planDigest = RosterPlan.Digest); otherwise
	// ErrStale and nothing changes.
	ApplyRoster(ctx context.Context, f RosterFile, planDigest string, progress Progress) (*RosterOutcome, error)

	// Standards lists the versions with how many inspections use each,
	// newest first.
	Standards(ctx context.Context) ([]store.StandardInfo, error)
	// Standard is one version, parsed, to browse its items.
	Standard(ctx context.Context, version int) (*standard.Version, error)
	// ImportStandard loads a standard file and stores it as a new version.
	// A file the loader refuses is an error wrapping ErrInvalid whose
	// *StandardError lists every problem with its line. A version is used
	// by every region: a regional manager is refused with ErrForbidden
	// (Scope.ImportsStandards says beforehand).
	ImportStandard(ctx context.Context, name string, data []byte) (store.StandardInfo, error)

	// Inspections is one page of the region's sealed inspections matching q,
	// newest first, with the total count.
	Inspections(ctx context.Context, q InspectionQuery) (InspectionPage, error)
	// FilterChoices are the values the inspection filters offer.
	FilterChoices(ctx context.Context) (FilterChoices, error)
	// Inspection is one sealed inspection, read-only, with its amendments.
	Inspection(ctx context.Context, id string) (*InspectionDetail, error)
	// Photo returns a photo or signature image by SHA-256 (ErrNotFound when
	// the hub does not hold it yet).
	Photo(ctx context.Context, sha256 string) ([]byte, error)
	// Verify re-checks an inspection's seal, photos and amendments.
	Verify(ctx context.Context, id string) (store.VerifyResult, error)
	// ExportInspection renders its PDF; name is a suggested file name.
	ExportInspection(ctx context.Context, id string, opt report.Options) (pdf []byte, name string, err error)

	// Summary computes the figures of a hall or the region over a period:
	// the same figures the summary PDF prints.
	Summary(ctx context.Context, q SummaryQuery) (*report.SummaryFigures, error)
	// ExportSummary renders the summary PDF; progress (may be nil) is
	// called with steps done and total.
	ExportSummary(ctx context.Context, q SummaryQuery, opt report.Options, progress Progress) (pdf []byte, name string, err error)

	// Devices of the region, with their last sync and pending counts.
	Devices(ctx context.Context) ([]DeviceRow, error)
	// EnrolDevice records a new tablet of the region and returns its
	// one-time code and invite (the QR code's content).
	EnrolDevice(ctx context.Context, name string) (Enrolment, error)
	// RevokeDevice refuses the device's token from now on. A manager's
	// desktop is ErrForbidden to a regional manager, and to its own
	// manager.
	RevokeDevice(ctx context.Context, deviceID, reason string) (DeviceRow, error)

	// Conflicts are records received under one UUID with different seals.
	Conflicts(ctx context.Context) ([]store.Conflict, error)
	// OffRoster lists people observed off the roster and not yet linked.
	OffRoster(ctx context.Context) ([]store.OffRosterPerson, error)
	// LinkOffRoster records that an off-roster person in an inspection is
	// this roster entry. The sealed record is not changed; the link is kept
	// beside it with who made it and when.
	LinkOffRoster(ctx context.Context, inspectionID, personID, staffID string) error
}

// Errors. Remote carries each across the wire, so errors.Is works on a
// desktop exactly as on the hub.
//
// Remote's other failures match none of these sentinels and are told apart
// with the sync package's (each a *RemoteError whose Code names it):
//   - sync.ErrCertChanged: the hub's certificate is not the one pinned at
//     enrolment, which may be an interception: not retried, and not
//     ErrUnavailable; the desktop is enrolled again once someone has checked
//     the hub.
//   - sync.ErrUpdateRequired: this app is too old for the hub; update it.
//   - sync.ErrHubTooOld: the hub runs an older version; update the hub.
//   - sync.ErrInternal: the hub failed (its log says why); nothing was done.
//
// ErrForbidden comes with the hub's reason in the message, and with
// sync.ErrRevoked for a revoked desktop (the message carries the
// revocation's reason), sync.ErrUnauthenticated for a token the hub does
// not know, and sync.ErrForbidden for a disabled account, another manager
// signed in, or a change this manager may not make.
var (
	ErrNotFound = store.ErrNotFound
	// ErrInvalid: the input breaks a rule; the message says which.
	ErrInvalid = store.ErrInvalid
	// ErrForbidden: the caller may not use the admin API (a tablet's token,
	// a supervisor, a disabled manager, another manager's desktop), or may
	// not make this change (a regional manager importing a standard,
	// revoking a manager's desktop).
	ErrForbidden = errors.New("not allowed for this account")
	// ErrStale: the roster changed since the dry run; plan again.
	ErrStale = errors.New("the roster changed since the dry run")
	// ErrUnavailable: the hub cannot be reached, or answered that it cannot
	// serve now (503); try again. A call that changes nothing changed
	// nothing. ApplyRoster says ErrOutcomeUnknown instead when its call may
	// have reached the hub; the other calls that change something may be
	// tried again safely when their answer was lost (ImportStandard of the
	// same file and RevokeDevice change nothing the second time,
	// LinkOffRoster is refused as done with ErrConflict, and an EnrolDevice
	// whose code nobody saw expires unused).
	ErrUnavailable = errors.New("the hub cannot be reached")
	// ErrBusy: the hub answered that it is busy (its table of long calls
	// is full, or this desktop calls too fast; also sync.ErrRateLimited);
	// nothing was started, try again in a minute.
	ErrBusy = errors.New("the hub is busy; try again in a minute")
	// ErrOutcomeUnknown: a call that changes the hub (ApplyRoster) was sent,
	// but the connection failed before its outcome could be learned, for
	// longer than RemoteOptions.OutcomePatience: it may or may not have been
	// applied. Not ErrUnavailable, which says nothing changed; look at the
	// staff list, or plan the file again (a plan with nothing to add or
	// update means it was applied).
	ErrOutcomeUnknown = errors.New("the import may or may not have been applied: the connection to the hub failed before its outcome was known; check the staff list, or run the dry run again")
)

// MaxUploadBytes bounds a file sent to the hub (a roster or a standard):
// the hub's admin API takes a call of up to 64 MB, and a file travels
// base64-encoded in JSON, a third larger. The Server refuses a larger one
// with ErrInvalid, and Remote before sending it.
const MaxUploadBytes = 40 << 20

// Progress reports long work: done of total (total 0 = not known yet).
// It may be called from any goroutine.
type Progress func(done, total int)

// Scope is the manager a Service works for.
type Scope struct {
	UserID, Username, Name string
	// RegionID is "" for a manager over every region (a single office).
	RegionID, RegionName string
	// ImportsStandards: this manager may import a standard version (one
	// over every region, or of the only region there is); ImportStandard
	// refuses anyone else with ErrForbidden.
	ImportsStandards bool
	// Remote is set when the calls go to a hub (HubURL); unset when they
	// run on this computer's database.
	Remote bool
	HubURL string
}

// HallRow is a hall with its staff counts.
type HallRow struct {
	store.Hall
	RegionName     string
	ActiveStaff    int
	LastInspection time.Time // zero if never inspected
}

// StaffQuery filters the staff list. Text matches name, employee number or
// badge (substring, case-insensitive).
type StaffQuery struct {
	HallID          string
	Text            string
	IncludeInactive bool
}

// StaffRow is one member of staff with their hall's name.
type StaffRow struct {
	store.Staff
	HallCode, HallName string
}

// PersonDetail is a member of staff with their history.
type PersonDetail struct {
	StaffRow
	Inspections []PersonInspection // newest first
	// Linked are off-roster observations a manager linked to this person.
	Linked int
}

// PersonInspection is one inspection that observed a person.
type PersonInspection struct {
	InspectionID string
	StartedAt    time.Time
	HallName     string
	Supervisor   string
	Scored       bool    // false when every item was N/A
	Score        float64 // the person's points, amendments applied
	Grade        string  // grade band ID
	Offences     int
	Amended      bool
}

// RosterFile is a roster as the manager picked it.
type RosterFile struct {
	Name     string // file name, for messages and the format (.csv, .xlsx)
	Data     []byte
	Encoding string // "" detects; "utf-8", "gbk", "gb18030" force
}

// RosterPlan is a dry run's result.
type RosterPlan struct {
	File       string
	Encoding   string // "" for xlsx
	Lines      int
	Rows       int // rows read and valid
	Halls      []string
	Add        []RosterChange
	Update     []RosterChange
	Unchanged  int
	Deactivate []StaffRow
	Rejects    []RosterReject
	// HeldBack: deactivation was skipped because a rejected row could not be
	// tied to a person who might be among those it would hit.
	HeldBack bool
	Warnings []string
	// Digest identifies this plan: ApplyRoster refuses to apply a file
	// whose plan has changed since.
	Digest string
}

// RosterChange is one person added or updated.
type RosterChange struct {
	Line       int
	EmployeeNo string
	Name       string
	HallName   string
	Role       standard.Role
	Gender     standard.Gender
	Badge      string
	// Changes lists "field: old → new" for an update.
	Changes []string
}

// RosterReject is a row that will not be imported, and why.
type RosterReject struct {
	Line   int
	Reason string
	Row    []string
}

// RosterOutcome is what an import did.
type RosterOutcome struct {
	Added, Updated, Deactivated, Rejected int
}

// StandardError lists every problem the loader found in a standard file.
type StandardError struct {
	File     string
	Problems []string // "line 12: items[3].clause: unknown clause G9.9"
}

func (e *StandardError) Error() string {
	if len(e.Problems) == 1 {
		return e.File + ": " + e.Problems[0]
	}
	return e.File + ": " + itoa(len(e.Problems)) + " problems, the first: " + e.Problems[0]
}

func (e *StandardError) Unwrap() error { return ErrInvalid }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Completeness filters inspections by whether the hub holds every photo
// they reference.
type Completeness string

const (
	AnyCompleteness Completeness = ""
	Complete        Completeness = "complete"
	Incomplete      Completeness = "incomplete"
)

// InspectionQuery filters the inspection list. Empty fields do not filter;
// From and To are whole days in the halls' zone, both included.
type InspectionQuery struct {
	HallID       string
	StaffID      string // observed in it
	SupervisorID string
	From, To     time.Time
	Grade        string // grade band ID of the effective (amended) record
	Completeness Completeness
	Offset       int
	Limit        int // 0: 100
}

// InspectionPage is one page of results and the total that match.
type InspectionPage struct {
	Rows  []InspectionRow
	Total int
}

// InspectionRow is one sealed inspection in the list.
type InspectionRow struct {
	ID             string
	HallID         string
	HallName       string
	SupervisorID   string
	SupervisorName string
	DeviceName     string
	StartedAt      time.Time
	SealHash       string
	People         int
	Findings       int
	Scored         bool
	Score          float64 // the hall's overall score, amendments applied
	Grade          string
	Amendments     int
	PhotosExpected int
	PhotosPresent  int
}

// Complete reports whether every photo it references is held.
func (r InspectionRow) Complete() bool { return r.PhotosPresent >= r.PhotosExpected }

// FilterChoices are the values the filters offer.
type FilterChoices struct {
	Halls       []store.Hall
	Supervisors []store.User
	Grades      []standard.GradeBand // of the newest standard, best first
}

// InspectionDetail is a sealed inspection opened read-only.
type InspectionDetail struct {
	Inspection *inspect.Inspection
	Amendments []inspect.Amendment
	Standard   *standard.Version
	HallName   string
	Supervisor string
	DeviceName string
	// ReceivedAt is when the hub received it (zero on a local database).
	ReceivedAt     time.Time
	PhotosExpected int
	PhotosPresent  int
	// Effective is the record with its amendments applied, and Result its
	// score, person by person, with reasons (Score.Explain).
	Effective *inspect.Inspection
	Result    inspect.Result
}

// SummaryQuery selects a hall ("" = the manager's whole region, or every
// hall for a manager over every region) and whole days.
type SummaryQuery struct {
	HallID   string
	From, To time.Time
}

// DeviceRow is an enrolled (or pending) device.
type DeviceRow struct {
	store.DeviceAccount
	RegionName string
	Manager    string // username for a manager's desktop; "" for a tablet
	// LastSync is the device's last completed sync (receipt), zero if none.
	LastSync time.Time
	// Pending is what the device said it still had to send at its last
	// sync; -1 if it never said.
	Pending int
	// Delivered counts the records the hub holds from it.
	Delivered int
}

// Enrolment is a new device's one-time code and the invite carrying it.
type Enrolment struct {
	Device  DeviceRow
	Code    string
	Expires time.Time
	// Invite is the dudao://enrol URI (hub address, certificate pins, code)
	// for the QR code; "" when there is no hub to enrol with (a local
	// database), in which case EnrolDevice is ErrInvalid.
	Invite string
}

// RejectedLines counts the rows with at least one reject (a row may be
// rejected for several reasons), as RosterOutcome.Rejected counts them.
func (p *RosterPlan) RejectedLines() int {
	lines := make(map[int]bool, len(p.Rejects))
	for _, r := range p.Rejects {
		lines[r.Line] = true
	}
	return len(lines)
}
