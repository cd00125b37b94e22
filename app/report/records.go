package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// checkSealed refuses what no report may print: a draft, a standard of
// another version, and an inspection or amendment whose seal does not match
// its content, since a report that printed a seal over altered data would
// lend the alteration the seal's authority. It returns the amendments in
// the order they apply.
func checkSealed(ins *inspect.Inspection, std *standard.Version, amendments []inspect.Amendment) ([]inspect.Amendment, error) {
	switch {
	case ins == nil:
		return nil, invalid("no inspection")
	case std == nil:
		return nil, invalid("no standard version for inspection %s", ins.ID)
	case ins.Status != inspect.StatusSealed:
		return nil, invalid("inspection %s has status %q: only sealed inspections are reported", ins.ID, ins.Status)
	case !inspect.ValidHash(ins.SealHash):
		return nil, invalid("inspection %s: seal %q is not a SHA-256", ins.ID, ins.SealHash)
	case std.Version != ins.StandardVersion:
		return nil, invalid("inspection %s was made with standard version %d, got version %d", ins.ID, ins.StandardVersion, std.Version)
	case len(std.Grades) == 0:
		return nil, invalid("standard version %d has no grades", std.Version)
	}
	if got, err := inspect.ComputeSeal(ins); err != nil {
		return nil, err
	} else if got != ins.SealHash {
		return nil, invalid("inspection %s does not match its seal: sealed %s, content hashes to %s", ins.ID, ins.SealHash, got)
	}
	amends := slices.Clone(amendments)
	slices.SortStableFunc(amends, inspect.AmendmentOrder)
	for i := range amends {
		a := &amends[i]
		if a.InspectionID != ins.ID || a.OriginalHash != ins.SealHash {
			return nil, invalid("amendment %s belongs to inspection %s seal %s, not %s", a.ID, a.InspectionID, a.OriginalHash, ins.ID)
		}
		if got, err := inspect.ComputeAmendmentSeal(a); err != nil {
			return nil, err
		} else if got != a.SealHash {
			return nil, invalid("amendment %s does not match its seal: sealed %q, content hashes to %s", a.ID, a.SealHash, got)
		}
	}
	return amends, nil
}

// Record is one sealed inspection with its amendments, as the summary and
// the history read them.
type Record struct {
	Inspection *inspect.Inspection
	Amendments []inspect.Amendment
	HallName   string
}

// scoredRecord is a record checked against its seal and scored as its
// amendments make it.
type scoredRecord struct {
	Record
	std     *standard.Version
	eff     *inspect.Inspection
	res     inspect.Result
	amended map[[2]string]bool // (person ID, item ID) changed by an amendment
}

// period is a span of whole days in CST, both ends included.
type period struct{ from, to time.Time }

func newPeriod(from, to time.Time) (period, error) {
	p := period{from: day(from), to: day(to)}
	if p.to.Before(p.from) {
		return p, invalid("period ends %s before it starts %s", fmtDate(to), fmtDate(from))
	}
	return p, nil
}

func day(t time.Time) time.Time {
	t = t.In(CST)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, CST)
}

func (p period) contains(t time.Time) bool {
	return !t.Before(p.from) && t.Before(p.to.AddDate(0, 0, 1))
}

func (p period) String() string { return fmtDate(p.from) + " – " + fmtDate(p.to) }

// scoreRecords checks and scores the records that fall in the period, in
// the order they were made. Records outside the period are left out, so a
// caller's wider query cannot change what the report claims to cover.
// preparePeriod is how both period reports begin: the period, the font
// metrics and the records scored, with progress counted as one step per
// record and then one per section the report draws.
func preparePeriod(from, to time.Time, records []Record, stds map[int]*standard.Version, opt Options, sections int) (period, *metrics, []scoredRecord, *progressSteps, error) {
	p, err := newPeriod(from, to)
	if err != nil {
		return period{}, nil, nil, nil, err
	}
	m, err := loadMetrics()
	if err != nil {
		return period{}, nil, nil, nil, err
	}
	prog := &progressSteps{opt: opt, step: len(records), total: len(records) + sections}
	recs, err := scoreRecords(records, stds, p, func(done, _ int) { opt.progress(done, prog.total) })
	if err != nil {
		return period{}, nil, nil, nil, err
	}
	return p, m, recs, prog, nil
}

