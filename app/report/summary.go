package report

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// SummaryReport is what the period summary of a hall or a region prints.
// The caller fills it from its store.
type SummaryReport struct {
	// Scope names what is summarised: a hall, or a region of several halls.
	Scope string
	// ScopeCode is printed after the name, "(YFT-KM-001)": a hall's code.
	// Leave it empty for something with no code a reader would know, such
	// as a region, which is known by its name.
	ScopeCode string
	// ScopeKey identifies the scope to the hub, in the QR code and the
	// digest; it is not printed. A hall's code, or a region's ID. Empty
	// means ScopeCode.
	ScopeKey string
	Region   bool
	// From and To are days in CST, both included.
	From, To time.Time
	// Records are the sealed inspections of the scope with their
	// amendments; any outside the period are left out.
	Records []Record
	// Standards holds every version the records were made with.
	Standards map[int]*standard.Version
}

// RenderSummary writes the PDF summary of a hall or region over a period:
// the number of inspections, the average score and its trend (by week,
// month or quarter, over the span of the inspections), the
// grade distribution, the ten most violated clauses and a table of people.
// An empty period gives a short report that says so.
func RenderSummary(w io.Writer, r SummaryReport, opt Options) error {
	if err := renderSummary(w, r, opt); err != nil {
		return fmt.Errorf("render summary of %s: %w", r.Scope, err)
	}
	return nil
}

// staffKey identifies a person across inspections: the roster's staff ID,
// or for someone off the roster what the supervisor typed.
func staffKey(p inspect.Person) string {
	if p.StaffID != "" {
		return p.StaffID
	}
	return "off-roster\x00" + p.EmployeeNo + "\x00" + p.Name
}

type personStats struct {
	p        inspect.Person
	halls    []string
	visits   int
	scored   int
	sum      float64
	offences int
	byItem   map[string]int
}

