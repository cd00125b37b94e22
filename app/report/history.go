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

// PersonHistoryReport is what the history of one member of staff over a
// period prints. The caller fills it from its store.
type PersonHistoryReport struct {
	// StaffID is the person's roster ID, as Person.StaffID in the records.
	StaffID                 string
	Name, EmployeeNo, Badge string
	Role                    standard.Role
	HallName                string
	From, To                time.Time // days in CST, both included
	Records                 []Record  // inspections in which the person was observed
	Standards               map[int]*standard.Version
}

// RenderPersonHistory writes the PDF history of one member of staff: their
// score in each inspection as a trend, the clauses they failed most, their
// findings month by month with each month's subtotals (nonconformities, N/A
// and failed tallies in rows; tallies met every time on one line), and
// their recorded disagreements. An empty period gives a short report that
// says so.
func RenderPersonHistory(w io.Writer, r PersonHistoryReport, opt Options) error {
	if err := renderHistory(w, r, opt); err != nil {
		return fmt.Errorf("render history of staff %s: %w", r.EmployeeNo, err)
	}
	return nil
}

// maxHistoryPoints is the most inspections a history charts one by one.
const maxHistoryPoints = 40

// observation is the person in one inspection.
type observation struct {
	rec   scoredRecord
	p     inspect.Person // as amendments make it
	score inspect.Score
	sig   *inspect.Signature
	// scrub takes staff names out of free text in a redacted copy: this
	// person's, and those of colleagues a note may mention.
	scrub func(string) string
}

