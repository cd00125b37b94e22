package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// SummaryFigures are the figures of a period summary, computed once and
// drawn twice: by RenderSummary on paper and by the manager's summary
// screen, so the two can never disagree. It travels as JSON from the hub.
//
// Averages are unrounded means, as the PDF computes them; print them with
// FormatScore, as the PDF does. Labels and IDs are language-neutral: the
// screen localises them.
type SummaryFigures struct {
	Scope     string    `json:"scope"`
	ScopeCode string    `json:"scope_code,omitempty"`
	Region    bool      `json:"region"`
	From      time.Time `json:"from"` // days in CST, both included
	To        time.Time `json:"to"`

	Inspections int `json:"inspections"`
	Amended     int `json:"amended"`    // inspections with at least one amendment
	Amendments  int `json:"amendments"` // amendments in all
	People      int `json:"people"`
	// Scored counts the inspections with a score; Average is over them,
	// meaningless (0) when Scored is 0. Inspections − Scored were not
	// scored: the PDF's grade chart shows them as a last bar, 未评分.
	Scored  int     `json:"scored"`
	Average float64 `json:"average"`

	Trend Trend `json:"trend"`
	// Grades has every band of the newest standard, best first, with 0 for
	// a band no inspection ended in.
	Grades     []GradeCount  `json:"grades"`
	TopClauses []ClauseCount `json:"top_clauses"` // the ten most violated, most first, then by clause ID
	// Halls are the halls inspected, by name. The PDF prints them as a
	// table when there are several.
	Halls      []HallFigure   `json:"halls"`
	PeopleRows []PersonFigure `json:"people_rows"` // as the PDF's people table orders them
	// Digest is the SHA-256 over the inspections covered, as printed.
	Digest string `json:"digest"`
}

// Trend is the average score by week, month or quarter over the span of
// the inspections (not of the period asked for), from the bucket of the
// first scored inspection to that of the last. Points is empty when no
// inspection has a score.
type Trend struct {
	Unit   string       `json:"unit"` // "week", "month" or "quarter"
	Points []TrendPoint `json:"points"`
}

// The units of a Trend.
const (
	TrendWeek    = "week"
	TrendMonth   = "month"
	TrendQuarter = "quarter"
)

// TrendPoint is one bucket of the trend. A bucket without a scored
// inspection (Count 0) is a gap, where the chart's line breaks.
type TrendPoint struct {
	Start time.Time `json:"start"` // 00:00 CST of the bucket's Monday, or first day of its month or quarter
	// Label is the bucket in language-neutral form: "2026-08-31" (the
	// week's Monday), "2026-09" or "2026-Q3". The PDF prints "08-31", "9月"
	// or "Q3" over the year.
	Label   string  `json:"label"`
	Average float64 `json:"average"`
	Count   int     `json:"count"`
}

// GradeCount is how many inspections ended in a grade band.
type GradeCount struct {
	Grade standard.GradeBand `json:"grade"`
	Count int                `json:"count"`
}

// ClauseCount is how often a clause was violated in the period: its
// nonconformities and tallies with failures, amendments applied.
type ClauseCount struct {
	ClauseID string `json:"clause_id"`
	// Text is the clause's summary in the newest standard; empty when that
	// version has no such clause.
	Text  standard.Text `json:"text"`
	Count int           `json:"count"`
}

// HallFigure is one row of the by-hall table.
type HallFigure struct {
	Name        string  `json:"name"`
	Inspections int     `json:"inspections"`
	Scored      int     `json:"scored"`
	Average     float64 `json:"average"` // over Scored; meaningless when it is 0
}

// PersonFigure is one row of the people table. Name, employee number,
// badge and role are as the person's latest inspection in the period
// recorded them.
type PersonFigure struct {
	Name       string   `json:"name"`
	EmployeeNo string   `json:"employee_no,omitempty"`
	Badge      string   `json:"badge,omitempty"`
	Role       string   `json:"role"` // the standard's role ID, "cashier"
	OffRoster  bool     `json:"off_roster,omitempty"`
	Halls      []string `json:"halls"` // in the order first visited
	Visits     int      `json:"visits"`
	Scored     int      `json:"scored"`
	Average    float64  `json:"average"` // over Scored; meaningless when it is 0
	Offences   int      `json:"offences"`
	// Repeated are the items they failed twice or more in the period, most
	// first, then by item ID: the PDF's "repeated items" column.
	Repeated []ItemCount `json:"repeated,omitempty"`
}

// ItemCount is how often a person failed an item.
type ItemCount struct {
	ItemID string `json:"item_id"`
	Count  int    `json:"count"`
}

// FormatScore is a score or average as every report prints it: rounded to
// one decimal, half away from zero ("87.5").
func FormatScore(v float64) string { return fmtScore(v) }