// progressSteps reports a period report's sections after its records.
type progressSteps struct {
	opt         Options
	step, total int
}

func (s *progressSteps) next() { s.step++; s.opt.progress(s.step, s.total) }
func (s *progressSteps) done() { s.opt.progress(s.total, s.total) }

func scoreRecords(recs []Record, stds map[int]*standard.Version, p period, progress func(done, total int)) ([]scoredRecord, error) {
	var out []scoredRecord
	for i, r := range recs {
		if progress != nil && i%25 == 0 {
			progress(i, len(recs))
		}
		if r.Inspection == nil {
			return nil, invalid("record %d has no inspection", i)
		}
		if !p.contains(r.Inspection.StartedAt) {
			continue
		}
		std := stds[r.Inspection.StandardVersion]
		amends, err := checkSealed(r.Inspection, std, r.Amendments)
		if err != nil {
			return nil, err
		}
		eff := inspect.Effective(r.Inspection, amends)
		res, err := inspect.ScoreInspection(std, eff)
		if err != nil {
			return nil, err
		}
		sr := scoredRecord{Record: r, std: std, eff: eff, res: res, amended: map[[2]string]bool{}}
		sr.Amendments = amends
		for _, a := range amends {
			for _, ch := range a.Changes {
				sr.amended[[2]string{ch.PersonID, ch.ItemID}] = true
			}
		}
		out = append(out, sr)
	}
	if progress != nil {
		progress(len(recs), len(recs))
	}
	slices.SortStableFunc(out, func(a, b scoredRecord) int {
		return cmp.Or(a.Inspection.StartedAt.Compare(b.Inspection.StartedAt), cmp.Compare(a.Inspection.ID, b.Inspection.ID))
	})
	return out, nil
}

// digest is the SHA-256 of the IDs and seals of every record a report
// covers, in order. Printed in the footer and its QR code, it lets the hub
// confirm that a printed summary was made from exactly the records it holds.
func digest(kind, subject string, p period, recs []scoredRecord) string {
	h := sha256.New()
	fmt.Fprintf(h, "dudao-%s/1\n%s\n%s\n%s\n", kind, subject, fmtDate(p.from), fmtDate(p.to))
	for _, r := range recs {
		fmt.Fprintf(h, "%s %s\n", r.Inspection.ID, r.Inspection.SealHash)
		for _, a := range r.Amendments {
			fmt.Fprintf(h, "  %s %s\n", a.ID, a.SealHash)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// offence reports whether a finding counts against the person: a
// nonconformity, or a tally with at least one failure.
func offence(f inspect.Finding) bool {
	return f.Outcome == inspect.Nonconform || f.Outcome == inspect.Tallied && f.Failed > 0
}

// newest returns the newest version among stds, for the texts of clauses
// that several versions share.
func newest(stds map[int]*standard.Version) *standard.Version {
	var best *standard.Version
	for _, v := range stds {
		if v != nil && (best == nil || v.Version > best.Version) {
			best = v
		}
	}
	return best
}

// redactedLabel names a member of staff in a redacted copy: by badge
// number, which anyone in the hall can read off their uniform anyway, or by
// their place in the report when they have none.
func redactedLabel(m *metrics, badge string, n int) string {
	if b := strings.TrimSpace(badge); b != "" {
		return "工牌 " + m.oneLine(b)
	}
	return fmt.Sprintf("人员 %d", n)
}

// scrubber replaces staff names in free text (notes, disagreements,
// reasons) with their labels, for redacted copies: supervisors write names
// into notes. Names shorter than two characters are left alone, as they
// would match inside ordinary words.
func scrubber(names [][2]string) func(string) string {
	var ps [][2]string
	for _, p := range names {
		if n := strings.TrimSpace(p[0]); utf8.RuneCountInString(n) >= 2 {
			ps = append(ps, [2]string{n, p[1]})
		}
	}
	if len(ps) == 0 {
		return func(s string) string { return s }
	}
	// Longest names first, so that 王小明 is not half-replaced as 王小.
	slices.SortStableFunc(ps, func(a, b [2]string) int { return cmp.Compare(len(b[0]), len(a[0])) })
	args := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		args = append(args, p[0], p[1])
	}
	return strings.NewReplacer(args...).Replace
}
