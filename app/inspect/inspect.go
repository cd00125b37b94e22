// Package inspect is the domain of an inspection: who was observed, what was
// found against which item of the standard, how that scores, and the seal that
// makes a finished inspection tamper-evident.
//
// Recording is exception-first: an applicable item with no finding conforms.
// A finding is either a nonconformity or "not observed / N/A" (which takes the
// item out of the score), or for a tally item the counts observed and failed.
package inspect

import (
	"time"

	"github.com/dudao-app/dudao/app/standard"
)

// Status of an inspection. A sealed inspection never changes; corrections are
// amendments.
type Status string

const (
	StatusDraft  Status = "draft"
	StatusSealed Status = "sealed"
)

// Inspection is one visit of a supervisor to a hall.
type Inspection struct {
	ID              string // UUIDv7
	HallID          string
	SupervisorID    string
	DeviceID        string
	StandardVersion int
	StartedAt       time.Time
	EndedAt         time.Time // zero while a draft
	Status          Status
	People          []Person  // the staff observed, in the order they were added
	HallFindings    []Finding // findings on hall-level items (scope hall)
	Signatures      []Signature
	SealedAt        time.Time
	SealHash        string // lowercase hex SHA-256 of the canonical encoding; empty while a draft
}

// Person is one member of staff observed in an inspection. Off-roster people
// (not in the hall's roster on the device) are recorded with what the supervisor
// typed and travel inside the inspection until a manager links them.
type Person struct {
	ID         string // UUIDv7 of this observation
	StaffID    string // empty when off-roster
	OffRoster  bool
	EmployeeNo string
	Name       string
	Badge      string
	Role       standard.Role
	Gender     standard.Gender
	Findings   []Finding
}

// Outcome of a finding.
type Outcome string

const (
	// Nonconform: the item was observed and not met. For a tally item the
	// counts say how often.
	Nonconform Outcome = "nonconform"
	// NotApplicable: not observed or not applicable; the item leaves the score.
	NotApplicable Outcome = "na"
	// Tallied: a tally item with its counts, which may include no failures.
	Tallied Outcome = "tally"
)

// Finding is a recorded exception against one item.
type Finding struct {
	ID       string // UUIDv7
	ItemID   string
	Outcome  Outcome
	Observed int // tally items: times the behaviour was observed
	Failed   int // tally items: times it was not met
	Note     string
	Photos   []PhotoRef
	At       time.Time
}

// PhotoRef points at a photo by its content address.
type PhotoRef struct {
	SHA256 string // lowercase hex
	Size   int64
	Type   string // MIME type, e.g. image/jpeg
	At     time.Time
}

// SignerRole says who signed.
type SignerRole string

const (
	SignerSupervisor SignerRole = "supervisor"
	SignerStaff      SignerRole = "staff"
)

// Signature is a signature drawn on the device, stored as an image by content
// address, or a recorded disagreement in the signer's own words (or both).
type Signature struct {
	Role         SignerRole
	PersonID     string // the Person.ID for staff; the supervisor's user ID otherwise
	Name         string
	Image        *PhotoRef // the drawn signature, PNG; nil when the person declined to sign
	Disagreement string    // the person's own words; empty when they agree
	At           time.Time
}

// Amendment corrects a sealed inspection after the fact. The original stays as
// it was; the amendment is sealed too and chains to the original's seal.
type Amendment struct {
	ID           string // UUIDv7
	InspectionID string
	OriginalHash string // the seal of the inspection it amends
	Reason       string
	AuthorID     string
	DeviceID     string
	At           time.Time
	// Seq is the amendment's place among its inspection's amendments,
	// counted by the device that made it (1, 2, …), and the order they
	// apply in. A device's clock may be set back or years off, so At
	// orders nothing. Amendments made before Seq existed have 0 and keep
	// the order of their times, before every numbered one.
	Seq      int
	Changes  []Change
	SealHash string
}

// Change sets the finding of one item for one subject. A nil Finding clears it
// (the item conforms); PersonID is empty for hall-level items.
type Change struct {
	PersonID string
	ItemID   string
	Finding  *Finding
}

// HallZone is the time zone every date and time is shown in. All 优付通 halls
// are in Yunnan, on China Standard Time, and a record must read the same on a
// tablet, a hub in a data centre on UTC, and a printed report. A fixed zone
// needs no tzdata on the device.
var HallZone = time.FixedZone("CST", 8*3600)
