// Package flow is the supervisor's inspection workflow on a device, without
// any UI: sign in, pick a hall and the staff on duty, record exceptions person
// by person, review the scores, sign and seal, amend, browse history. The
// screens in app/ui call it and hold no rules of their own.
//
// Every call that changes a draft commits it durably before it returns, so a
// screen may say "saved" the moment a call succeeds, and killing the app at
// any point resumes the draft exactly as the last successful call left it.
package flow

import (
	"context"
	"errors"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// Workflow is what the screens need. *Flow implements it over the local store;
// screen tests may use the real thing on a temporary database.
type Workflow interface {
	// Sign-in.
	Users(ctx context.Context) ([]User, error)
	SignIn(ctx context.Context, username, pin string) (User, error)

	// Starting: halls, recently inspected by this user first; query filters by
	// code or name (substring, case-insensitive); "" lists all.
	Halls(ctx context.Context, user User, query string) ([]Hall, error)
	// LastHall is the hall this device last inspected for the user, "" if none.
	LastHall(ctx context.Context, user User) (string, error)
	// OnDuty lists the hall's active staff, with Present set for those ticked
	// at the user's last visit to that hall.
	OnDuty(ctx context.Context, user User, hallID string) ([]DutyStaff, error)
	// Start creates a draft for the hall with the ticked staff (by staff ID)
	// and remembers the selection for next time. The start time is now.
	Start(ctx context.Context, user User, hallID string, staffIDs []string) (*Draft, error)
	// Drafts lists this device's unsealed inspections for the user, newest
	// first, so the app can offer to resume one.
	Drafts(ctx context.Context, user User) ([]Summary, error)
	// Open loads an inspection, draft or sealed, with everything needed to
	// show it.
	Open(ctx context.Context, inspectionID string) (*Draft, error)

	// People during a draft.
	AddPerson(ctx context.Context, d *Draft, staffID string) (*Subject, error)
	AddOffRoster(ctx context.Context, d *Draft, name string, role standard.Role, gender standard.Gender) (*Subject, error)
	RemovePerson(ctx context.Context, d *Draft, personID string) error

	// Checklist returns a subject's items that apply, grouped by section,
	// with their current findings and repeat counts (personID "" = hall).
	Checklist(ctx context.Context, d *Draft, personID string) (*Subject, error)

	// Recording, on the subject's checklist (personID "" = hall items). Each
	// returns the item's new state, with its repeat-offence hint. What one
	// tap means for check and tally items, and why a note alone is refused
	// on a conforming item (ErrNoFinding), is documented in record.go.
	ToggleNonconform(ctx context.Context, d *Draft, personID, itemID string) (ItemState, error)
	SetNotApplicable(ctx context.Context, d *Draft, personID, itemID string, na bool) (ItemState, error)
	SetTally(ctx context.Context, d *Draft, personID, itemID string, observed, failed int) (ItemState, error)
	SetNote(ctx context.Context, d *Draft, personID, itemID, note string) (ItemState, error)
	// AttachPhoto decodes the image (JPEG, PNG), shrinks it to at most
	// MaxPhotoPixels on its longer side, re-encodes it as JPEG, stores it by
	// content address and adds it to the finding (marking the item
	// nonconform if it conformed). A corrupt or unsupported file returns an
	// error wrapping ErrBadPhoto and attaches nothing.
	AttachPhoto(ctx context.Context, d *Draft, personID, itemID, name string, data []byte) (ItemState, error)
	RemovePhoto(ctx context.Context, d *Draft, personID, itemID, sha256 string) (ItemState, error)
	// Photo returns the bytes of a stored photo or signature image by its
	// SHA-256, for thumbnails of drafts resumed after a restart and of
	// sealed inspections. ErrNotFound when the file is not on the device.
	Photo(ctx context.Context, sha256 string) ([]byte, error)
	// QuickPhrases are canned notes for an item (and general ones).
	QuickPhrases(itemID string) []standard.Text

	// Review and seal.
	Review(ctx context.Context, d *Draft) (*Review, error)
	// SignSupervisor and SignStaff store a drawn signature (PNG bytes, may be
	// nil when a staff member declines) and a disagreement in the person's
	// own words. SignSupervisor with nil withdraws the supervisor's
	// signature, so the draft cannot be sealed until they sign again.
	// SignSupervisor and Seal take the signed-in user and refuse a draft
	// another supervisor started (ErrNotOwner): the signature is stored
	// under the draft's supervisor.
	SignSupervisor(ctx context.Context, user User, d *Draft, png []byte) error
	SignStaff(ctx context.Context, d *Draft, personID string, png []byte, disagreement string) error
	// Seal needs the supervisor's signature; it returns the seal hash.
	Seal(ctx context.Context, user User, d *Draft) (string, error)
	// CanTakeOver reports whether a draft's supervisor can no longer sign
	// in on this device; TakeOver then makes user its supervisor.
	CanTakeOver(ctx context.Context, d *Draft) (bool, error)
	TakeOver(ctx context.Context, user User, d *Draft) error

	// Corrections after sealing.
	Amend(ctx context.Context, user User, inspectionID, reason string, changes []inspect.Change) (*inspect.Amendment, error)

	// History of this device's inspections.
	History(ctx context.Context, f HistoryFilter) ([]Summary, error)
	// Grades are the grade bands of the newest standard, best first, for
	// the history's grade filter.
	Grades(ctx context.Context) ([]standard.GradeBand, error)
	// Staff lists every member of staff of a hall ("" = every hall on this
	// device), including those who have left (Left set), for the history's
	// person filter: their inspections stay on file after they go.
	Staff(ctx context.Context, hallID string) ([]StaffMember, error)

	Exporter
}

// Exporter renders PDF reports (package report) from the device's records.
// Rendering takes a moment; screens call it off the UI thread.
type Exporter interface {
	// ExportInspection renders the report of a sealed inspection; name is a
	// suggested file name (督导报告-<hall>-<date>.pdf). A draft is
	// ErrNotSealed.
	ExportInspection(ctx context.Context, inspectionID string, opt report.Options) (pdf []byte, name string, err error)
	// ExportPersonHistory renders a member of staff's history over whole
	// days from and to (both included, in the halls' zone); name is a
	// suggested file name. A period without inspections gives a report
	// that says so.
	ExportPersonHistory(ctx context.Context, staffID string, from, to time.Time, opt report.Options) (pdf []byte, name string, err error)
}

// Errors the screens show with their own message (see MessageKey). Every
// error a Workflow returns is wrapped with the operation and record it
// concerns; test with errors.Is.
var (
	// ErrBadPhoto: the file is not a JPEG or PNG image we can read.
	ErrBadPhoto = errors.New("unsupported or corrupt photo")
	// ErrUnsigned: sealing needs the supervisor's signature first.
	ErrUnsigned = errors.New("the supervisor has not signed")
	// ErrNotOwner: only the supervisor who started a draft signs it as its
	// supervisor and seals it; anyone else on the device may only look.
	ErrNotOwner = errors.New("the draft belongs to another supervisor")
	// ErrWrongPIN: unknown user or wrong PIN, deliberately not saying which.
	ErrWrongPIN = errors.New("wrong user name or PIN")
	// ErrDisabled: the PIN is right but the account is disabled.
	ErrDisabled = errors.New("account is disabled")
	// ErrInvalid: the input breaks a rule (counts out of range, an item that
	// does not apply, a note too long, a person without a name, ...); the
	// message says which.
	ErrInvalid = errors.New("not allowed")
	// ErrNoFinding: a note was given for an item that conforms. Recording is
	// exception-first, so a note belongs to a finding: mark the item first.
	ErrNoFinding = errors.New("the item conforms: mark it before adding a note")
	// ErrNotFound: the inspection, person, hall or member of staff does not
	// exist on this device.
	ErrNotFound = store.ErrNotFound
	// ErrStorageFull: the device has no room left; nothing was saved and the
	// draft is as it was before the call.
	ErrStorageFull = store.ErrDiskFull
	// ErrBusy: another program held the database too long; nothing was
	// saved, trying again may work.
	ErrBusy = store.ErrLocked
	// ErrPhotoDir: the photo directory cannot be written, so a photo or a
	// signature image was not stored; the draft is as it was. The error is a
	// *PhotoDirError naming the directory.
	ErrPhotoDir = errors.New("the photo directory cannot be written")
	// ErrNotSealed: only a sealed inspection can be amended (or exported).
	ErrNotSealed = store.ErrNotSealed
)

// MissingSupervisorSignature is the Review.Missing key for a draft the
// supervisor has not signed yet.
const MissingSupervisorSignature = "review.missing.supervisor_signature"

// MaxPhotoPixels bounds the longer side of a stored photo.
const MaxPhotoPixels = 1600

// User is a person who can sign in on this device.
type User struct {
	ID, Username, Name string
	Manager            bool
}

// Hall is a hall to inspect.
type Hall struct {
	ID, Code, Name string
	LastVisit      time.Time // this user's last inspection there; zero if none
}

// DutyStaff is one member of a hall's roster on the start screen.
type DutyStaff struct {
	ID, EmployeeNo, Name, Badge string
	Role                        standard.Role
	Gender                      standard.Gender
	Present                     bool // ticked at the last visit
}

// Draft is an inspection being recorded (or a sealed one opened read-only),
// with the standard it is recorded against.
//
// Each call that changes a draft updates Inspection in place once the store
// has committed the change, so a screen re-renders from it without reloading;
// a call that fails leaves it as it was. A Draft is not safe for concurrent
// use: one screen drives it at a time.
type Draft struct {
	// Inspection is the record as stored; for a sealed inspection it is the
	// sealed original, which amendments never change.
	Inspection *inspect.Inspection
	Standard   *standard.Version // shared and immutable: do not modify
	HallName   string
	// ReadOnly is set for sealed inspections: recording calls return
	// inspect.ErrSealed.
	ReadOnly bool
	// Amendments are the corrections of a sealed inspection, oldest first.
	// Checklist and Review show the record with them applied (as reports
	// score it); Inspection stays the original.
	Amendments []inspect.Amendment
}

// Subject is one checklist: a person, or the hall (PersonID "").
type Subject struct {
	PersonID string
	Person   *inspect.Person // nil for the hall
	Sections []SectionState
}

// SectionState is a section of a subject's checklist, only with the items
// that apply to the subject.
type SectionState struct {
	Section standard.Section // Items emptied; see Items
	Items   []ItemState
}

// ItemState is one item on a checklist as the screen shows it.
type ItemState struct {
	Item    standard.Item
	Clause  standard.Clause
	Finding *inspect.Finding // nil: conforms
	// Repeats is how many earlier sealed findings this person has on the
	// item in the last RepeatWindow; the hint "3rd time in 90 days" is
	// Repeats+1 when the item is marked now. Always 0 for the hall and for
	// people off the roster; for a sealed inspection, the window before it
	// started.
	Repeats int
}

// RepeatWindow is how far back repeat offences are counted.
const RepeatWindow = 90 * 24 * time.Hour

// Review is the summary shown before sealing.
type Review struct {
	Result  inspect.Result
	People  []PersonReview
	Hall    []ItemState // hall items with findings
	Missing []string    // what must happen before sealing, as translation keys (MissingSupervisorSignature)
}

// PersonReview is one person's part of the review.
type PersonReview struct {
	Person   inspect.Person
	Score    inspect.Score
	Findings []ItemState // only items with a finding
	Signed   bool
	Disagree string
	// Stale is set when the person's findings are no longer what they were
	// shown when they signed (or declined): a finding added, removed or
	// edited since (outcome, counts, note, photos). They acknowledged
	// something else; ask them again. Sealing does not wait for it: staff
	// signatures are optional.
	Stale bool
}

// StaffMember is one member of a hall's staff in the history's person
// filter.
type StaffMember struct {
	ID, EmployeeNo, Name, Badge string
	HallID, HallName            string
	Role                        standard.Role
	// Left is set for someone no longer on the roster (deactivated).
	Left bool
}

// HistoryFilter narrows the history list; zero fields do not filter.
type HistoryFilter struct {
	HallID   string
	StaffID  string    // inspections in which this member of staff was observed
	From, To time.Time // on the start time; From inclusive, To exclusive
	Grade    string    // grade band ID, of the score as amended
	State    SyncState
	Limit    int // 0: no limit
	Offset   int
}

// SyncState of an inspection on this device: a draft, then sealed, sent to
// the hub, delivered (a receipt of the hub covers it with all its photos),
// or quarantined (the hub holds another record under its ID).
type SyncState string

const (
	StateDraft       SyncState = "draft"
	StateSealed      SyncState = "sealed"
	StateSent        SyncState = "sent"
	StateDelivered   SyncState = "delivered"
	StateQuarantined SyncState = "quarantined"
)

// Summary is one row of a list of inspections.
type Summary struct {
	ID, HallID, HallName, Supervisor string
	StartedAt                        time.Time
	People                           int
	Findings                         int // items that cost points, as amended
	Score                            float64
	Scored                           bool
	Grade                            standard.GradeBand
	State                            SyncState
	SealHash                         string
}
