// Package sync is the protocol between tablets and the hub, its server (the
// hub's side, Hub) and its client (the tablet's side, Client).
//
// The design avoids conflicts rather than resolving them: master data is
// written only on the hub and pulled by tablets by cursor; sealed
// inspections and amendments are immutable and pushed by tablets, idempotent
// by UUID and seal hash; photos are content-addressed and uploaded in
// resumable chunks; and every sync ends with a receipt signed by the hub,
// the only thing that marks a record delivered. ARCHITECTURE.md lists the
// failures of other sync systems this avoids.
//
// The protocol is versioned JSON messages. A request is a Call (an
// operation, the protocol version, the device token, a body); every answer
// is an Envelope naming the hub, its epoch and the protocol, so that nothing
// else (a captive portal's 200) passes for success. The Hub answers calls
// whatever carries them: HTTPS in production (Handler, HTTPTransport), or
// any byte stream (ServeStream, StreamTransport), which is how the tests
// drive both ends through io.Pipe.
package sync

import (
	"encoding/json"
	"time"
)

// Protocol versions. A hub answers versions MinVersion to Version; an older
// app is told to update (HTTP 426) instead of being fed data it might
// misread, a newer one that the hub is too old.
//
// Version 2: amendments carry seq, their place in the order their device
// made them, and seal it; the enrol answer lists the hub's pins (for the
// typed short form). A version-1 hub would drop seq, find the seal broken
// and refuse every numbered amendment, so a version-2 app must not talk to
// it. Version-1 apps send no seq, which this hub takes as before.
const (
	Version    = 2
	MinVersion = 1
	// Marker is in every envelope: a reply without it is not the hub's.
	Marker = "dudao-sync"
)

// HTTP carrier details.
const (
	HeaderVersion     = "Dudao-Protocol"
	HeaderChunkSHA256 = "Dudao-Chunk-Sha256"
	// HeaderUser names the manager signed in on a desktop (admin calls).
	HeaderUser  = "Dudao-User"
	ContentType = "application/json"
)

// Op names an operation.
type Op string

const (
	OpEnrol       Op = "enrol"
	OpPull        Op = "pull"
	OpPush        Op = "push"
	OpPhotoStatus Op = "photo-status"
	OpPhotoChunk  Op = "photo-chunk"
	OpReceipt     Op = "receipt"
	// OpAdmin is a call of the hub's admin API (Call.Method names which),
	// open to managers' desktops only; see HubOptions.Admin.
	OpAdmin Op = "admin"
)

// Call is one request, independent of its carrier.
type Call struct {
	Op      Op
	Version int
	Token   string // the device token; empty for OpEnrol
	Remote  string // the caller's address as the carrier saw it (rate limits, logs)
	// Body is the JSON request, or the chunk's bytes for OpPhotoChunk.
	Body []byte
	// OpPhotoChunk only: which photo, where the chunk goes, and its hash.
	SHA256      string
	Offset      int64
	ChunkSHA256 string
	// OpAdmin only: the method called and the username signed in on the
	// desktop ("" when it did not say).
	Method string
	User   string

	// admitted is set by a carrier that checked the version and the
	// device before it read the body (Hub.Admit), so Serve does not
	// check again.
	admitted *admission
}

// Envelope is every answer. Exactly one of Result and Error is set.
type Envelope struct {
	Protocol   string          `json:"protocol"`
	Version    int             `json:"version"`
	HubID      string          `json:"hub_id"`
	Epoch      string          `json:"epoch"`
	ServerTime time.Time       `json:"server_time"`
	Result     json.RawMessage `json:"result,omitempty"`
	Error      *Error          `json:"error,omitempty"`
}

// ---- enrolment ----

// EnrolRequest redeems a one-time code for the device token the tablet
// chose (32 random bytes, base64url). The tablet choosing it makes the
// redemption idempotent: if the answer is lost, or the request arrives
// twice, the same tablet redeems the same code again with the same token
// and both answers are right; anyone else is refused.
type EnrolRequest struct {
	Code  string `json:"code"`
	Token string `json:"token"`
}

// EnrolResult gives the tablet its identity and what it needs to trust the
// hub's receipts.
type EnrolResult struct {
	DeviceID   string `json:"device_id"`
	DeviceName string `json:"device_name"`
	RegionID   string `json:"region_id"`
	HubID      string `json:"hub_id"`
	Epoch      string `json:"epoch"`
	ReceiptKey []byte `json:"receipt_key"` // ed25519 public key
	// Pins are the hub's public-key pins, as a URI invite carries them: a
	// tablet that typed an invite has only a check of the first.
	Pins []string `json:"pins,omitempty"`
}

// ---- pull ----

// PullRequest asks for master-data changes after an opaque cursor ("" for
// everything).
type PullRequest struct {
	Cursor string `json:"cursor"`
	Limit  int    `json:"limit,omitempty"`
}

// PullResult is one page. Reset says the page starts from scratch (first
// pull, or the hub's epoch changed): the pages up to More=false are the
// whole of the region's master data and replace the tablet's.
type PullResult struct {
	Cursor    string         `json:"cursor"`
	More      bool           `json:"more"`
	Reset     bool           `json:"reset"`
	Regions   []WireRegion   `json:"regions,omitempty"`
	Halls     []WireHall     `json:"halls,omitempty"`
	Staff     []WireStaff    `json:"staff,omitempty"`
	Users     []WireUser     `json:"users,omitempty"`
	Standards []WireStandard `json:"standards,omitempty"`
	Deleted   []WireMasterID `json:"deleted,omitempty"`
}