func renderHistory(w io.Writer, r PersonHistoryReport, opt Options) error {
	if strings.TrimSpace(r.StaffID) == "" {
		return invalid("no staff ID")
	}
	const sections = 5
	p, m, recs, prog, err := preparePeriod(r.From, r.To, r.Records, r.Standards, opt, sections)
	if err != nil {
		return err
	}
	next := prog.next
	lang := opt.lang()

	name := m.oneLine(r.Name)
	label := name
	if opt.Redact {
		label = redactedLabel(m, r.Badge, 1)
	}

	var obs []observation
	for _, rec := range recs {
		i := slices.IndexFunc(rec.eff.People, func(x inspect.Person) bool { return x.StaffID == r.StaffID })
		if i < 0 {
			continue // a record of someone else: the caller's query was wider
		}
		o := observation{rec: rec, p: rec.eff.People[i], score: rec.res.People[rec.eff.People[i].ID], scrub: func(s string) string { return s }}
		if opt.Redact {
			names := [][2]string{{r.Name, label}}
			for n, x := range rec.Inspection.People {
				if x.StaffID != r.StaffID {
					names = append(names, [2]string{x.Name, redactedLabel(m, x.Badge, n+1)})
				}
			}
			o.scrub = scrubber(names)
		}
		for j := range rec.Inspection.Signatures {
			if s := &rec.Inspection.Signatures[j]; s.Role == inspect.SignerStaff && s.PersonID == o.p.ID {
				o.sig = s
			}
		}
		obs = append(obs, o)
	}
	var covered []scoredRecord
	for _, o := range obs {
		covered = append(covered, o.rec)
	}

	dg := digest("history", r.StaffID, p, covered)
	qr, err := newQR("dudao:history:"+r.StaffID+":"+fmtDate(p.from)+":"+fmtDate(p.to)+":"+dg, marginL, footerTop+2.5, qrSize)
	if err != nil {
		return err
	}
	who := label
	if !opt.Redact && r.EmployeeNo != "" {
		who += "  " + m.oneLine(r.EmployeeNo)
	}
	d := newDoc(m, lastChange(covered, p), "人员检查记录 "+who+" "+p.String())
	fur := furniture{
		title: "人员检查记录  Staff history", right: who + "  ·  " + p.String(),
		idLabel: "人员与期间 Staff member and period", id: who + "  " + p.String(),
		hashLabel: "所含检查摘要 Digest of the inspections covered (SHA-256)", hash: dg,
		qrNote: "二维码含人员编号、期间与摘要，可在中心核对 · The QR code carries staff ID, period and digest for checking at the hub",
		qr:     qr, redact: opt.Redact,
	}

	// Title and facts.
	d.text(marginL, d.y, "人员检查记录", stH1)
	sub := "Staff history"
	if opt.Redact {
		sub += "  ·  脱敏版 Redacted copy: staff shown by badge number"
	}
	d.text(marginL, d.y+stH1.lineH()-0.5, sub, stSubhead)
	d.y += stH1.lineH() + stSubhead.lineH() + 3
	var sum float64
	var scored, offences int
	for _, o := range obs {
		if o.score.Scored {
			sum += o.score.Points
			scored++
		}
		for _, f := range o.p.Findings {
			if offence(f) {
				offences++
			}
		}
	}
	avg := "—"
	if scored > 0 {
		avg = fmtScore(sum / float64(scored))
	}
	facts := [][2]string{{"人员 Staff member", label}}
	if !opt.Redact {
		facts = append(facts, [2]string{"工号 Employee no.", dash(r.EmployeeNo)}, [2]string{"工牌 Badge", dash(r.Badge)})
	}
	facts = append(facts,
		[2]string{"角色 Role", roleName(r.Role)},
		[2]string{"营业厅 Hall", dash(r.HallName)},
		[2]string{"期间 Period", p.String() + "（北京时间 UTC+8）"},
		[2]string{"检查次数 Inspections", fmt.Sprint(len(obs))},
		[2]string{"平均得分 Average score", avg},
		[2]string{"问题 Offences", fmt.Sprint(offences)},
	)
	for _, f := range facts {
		d.text(marginL, d.y+0.3, f[0], stLabel)
		for _, ln := range d.wrap(f[1], stBody, contentW-38) {
			d.ensure(stBody.lineH())
			d.text(marginL+38, d.y, ln, stBody)
			d.y += stBody.lineH()
		}
	}
	next()

	if len(obs) == 0 {
		d.section("本期间无检查记录", "Not observed in this period", 10)
		d.para(marginL, contentW, "此人员在此期间没有出现在任何已封存的检查中。  "+
			"This member of staff was not observed in any sealed inspection in this period.", stBody)
		for range sections - 1 {
			next()
		}
		return d.finish(w, func(page, pages int) { d.furnish(fur, page, pages) })
	}

	// Score in each inspection; over a long history, their average by week,
	// month or quarter, since a line through a hundred points is a blur.
	var pts []point
	var scores []sample
	for _, o := range obs {
		at := o.rec.Inspection.StartedAt.In(CST)
		pts = append(pts, point{label: at.Format("01-02"), group: fmt.Sprint(at.Year()), v: o.score.Points, ok: o.score.Scored})
		if o.score.Scored {
			scores = append(scores, sample{at, o.score.Points})
		}
	}
	if len(pts) <= maxHistoryPoints {
		d.section("得分趋势", "Score in each inspection", 50)
		d.lineChart(pts, 50)
	} else {
		tr := trend(scores, [2]string{"本人各次检查得分", "the person's scores"})
		d.section("得分趋势", tr.en, 50+2*stTiny.lineH())
		d.lineChart(tr.pts, 50)
		d.para(marginL, contentW, tr.note, stTiny)
	}
	next()

	// Clauses failed most.
	byClause := map[string]int{}
	for _, o := range obs {
		for _, f := range o.p.Findings {
			if it, ok := o.rec.std.Item(f.ItemID); ok && offence(f) {
				byClause[it.Clause]++
			}
		}
	}
	if len(byClause) > 0 {
		std := newest(r.Standards)
		clauses := slices.Collect(maps.Keys(byClause))
		slices.SortFunc(clauses, func(a, b string) int { return cmp.Or(cmp.Compare(byClause[b], byClause[a]), cmp.Compare(a, b)) })
		var bars []bar
		for _, c := range clauses[:min(10, len(clauses))] {
			lbl := c
			if std != nil {
				if cl, ok := std.Clause(c); ok {
					lbl += "  " + cl.Summary.In(lang)
				}
			}
			bars = append(bars, bar{label: lbl, n: byClause[c], color: colBad})
		}
		d.section("问题最多的条款", "Clauses failed most", d.barRowsH(bars, clauseLabelW))
		d.barRows(bars, clauseLabelW)
	}
	next()

	// Every finding, month by month.
	rep := &insReport{d: d, m: m, lang: lang, opt: opt}
	months := byMonth(obs)
	// visit gives the rows of an inspection in the history, and the height
	// that must stay together at its start: its opening line and first row,
	// with the month's heading when it opens a month.
	visit := func(mo *month, k int) (rows [][][]block, band [][]block, keep float64) {
		o := mo.obs[k]
		if rep.std != o.rec.std {
			rep.index(o.rec.std)
		}
		rows = historyRows(rep, o)
		keep = rowH(rows[0]) + 2*cellPadY
		if len(rows) > 1 {
			keep += keepH(rowH(rows[1]))
		}
		if k == 0 {
			band = monthBand(d, mo)
			keep += rowH(band) + 2*cellPadY
		}
		return rows, band, keep
	}
	const intro = "按月列出不符合、不适用及有未做到的计数项，月标题含该月小计；全部做到的计数项不是问题，列在该次检查之后一行。  " +
		"Nonconformities, N/A and tallies with failures by month, with each month's subtotals; tallies met every time are no fault and share one line after their inspection."
	t := &table{d: d, cols: historyCols}
	_, _, keep := visit(months[0], 0)
	introH := float64(len(d.wrap(intro, stTiny, contentW)))*stTiny.lineH() + 1
	d.section("全部记录", "Findings by month", introH+t.headerH()+keep)
	d.para(marginL, contentW, intro, stTiny)
	d.y += 1
	d.ensure(t.headerH() + keep)
	t.start(0)
	for _, mo := range months {
		for k := range mo.obs {
			rows, band, keep := visit(mo, k)
			if band != nil {
				// A page that goes on with a month says which; one that
				// starts with a month's heading needs not.
				t.caption = "全部记录 Every finding"
				d.ensure(keep)
				t.row(band, &colBandBg)
				t.caption = "全部记录 Every finding · " + mo.zh
			} else {
				d.ensure(keep)
			}
			for i, row := range rows {
				var bg *rgb
				if i == 0 {
					bg = &colVisitBg
				}
				t.row(row, bg)
			}
		}
	}
	t.end()
	clauseLegend(d, obs, newest(r.Standards), lang)
	next()

	// Their own words.
	var dis []observation
	for _, o := range obs {
		if o.sig != nil && strings.TrimSpace(o.sig.Disagreement) != "" {
			dis = append(dis, o)
		}
	}
	if len(dis) > 0 {
		d.section("本人异议", "Disagreements recorded", 25)
		cols := []column{{"日期", "Date", 30}, {"异议", "Disagreement in their own words", 150}}
		t := &table{d: d, cols: cols, caption: "本人异议 Disagreements"}
		t.start(2 * stBody.lineH())
		for _, o := range dis {
			t.row([][]block{
				append(d.lines(fmtDateTime(o.sig.At), stBody, 26.8), d.lines(dash(o.rec.HallName), stTiny, 26.8)...),
				d.lines(o.scrub(o.sig.Disagreement), stBody, 146.8),
			}, nil)
		}
		t.end()
	}
	next()

	if err := d.finish(w, func(page, pages int) { d.furnish(fur, page, pages) }); err != nil {
		return err
	}
	prog.done()
	return nil
}

