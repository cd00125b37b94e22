package flow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// maxSignaturePixels bounds a drawn signature: a drawing pad is a screen,
// and anything much larger is not a drawing.
const maxSignaturePixels = 4096 * 4096

// Review scores the inspection as it stands (a sealed one as amended) and
// gathers what the supervisor checks before sealing.
func (f *Flow) Review(ctx context.Context, d *Draft) (*Review, error) {
	const op = "review"
	if d == nil || d.Inspection == nil || d.Standard == nil {
		return nil, fmt.Errorf("%s: %w", op, invalid("no inspection is open"))
	}
	v, ins := d.Standard, d.view()
	res, err := inspect.ScoreInspection(v, ins)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	r := &Review{Result: res}
	var seen map[string]string
	if d.Inspection.Status != inspect.StatusSealed {
		if seen, err = f.db.StaffSignaturesSeen(ctx, d.Inspection.ID); err != nil {
			return nil, storeErr(op, err)
		}
	}
	for i := range ins.People {
		p := &ins.People[i]
		repeats, err := f.repeatCounts(ctx, d, p)
		if err != nil {
			return nil, storeErr(op, err)
		}
		pr := PersonReview{Person: clonePerson(*p), Score: res.People[p.ID],
			Findings: findingStates(v, v.PersonItems(p.Role, p.Gender), p.Findings, repeats)}
		if s, ok := signature(ins, inspect.SignerStaff, p.ID); ok {
			pr.Signed = s.Image != nil
			pr.Disagree = s.Disagreement
			if d.Inspection.Status != inspect.StatusSealed {
				if digest, ok := seen[p.ID]; ok {
					pr.Stale = digest != findingsSeen(p.Findings)
				} else {
					// Signed before what they saw was recorded: only a
					// finding or photo added since shows.
					pr.Stale = lastChange(p.Findings).After(s.At)
				}
			}
		}
		r.People = append(r.People, pr)
	}
	r.Hall = findingStates(v, v.HallItems(), ins.HallFindings, nil)
	if d.Inspection.Status != inspect.StatusSealed {
		if s, ok := signature(ins, inspect.SignerSupervisor, ins.SupervisorID); !ok || s.Image == nil {
			r.Missing = append(r.Missing, MissingSupervisorSignature)
		}
	}
	return r, nil
}

// findingStates lists the items with a finding, in the standard's order.
func findingStates(v *standard.Version, items []standard.Item, fs []inspect.Finding, repeats map[string]int) []ItemState {
	var out []ItemState
	for _, it := range items {
		if i := slices.IndexFunc(fs, func(x inspect.Finding) bool { return x.ItemID == it.ID }); i >= 0 {
			out = append(out, itemState(v, it, &fs[i], repeats[it.ID]))
		}
	}
	return out
}