// ComputeSummary computes the figures of a summary: exactly what
// RenderSummary prints for the same input, which it is checked and scored
// as RenderSummary checks and scores it. Errors about the input wrap
// ErrInvalidInput.
func ComputeSummary(r SummaryReport) (SummaryFigures, error) {
	p, err := newPeriod(r.From, r.To)
	if err != nil {
		return SummaryFigures{}, fmt.Errorf("compute summary of %s: %w", r.Scope, err)
	}
	recs, err := scoreRecords(r.Records, r.Standards, p, nil)
	if err != nil {
		return SummaryFigures{}, fmt.Errorf("compute summary of %s: %w", r.Scope, err)
	}
	return summaryFigures(r, p, recs), nil
}

// summaryKey is the scope as the hub knows it, for the QR code and the
// digest.
func summaryKey(r SummaryReport) string { return cmp.Or(r.ScopeKey, r.ScopeCode) }

// summaryFigures works out the figures from the records of the period,
// scored and in order: the one computation behind ComputeSummary and the
// PDF.
func summaryFigures(r SummaryReport, p period, recs []scoredRecord) SummaryFigures {
	f := SummaryFigures{
		Scope: r.Scope, ScopeCode: r.ScopeCode, Region: r.Region, From: p.from, To: p.to,
		Inspections: len(recs), Amended: countAmended(recs),
		Digest: digest("summary", summaryKey(r)+"\x00"+r.Scope, p, recs),
	}

	type acc struct {
		sum    float64
		scored int
	}
	var all acc
	halls := map[string]*HallFigure{}
	hallSums := map[string]float64{}
	people := map[string]*personStats{}
	for _, rec := range recs {
		h := halls[rec.HallName]
		if h == nil {
			h = &HallFigure{Name: rec.HallName}
			halls[rec.HallName] = h
		}
		h.Inspections++
		if s := rec.res.Inspection; s.Scored {
			all.sum += s.Points
			all.scored++
			hallSums[rec.HallName] += s.Points
			h.Scored++
		}
		f.Amendments += len(rec.Amendments)
		for _, per := range rec.eff.People {
			k := staffKey(per)
			st := people[k]
			if st == nil {
				st = &personStats{byItem: map[string]int{}}
				people[k] = st
			}
			st.p = per // the latest observation names them
			st.visits++
			if !slices.Contains(st.halls, rec.HallName) {
				st.halls = append(st.halls, rec.HallName)
			}
			if s := rec.res.People[per.ID]; s.Scored {
				st.scored++
				st.sum += s.Points
			}
			for _, fd := range per.Findings {
				if offence(fd) {
					st.offences++
					st.byItem[fd.ItemID]++
				}
			}
		}
	}
	f.Scored = all.scored
	if all.scored > 0 {
		f.Average = all.sum / float64(all.scored)
	}
	for _, name := range slices.Sorted(maps.Keys(halls)) {
		h := *halls[name]
		if h.Scored > 0 {
			h.Average = hallSums[name] / float64(h.Scored)
		}
		f.Halls = append(f.Halls, h)
	}
	f.People = len(people)
	f.PeopleRows = peopleRows(people)

	f.Trend = trendOf(inspectionScores(recs))
	std := newest(r.Standards)
	f.Grades = gradeCounts(std, recs)
	f.TopClauses = topClauses(std, recs, 10)
	return f
}

// personStats gathers one person's figures across the inspections.
type personStats struct {
	p        inspect.Person
	halls    []string
	visits   int
	scored   int
	sum      float64
	offences int
	byItem   map[string]int
}

