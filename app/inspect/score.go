package inspect

import (
	"fmt"
	"math"
	"strings"

	"github.com/dudao-app/dudao/app/standard"
)

// Score is the result for one person, the hall, or a whole inspection.
//
// Points = 100 × achieved ÷ possible, where every applicable item contributes
// its weight to possible, and to achieved its weight times the share it was
// met: 1 with no finding, 0 when nonconform, 1 − failed/observed for a tally.
// N/A items and tallies with nothing observed leave both sums. Because the sum
// is pooled, the deductions of an inspection add up exactly to 100 − Points.
type Score struct {
	Points   float64 // 0..100
	Scored   bool    // false when nothing applicable was assessed
	Achieved float64
	Possible float64
	Grade    standard.GradeBand
	// Capped is set when a critical item failed: the grade is then the lowest
	// band whatever the points.
	Capped     bool
	Deductions []Deduction
}

// Deduction explains the points one item cost.
type Deduction struct {
	PersonID   string // empty for hall items
	PersonName string
	ItemID     string
	Clause     string
	Text       standard.Text
	Points     float64 // points of 100 lost, > 0
	Critical   bool
	Observed   int // tallies only
	Failed     int
	Note       string
}

// Result holds the score of each person, of the hall items, and of the whole.
type Result struct {
	Inspection Score
	Hall       Score
	People     map[string]Score // by Person.ID
}

type tally struct {
	achieved, possible float64
	fails              []failure
	critical           bool
}

type failure struct {
	person   *Person
	item     standard.Item
	lost     float64 // in weight units
	observed int
	failed   int
	note     string
}

// ScoreInspection scores an inspection against the version it was made with.
// It fails only when a finding names an item the version does not have, which
// means the record and the standard do not belong together.
func ScoreInspection(v *standard.Version, ins *Inspection) (Result, error) {
	res := Result{People: make(map[string]Score, len(ins.People))}
	var all tally
	hall, err := scoreSubject(v, nil, v.HallItems(), ins.HallFindings)
	if err != nil {
		return Result{}, fmt.Errorf("score inspection %s hall items: %w", ins.ID, err)
	}
	res.Hall = hall.score(v)
	all.merge(hall)
	for i := range ins.People {
		p := &ins.People[i]
		t, err := scoreSubject(v, p, v.PersonItems(p.Role, p.Gender), p.Findings)
		if err != nil {
			return Result{}, fmt.Errorf("score inspection %s person %s: %w", ins.ID, p.Name, err)
		}
		res.People[p.ID] = t.score(v)
		all.merge(t)
	}
	res.Inspection = all.score(v)
	return res, nil
}

func scoreSubject(v *standard.Version, p *Person, applicable []standard.Item, findings []Finding) (tally, error) {
	byItem := make(map[string]Finding, len(findings))
	for _, f := range findings {
		if _, ok := v.Item(f.ItemID); !ok {
			return tally{}, fmt.Errorf("finding %s: item %q is not in standard version %d", f.ID, f.ItemID, v.Version)
		}
		byItem[f.ItemID] = f
	}
	var t tally
	for _, it := range applicable {
		w := float64(it.Weight)
		f, found := byItem[it.ID]
		if !found {
			t.achieved += w
			t.possible += w
			continue
		}
		share, counted := metShare(it, f)
		if !counted {
			continue
		}
		t.possible += w
		t.achieved += w * share
		if share < 1 {
			t.fails = append(t.fails, failure{person: p, item: it, lost: w * (1 - share), observed: f.Observed, failed: f.Failed, note: f.Note})
			if it.Critical {
				t.critical = true
			}
		}
	}
	return t, nil
}

// metShare returns the share of an item that was met, and whether the item
// counts at all (N/A and empty tallies do not).
func metShare(it standard.Item, f Finding) (float64, bool) {
	if f.Outcome == NotApplicable {
		return 0, false
	}
	if it.Kind == standard.KindTally {
		if f.Observed <= 0 {
			// A tally marked nonconform without counts is one failed
			// observation: the supervisor saw it fail and did not count.
			if f.Outcome == Nonconform {
				return 0, true
			}
			return 0, false
		}
		failed := min(max(f.Failed, 0), f.Observed)
		return 1 - float64(failed)/float64(f.Observed), true
	}
	if f.Outcome == Nonconform {
		return 0, true
	}
	return 1, true
}

func (t *tally) merge(o tally) {
	t.achieved += o.achieved
	t.possible += o.possible
	t.fails = append(t.fails, o.fails...)
	t.critical = t.critical || o.critical
}

func (t tally) score(v *standard.Version) Score {
	s := Score{Achieved: t.achieved, Possible: t.possible, Capped: t.critical}
	if t.possible > 0 {
		s.Scored = true
		s.Points = 100 * t.achieved / t.possible
	}
	for _, f := range t.fails {
		d := Deduction{
			ItemID: f.item.ID, Clause: f.item.Clause, Text: f.item.Text,
			Critical: f.item.Critical, Observed: f.observed, Failed: f.failed, Note: f.note,
		}
		if f.person != nil {
			d.PersonID, d.PersonName = f.person.ID, f.person.Name
		}
		if t.possible > 0 {
			d.Points = 100 * f.lost / t.possible
		}
		s.Deductions = append(s.Deductions, d)
	}
	switch {
	case s.Capped:
		s.Grade = v.LowestGrade()
	case s.Scored:
		s.Grade = v.Grade(s.Points)
	default:
		// Nothing assessed: no grade is earned, so none is shown.
		s.Grade = standard.GradeBand{}
	}
	return s
}

// Round1 rounds to one decimal, the precision every score is shown with.
func Round1(x float64) float64 { return math.Round(x*10) / 10 }

// Explain returns the reasons for a score in words, one line each, in the
// given language ("zh" or "en"): every deduction with its clause, and the cap.
func (s Score) Explain(lang string) []string {
	var lines []string
	if !s.Scored {
		if lang == "en" {
			return []string{"nothing applicable was assessed"}
		}
		return []string{"无适用项目被评估"}
	}
	for _, d := range s.Deductions {
		var b strings.Builder
		fmt.Fprintf(&b, "-%s: %s", formatPoints(d.Points), d.Clause)
		if d.PersonName != "" {
			fmt.Fprintf(&b, " %s", d.PersonName)
		}
		fmt.Fprintf(&b, " %s", d.Text.In(lang))
		if d.Observed > 0 {
			if lang == "en" {
				fmt.Fprintf(&b, " (failed %d of %d)", d.Failed, d.Observed)
			} else {
				fmt.Fprintf(&b, "（%d次中%d次未做到）", d.Observed, d.Failed)
			}
		}
		lines = append(lines, b.String())
	}
	if s.Capped {
		var crit []string
		for _, d := range s.Deductions {
			if d.Critical {
				crit = append(crit, d.Clause)
			}
		}
		if lang == "en" {
			lines = append(lines, fmt.Sprintf("grade capped at %s: %s critical", s.Grade.Name.In(lang), strings.Join(crit, ", ")))
		} else {
			lines = append(lines, fmt.Sprintf("等级封顶为%s：%s 为关键项", s.Grade.Name.In(lang), strings.Join(crit, "、")))
		}
	}
	return lines
}

func formatPoints(p float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", Round1(p)), ".0")
}