// historyCols are the columns of a history's findings: those of the
// inspection report's, with more room for the requirement, since the clause
// column holds only the IDs.
var historyCols = []column{
	{"条款", "Clause", 14},
	{"检查项", "Requirement", 63},
	{"结果", "Result", 30},
	{"备注与照片", "Note and photos", 73},
}

// colVisitBg shades the line that opens an inspection in a history.
var colVisitBg = rgb{248, 249, 250}

// month is the observations of one calendar month (CST) in a history.
type month struct {
	zh       string // "2026年9月 September 2026"
	obs      []observation
	scored   int
	sum      float64
	offences int
}

func byMonth(obs []observation) []*month {
	var out []*month
	for _, o := range obs {
		at := o.rec.Inspection.StartedAt.In(CST)
		zh := fmt.Sprintf("%d年%d月 %s %d", at.Year(), at.Month(), at.Month(), at.Year())
		if len(out) == 0 || out[len(out)-1].zh != zh {
			out = append(out, &month{zh: zh})
		}
		mo := out[len(out)-1]
		mo.obs = append(mo.obs, o)
		if o.score.Scored {
			mo.scored++
			mo.sum += o.score.Points
		}
		for _, f := range o.p.Findings {
			if offence(f) {
				mo.offences++
			}
		}
	}
	return out
}

