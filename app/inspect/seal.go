package inspect

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"
)

// canonicalVersion is part of every encoding so that a future change of the
// encoding can never produce a hash that collides with an old one.
const canonicalVersion = "dudao-inspection/1"

// TimePrecision is the precision of every stored time. Times are truncated to it
// before they are recorded so that a round trip through the store keeps the seal.
const TimePrecision = time.Millisecond

// Now returns the current time at TimePrecision, in UTC.
func Now() time.Time { return time.Now().UTC().Truncate(TimePrecision) }

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether s is a SHA-256 written as 64 lowercase hex characters.
func ValidHash(s string) bool { return hexHash.MatchString(s) }

// ErrSealed is returned for any attempt to change a sealed inspection.
var ErrSealed = errors.New("inspection is sealed")

// The canonical form fixes field names, order and formatting so that the same
// content always hashes the same, independent of how it was loaded.
type (
	canonInspection struct {
		Encoding        string        `json:"encoding"`
		ID              string        `json:"id"`
		HallID          string        `json:"hall_id"`
		SupervisorID    string        `json:"supervisor_id"`
		DeviceID        string        `json:"device_id"`
		StandardVersion int           `json:"standard_version"`
		StartedAt       string        `json:"started_at"`
		EndedAt         string        `json:"ended_at"`
		SealedAt        string        `json:"sealed_at"`
		People          []canonPerson `json:"people"`
		HallFindings    []canonFind   `json:"hall_findings"`
		Signatures      []canonSig    `json:"signatures"`
	}
	canonPerson struct {
		ID         string      `json:"id"`
		StaffID    string      `json:"staff_id"`
		OffRoster  bool        `json:"off_roster"`
		EmployeeNo string      `json:"employee_no"`
		Name       string      `json:"name"`
		Badge      string      `json:"badge"`
		Role       string      `json:"role"`
		Gender     string      `json:"gender"`
		Findings   []canonFind `json:"findings"`
	}
	canonFind struct {
		ID       string       `json:"id"`
		ItemID   string       `json:"item_id"`
		Outcome  string       `json:"outcome"`
		Observed int          `json:"observed"`
		Failed   int          `json:"failed"`
		Note     string       `json:"note"`
		Photos   []canonPhoto `json:"photos"`
		At       string       `json:"at"`
	}
	canonPhoto struct {
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
		Type   string `json:"type"`
		At     string `json:"at"`
	}
	canonSig struct {
		Role         string      `json:"role"`
		PersonID     string      `json:"person_id"`
		Name         string      `json:"name"`
		Image        *canonPhoto `json:"image"`
		Disagreement string      `json:"disagreement"`
		At           string      `json:"at"`
	}
	canonAmendment struct {
		Encoding     string `json:"encoding"`
		ID           string `json:"id"`
		InspectionID string `json:"inspection_id"`
		OriginalHash string `json:"original_hash"`
		Reason       string `json:"reason"`
		AuthorID     string `json:"author_id"`
		DeviceID     string `json:"device_id"`
		At           string `json:"at"`
		// omitempty: an amendment made before Seq existed (0) keeps the
		// encoding, and so the seal, it was made with.
		Seq     int           `json:"seq,omitempty"`
		Changes []canonChange `json:"changes"`
	}
	canonChange struct {
		PersonID string     `json:"person_id"`
		ItemID   string     `json:"item_id"`
		Finding  *canonFind `json:"finding"`
	}
)

func canonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(TimePrecision).Format("2006-01-02T15:04:05.000Z")
}

func canonPhotos(ps []PhotoRef) []canonPhoto {
	out := make([]canonPhoto, 0, len(ps))
	for _, p := range ps {
		out = append(out, canonPhoto{SHA256: p.SHA256, Size: p.Size, Type: p.Type, At: canonTime(p.At)})
	}
	slices.SortFunc(out, func(a, b canonPhoto) int { return cmp.Compare(a.SHA256, b.SHA256) })
	return out
}

func canonFinding(f Finding) canonFind {
	return canonFind{
		ID: f.ID, ItemID: f.ItemID, Outcome: string(f.Outcome),
		Observed: f.Observed, Failed: f.Failed, Note: f.Note,
		Photos: canonPhotos(f.Photos), At: canonTime(f.At),
	}
}