// peopleRows orders people by employee number, then name (the roster's
// order, with those off it who have no number first), and makes their rows.
func peopleRows(people map[string]*personStats) []PersonFigure {
	keys := slices.Collect(maps.Keys(people))
	slices.SortFunc(keys, func(a, b string) int {
		pa, pb := people[a].p, people[b].p
		return cmp.Or(cmp.Compare(pa.EmployeeNo, pb.EmployeeNo), cmp.Compare(pa.Name, pb.Name), cmp.Compare(a, b))
	})
	var rows []PersonFigure
	for _, k := range keys {
		st := people[k]
		row := PersonFigure{
			Name: st.p.Name, EmployeeNo: st.p.EmployeeNo, Badge: st.p.Badge, Role: string(st.p.Role), OffRoster: st.p.OffRoster,
			Halls: st.halls, Visits: st.visits, Scored: st.scored, Offences: st.offences,
		}
		if st.scored > 0 {
			row.Average = st.sum / float64(st.scored)
		}
		// Most repeated first.
		items := slices.Sorted(maps.Keys(st.byItem))
		slices.SortStableFunc(items, func(a, b string) int { return cmp.Compare(st.byItem[b], st.byItem[a]) })
		for _, it := range items {
			if c := st.byItem[it]; c >= 2 {
				row.Repeated = append(row.Repeated, ItemCount{ItemID: it, Count: c})
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// gradeCounts counts the scored inspections by grade, over every band of
// std, best first. An inspection graded by a band std does not have (made
// with an older version) is counted in none.
func gradeCounts(std *standard.Version, recs []scoredRecord) []GradeCount {
	if std == nil {
		return nil
	}
	bands := slices.Clone(std.Grades)
	slices.SortStableFunc(bands, func(a, b standard.GradeBand) int { return cmp.Compare(b.MinScore, a.MinScore) })
	count := map[string]int{}
	for _, rec := range recs {
		if s := rec.res.Inspection; s.Scored {
			count[s.Grade.ID]++
		}
	}
	out := make([]GradeCount, 0, len(bands))
	for _, b := range bands {
		out = append(out, GradeCount{Grade: b, Count: count[b.ID]})
	}
	return out
}

// topClauses are the n clauses violated most often, with the summaries std
// gives them.
func topClauses(std *standard.Version, recs []scoredRecord, n int) []ClauseCount {
	byClause := map[string]int{}
	for _, rec := range recs {
		count := func(fs []inspect.Finding) {
			for _, f := range fs {
				if it, ok := rec.std.Item(f.ItemID); ok && offence(f) {
					byClause[it.Clause]++
				}
			}
		}
		count(rec.eff.HallFindings)
		for _, per := range rec.eff.People {
			count(per.Findings)
		}
	}
	clauses := slices.Collect(maps.Keys(byClause))
	slices.SortFunc(clauses, func(a, b string) int { return cmp.Or(cmp.Compare(byClause[b], byClause[a]), cmp.Compare(a, b)) })
	var out []ClauseCount
	for _, c := range clauses[:min(n, len(clauses))] {
		cc := ClauseCount{ClauseID: c, Count: byClause[c]}
		if std != nil {
			if cl, ok := std.Clause(c); ok {
				cc.Text = cl.Summary
			}
		}
		out = append(out, cc)
	}
	return out
}

// Trend buckets by the span of the data: weeks up to about six months,
// months up to four years, quarters beyond, so that a chart has between a
// handful and about fifty points.
const (
	maxWeeklyDays  = 183
	maxMonthlyDays = 4 * 366
)

// sample is one score at one time, for a trend.
type sample struct {
	at time.Time
	v  float64
}

// trendOf averages scores by week, month or quarter, from the first to the
// last of them; a bucket without a score is a gap.
func trendOf(scores []sample) Trend {
	var first, last time.Time
	for _, s := range scores {
		t := day(s.at)
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	var tr Trend
	switch span := last.Sub(first).Hours() / 24; {
	case span <= maxWeeklyDays:
		tr.Unit = TrendWeek
	case span <= maxMonthlyDays:
		tr.Unit = TrendMonth
	default:
		tr.Unit = TrendQuarter
	}
	if first.IsZero() {
		return tr
	}
	type acc struct {
		sum float64
		n   int
	}
	buckets := map[time.Time]*acc{}
	for _, s := range scores {
		k := bucketStart(tr.Unit, s.at)
		if buckets[k] == nil {
			buckets[k] = &acc{}
		}
		buckets[k].sum += s.v
		buckets[k].n++
	}
	for b := bucketStart(tr.Unit, first); !b.After(last); b = nextBucket(tr.Unit, b) {
		pt := TrendPoint{Start: b, Label: bucketLabel(tr.Unit, b)}
		if a := buckets[b]; a != nil {
			pt.Average, pt.Count = a.sum/float64(a.n), a.n
		}
		tr.Points = append(tr.Points, pt)
	}
	return tr
}

// bucketStart is 00:00 CST of the first day of the week (Monday), month
// or quarter of t.
func bucketStart(unit string, t time.Time) time.Time {
	t = t.In(CST)
	switch unit {
	case TrendWeek:
		return weekStart(t)
	case TrendMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, CST)
	}
	return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, CST)
}

// nextBucket is the start of the bucket after the one starting at b.
func nextBucket(unit string, b time.Time) time.Time {
	switch unit {
	case TrendWeek:
		return b.AddDate(0, 0, 7)
	case TrendMonth:
		return b.AddDate(0, 1, 0)
	}
	return b.AddDate(0, 3, 0)
}

// bucketLabel is the language-neutral label of the bucket starting at b.
func bucketLabel(unit string, b time.Time) string {
	switch unit {
	case TrendWeek:
		return b.Format("2006-01-02")
	case TrendMonth:
		return b.Format("2006-01")
	}
	return fmt.Sprintf("%d-Q%d", b.Year(), quarterOf(b))
}

func quarterOf(t time.Time) int { return int(t.Month()-1)/3 + 1 }

// weekStart is the Monday 00:00 CST of the week of t.
func weekStart(t time.Time) time.Time {
	d := day(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}