// monthBand is the heading row of a month: its name, and its subtotals at
// the right (under it when both do not fit on one line).
func monthBand(d *doc, mo *month) [][]block {
	avg := "—"
	if mo.scored > 0 {
		avg = fmtScore(mo.sum / float64(mo.scored))
	}
	sums := fmt.Sprintf("%d 次检查 inspections  ·  平均得分 average %s  ·  问题 offences %d", len(mo.obs), avg, mo.offences)
	w := contentW - 2*cellPadX
	h := stH3.lineH()
	two := d.width(mo.zh, stH3)+6+d.width(sums, stSmall.emph()) > w
	if two {
		h += stSmall.lineH()
	}
	return [][]block{{{h: h, draw: func(x, y float64) {
		d.text(x, y, mo.zh, stH3.with(colAccent))
		sy := y + (stH3.lineH()-stSmall.lineH())/2
		if two {
			d.text(x, y+stH3.lineH(), sums, stSmall.emph().with(colText))
			return
		}
		d.textRight(x+w, sy, sums, stSmall.emph().with(colText))
	}}}}
}

// listed reports whether a finding gets a row of its own in a history: a
// fault or an item not assessed. A tally met every time is no fault.
func listed(f inspect.Finding) bool {
	return !(f.Outcome == inspect.Tallied && f.Failed == 0)
}

// historyRows are the rows of one inspection in a history: a line with the
// date, hall and score; a row per finding that is listed; and a line naming
// the tallies met every time. An inspection with nothing listed says so.
func historyRows(rep *insReport, o observation) [][][]block {
	d := rep.d
	w := func(i int) float64 { return historyCols[i].w - 2*cellPadX }
	full := contentW - 2*cellPadX

	// The opening line: date and hall at the left, the score at the right.
	score, sc := "未评分 not scored", colMuted
	if o.score.Scored {
		score = fmtScore(o.score.Points) + " 分  " + o.score.Grade.Name.In(rep.lang)
		if o.score.Capped {
			score += rep.capped()
		}
		sc = gradeColor(o.rec.std.Grades, o.score.Grade)
	}
	if len(o.rec.Amendments) > 0 {
		score = "已更正 amended  ·  " + score
	}
	date := fmtDateTime(o.rec.Inspection.StartedAt)
	dateW := d.width(date, stBold) + 4
	scoreW := d.width(score, stBold)
	hall := d.wrap(dash(o.rec.HallName), stBody, full-dateW-scoreW-4)
	head := block{h: float64(max(1, len(hall))) * stBody.lineH(), draw: func(x, y float64) {
		d.text(x, y, date, stBold)
		for i, ln := range hall {
			d.text(x+dateW, y+float64(i)*stBody.lineH(), ln, stBody)
		}
		d.textRight(x+full, y, score, stBold.with(sc))
	}}
	rows := [][][]block{{{head}}}

	var met []string
	for _, f := range rep.sorted(o.p.Findings) {
		if !listed(f) {
			it := rep.items[f.ItemID]
			zh, en, _ := outcome(it, f)
			s := f.ItemID
			if t := it.Text.In(rep.lang); t != "" {
				s += " " + t
			}
			s += "（" + zh + " " + en + "）"
			if n := strings.TrimSpace(f.Note); n != "" {
				s += "：" + o.scrub(n)
			}
			met = append(met, s)
			continue
		}
		clause, req := historyItemCells(rep, f.ItemID, w(0), w(1))
		zh, en, c := outcome(rep.items[f.ItemID], f)
		res := d.lines(zh, stBold.with(c), w(2))
		res = append(res, d.lines(en, stSmall.with(c), w(2))...)
		if rep.items[f.ItemID].Critical && offence(f) {
			res = append(res, d.lines("关键项 Critical", stBold.with(colBad), w(2))...)
		}
		if o.rec.amended[[2]string{o.p.ID, f.ItemID}] {
			res = append(res, d.lines("已更正 Amended", stBold.with(colWarn), w(2))...)
		}
		note := d.lines(o.scrub(f.Note), stBody, w(3))
		if strings.TrimSpace(f.Note) == "" {
			note = d.lines("（无备注 no note）", stSmall.with(colFaint), w(3))
		}
		if n := len(f.Photos); n > 0 {
			note = append(note, d.lines(fmt.Sprintf("照片 %d 张，见该次检查报告 / %d photo(s), see the inspection report", n, n), stTiny, w(3))...)
		}
		rows = append(rows, [][]block{clause, req, res, note})
	}
	if len(rows) == 1 {
		rows = append(rows, [][]block{d.lines("无问题记录：所有适用检查项均符合。  No findings: every applicable item conforms.", stSmall.with(colGood), full)})
	}
	if len(met) > 0 {
		rows = append(rows, [][]block{d.lines("均做到 Met every time:  "+strings.Join(met, "；  "), stSmall.with(colGood), full)})
	}
	return rows
}

