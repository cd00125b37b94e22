package report

import (
	"fmt"
	"io"
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

func renderSummary(w io.Writer, r SummaryReport, opt Options) error {
	const sections = 6
	p, m, recs, prog, err := preparePeriod(r.From, r.To, r.Records, r.Standards, opt, sections)
	if err != nil {
		return err
	}
	// Everything printed below comes from fig, which ComputeSummary returns
	// to the screens: paper and screen cannot disagree.
	fig := summaryFigures(r, p, recs)
	next := prog.next
	lang := opt.lang()

	scope := m.oneLine(r.Scope)
	if r.ScopeCode != "" {
		scope += " (" + m.oneLine(r.ScopeCode) + ")"
	}
	kind := "营业厅 Hall"
	if r.Region {
		kind = "片区 Region"
	}
	qr, err := newQR("dudao:summary:"+summaryKey(r)+":"+fmtDate(p.from)+":"+fmtDate(p.to)+":"+fig.Digest, marginL, footerTop+2.5, qrSize)
	if err != nil {
		return err
	}
	d := newDoc(m, lastChange(recs, p), "督导汇总报告 "+scope+" "+p.String())
	fur := furniture{
		title: "督导汇总报告  Period summary", right: scope + "  ·  " + p.String(),
		idLabel: "范围与期间 Scope and period", id: scope + "  " + p.String(),
		hashLabel: "所含检查摘要 Digest of the inspections covered (SHA-256)", hash: fig.Digest,
		qrNote: "二维码含范围、期间与摘要，可在中心核对 · The QR code carries scope, period and digest for checking at the hub",
		qr:     qr, redact: opt.Redact,
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
	if fig.Scored > 0 {
		avg = fmtScore(fig.Average)
	}
	d.text(bx+(badgeW-d.width(avg, big))/2, by+2, avg, big)
	for i, ln := range []string{"平均得分 average score", fmt.Sprintf("%d 次检查 inspections", fig.Inspections)} {
		st := stSmall.with(colWhite)
		d.text(bx+(badgeW-d.width(ln, st))/2, by+2+big.lineH()+float64(i)*st.lineH(), ln, st)
	}
	d.y += stH1.lineH() + stSubhead.lineH() + 3
	facts := [][2]string{
		{"范围 Scope", kind + "  " + scope},
		{"期间 Period", p.String() + "（北京时间 UTC+8）"},
		{"检查次数 Inspections", fmt.Sprintf("%d（其中 %d 次已更正 / %d amended）", fig.Inspections, fig.Amended, fig.Amended)},
		{"被检查人员 People", fmt.Sprint(fig.People)},
		{"更正 Amendments", fmt.Sprint(fig.Amendments)},
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

	if fig.Inspections == 0 {
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
	tr := trendChartOf(fig.Trend, [2]string{"已封存检查得分", "the scores of the sealed inspections"})
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
	bands := make([]standard.GradeBand, 0, len(fig.Grades))
	for _, g := range fig.Grades {
		bands = append(bands, g.Grade)
	}
	var bars []bar
	for _, g := range fig.Grades {
		bars = append(bars, bar{label: g.Grade.Name.In(lang), n: g.Count, color: gradeColor(bands, g.Grade)})
	}
	if unscored := fig.Inspections - fig.Scored; unscored > 0 {
		bars = append(bars, bar{label: "未评分", n: unscored, color: colMuted})
	}
	d.columnChart(bars, 30)
	next()

	// The ten most violated clauses.
	if len(fig.TopClauses) == 0 {
		d.section("违规最多的条款", "Most violated clauses", stBody.lineH())
		d.para(marginL, contentW, "本期间无违规记录。 No nonconformities in this period.", stBody.with(colGood))
	} else {
		bars = nil
		for _, c := range fig.TopClauses {
			label := c.ClauseID
			if c.Text != (standard.Text{}) {
				label += "  " + c.Text.In(lang)
			}
			bars = append(bars, bar{label: label, n: c.Count, color: colBad})
		}
		const note = "计数为不符合项及有未做到次数的计数项，已计入更正。  Counts are nonconformities and tallies with failures, amendments applied."
		// The heading, the chart and its note stay together.
		d.section("违规最多的条款", "Most violated clauses", d.barRowsH(bars, clauseLabelW)+float64(len(d.wrap(note, stTiny, contentW)))*stTiny.lineH())
		d.barRows(bars, clauseLabelW)
		d.para(marginL, contentW, note, stTiny)
	}
	next()

	// Halls, when the scope has several.
	if len(fig.Halls) > 1 {
		d.section("各营业厅", "By hall", 30)
		cols := []column{{"营业厅", "Hall", 100}, {"检查次数", "Inspections", 40}, {"平均得分", "Average score", 40}}
		t := &table{d: d, cols: cols, caption: "各营业厅 By hall"}
		t.start(stBody.lineH())
		for _, h := range fig.Halls {
			a := "—"
			if h.Scored > 0 {
				a = fmtScore(h.Average)
			}
			t.row([][]block{d.lines(dash(h.Name), stBody, 96), d.lines(fmt.Sprint(h.Inspections), stBody, 36), d.lines(a, stBody, 36)}, nil)
		}
		t.end()
	}
	next()

	// People.
	d.section("人员", "People", 30)
	cols := []column{{"人员", "Person", 24}, {"工号", "Employee no.", 18}, {"角色", "Role", 22}, {"营业厅", "Hall", 32},
		{"次数", "Visits", 12}, {"平均分", "Average", 15}, {"问题", "Offences", 14}, {"重复问题", "Repeated items", 43}}
	if opt.Redact {
		cols = []column{{"人员", "Person", 30}, {"角色", "Role", 24}, {"营业厅", "Hall", 36},
			{"次数", "Visits", 12}, {"平均分", "Average", 16}, {"问题", "Offences", 16}, {"重复问题", "Repeated items", 46}}
	}
	t := &table{d: d, cols: cols, caption: "人员 People"}
	cell := func(i int, s string) []block { return d.lines(s, stBody, cols[i].w-2*cellPadX) }
	t.start(2 * stBody.lineH())
	for n, pf := range fig.PeopleRows {
		name := pf.Name
		if opt.Redact {
			name = redactedLabel(m, pf.Badge, n+1)
		}
		if pf.OffRoster {
			name += "（名册外 off-roster）"
		}
		a := "—"
		if pf.Scored > 0 {
			a = fmtScore(pf.Average)
		}
		var reps []string
		for _, it := range pf.Repeated {
			reps = append(reps, fmt.Sprintf("%s×%d", it.ItemID, it.Count))
		}
		row := [][]block{cell(0, name)}
		if !opt.Redact {
			row = append(row, cell(1, dash(pf.EmployeeNo)))
		}
		i := len(row)
		row = append(row, roleCell(d, standard.Role(pf.Role), cols[i].w-2*cellPadX), cell(i+1, strings.Join(pf.Halls, "、")),
			cell(i+2, fmt.Sprint(pf.Visits)), cell(i+3, a), cell(i+4, fmt.Sprint(pf.Offences)))
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

// trend averages scores by week, month or quarter and charts them; what
// names the scores in the note under the chart, in Chinese and English.
func trend(scores []sample, what [2]string) trendChart {
	return trendChartOf(trendOf(scores), what)
}

// trendChartOf is the chart of a trend: its points labelled as the axis
// prints them, with the year as their group, and the title and note that
// say what a point is.
func trendChartOf(tr Trend, what [2]string) trendChart {
	var tc trendChart
	var label func(time.Time) string
	var zh, en string // the bucket
	switch tr.Unit {
	case TrendWeek:
		label = func(t time.Time) string { return t.Format("01-02") }
		tc.en, zh, en = "Average score by week", "周", "week"
	case TrendMonth:
		label = func(t time.Time) string { return fmt.Sprintf("%d月", t.Month()) }
		tc.en, zh, en = "Average score by month", "月", "month"
	default:
		label = func(t time.Time) string { return fmt.Sprintf("Q%d", quarterOf(t)) }
		tc.en, zh, en = "Average score by quarter", "季度", "quarter"
	}
	if tr.Unit == TrendWeek {
		tc.note = fmt.Sprintf("每点为一周（周一至周日）%s的平均，标注该周周一；无检查的周不连线。横轴为首次至末次检查。  "+
			"Each point is the average of %s in a week (Monday to Sunday), labelled by its Monday; weeks without inspections break the line. "+
			"The axis spans the first to the last inspection.", what[0], what[1])
	} else {
		tc.note = fmt.Sprintf("每点为一个%s%s的平均；无检查的%s不连线。横轴为首次至末次检查。  "+
			"Each point is the average of %s in a %s; %ss without inspections break the line. The axis spans the first to the last inspection.",
			zh, what[0], zh, what[1], en, en)
	}
	for _, p := range tr.Points {
		tc.pts = append(tc.pts, point{label: label(p.Start), group: fmt.Sprint(p.Start.Year()), v: p.Average, ok: p.Count > 0})
	}
	return tc
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
