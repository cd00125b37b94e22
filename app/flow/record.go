package flow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// What one tap means, item by item. Recording is exception-first: an item
// with no finding conforms.
//
//   - ToggleNonconform on a check item flips it: conforming becomes
//     nonconform; nonconform or N/A becomes conforming again (the finding,
//     with its note and photos, is deleted; a screen that shows them should
//     confirm first).
//   - ToggleNonconform on a tally item records one more failed observation
//     (observed+1, failed+1), starting from 1/1. A supervisor counting
//     greetings taps each time one is missed, so a tap never throws counts
//     away; taking one back, or counting a success, is SetTally (the
//     screen's − and + counters), and SetTally(0, 0) makes it conform.
//   - SetNotApplicable(true) marks the item not observed / N/A, keeping the
//     note and photos and dropping tally counts; false makes an N/A item
//     conform again and leaves any other finding alone.
//   - SetNote keeps the outcome. A note on a conforming item is refused with
//     ErrNoFinding rather than silently marking the item nonconform, since a
//     finding is an exception the supervisor decides on, not a side effect
//     of typing. An empty note on a conforming item is a no-op.
//   - AttachPhoto on a conforming item marks it as a tap would (nonconform,
//     or one failed observation of a tally): a photo is evidence of a
//     deviation. On a finding it only adds the photo.

// ToggleNonconform is the one tap on an item; see above.
func (f *Flow) ToggleNonconform(ctx context.Context, d *Draft, personID, itemID string) (ItemState, error) {
	return f.record(ctx, d, personID, itemID, "mark", func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error) {
		if it.Kind == standard.KindTally {
			return failOnce(cur), nil
		}
		if cur == nil {
			return &inspect.Finding{Outcome: inspect.Nonconform}, nil
		}
		return nil, nil
	})
}

// failOnce adds one failed observation to a tally finding (or starts one).
func failOnce(cur *inspect.Finding) *inspect.Finding {
	if cur == nil || cur.Outcome == inspect.NotApplicable {
		n := &inspect.Finding{Outcome: inspect.Tallied, Observed: 1, Failed: 1}
		if cur != nil {
			n.Note, n.Photos = cur.Note, cur.Photos
		}
		return n
	}
	n := *cur
	// Nonconform without counts scores as one failed observation; keep
	// that one when counting on.
	if n.Outcome == inspect.Nonconform && n.Observed == 0 {
		n.Observed, n.Failed = 1, 1
	}
	n.Outcome = inspect.Tallied
	n.Observed++
	n.Failed++
	return &n
}

// SetNotApplicable marks an item N/A, or an N/A item conforming again.
func (f *Flow) SetNotApplicable(ctx context.Context, d *Draft, personID, itemID string, na bool) (ItemState, error) {
	return f.record(ctx, d, personID, itemID, "mark N/A", func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error) {
		switch {
		case na && cur == nil:
			return &inspect.Finding{Outcome: inspect.NotApplicable}, nil
		case na:
			n := *cur
			n.Outcome, n.Observed, n.Failed = inspect.NotApplicable, 0, 0
			return &n, nil
		case cur != nil && cur.Outcome == inspect.NotApplicable:
			return nil, nil
		}
		return cur, nil
	})
}

// SetTally sets a tally item's counts; 0 and 0 makes it conform (the finding
// is deleted with its note and photos).
func (f *Flow) SetTally(ctx context.Context, d *Draft, personID, itemID string, observed, failed int) (ItemState, error) {
	return f.record(ctx, d, personID, itemID, "count", func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error) {
		if it.Kind != standard.KindTally {
			return nil, invalid("item %s is checked, not counted", it.ID)
		}
		if observed < 0 || failed < 0 || failed > observed || observed > inspect.MaxTallyCount {
			return nil, invalid("counts observed %d, failed %d: need 0 ≤ failed ≤ observed ≤ %d", observed, failed, inspect.MaxTallyCount)
		}
		if observed == 0 {
			return nil, nil
		}
		n := inspect.Finding{}
		if cur != nil {
			n = *cur
		}
		n.Outcome, n.Observed, n.Failed = inspect.Tallied, observed, failed
		return &n, nil
	})
}

// SetNote sets or clears the note of a finding, keeping its outcome.
func (f *Flow) SetNote(ctx context.Context, d *Draft, personID, itemID, note string) (ItemState, error) {
	note = strings.TrimSpace(note)
	return f.record(ctx, d, personID, itemID, "note", func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error) {
		if cur == nil {
			if note == "" {
				return nil, nil
			}
			return nil, fmt.Errorf("item %s: %w", it.ID, ErrNoFinding)
		}
		if !utf8.ValidString(note) {
			return nil, invalid("the note is not valid text")
		}
		if n := utf8.RuneCountInString(note); n > inspect.MaxNoteRunes {
			return nil, invalid("the note has %d characters, at most %d", n, inspect.MaxNoteRunes)
		}
		n := *cur
		n.Note = note
		return &n, nil
	})
}