// WireRegion and the types below are master data as it travels.
type WireRegion struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type WireHall struct {
	ID       string `json:"id"`
	RegionID string `json:"region_id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
}

type WireStaff struct {
	ID         string     `json:"id"`
	EmployeeNo string     `json:"employee_no"`
	Name       string     `json:"name"`
	Gender     string     `json:"gender"`
	Role       string     `json:"role"`
	Badge      string     `json:"badge"`
	HallID     string     `json:"hall_id"`
	ActiveFrom time.Time  `json:"active_from"`
	ActiveTo   *time.Time `json:"active_to,omitempty"`
}

type WireUser struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	Role     string `json:"role"`
	RegionID string `json:"region_id,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
	// PinHash lets the user sign in on the tablet offline: a salted, slow
	// hash (app/pin), never the PIN.
	PinHash string `json:"pin_hash"`
}

type WireStandard struct {
	Version int    `json:"version"`
	Hash    string `json:"hash"`
	Body    []byte `json:"body"`
}

type WireMasterID struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// ---- push ----

// PushRequest delivers sealed records. ClockOffsetMS is the device's clock
// minus the hub's, measured at the previous sync (absent when never
// measured); the hub records it with its own received time. A record's own
// ClockOffsetMS, the offset the device knew when it queued the record, wins
// over the request's (a record sent again months later keeps its own; hubs
// before it was added read the request's).
type PushRequest struct {
	ClockOffsetMS *int64       `json:"clock_offset_ms,omitempty"`
	Records       []WireRecord `json:"records"`
}

// WireRecord is one sealed record: exactly one of the two is set.
type WireRecord struct {
	Inspection    *WireInspection `json:"inspection,omitempty"`
	Amendment     *WireAmendment  `json:"amendment,omitempty"`
	ClockOffsetMS *int64          `json:"clock_offset_ms,omitempty"`
}

// PushResult answers each record in order. One refused record never fails
// the others.
type PushResult struct {
	Results []RecordResult `json:"results"`
}

// Record statuses.
const (
	StatusStored   = "stored"   // new on the hub
	StatusHeld     = "held"     // the hub already held it, same seal
	StatusConflict = "conflict" // the hub holds another seal under this ID
	StatusRejected = "rejected" // refused; Error says why
)

type RecordResult struct {
	Kind           string      `json:"kind"`
	ID             string      `json:"id"`
	Status         string      `json:"status"`
	HeldHash       string      `json:"held_hash,omitempty"`
	Error          *Error      `json:"error,omitempty"`
	PhotosExpected int         `json:"photos_expected"`
	PhotosPresent  int         `json:"photos_present"`
	Missing        []WirePhoto `json:"missing,omitempty"`
}

// ---- photos ----

// PhotoStatusRequest asks what the hub holds of photos.
type PhotoStatusRequest struct {
	SHA256 []string `json:"sha256"`
}

type PhotoStatusResult struct {
	Photos []PhotoState `json:"photos"`
}

// PhotoState is what the hub holds of one photo: complete, or how many
// bytes of a partial upload to resume after.
type PhotoState struct {
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Offset   int64  `json:"offset"`
	Complete bool   `json:"complete"`
	Error    *Error `json:"error,omitempty"`
}

// ---- receipt ----

// ReceiptRequest asks for a receipt covering some records, or every record
// the hub holds for the device (Full).
type ReceiptRequest struct {
	Records []WireRecordID `json:"records,omitempty"`
	Full    bool           `json:"full,omitempty"`
	// Pending is how many of the device's sealed records are not delivered
	// and not asked about in this receipt (waiting to be sent, refused,
	// quarantined); the hub adds those the receipt finds incomplete and
	// keeps the sum as the device's pending count for the manager's device
	// list. Absent from older apps: the hub then records the sync without
	// a count.
	Pending *int `json:"pending,omitempty"`
}

type WireRecordID struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// ReceiptResult is the signed receipt: Body is the JSON of a ReceiptBody,
// Signature the hub's ed25519 signature over exactly those bytes, so no
// re-encoding can make a valid signature lie.
type ReceiptResult struct {
	Body      []byte `json:"body"`
	Signature []byte `json:"signature"`
}

// ReceiptBody is what the hub attests to.
type ReceiptBody struct {
	HubID    string          `json:"hub_id"`
	Epoch    string          `json:"epoch"`
	DeviceID string          `json:"device_id"`
	IssuedAt time.Time       `json:"issued_at"`
	Full     bool            `json:"full"`
	Records  []ReceiptRecord `json:"records"`
	// Count and Digest cover every complete record the hub holds for the
	// device (see Digest), whatever Records lists.
	Count  int    `json:"count"`
	Digest string `json:"digest"`
}

type ReceiptRecord struct {
	Kind           string    `json:"kind"`
	ID             string    `json:"id"`
	Held           bool      `json:"held"`
	Hash           string    `json:"hash,omitempty"`
	PhotosExpected int       `json:"photos_expected"`
	PhotosPresent  int       `json:"photos_present"`
	Complete       bool      `json:"complete"`
	ReceivedAt     time.Time `json:"received_at,omitzero"`
}
