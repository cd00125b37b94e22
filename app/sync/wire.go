package sync

import (
	"fmt"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// Sealed records travel in this package's own JSON form, with fixed field
// names, rather than as inspect's Go structs: a renamed Go field must not
// silently change the protocol. The hub recomputes every seal from what it
// decoded, so a conversion that lost anything would be refused, not stored.

type WireInspection struct {
	ID              string          `json:"id"`
	HallID          string          `json:"hall_id"`
	SupervisorID    string          `json:"supervisor_id"`
	DeviceID        string          `json:"device_id"`
	StandardVersion int             `json:"standard_version"`
	StartedAt       time.Time       `json:"started_at"`
	EndedAt         time.Time       `json:"ended_at"`
	SealedAt        time.Time       `json:"sealed_at"`
	SealHash        string          `json:"seal_hash"`
	People          []WirePerson    `json:"people"`
	HallFindings    []WireFinding   `json:"hall_findings"`
	Signatures      []WireSignature `json:"signatures"`
}

type WirePerson struct {
	ID         string        `json:"id"`
	StaffID    string        `json:"staff_id,omitempty"`
	OffRoster  bool          `json:"off_roster,omitempty"`
	EmployeeNo string        `json:"employee_no,omitempty"`
	Name       string        `json:"name,omitempty"`
	Badge      string        `json:"badge,omitempty"`
	Role       string        `json:"role,omitempty"`
	Gender     string        `json:"gender,omitempty"`
	Findings   []WireFinding `json:"findings"`
}

type WireFinding struct {
	ID       string      `json:"id"`
	ItemID   string      `json:"item_id"`
	Outcome  string      `json:"outcome"`
	Observed int         `json:"observed,omitempty"`
	Failed   int         `json:"failed,omitempty"`
	Note     string      `json:"note,omitempty"`
	Photos   []WirePhoto `json:"photos,omitempty"`
	At       time.Time   `json:"at"`
}

type WirePhoto struct {
	SHA256 string    `json:"sha256"`
	Size   int64     `json:"size"`
	Type   string    `json:"type"`
	At     time.Time `json:"at,omitzero"`
}

type WireSignature struct {
	Role         string     `json:"role"`
	PersonID     string     `json:"person_id"`
	Name         string     `json:"name,omitempty"`
	Image        *WirePhoto `json:"image,omitempty"`
	Disagreement string     `json:"disagreement,omitempty"`
	At           time.Time  `json:"at"`
}

type WireAmendment struct {
	ID           string       `json:"id"`
	InspectionID string       `json:"inspection_id"`
	OriginalHash string       `json:"original_hash"`
	Reason       string       `json:"reason"`
	AuthorID     string       `json:"author_id"`
	DeviceID     string       `json:"device_id"`
	At           time.Time    `json:"at"`
	Seq          int          `json:"seq,omitempty"`
	Changes      []WireChange `json:"changes"`
	SealHash     string       `json:"seal_hash"`
}

type WireChange struct {
	PersonID string       `json:"person_id,omitempty"`
	ItemID   string       `json:"item_id"`
	Finding  *WireFinding `json:"finding,omitempty"`
}

// ---- inspect -> wire ----

func wirePhotos(ps []inspect.PhotoRef) []WirePhoto {
	if len(ps) == 0 {
		return nil
	}
	out := make([]WirePhoto, len(ps))
	for i, p := range ps {
		out[i] = WirePhoto{SHA256: p.SHA256, Size: p.Size, Type: p.Type, At: p.At}
	}
	return out
}

func wireFinding(f inspect.Finding) WireFinding {
	return WireFinding{ID: f.ID, ItemID: f.ItemID, Outcome: string(f.Outcome), Observed: f.Observed,
		Failed: f.Failed, Note: f.Note, Photos: wirePhotos(f.Photos), At: f.At}
}

func wireFindings(fs []inspect.Finding) []WireFinding {
	out := make([]WireFinding, len(fs))
	for i, f := range fs {
		out[i] = wireFinding(f)
	}
	return out
}

// InspectionToWire converts a sealed inspection for the wire.
func InspectionToWire(ins *inspect.Inspection) *WireInspection {
	w := &WireInspection{ID: ins.ID, HallID: ins.HallID, SupervisorID: ins.SupervisorID, DeviceID: ins.DeviceID,
		StandardVersion: ins.StandardVersion, StartedAt: ins.StartedAt, EndedAt: ins.EndedAt,
		SealedAt: ins.SealedAt, SealHash: ins.SealHash, People: make([]WirePerson, len(ins.People)),
		HallFindings: wireFindings(ins.HallFindings), Signatures: make([]WireSignature, len(ins.Signatures))}
	for i, p := range ins.People {
		w.People[i] = WirePerson{ID: p.ID, StaffID: p.StaffID, OffRoster: p.OffRoster, EmployeeNo: p.EmployeeNo,
			Name: p.Name, Badge: p.Badge, Role: string(p.Role), Gender: string(p.Gender), Findings: wireFindings(p.Findings)}
	}
	for i, s := range ins.Signatures {
		ws := WireSignature{Role: string(s.Role), PersonID: s.PersonID, Name: s.Name, Disagreement: s.Disagreement, At: s.At}
		if s.Image != nil {
			ws.Image = &wirePhotos([]inspect.PhotoRef{*s.Image})[0]
		}
		w.Signatures[i] = ws
	}
	return w
}

// AmendmentToWire converts an amendment for the wire.
func AmendmentToWire(a *inspect.Amendment) *WireAmendment {
	w := &WireAmendment{ID: a.ID, InspectionID: a.InspectionID, OriginalHash: a.OriginalHash, Reason: a.Reason,
		AuthorID: a.AuthorID, DeviceID: a.DeviceID, At: a.At, Seq: a.Seq, SealHash: a.SealHash,
		Changes: make([]WireChange, len(a.Changes))}
	for i, c := range a.Changes {
		wc := WireChange{PersonID: c.PersonID, ItemID: c.ItemID}
		if c.Finding != nil {
			f := wireFinding(*c.Finding)
			wc.Finding = &f
		}
		w.Changes[i] = wc
	}
	return w
}

// ---- wire -> inspect ----

// Bounds on what one record may hold. The body limit bounds memory; these
// keep a crafted record from making the hub do work out of all proportion.
const (
	maxPeople   = 500
	maxFindings = 2000
	maxPhotos   = 200
	maxChanges  = 2000
)

func photosFromWire(ps []WirePhoto) ([]inspect.PhotoRef, error) {
	if len(ps) > maxPhotos {
		return nil, fmt.Errorf("%w: %d photos on one finding", ErrBadRequest, len(ps))
	}
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([]inspect.PhotoRef, len(ps))
	for i, p := range ps {
		out[i] = inspect.PhotoRef{SHA256: p.SHA256, Size: p.Size, Type: p.Type, At: p.At}
	}
	return out, nil
}

func findingFromWire(f WireFinding) (inspect.Finding, error) {
	ps, err := photosFromWire(f.Photos)
	if err != nil {
		return inspect.Finding{}, err
	}
	return inspect.Finding{ID: f.ID, ItemID: f.ItemID, Outcome: inspect.Outcome(f.Outcome), Observed: f.Observed,
		Failed: f.Failed, Note: f.Note, Photos: ps, At: f.At}, nil
}

func findingsFromWire(fs []WireFinding, budget *int) ([]inspect.Finding, error) {
	*budget -= len(fs)
	if *budget < 0 {
		return nil, fmt.Errorf("%w: more than %d findings", ErrBadRequest, maxFindings)
	}
	if len(fs) == 0 {
		return nil, nil
	}
	out := make([]inspect.Finding, len(fs))
	for i, f := range fs {
		var err error
		if out[i], err = findingFromWire(f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InspectionFromWire converts a received inspection. The result is marked
// sealed; whether its seal matches is the store's question.
func InspectionFromWire(w *WireInspection) (*inspect.Inspection, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: no inspection", ErrBadRequest)
	}
	if len(w.People) > maxPeople {
		return nil, fmt.Errorf("%w: %d people in one inspection", ErrBadRequest, len(w.People))
	}
	budget := maxFindings
	ins := &inspect.Inspection{ID: w.ID, HallID: w.HallID, SupervisorID: w.SupervisorID, DeviceID: w.DeviceID,
		StandardVersion: w.StandardVersion, StartedAt: w.StartedAt, EndedAt: w.EndedAt, SealedAt: w.SealedAt,
		SealHash: w.SealHash, Status: inspect.StatusSealed}
	var err error
	if ins.HallFindings, err = findingsFromWire(w.HallFindings, &budget); err != nil {
		return nil, err
	}
	for _, p := range w.People {
		fs, err := findingsFromWire(p.Findings, &budget)
		if err != nil {
			return nil, err
		}
		ins.People = append(ins.People, inspect.Person{ID: p.ID, StaffID: p.StaffID, OffRoster: p.OffRoster,
			EmployeeNo: p.EmployeeNo, Name: p.Name, Badge: p.Badge, Role: standard.Role(p.Role),
			Gender: standard.Gender(p.Gender), Findings: fs})
	}
	if len(w.Signatures) > maxPeople+1 {
		return nil, fmt.Errorf("%w: %d signatures", ErrBadRequest, len(w.Signatures))
	}
	for _, s := range w.Signatures {
		sig := inspect.Signature{Role: inspect.SignerRole(s.Role), PersonID: s.PersonID, Name: s.Name,
			Disagreement: s.Disagreement, At: s.At}
		if s.Image != nil {
			sig.Image = &inspect.PhotoRef{SHA256: s.Image.SHA256, Size: s.Image.Size, Type: s.Image.Type, At: s.Image.At}
		}
		ins.Signatures = append(ins.Signatures, sig)
	}
	return ins, nil
}

// AmendmentFromWire converts a received amendment.
func AmendmentFromWire(w *WireAmendment) (*inspect.Amendment, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: no amendment", ErrBadRequest)
	}
	if len(w.Changes) > maxChanges {
		return nil, fmt.Errorf("%w: %d changes in one amendment", ErrBadRequest, len(w.Changes))
	}
	a := &inspect.Amendment{ID: w.ID, InspectionID: w.InspectionID, OriginalHash: w.OriginalHash, Reason: w.Reason,
		AuthorID: w.AuthorID, DeviceID: w.DeviceID, At: w.At, Seq: w.Seq, SealHash: w.SealHash}
	for _, c := range w.Changes {
		ch := inspect.Change{PersonID: c.PersonID, ItemID: c.ItemID}
		if c.Finding != nil {
			f, err := findingFromWire(*c.Finding)
			if err != nil {
				return nil, err
			}
			ch.Finding = &f
		}
		a.Changes = append(a.Changes, ch)
	}
	return a, nil
}

// ---- master data ----

func pullResultFromBatch(b store.MasterBatch) PullResult {
	var r PullResult
	for _, x := range b.Regions {
		r.Regions = append(r.Regions, WireRegion{ID: x.ID, Name: x.Name})
	}
	for _, h := range b.Halls {
		r.Halls = append(r.Halls, WireHall{ID: h.ID, RegionID: h.RegionID, Code: h.Code, Name: h.Name})
	}
	for _, s := range b.Staff {
		r.Staff = append(r.Staff, WireStaff{ID: s.ID, EmployeeNo: s.EmployeeNo, Name: s.Name, Gender: string(s.Gender),
			Role: string(s.Role), Badge: s.Badge, HallID: s.HallID, ActiveFrom: s.ActiveFrom, ActiveTo: s.ActiveTo})
	}
	for _, u := range b.Users {
		r.Users = append(r.Users, WireUser{ID: u.ID, Name: u.Name, Username: u.Username, Role: string(u.Role),
			RegionID: u.RegionID, Disabled: u.Disabled, PinHash: u.PinHash})
	}
	for _, s := range b.Standards {
		r.Standards = append(r.Standards, WireStandard{Version: s.Version, Hash: s.Hash, Body: s.Body})
	}
	for _, d := range b.Deleted {
		r.Deleted = append(r.Deleted, WireMasterID{Kind: string(d.Kind), ID: d.ID})
	}
	return r
}

// batchFromPull converts a page for the tablet's store, checking what the
// store would not: each standard's body must parse and hash to what the hub
// says, or inspections made with it could not be scored.
func batchFromPull(r PullResult) (store.MasterBatch, error) {
	var b store.MasterBatch
	for _, x := range r.Regions {
		b.Regions = append(b.Regions, store.Region{ID: x.ID, Name: x.Name})
	}
	for _, h := range r.Halls {
		b.Halls = append(b.Halls, store.Hall{ID: h.ID, RegionID: h.RegionID, Code: h.Code, Name: h.Name})
	}
	for _, s := range r.Staff {
		b.Staff = append(b.Staff, store.Staff{ID: s.ID, EmployeeNo: s.EmployeeNo, Name: s.Name,
			Gender: standard.Gender(s.Gender), Role: standard.Role(s.Role), Badge: s.Badge, HallID: s.HallID,
			ActiveFrom: s.ActiveFrom, ActiveTo: s.ActiveTo})
	}
	for _, u := range r.Users {
		b.Users = append(b.Users, store.UserRecord{User: store.User{ID: u.ID, Name: u.Name, Username: u.Username,
			Role: store.UserRole(u.Role), RegionID: u.RegionID, Disabled: u.Disabled}, PinHash: u.PinHash})
	}
	for _, s := range r.Standards {
		v, err := standard.Parse(fmt.Sprintf("standard version %d from the hub", s.Version), s.Body)
		if err != nil {
			return store.MasterBatch{}, fmt.Errorf("standard version %d from the hub does not load (is this app too old?): %w", s.Version, err)
		}
		if v.Version != s.Version || v.Hash() != s.Hash {
			return store.MasterBatch{}, fmt.Errorf("standard version %d from the hub: its body is version %d with hash %s, not %s",
				s.Version, v.Version, v.Hash(), s.Hash)
		}
		b.Standards = append(b.Standards, store.StandardRecord{Version: s.Version, Hash: s.Hash, Body: s.Body})
	}
	for _, d := range r.Deleted {
		b.Deleted = append(b.Deleted, store.MasterKey{Kind: store.MasterKind(d.Kind), ID: d.ID})
	}
	return b, nil
}