// findingsSeen is a digest of a person's findings as they are shown for
// signing: it changes when a finding is added or removed, or its outcome,
// counts, note or photos change.
func findingsSeen(fs []inspect.Finding) string {
	sorted := slices.Clone(fs)
	slices.SortFunc(sorted, func(a, b inspect.Finding) int { return strings.Compare(a.ItemID, b.ItemID) })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%q %q %d %d %q", f.ItemID, f.Outcome, f.Observed, f.Failed, f.Note)
		for _, p := range f.Photos {
			fmt.Fprintf(h, " %s", p.SHA256)
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// personFindings returns the findings of one observed person.
func personFindings(ins *inspect.Inspection, personID string) []inspect.Finding {
	for _, p := range ins.People {
		if p.ID == personID {
			return p.Findings
		}
	}
	return nil
}

// lastChange is when a person's findings last changed as far as the record
// tells: the latest time a finding or a photo on one was recorded. A finding
// keeps the time it was first recorded, so an edited note or count, or a
// finding taken back, leaves no time behind and is not seen here: it serves
// only signatures made before findingsSeen was kept beside them.
func lastChange(fs []inspect.Finding) time.Time {
	var last time.Time
	for _, f := range fs {
		if f.At.After(last) {
			last = f.At
		}
		for _, p := range f.Photos {
			if p.At.After(last) {
				last = p.At
			}
		}
	}
	return last
}

func signature(ins *inspect.Inspection, role inspect.SignerRole, personID string) (inspect.Signature, bool) {
	for _, s := range ins.Signatures {
		if s.Role == role && s.PersonID == personID {
			return s, true
		}
	}
	return inspect.Signature{}, false
}

// OwnedBy reports whether u is the supervisor who started the draft. Only
// they sign it as its supervisor and seal it: the signature is stored under
// the draft's supervisor, whoever draws it.
func (d *Draft) OwnedBy(u User) bool {
	return d != nil && d.Inspection != nil && u.ID != "" && d.Inspection.SupervisorID == u.ID
}

// SignSupervisor stores the drawn signature of user, the draft's supervisor;
// a new one replaces the last, and nil withdraws it (the pad's Clear).
func (f *Flow) SignSupervisor(ctx context.Context, user User, d *Draft, pngData []byte) error {
	const op = "supervisor's signature"
	if err := writable(d); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !d.OwnedBy(user) {
		return fmt.Errorf("%s: %w", op, ErrNotOwner)
	}
	if pngData == nil {
		return f.withdraw(ctx, d, "withdraw the "+op, inspect.SignerSupervisor, d.Inspection.SupervisorID)
	}
	name := ""
	if us, err := f.db.Users(ctx); err == nil {
		if i := slices.IndexFunc(us, func(u store.User) bool { return u.ID == d.Inspection.SupervisorID }); i >= 0 {
			name = us[i].Name
		}
	}
	return f.sign(ctx, d, op, inspect.Signature{Role: inspect.SignerSupervisor, PersonID: d.Inspection.SupervisorID, Name: name}, pngData)
}

// SignStaff records a person's acknowledgement: a drawn signature, or none
// (nil) when they decline, and their disagreement in their own words. A new
// one replaces the last.
func (f *Flow) SignStaff(ctx context.Context, d *Draft, personID string, pngData []byte, disagreement string) error {
	op := "signature of person " + personID
	if err := writable(d); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	p, _, err := subject(d.Inspection, personID)
	if err != nil || p == nil {
		return fmt.Errorf("%s: %w in this inspection", op, ErrNotFound)
	}
	op = "signature of " + p.Name
	disagreement = strings.TrimSpace(disagreement)
	switch n := utf8.RuneCountInString(disagreement); {
	case !utf8.ValidString(disagreement):
		return fmt.Errorf("%s: %w", op, invalid("the disagreement is not valid text"))
	case n > inspect.MaxNoteRunes:
		return fmt.Errorf("%s: %w", op, invalid("the disagreement has %d characters, at most %d", n, inspect.MaxNoteRunes))
	}
	return f.sign(ctx, d, op, inspect.Signature{Role: inspect.SignerStaff, PersonID: p.ID, Name: p.Name, Disagreement: disagreement}, pngData)
}

func (f *Flow) sign(ctx context.Context, d *Draft, op string, s inspect.Signature, pngData []byte) error {
	s.At = f.clock()
	if pngData != nil {
		if err := checkSignature(pngData); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		ref, err := f.db.PutPhoto(ctx, bytes.NewReader(pngData), "image/png")
		if err != nil {
			return draftErr(op, f.photoDirErr(err))
		}
		ref.At = s.At
		s.Image = &ref
	}
	var err error
	if s.Role == inspect.SignerStaff {
		err = f.db.SaveStaffSignature(ctx, d.Inspection.ID, s, findingsSeen(personFindings(d.Inspection, s.PersonID)))
	} else {
		err = f.db.SaveSignature(ctx, d.Inspection.ID, s)
	}
	if err != nil {
		return draftErr(op, err)
	}
	sigs := slices.DeleteFunc(slices.Clone(d.Inspection.Signatures), func(x inspect.Signature) bool {
		return x.Role == s.Role && x.PersonID == s.PersonID
	})
	d.Inspection.Signatures = append(sigs, s)
	return nil
}

// withdraw deletes a signature from the draft, store first.
func (f *Flow) withdraw(ctx context.Context, d *Draft, op string, role inspect.SignerRole, personID string) error {
	if err := f.db.DeleteSignature(ctx, d.Inspection.ID, role, personID); err != nil {
		return draftErr(op, err)
	}
	d.Inspection.Signatures = slices.DeleteFunc(slices.Clone(d.Inspection.Signatures), func(x inspect.Signature) bool {
		return x.Role == role && x.PersonID == personID
	})
	return nil
}

// checkSignature accepts a complete PNG of a sane size. It decodes the whole
// image, which for a drawing is cheap, because a truncated file would pass a
// header check and then fail in every report.
func checkSignature(b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = invalid("the signature is not a readable PNG image (%v)", r)
		}
	}()
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return invalid("the signature is not a PNG image (%v)", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxSignaturePixels {
		return invalid("the signature is %d×%d pixels", cfg.Width, cfg.Height)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		return invalid("the signature image is damaged (%v)", err)
	}
	return nil
}

// Seal finalises the draft once its supervisor, user, has signed. The checks
// and the seal are one transaction, so what was checked is what gets sealed.
// The draft then holds the sealed record, read-only.
func (f *Flow) Seal(ctx context.Context, user User, d *Draft) (string, error) {
	const op = "seal inspection"
	if err := writable(d); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if !d.OwnedBy(user) {
		return "", fmt.Errorf("%s: %w", op, ErrNotOwner)
	}
	id := d.Inspection.ID
	var hash string
	err := f.db.InTx(ctx, func(tx *store.Tx) error {
		ins, err := tx.Inspection(ctx, id)
		if err != nil {
			return err
		}
		if ins.SupervisorID != user.ID {
			return ErrNotOwner
		}
		if s, ok := signature(ins, inspect.SignerSupervisor, ins.SupervisorID); !ok || s.Image == nil {
			return ErrUnsigned
		}
		// A finding the standard does not know would make the sealed record
		// unscorable forever; refuse it while it can still be fixed.
		if _, err := inspect.ScoreInspection(d.Standard, ins); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		hash, err = tx.Seal(ctx, id, inspect.SealedAtOrNow(ins, f.clock()))
		return err
	})
	if err != nil {
		return "", draftErr(op, err)
	}
	f.log.Info("inspection sealed", "inspection", id, "seal", hash)
	// The record is safe; a failure to reload it only leaves the screen with
	// its copy, which must not be written to any more.
	d.ReadOnly = true
	if ins, err := f.db.Inspection(ctx, id); err == nil {
		d.Inspection = ins
	} else {
		f.log.Warn("reload sealed inspection", "inspection", id, "err", err)
		d.Inspection.Status, d.Inspection.SealHash = inspect.StatusSealed, hash
	}
	return hash, nil
}

// Amend records a correction of a sealed inspection by user. Each change's
// finding gets an ID and the time when left empty.
func (f *Flow) Amend(ctx context.Context, user User, inspectionID, reason string, changes []inspect.Change) (*inspect.Amendment, error) {
	op := "amend inspection " + inspectionID
	if user.ID == "" {
		return nil, fmt.Errorf("%s: %w", op, invalid("nobody is signed in"))
	}
	dev, err := f.DeviceID(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ins, err := f.db.Inspection(ctx, inspectionID)
	if err != nil {
		return nil, storeErr(op, err)
	}
	if ins.Status != inspect.StatusSealed {
		return nil, fmt.Errorf("%s: %w; edit the draft instead", op, ErrNotSealed)
	}
	v, err := f.standard(ctx, ins.StandardVersion)
	if err != nil {
		return nil, storeErr(op, err)
	}
	now := f.clock()
	a := &inspect.Amendment{
		ID: inspect.NewID(), InspectionID: ins.ID, OriginalHash: ins.SealHash,
		Reason: strings.TrimSpace(reason), AuthorID: user.ID, DeviceID: dev, At: now,
	}
	for _, c := range changes {
		if c.Finding != nil {
			fnd := cloneFinding(*c.Finding)
			if fnd.ItemID == "" {
				fnd.ItemID = c.ItemID
			}
			if fnd.ID == "" {
				fnd.ID = inspect.NewID()
			}
			if fnd.At.IsZero() {
				fnd.At = now
			}
			fnd.Note = strings.TrimSpace(fnd.Note)
			c.Finding = &fnd
		}
		a.Changes = append(a.Changes, c)
	}
	if err := inspect.ValidateAmendment(v, ins, a); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := f.db.AddAmendment(ctx, a); err != nil {
		return nil, storeErr(op, err)
	}
	f.log.Info("inspection amended", "inspection", ins.ID, "amendment", a.ID)
	return a, nil
}

// CanTakeOver reports whether the supervisor who started d can no longer
// sign in on this device (removed, or disabled): then nobody could finish
// it, and its findings would never be sealed nor reach the hub.
func (f *Flow) CanTakeOver(ctx context.Context, d *Draft) (bool, error) {
	if writable(d) != nil {
		return false, nil
	}
	users, err := f.Users(ctx)
	if err != nil {
		return false, err
	}
	return !slices.ContainsFunc(users, func(u User) bool { return u.ID == d.Inspection.SupervisorID }), nil
}

// TakeOver makes user the supervisor of a draft whose own supervisor can no
// longer sign in here (CanTakeOver), so that it can still be finished and
// sealed. Its findings stay as they are; a signature of the previous
// supervisor is dropped, since the new one signs for themselves. A draft
// whose supervisor can still sign in stays theirs (ErrNotOwner).
func (f *Flow) TakeOver(ctx context.Context, user User, d *Draft) error {
	const op = "take over the draft"
	if err := writable(d); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if user.ID == "" {
		return fmt.Errorf("%s: %w", op, ErrNotOwner)
	}
	if d.OwnedBy(user) {
		return nil
	}
	can, err := f.CanTakeOver(ctx, d)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !can {
		return fmt.Errorf("%s: %w", op, ErrNotOwner)
	}
	previous := d.Inspection.SupervisorID
	if err := f.db.ReassignDraft(ctx, d.Inspection.ID, user.ID); err != nil {
		return draftErr(op, err)
	}
	d.Inspection.SupervisorID = user.ID
	d.Inspection.Signatures = slices.DeleteFunc(slices.Clone(d.Inspection.Signatures), func(x inspect.Signature) bool {
		return x.Role == inspect.SignerSupervisor && x.PersonID == previous
	})
	return nil
}