// RemovePhoto takes a photo off a finding; the finding stays. Removing a
// photo that is not there is a no-op (a second tap on the same button).
func (f *Flow) RemovePhoto(ctx context.Context, d *Draft, personID, itemID, sha256 string) (ItemState, error) {
	return f.record(ctx, d, personID, itemID, "remove photo", func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error) {
		if cur == nil {
			return nil, nil
		}
		n := cloneFinding(*cur)
		n.Photos = slices.DeleteFunc(n.Photos, func(p inspect.PhotoRef) bool { return p.SHA256 == sha256 })
		return &n, nil
	})
}

// markedWith returns the finding with a photo added, marking a conforming
// item as a tap would.
func markedWith(it standard.Item, cur *inspect.Finding, ref inspect.PhotoRef) *inspect.Finding {
	var n inspect.Finding
	switch {
	case cur != nil:
		n = cloneFinding(*cur)
	case it.Kind == standard.KindTally:
		n = *failOnce(nil)
	default:
		n = inspect.Finding{Outcome: inspect.Nonconform}
	}
	if !slices.ContainsFunc(n.Photos, func(p inspect.PhotoRef) bool { return p.SHA256 == ref.SHA256 }) {
		n.Photos = append(n.Photos, ref)
	}
	return &n
}

// change computes an item's new finding from its current one (a copy, nil
// when the item conforms); nil means the item conforms.
type change func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error)

// record applies one change to an item of a draft: it validates the result
// against the standard, commits it in one transaction, and only then updates
// the Draft, so a failed call leaves both as they were.
func (f *Flow) record(ctx context.Context, d *Draft, personID, itemID, verb string, fn change) (ItemState, error) {
	op := verb + " item " + itemID
	if err := writable(d); err != nil {
		return ItemState{}, fmt.Errorf("%s: %w", op, err)
	}
	p, findings, err := subject(d.Inspection, personID)
	if err != nil {
		return ItemState{}, fmt.Errorf("%s: %w", op, err)
	}
	if p != nil {
		op += " of " + p.Name
	}
	v := d.Standard
	it, ok := v.Item(itemID)
	if !ok {
		return ItemState{}, fmt.Errorf("%s: %w", op, invalid("not in standard version %d", v.Version))
	}
	if !applies(it, p) {
		if p == nil {
			return ItemState{}, fmt.Errorf("%s: %w", op, invalid("the item is checked on people, not on the hall"))
		}
		return ItemState{}, fmt.Errorf("%s: %w", op, invalid("the item does not apply to a %s (%s)", p.Role, p.Gender))
	}
	idx := slices.IndexFunc(findings, func(x inspect.Finding) bool { return x.ItemID == itemID })
	var cur *inspect.Finding
	if idx >= 0 {
		c := cloneFinding(findings[idx])
		cur = &c
	}
	next, err := fn(it, cur)
	if err != nil {
		return ItemState{}, fmt.Errorf("%s: %w", op, err)
	}

	switch {
	case next == nil && cur == nil, next != nil && cur != nil && sameFinding(*next, *cur):
		// Nothing to change: no write, and the answer is the state as it is.
		next = cur
	case next == nil:
		if err := f.db.DeleteFinding(ctx, d.Inspection.ID, personID, itemID); err != nil {
			return ItemState{}, draftErr(op, err)
		}
		setFindings(d.Inspection, personID, slices.Delete(slices.Clone(findings), idx, idx+1))
	default:
		n := *next
		n.ItemID = itemID
		if cur != nil {
			// The finding keeps its identity and the moment it was first
			// recorded; what changed is in the record, not in its time.
			n.ID, n.At = cur.ID, cur.At
		} else {
			n.ID, n.At = inspect.NewID(), f.clock()
		}
		for i := range n.Photos {
			if n.Photos[i].At.IsZero() {
				n.Photos[i].At = f.clock()
			}
		}
		if err := inspect.ValidateFinding(v, p, &n); err != nil {
			return ItemState{}, fmt.Errorf("%s: %w: %w", op, ErrInvalid, err)
		}
		if err := f.db.SaveFinding(ctx, d.Inspection.ID, personID, &n); err != nil {
			return ItemState{}, draftErr(op, err)
		}
		updated := slices.Clone(findings)
		if idx >= 0 {
			updated[idx] = n
		} else {
			updated = append(updated, n)
		}
		setFindings(d.Inspection, personID, updated)
		next = &n
	}

	// The hint is a courtesy: failing to count must not turn a saved change
	// into an error the screen would report as unsaved.
	repeats, err := f.repeatCount(ctx, p, itemID)
	if err != nil {
		f.log.Warn("count repeat offences", "item", itemID, "err", err)
	}
	return itemState(v, it, next, repeats), nil
}

func setFindings(ins *inspect.Inspection, personID string, fs []inspect.Finding) {
	if personID == "" {
		ins.HallFindings = fs
		return
	}
	for i := range ins.People {
		if ins.People[i].ID == personID {
			ins.People[i].Findings = fs
			return
		}
	}
}

func sameFinding(a, b inspect.Finding) bool {
	return a.Outcome == b.Outcome && a.Observed == b.Observed && a.Failed == b.Failed &&
		a.Note == b.Note && slices.EqualFunc(a.Photos, b.Photos, func(x, y inspect.PhotoRef) bool {
		return x.SHA256 == y.SHA256 && x.Size == y.Size && x.Type == y.Type && x.At.Equal(y.At)
	})
}
