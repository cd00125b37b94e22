package inspect

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/dudao-app/dudao/app/standard"
)

// Limits on what a supervisor can type, so that one runaway paste cannot make
// a record that no report can print.
const (
	MaxNoteRunes        = 4000
	MaxNameRunes        = 100
	MaxTallyCount       = 10000
	MaxPhotosPerFinding = 20
)

// NewID returns a new UUIDv7: time-ordered, so records made offline on many
// tablets never collide and still sort by creation.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// NewDraft starts an inspection now.
func NewDraft(hallID, supervisorID, deviceID string, standardVersion int) *Inspection {
	return &Inspection{
		ID: NewID(), HallID: hallID, SupervisorID: supervisorID, DeviceID: deviceID,
		StandardVersion: standardVersion, StartedAt: Now(), Status: StatusDraft,
	}
}

// ValidatePerson checks a person before they are added to an inspection.
func ValidatePerson(p *Person) error {
	var errs []error
	if strings.TrimSpace(p.Name) == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if utf8.RuneCountInString(p.Name) > MaxNameRunes {
		errs = append(errs, fmt.Errorf("name is longer than %d characters", MaxNameRunes))
	}
	if !p.Role.Valid() {
		errs = append(errs, fmt.Errorf("unknown role %q", p.Role))
	}
	if !p.Gender.Valid() {
		errs = append(errs, fmt.Errorf("unknown gender %q", p.Gender))
	}
	if p.OffRoster != (p.StaffID == "") {
		errs = append(errs, errors.New("a person is either on the roster (staff ID) or off-roster, not both"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("person %q: %w", p.Name, err)
	}
	return nil
}

// ValidateFinding checks a finding against the standard: the item exists and
// applies to the subject (p, or the hall when p is nil), the outcome fits the
// item's kind, and counts, note and photos are sane.
func ValidateFinding(v *standard.Version, p *Person, f *Finding) error {
	it, ok := v.Item(f.ItemID)
	if !ok {
		return fmt.Errorf("finding on item %q: not in standard version %d", f.ItemID, v.Version)
	}
	wrap := func(err error) error { return fmt.Errorf("finding on item %s: %w", f.ItemID, err) }
	switch {
	case p == nil && it.Scope != standard.ScopeHall:
		return wrap(errors.New("item is checked on people, not on the hall"))
	case p != nil && !it.AppliesTo(p.Role, p.Gender):
		return wrap(fmt.Errorf("item does not apply to %s (%s, %s)", p.Name, p.Role, p.Gender))
	}
	switch f.Outcome {
	case Nonconform, NotApplicable:
	case Tallied:
		if it.Kind != standard.KindTally {
			return wrap(errors.New("counts are only for tally items"))
		}
	default:
		return wrap(fmt.Errorf("unknown outcome %q", f.Outcome))
	}
	if it.Kind == standard.KindCheck && (f.Observed != 0 || f.Failed != 0) {
		return wrap(errors.New("counts are only for tally items"))
	}
	if f.Observed < 0 || f.Failed < 0 || f.Failed > f.Observed || f.Observed > MaxTallyCount {
		return wrap(fmt.Errorf("counts observed %d failed %d: need 0 ≤ failed ≤ observed ≤ %d", f.Observed, f.Failed, MaxTallyCount))
	}
	if n := utf8.RuneCountInString(f.Note); n > MaxNoteRunes {
		return wrap(fmt.Errorf("note has %d characters, at most %d", n, MaxNoteRunes))
	}
	if !utf8.ValidString(f.Note) {
		return wrap(errors.New("note is not valid UTF-8"))
	}
	if len(f.Photos) > MaxPhotosPerFinding {
		return wrap(fmt.Errorf("%d photos, at most %d", len(f.Photos), MaxPhotosPerFinding))
	}
	for _, ph := range f.Photos {
		if !ValidHash(ph.SHA256) {
			return wrap(fmt.Errorf("photo reference %q is not a SHA-256", ph.SHA256))
		}
	}
	return nil
}

// AmendmentOrder orders amendments as they apply: by Seq, then (for those
// made before Seq existed) by time and ID.
func AmendmentOrder(a, b Amendment) int {
	return cmp.Or(cmp.Compare(a.Seq, b.Seq), a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
}

// Effective returns the inspection as its amendments make it: the original
// with each change applied in AmendmentOrder. The original is not modified.
func Effective(ins *Inspection, amendments []Amendment) *Inspection {
	out := *ins
	out.HallFindings = slices.Clone(ins.HallFindings)
	out.People = slices.Clone(ins.People)
	for i := range out.People {
		out.People[i].Findings = slices.Clone(out.People[i].Findings)
	}
	sorted := slices.Clone(amendments)
	slices.SortStableFunc(sorted, AmendmentOrder)
	for _, a := range sorted {
		for _, ch := range a.Changes {
			target := &out.HallFindings
			if ch.PersonID != "" {
				i := slices.IndexFunc(out.People, func(p Person) bool { return p.ID == ch.PersonID })
				if i < 0 {
					continue
				}
				target = &out.People[i].Findings
			}
			*target = slices.DeleteFunc(*target, func(f Finding) bool { return f.ItemID == ch.ItemID })
			if ch.Finding != nil {
				*target = append(*target, *ch.Finding)
			}
		}
	}
	return &out
}

// ValidateAmendment checks an amendment against the sealed original.
func ValidateAmendment(v *standard.Version, orig *Inspection, a *Amendment) error {
	wrap := func(err error) error { return fmt.Errorf("amendment of inspection %s: %w", orig.ID, err) }
	if orig.Status != StatusSealed {
		return wrap(errors.New("only a sealed inspection can be amended; edit the draft instead"))
	}
	if a.OriginalHash != orig.SealHash {
		return wrap(fmt.Errorf("it amends seal %s but the inspection's seal is %s", a.OriginalHash, orig.SealHash))
	}
	if strings.TrimSpace(a.Reason) == "" {
		return wrap(errors.New("a reason is required"))
	}
	if len(a.Changes) == 0 {
		return wrap(errors.New("it changes nothing"))
	}
	if a.Seq < 0 {
		return wrap(fmt.Errorf("sequence number %d is negative", a.Seq))
	}
	for _, ch := range a.Changes {
		var p *Person
		if ch.PersonID != "" {
			i := slices.IndexFunc(orig.People, func(x Person) bool { return x.ID == ch.PersonID })
			if i < 0 {
				return wrap(fmt.Errorf("person %s was not observed in this inspection", ch.PersonID))
			}
			p = &orig.People[i]
		}
		if ch.Finding != nil {
			if ch.Finding.ItemID != ch.ItemID {
				return wrap(fmt.Errorf("change of item %s carries a finding on item %s", ch.ItemID, ch.Finding.ItemID))
			}
			if err := ValidateFinding(v, p, ch.Finding); err != nil {
				return wrap(err)
			}
		} else if _, ok := v.Item(ch.ItemID); !ok {
			return wrap(fmt.Errorf("item %q is not in standard version %d", ch.ItemID, v.Version))
		}
	}
	return nil
}

// SealedAtOrNow is the time to seal at: now, but never before the start, so
// that a device clock set back cannot make an inspection end before it began.
func SealedAtOrNow(ins *Inspection, now time.Time) time.Time {
	if now.Before(ins.StartedAt) {
		return ins.StartedAt
	}
	return now
}