func renderSummary(w io.Writer, r SummaryReport, opt Options) error {
	const sections = 6
	p, m, recs, prog, err := preparePeriod(r.From, r.To, r.Records, r.Standards, opt, sections)
	if err != nil {
		return err
	}
	next := prog.next
	lang := opt.lang()
	std := newest(r.Standards)

	scope := m.oneLine(r.Scope)
	if r.ScopeCode != "" {
		scope += " (" + m.oneLine(r.ScopeCode) + ")"
	}
	kind := "营业厅 Hall"
	if r.Region {
		kind = "片区 Region"
	}
	key := cmp.Or(r.ScopeKey, r.ScopeCode)
	dg := digest("summary", key+"\x00"+r.Scope, p, recs)
	qr, err := newQR("dudao:summary:"+key+":"+fmtDate(p.from)+":"+fmtDate(p.to)+":"+dg, marginL, footerTop+2.5, qrSize)
	if err != nil {
		return err
	}
	d := newDoc(m, lastChange(recs, p), "督导汇总报告 "+scope+" "+p.String())
	fur := furniture{
		title: "督导汇总报告  Period summary", right: scope + "  ·  " + p.String(),
		idLabel: "范围与期间 Scope and period", id: scope + "  " + p.String(),
		hashLabel: "所含检查摘要 Digest of the inspections covered (SHA-256)", hash: dg,
		qrNote: "二维码含范围、期间与摘要，可在中心核对 · The QR code carries scope, period and digest for checking at the hub",
		qr:     qr, redact: opt.Redact,
	}

	// Totals.
	var sum float64
	var scored, amends int
	people := map[string]*personStats{}
	halls := map[string]*[2]float64{} // hall -> sum, count of scored inspections
	hallVisits := map[string]int{}
	for _, rec := range recs {
		if s := rec.res.Inspection; s.Scored {
			sum += s.Points
			scored++
			h := halls[rec.HallName]
			if h == nil {
				h = &[2]float64{}
				halls[rec.HallName] = h
			}
			h[0] += s.Points
			h[1]++
		}
		hallVisits[rec.HallName]++
		amends += len(rec.Amendments)
		for _, per := range rec.eff.People {
			k := staffKey(per)
			st := people[k]
			if st == nil {
				st = &personStats{p: per, byItem: map[string]int{}}
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
			for _, f := range per.Findings {
				if offence(f) {
					st.offences++
					st.byItem[f.ItemID]++
				}
			}
		}
	}

	// Title and the headline figures.
	d.text(marginL, d.y, "督导汇总报告", stH1)
	sub := "Period summary"
	if opt.Redact {
		sub += "  ·  脱敏版 Redacted copy: staff shown by badge number"
	}
	d.text(marginL, d.y+stH1.lineH()-0.5, sub, stSubhead)
	const badgeW, badgeH = 50.0, 27.0
	bx, by := marginR-badgeW, d.y
	d.fill(colAccent)
	d.pdf.RoundedRect(bx, by, badgeW, badgeH, 2.5, "1234", "F")
	big := stH1.sized(22).with(colWhite)
	avg := "—"
	if scored > 0 {
		avg = fmtScore(sum / float64(scored))
	}
	d.text(bx+(badgeW-d.width(avg, big))/2, by+2, avg, big)
	for i, ln := range []string{"平均得分 average score", fmt.Sprintf("%d 次检查 inspections", len(recs))} {
		st := stSmall.with(colWhite)
		d.text(bx+(badgeW-d.width(ln, st))/2, by+2+big.lineH()+float64(i)*st.lineH(), ln, st)
	}
	d.y += stH1.lineH() + stSubhead.lineH() + 3
	facts := [][2]string{
		{"范围 Scope", kind + "  " + scope},
		{"期间 Period", p.String() + "（北京时间 UTC+8）"},
		{"检查次数 Inspections", fmt.Sprintf("%d（其中 %d 次已更正 / %d amended）", len(recs), countAmended(recs), countAmended(recs))},
		{"被检查人员 People", fmt.Sprint(len(people))},
		{"更正 Amendments", fmt.Sprint(amends)},
	}
	page := d.pdf.PageNo()
	for _, f := range facts {
		d.ensure(stBody.lineH())
		d.text(marginL, d.y+0.3, f[0], stLabel)
		for _, ln := range d.wrap(f[1], stBody, bx-4-marginL-34) {
			d.ensure(stBody.lineH())
			d.text(marginL+34, d.y, ln, stBody)
			d.y += stBody.lineH()
		}
	}
	if d.pdf.PageNo() == page {
		d.y = max(d.y, by+badgeH)
	}
	d.y += 4
	next()

	if len(recs) == 0 {
		d.section("本期间无检查", "No inspections in this period", 10)
		d.para(marginL, contentW, "该范围在此期间没有已封存的检查，故无得分、趋势与排名。  "+
			"There are no sealed inspections of this scope in this period, so there are no scores, trends or rankings.", stBody)
		for range sections - 1 {
			next()
		}
		return d.finish(w, func(page, pages int) { d.furnish(fur, page, pages) })
	}

	// Average score by week, month or quarter, over the span of the
	// inspections rather than the period asked for: a summary of 2000–2100
	// with three months of data charts those three months.
	tr := trend(inspectionScores(recs), [2]string{"已封存检查得分", "the scores of the sealed inspections"})
	d.section("得分趋势", tr.en, 50+2*stTiny.lineH())
	if len(tr.pts) == 0 {
		d.para(marginL, contentW, "本期间无已评分的检查。  No scored inspections in this period.", stBody.with(colMuted))
	} else {
		d.lineChart(tr.pts, 50)
		d.para(marginL, contentW, tr.note, stTiny)
	}
	next()

	// Grades.
	d.section("等级分布", "Grades", 30)
	var bands []standard.GradeBand
	if std != nil {
		bands = slices.Clone(std.Grades)
	}
	slices.SortFunc(bands, func(a, b standard.GradeBand) int { return cmp.Compare(b.MinScore, a.MinScore) })
	count := map[string]int{}
	unscored := 0
	for _, rec := range recs {
		s := rec.res.Inspection
		if !s.Scored {
			unscored++
			continue
		}
		count[s.Grade.ID]++
	}
	var bars []bar
	for _, b := range bands {
		bars = append(bars, bar{label: b.Name.In(lang), n: count[b.ID], color: gradeColor(bands, b)})
	}
	if unscored > 0 {
		bars = append(bars, bar{label: "未评分", n: unscored, color: colMuted})
	}
	d.columnChart(bars, 30)
	next()

	// The ten most violated clauses.
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
	if len(clauses) == 0 {
		d.section("违规最多的条款", "Most violated clauses", stBody.lineH())
		d.para(marginL, contentW, "本期间无违规记录。 No nonconformities in this period.", stBody.with(colGood))
	} else {
		bars = nil
		for _, c := range clauses[:min(10, len(clauses))] {
			label := c
			if std != nil {
				if cl, ok := std.Clause(c); ok {
					label += "  " + cl.Summary.In(lang)
				}
			}
			bars = append(bars, bar{label: label, n: byClause[c], color: colBad})
		}
		const note = "计数为不符合项及有未做到次数的计数项，已计入更正。  Counts are nonconformities and tallies with failures, amendments applied."
		// The heading, the chart and its note stay together.
		d.section("违规最多的条款", "Most violated clauses", d.barRowsH(bars, clauseLabelW)+float64(len(d.wrap(note, stTiny, contentW)))*stTiny.lineH())
		d.barRows(bars, clauseLabelW)
		d.para(marginL, contentW, note, stTiny)
	}
	next()

	// Halls, when the scope has several.
	if len(hallVisits) > 1 {
		d.section("各营业厅", "By hall", 30)
		cols := []column{{"营业厅", "Hall", 100}, {"检查次数", "Inspections", 40}, {"平均得分", "Average score", 40}}
		t := &table{d: d, cols: cols, caption: "各营业厅 By hall"}
		names := slices.Sorted(maps.Keys(hallVisits))
		t.start(stBody.lineH())
		for _, h := range names {
			a := "—"
			if s := halls[h]; s != nil && s[1] > 0 {
				a = fmtScore(s[0] / s[1])
			}
			t.row([][]block{d.lines(dash(h), stBody, 96), d.lines(fmt.Sprint(hallVisits[h]), stBody, 36), d.lines(a, stBody, 36)}, nil)
		}
		t.end()
	}
	next()

	// People.
	d.section("人员", "People", 30)
	keys := slices.Collect(maps.Keys(people))
	slices.SortFunc(keys, func(a, b string) int {
		pa, pb := people[a].p, people[b].p
		return cmp.Or(cmp.Compare(pa.EmployeeNo, pb.EmployeeNo), cmp.Compare(pa.Name, pb.Name), cmp.Compare(a, b))
	})
	cols := []column{{"人员", "Person", 24}, {"工号", "Employee no.", 18}, {"角色", "Role", 22}, {"营业厅", "Hall", 32},
		{"次数", "Visits", 12}, {"平均分", "Average", 15}, {"问题", "Offences", 14}, {"重复问题", "Repeated items", 43}}
	if opt.Redact {
		cols = []column{{"人员", "Person", 30}, {"角色", "Role", 24}, {"营业厅", "Hall", 36},
			{"次数", "Visits", 12}, {"平均分", "Average", 16}, {"问题", "Offences", 16}, {"重复问题", "Repeated items", 46}}
	}
	t := &table{d: d, cols: cols, caption: "人员 People"}
	cell := func(i int, s string) []block { return d.lines(s, stBody, cols[i].w-2*cellPadX) }
	t.start(2 * stBody.lineH())
	for n, k := range keys {
		st := people[k]
		name := st.p.Name
		if opt.Redact {
			name = redactedLabel(m, st.p.Badge, n+1)
		}
		if st.p.OffRoster {
			name += "（名册外 off-roster）"
		}
		a := "—"
		if st.scored > 0 {
			a = fmtScore(st.sum / float64(st.scored))
		}
		// Most repeated first.
		items := slices.Sorted(maps.Keys(st.byItem))
		slices.SortStableFunc(items, func(a, b string) int { return cmp.Compare(st.byItem[b], st.byItem[a]) })
		var reps []string
		for _, it := range items {
			if c := st.byItem[it]; c >= 2 {
				reps = append(reps, fmt.Sprintf("%s×%d", it, c))
			}
		}
		row := [][]block{cell(0, name)}
		if !opt.Redact {
			row = append(row, cell(1, dash(st.p.EmployeeNo)))
		}
		i := len(row)
		row = append(row, roleCell(d, st.p.Role, cols[i].w-2*cellPadX), cell(i+1, strings.Join(st.halls, "、")),
			cell(i+2, fmt.Sprint(st.visits)), cell(i+3, a), cell(i+4, fmt.Sprint(st.offences)))
		rs := d.lines(dash(strings.Join(reps, "  ")), stSmall.emph().with(colWarn), cols[i+5].w-2*cellPadX)
		row = append(row, rs)
		t.row(row, nil)
	}
	t.end()
	d.para(marginL, contentW, "重复问题：同一人员在本期间内两次及以上未做到的检查项及次数。  Repeated items: items a person failed twice or more in the period, with the count.", stTiny)
	next()

	if err := d.finish(w, func(page, pages int) { d.furnish(fur, page, pages) }); err != nil {
		return err
	}
	prog.done()
	return nil
}

// roleCell is a role in a narrow column: the Chinese name, and the English
// one under it in small type.
func roleCell(d *doc, r standard.Role, w float64) []block {
	zh, en, ok := strings.Cut(roleName(r), " ")
	out := d.lines(zh, stBody, w)
	if ok {
		out = append(out, d.lines(en, stSmall, w)...)
	}
	return out
}

func countAmended(recs []scoredRecord) int {
	n := 0
	for _, r := range recs {
		if len(r.Amendments) > 0 {
			n++
		}
	}
	return n
}

// trendChart is the points of a summary's trend chart and what they mean.
type trendChart struct {
	en   string // the section's English title
	pts  []point
	note string // what a point is, under the chart
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

// inspectionScores are the scores of the scored inspections of recs.
func inspectionScores(recs []scoredRecord) []sample {
	var out []sample
	for _, rec := range recs {
		if s := rec.res.Inspection; s.Scored {
			out = append(out, sample{rec.Inspection.StartedAt, s.Points})
		}
	}
	return out
}

// trend averages scores by week, month or quarter, from the first to the
// last of them; a bucket without a score is a gap. what names the scores
// in the note under the chart, in Chinese and English.
func trend(scores []sample, what [2]string) trendChart {
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
	var tc trendChart
	var start func(time.Time) time.Time
	var next func(time.Time) time.Time
	var label func(time.Time) string
	var zh, en string // the bucket
	switch span := last.Sub(first).Hours() / 24; {
	case span <= maxWeeklyDays:
		start, next = weekStart, func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
		label = func(t time.Time) string { return t.Format("01-02") }
		tc.en, zh, en = "Average score by week", "周", "week"
	case span <= maxMonthlyDays:
		start = func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, CST) }
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
		label = func(t time.Time) string { return fmt.Sprintf("%d月", t.Month()) }
		tc.en, zh, en = "Average score by month", "月", "month"
	default:
		start = func(t time.Time) time.Time {
			return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, CST)
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }
		label = func(t time.Time) string { return fmt.Sprintf("Q%d", (t.Month()-1)/3+1) }
		tc.en, zh, en = "Average score by quarter", "季度", "quarter"
	}
	if zh == "周" {
		tc.note = fmt.Sprintf("每点为一周（周一至周日）%s的平均，标注该周周一；无检查的周不连线。横轴为首次至末次检查。  "+
			"Each point is the average of %s in a week (Monday to Sunday), labelled by its Monday; weeks without inspections break the line. "+
			"The axis spans the first to the last inspection.", what[0], what[1])
	} else {
		tc.note = fmt.Sprintf("每点为一个%s%s的平均；无检查的%s不连线。横轴为首次至末次检查。  "+
			"Each point is the average of %s in a %s; %ss without inspections break the line. The axis spans the first to the last inspection.",
			zh, what[0], zh, what[1], en, en)
	}
	if first.IsZero() {
		return tc
	}
	type acc struct{ sum, n float64 }
	buckets := map[time.Time]*acc{}
	for _, s := range scores {
		k := start(s.at.In(CST))
		if buckets[k] == nil {
			buckets[k] = &acc{}
		}
		buckets[k].sum += s.v
		buckets[k].n++
	}
	for b := start(first); !b.After(last); b = next(b) {
		pt := point{label: label(b), group: fmt.Sprint(b.Year())}
		if a := buckets[b]; a != nil {
			pt.v, pt.ok = a.sum/a.n, true
		}
		tc.pts = append(tc.pts, pt)
	}
	return tc
}

// weekStart is the Monday 00:00 CST of the week of t.
func weekStart(t time.Time) time.Time {
	d := day(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// lastChange is the creation date a summary or history carries: the last
// seal or amendment it covers, so the same records give the same bytes. An
// empty period uses the period's last day.
func lastChange(recs []scoredRecord, p period) time.Time {
	t := p.to
	if len(recs) == 0 {
		return t
	}
	t = time.Time{}
	for _, r := range recs {
		if r.Inspection.SealedAt.After(t) {
			t = r.Inspection.SealedAt
		}
		for _, a := range r.Amendments {
			if a.At.After(t) {
				t = a.At
			}
		}
	}
	return t
}