func canonFindings(fs []Finding) []canonFind {
	out := make([]canonFind, 0, len(fs))
	for _, f := range fs {
		out = append(out, canonFinding(f))
	}
	slices.SortFunc(out, func(a, b canonFind) int {
		return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Canonical returns the encoding the seal is computed over. It covers every
// recorded fact, including the hashes of photos and signature images, so that
// changing any of them changes the seal. Order of people, findings, photos and
// signatures is normalised; SealHash itself is not part of it.
func Canonical(ins *Inspection) ([]byte, error) {
	if err := checkUTF8(ins); err != nil {
		return nil, err
	}
	c := canonInspection{
		Encoding: canonicalVersion, ID: ins.ID, HallID: ins.HallID,
		SupervisorID: ins.SupervisorID, DeviceID: ins.DeviceID,
		StandardVersion: ins.StandardVersion,
		StartedAt:       canonTime(ins.StartedAt), EndedAt: canonTime(ins.EndedAt),
		SealedAt:     canonTime(ins.SealedAt),
		People:       make([]canonPerson, 0, len(ins.People)),
		HallFindings: canonFindings(ins.HallFindings),
		Signatures:   make([]canonSig, 0, len(ins.Signatures)),
	}
	for _, p := range ins.People {
		c.People = append(c.People, canonPerson{
			ID: p.ID, StaffID: p.StaffID, OffRoster: p.OffRoster, EmployeeNo: p.EmployeeNo,
			Name: p.Name, Badge: p.Badge, Role: string(p.Role), Gender: string(p.Gender),
			Findings: canonFindings(p.Findings),
		})
	}
	slices.SortFunc(c.People, func(a, b canonPerson) int { return cmp.Compare(a.ID, b.ID) })
	for _, s := range ins.Signatures {
		cs := canonSig{Role: string(s.Role), PersonID: s.PersonID, Name: s.Name, Disagreement: s.Disagreement, At: canonTime(s.At)}
		if s.Image != nil {
			img := canonPhotos([]PhotoRef{*s.Image})[0]
			cs.Image = &img
		}
		c.Signatures = append(c.Signatures, cs)
	}
	slices.SortFunc(c.Signatures, func(a, b canonSig) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.PersonID, b.PersonID), cmp.Compare(a.At, b.At))
	})
	return marshalCanonical(c)
}

// CanonicalAmendment is the encoding an amendment's seal is computed over. It
// includes the original's seal, so an amendment cannot be moved to another
// inspection or outlive a change of the original.
func CanonicalAmendment(a *Amendment) ([]byte, error) {
	c := canonAmendment{
		Encoding: canonicalVersion + "/amendment", ID: a.ID, InspectionID: a.InspectionID,
		OriginalHash: a.OriginalHash, Reason: a.Reason, AuthorID: a.AuthorID,
		DeviceID: a.DeviceID, At: canonTime(a.At), Seq: a.Seq, Changes: make([]canonChange, 0, len(a.Changes)),
	}
	for _, ch := range a.Changes {
		cc := canonChange{PersonID: ch.PersonID, ItemID: ch.ItemID}
		if ch.Finding != nil {
			f := canonFinding(*ch.Finding)
			cc.Finding = &f
		}
		c.Changes = append(c.Changes, cc)
	}
	// Changes keep their order: a later change to the same item wins.
	return marshalCanonical(c)
}

// checkUTF8 refuses text that is not valid UTF-8: the JSON encoder would
// replace the bad bytes with U+FFFD, so two different records could share a
// seal.
func checkUTF8(ins *Inspection) error {
	bad := func(what, s string) error {
		if utf8.ValidString(s) {
			return nil
		}
		return fmt.Errorf("canonical encoding of inspection %s: %s is not valid UTF-8", ins.ID, what)
	}
	findings := func(fs []Finding) error {
		for _, f := range fs {
			if err := errors.Join(bad("item ID", f.ItemID), bad("note", f.Note), bad("finding ID", f.ID)); err != nil {
				return err
			}
		}
		return nil
	}
	errs := []error{bad("ID", ins.ID), bad("hall ID", ins.HallID), bad("supervisor ID", ins.SupervisorID), bad("device ID", ins.DeviceID), findings(ins.HallFindings)}
	for _, p := range ins.People {
		errs = append(errs, bad("person name", p.Name), bad("person ID", p.ID), bad("staff ID", p.StaffID),
			bad("employee number", p.EmployeeNo), bad("badge", p.Badge), bad("role", string(p.Role)), findings(p.Findings))
	}
	for _, sg := range ins.Signatures {
		errs = append(errs, bad("signer name", sg.Name), bad("signer ID", sg.PersonID), bad("disagreement", sg.Disagreement))
	}
	return errors.Join(errs...)
}

func marshalCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// HTML escaping would make the bytes depend on an encoder setting rather
	// than the content; turn it off so the form is plain UTF-8.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical encoding: %w", err)
	}
	return buf.Bytes(), nil
}

// HashOf returns the lowercase hex SHA-256 of b.
func HashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ComputeSeal returns the seal hash of an inspection as it stands.
func ComputeSeal(ins *Inspection) (string, error) {
	b, err := Canonical(ins)
	if err != nil {
		return "", fmt.Errorf("seal inspection %s: %w", ins.ID, err)
	}
	return HashOf(b), nil
}

// ComputeAmendmentSeal returns the seal hash of an amendment.
func ComputeAmendmentSeal(a *Amendment) (string, error) {
	b, err := CanonicalAmendment(a)
	if err != nil {
		return "", fmt.Errorf("seal amendment %s: %w", a.ID, err)
	}
	return HashOf(b), nil
}

// Photos returns every photo an inspection references, findings and signature
// images alike, each once.
func (ins *Inspection) Photos() []PhotoRef {
	seen := map[string]bool{}
	var out []PhotoRef
	add := func(p PhotoRef) {
		if !seen[p.SHA256] {
			seen[p.SHA256] = true
			out = append(out, p)
		}
	}
	for _, f := range ins.HallFindings {
		for _, p := range f.Photos {
			add(p)
		}
	}
	for _, per := range ins.People {
		for _, f := range per.Findings {
			for _, p := range f.Photos {
				add(p)
			}
		}
	}
	for _, s := range ins.Signatures {
		if s.Image != nil {
			add(*s.Image)
		}
	}
	return out
}