// historyItemCells are the clause and requirement cells of a finding in a
// history: as in the inspection report, but without the clause's text,
// which a history would repeat on most rows; the clauses are listed once,
// after the findings (clauseLegend).
func historyItemCells(rep *insReport, itemID string, w0, w1 float64) (clause, req []block) {
	d := rep.d
	it, ok := rep.items[itemID]
	if !ok {
		return rep.itemCells(itemID, w0, w1)
	}
	clause = d.lines(it.Clause, stBold, w0)
	clause = append(clause, d.lines(it.ID, stSmall, w0)...)
	req = d.lines(it.Text.In(rep.lang), stBody, w1)
	if o := it.Text.In(other(rep.lang)); o != it.Text.In(rep.lang) {
		req = append(req, d.lines(o, stSmall, w1)...)
	}
	return clause, req
}

// clauseLegend lists, once, the text of every clause the history's rows
// name, in the order of the newest standard.
func clauseLegend(d *doc, obs []observation, std *standard.Version, lang string) {
	// A clause's text from the newest version that has it.
	seen := map[string]*standard.Version{}
	for _, o := range obs {
		for _, f := range o.p.Findings {
			if it, ok := o.rec.std.Item(f.ItemID); ok && listed(f) {
				if v := seen[it.Clause]; v == nil || v.Version < o.rec.std.Version {
					seen[it.Clause] = o.rec.std
				}
			}
		}
	}
	if len(seen) == 0 {
		return
	}
	line := func(id string) string {
		if c, ok := seen[id].Clause(id); ok {
			return "条款 " + id + "：" + c.Summary.In(lang)
		}
		return "条款 " + id
	}
	var lines []string
	if std != nil {
		for _, c := range std.Clauses {
			if seen[c.ID] != nil {
				lines = append(lines, line(c.ID))
				delete(seen, c.ID)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(seen)) { // clauses of older versions only
		lines = append(lines, line(id))
	}
	d.y += 3
	d.ensure(stH3.lineH() + 2*stSmall.lineH())
	d.text(marginL, d.y, "条款 Clauses referred to above", stH3)
	d.y += stH3.lineH() + 0.5
	for _, ln := range lines {
		for i, l := range d.wrap(ln, stSmall, contentW-4) {
			d.ensure(stSmall.lineH())
			x := marginL
			if i > 0 {
				x += 4
			}
			d.text(x, d.y, l, stSmall.with(colText))
			d.y += stSmall.lineH()
		}
	}
}
