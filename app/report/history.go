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
// score in each inspection as a trend, the clauses they failed most, every
// finding with date, clause and note, and their recorded disagreements. An
// empty period gives a short report that says so.
func RenderPersonHistory(w io.Writer, r PersonHistoryReport, opt Options) error {
	if err := renderHistory(w, r, opt); err != nil {
		return fmt.Errorf("render history of staff %s: %w", r.EmployeeNo, err)
	}
	return nil
}

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
	p, err := newPeriod(r.From, r.To)
	if err != nil {
		return err
	}
	m, err := loadMetrics()
	if err != nil {
		return err
	}
	const sections = 5
	total := len(r.Records) + sections
	recs, err := scoreRecords(r.Records, r.Standards, p, func(done, _ int) { opt.progress(done, total) })
	if err != nil {
		return err
	}
	step := len(r.Records)
	next := func() { step++; opt.progress(step, total) }
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

	// Score in each inspection.
	d.section("得分趋势", "Score in each inspection", 60)
	var pts []point
	for _, o := range obs {
		pts = append(pts, point{label: o.rec.Inspection.StartedAt.In(CST).Format("01-02"), v: o.score.Points, ok: o.score.Scored})
	}
	d.lineChart(pts, 55)
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
		d.section("问题最多的条款", "Clauses failed most", 30)
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
		d.barRows(bars, 95)
	}
	next()

	// Every finding.
	d.section("全部记录", "Every finding", 40)
	cols := []column{{"日期", "Date", 22}, {"条款", "Clause", 15}, {"检查项", "Requirement", 50}, {"结果", "Result", 25}, {"备注", "Note", 68}}
	wOf := func(i int) float64 { return cols[i].w - 2*cellPadX }
	t := &table{d: d, cols: cols, caption: "全部记录 Every finding"}
	started := false
	// The inspection report's cell builders, pointed at each record's version.
	rep := &insReport{d: d, m: m, lang: lang, opt: opt}
	for _, o := range obs {
		if rep.std != o.rec.std {
			rep.index(o.rec.std)
		}
		fs := rep.sorted(o.p.Findings)
		if len(fs) == 0 {
			fs = []inspect.Finding{{}} // one row saying the visit found nothing
		}
		for k, f := range fs {
			date := d.lines(fmtDate(o.rec.Inspection.StartedAt), stBody, wOf(0))
			if k == 0 {
				date = append(date, d.lines(dash(o.rec.HallName), stTiny, wOf(0))...)
				s := "未评分"
				if o.score.Scored {
					s = fmtScore(o.score.Points) + " " + o.score.Grade.Name.In(lang)
				}
				date = append(date, d.lines(s, stTiny.emph().with(gradeColor(o.rec.std.Grades, o.score.Grade)), wOf(0))...)
			}
			var row [][]block
			if f.ItemID == "" {
				row = [][]block{date, nil, d.lines("无问题记录：所有适用检查项均符合。 No findings: every applicable item conforms.", stSmall.with(colGood), wOf(2)), nil, nil}
			} else {
				clause, req := rep.itemCells(f.ItemID, wOf(1), wOf(2))
				zh, en, c := outcome(rep.items[f.ItemID], f)
				res := d.lines(zh, stBold.with(c), wOf(3))
				res = append(res, d.lines(en, stSmall.with(c), wOf(3))...)
				if rep.items[f.ItemID].Critical && offence(f) {
					res = append(res, d.lines("关键项 Critical", stBold.with(colBad), wOf(3))...)
				}
				if o.rec.amended[[2]string{o.p.ID, f.ItemID}] {
					res = append(res, d.lines("已更正 Amended", stBold.with(colWarn), wOf(3))...)
				}
				note := d.lines(o.scrub(f.Note), stBody, wOf(4))
				if strings.TrimSpace(f.Note) == "" {
					note = d.lines("（无备注 no note）", stSmall.with(colFaint), wOf(4))
				}
				if n := len(f.Photos); n > 0 {
					note = append(note, d.lines(fmt.Sprintf("照片 %d 张，见该次检查报告 / %d photo(s), see the inspection report", n, n), stTiny, wOf(4))...)
				}
				row = [][]block{date, clause, req, res, note}
			}
			if !started {
				t.start(blocksH(row[2]))
				started = true
			}
			t.row(row, nil)
		}
	}
	t.end()
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
	opt.progress(total, total)
	return nil
}
