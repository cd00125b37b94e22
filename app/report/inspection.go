package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// RepeatWindowDays is the period repeat offences are counted over, as
// printed beside a finding ("第3次/90天").
const RepeatWindowDays = 90

// InspectionReport is what the report of one sealed inspection prints. The
// caller fills it from its store; the renderer reads nothing else.
type InspectionReport struct {
	// Inspection is the sealed original, exactly as sealed.
	Inspection *inspect.Inspection
	// Amendments of this inspection, in any order; they are printed after the
	// original, which is never shown modified, while the score counts them.
	Amendments []inspect.Amendment
	// Standard is the version the inspection was made with.
	Standard *standard.Version

	HallName, HallCode string
	SupervisorName     string
	DeviceName         string
	// AuthorNames names amendment authors by user ID. An author not in it is
	// printed by ID.
	AuthorNames map[string]string
	// Repeats holds, by Person.ID and then item ID, how many times in the
	// RepeatWindowDays up to and including this inspection the person did
	// not conform to the item (store.RepeatCounts). Two or more prints a
	// repeat mark on the finding.
	Repeats map[string]map[string]int
	// Photo returns the bytes of a photo or signature image by its SHA-256.
	// It may be nil, and it may be called from several goroutines at once. A
	// photo it cannot return, or whose bytes do not hash to the address, is
	// printed as a placeholder naming the SHA-256.
	Photo func(sha256 string) ([]byte, error)
}

// RenderInspection writes the PDF report of a sealed inspection to w.
//
// It refuses (with an error wrapping ErrInvalidInput) a draft, a standard of
// another version, and an inspection or amendment whose seal does not match
// its content: a report that printed a seal over altered data would lend the
// alteration the seal's authority.
func RenderInspection(w io.Writer, r InspectionReport, opt Options) error {
	ins := r.Inspection
	id := "<nil>"
	if ins != nil {
		id = ins.ID
	}
	if err := renderInspection(w, r, opt); err != nil {
		return fmt.Errorf("render inspection %s: %w", id, err)
	}
	return nil
}

func renderInspection(w io.Writer, r InspectionReport, opt Options) error {
	ins, std := r.Inspection, r.Standard
	amends, err := checkSealed(ins, std, r.Amendments)
	if err != nil {
		return err
	}

	m, err := loadMetrics()
	if err != nil {
		return err
	}
	rep := &insReport{r: r, opt: opt, lang: opt.lang(), std: std, m: m}
	rep.prepare(amends)
	if rep.result, err = inspect.ScoreInspection(std, rep.eff); err != nil {
		return err
	}
	if rep.original, err = inspect.ScoreInspection(std, rep.ins); err != nil {
		return err
	}
	rep.qr, err = newQR(rep.qrContent(), marginL, footerTop+2.5, qrSize)
	if err != nil {
		return err
	}

	title := "督导检查报告 " + m.oneLine(r.HallName) + " " + fmtDate(ins.StartedAt)
	rep.d = newDoc(m, ins.SealedAt, title)
	rep.pics = pictures{get: r.Photo}
	if !opt.Redact {
		rep.pics.prepare(rep.d.pdf, rep.pictureJobs())
	}

	steps := []func(){rep.summary, rep.overview}
	for i := range rep.ins.People {
		steps = append(steps, func() { rep.person(i) })
	}
	steps = append(steps, rep.hall, rep.signatures, rep.amendmentLog)
	for i, step := range steps {
		step()
		opt.progress(i+1, len(steps)+1)
	}
	if err := rep.d.finish(w, rep.decorate); err != nil {
		return err
	}
	opt.progress(len(steps)+1, len(steps)+1)
	return nil
}

// insReport holds one inspection report while it is drawn.
type insReport struct {
	r    InspectionReport
	opt  Options
	lang string
	std  *standard.Version
	m    *metrics
	d    *doc
	pics pictures
	qr   qrPath

	ins    *inspect.Inspection // the original as shown: redacted when asked
	amends []inspect.Amendment // sorted by time, redacted when asked
	eff    *inspect.Inspection // the original with every amendment applied

	result   inspect.Result // of eff: the score that counts
	original inspect.Result // of the original, shown when amendments change it

	labels  map[string]string        // Person.ID -> how the person is named
	amended map[[2]string][]int      // (person ID, item ID) -> amendment numbers
	order   map[string]int           // item ID -> position in the standard
	items   map[string]standard.Item // item ID -> item
	clauses map[string]standard.Clause
}

// prepare builds the view of the inspection the report prints: with the
// redacted copy's names replaced everywhere, including inside the score's
// explanation and in free text where a supervisor wrote a name.
func (rep *insReport) prepare(amends []inspect.Amendment) {
	orig := rep.r.Inspection
	rep.labels = map[string]string{}
	var names [][2]string // name, label: for scrubbing free text
	for i, p := range orig.People {
		label := rep.m.oneLine(p.Name)
		if rep.opt.Redact {
			label = redactedLabel(rep.m, p.Badge, i+1)
			names = append(names, [2]string{p.Name, label})
		}
		rep.labels[p.ID] = label
	}
	scrub := scrubber(names)
	scrubFinding := func(f inspect.Finding) inspect.Finding {
		f.Note = scrub(f.Note)
		return f
	}

	ins := *orig
	ins.People = slices.Clone(orig.People)
	for i := range ins.People {
		p := &ins.People[i]
		p.Name = rep.labels[p.ID]
		if rep.opt.Redact {
			p.EmployeeNo = ""
		}
		p.Findings = slices.Clone(p.Findings)
		for j := range p.Findings {
			p.Findings[j] = scrubFinding(p.Findings[j])
		}
	}
	ins.HallFindings = slices.Clone(orig.HallFindings)
	for j := range ins.HallFindings {
		ins.HallFindings[j] = scrubFinding(ins.HallFindings[j])
	}
	ins.Signatures = slices.Clone(orig.Signatures)
	for i := range ins.Signatures {
		s := &ins.Signatures[i]
		s.Disagreement = scrub(s.Disagreement)
		if rep.opt.Redact {
			s.Image = nil
			if s.Role == inspect.SignerStaff {
				if l, ok := rep.labels[s.PersonID]; ok {
					s.Name = l
				} else {
					s.Name = "员工 staff"
				}
			}
		}
	}
	rep.ins = &ins

	rep.amends = make([]inspect.Amendment, len(amends))
	rep.amended = map[[2]string][]int{}
	for i, a := range amends {
		a.Reason = scrub(a.Reason)
		a.Changes = slices.Clone(a.Changes)
		for j := range a.Changes {
			ch := &a.Changes[j]
			if ch.Finding != nil {
				f := scrubFinding(*ch.Finding)
				ch.Finding = &f
			}
			k := [2]string{ch.PersonID, ch.ItemID}
			if n := rep.amended[k]; len(n) == 0 || n[len(n)-1] != i+1 {
				rep.amended[k] = append(n, i+1)
			}
		}
		rep.amends[i] = a
	}
	rep.eff = inspect.Effective(rep.ins, rep.amends)

	rep.index(rep.std)
}

// index looks up the standard's items and clauses by ID.
func (rep *insReport) index(std *standard.Version) {
	rep.std = std
	rep.order = map[string]int{}
	rep.items = map[string]standard.Item{}
	for _, s := range std.Sections {
		for _, it := range s.Items {
			rep.order[it.ID] = len(rep.order)
			rep.items[it.ID] = it
		}
	}
	rep.clauses = map[string]standard.Clause{}
	for _, c := range std.Clauses {
		rep.clauses[c.ID] = c
	}
}

func (rep *insReport) qrContent() string {
	return "dudao:inspection:" + rep.r.Inspection.ID + ":" + rep.r.Inspection.SealHash
}

// pictureJobs lists every image the report shows, in the order it shows them.
func (rep *insReport) pictureJobs() []pictureJob {
	var jobs []pictureJob
	add := func(fs []inspect.Finding) {
		for _, f := range rep.sorted(fs) {
			for _, p := range f.Photos {
				jobs = append(jobs, pictureJob{sha: p.SHA256})
			}
		}
	}
	for _, p := range rep.ins.People {
		add(p.Findings)
	}
	add(rep.ins.HallFindings)
	for _, s := range rep.signatures0() {
		if s.Image != nil {
			jobs = append(jobs, pictureJob{sha: s.Image.SHA256, sig: true})
		}
	}
	for _, a := range rep.amends {
		for _, ch := range a.Changes {
			if ch.Finding != nil {
				for _, p := range ch.Finding.Photos {
					jobs = append(jobs, pictureJob{sha: p.SHA256})
				}
			}
		}
	}
	return jobs
}

// sorted orders findings as the standard lists its items, so that every
// report reads in the same order as the checklist on the tablet.
func (rep *insReport) sorted(fs []inspect.Finding) []inspect.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b inspect.Finding) int {
		oa, okA := rep.order[a.ItemID]
		ob, okB := rep.order[b.ItemID]
		if okA != okB { // items the standard lacks go last
			if okA {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(oa, ob), cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// ---- page furniture -------------------------------------------------------

func (rep *insReport) decorate(page, pages int) {
	ins := rep.r.Inspection
	rep.d.furnish(furniture{
		title:     "督导检查报告  Inspection report",
		right:     rep.m.oneLine(rep.r.HallName) + "  ·  " + fmtDateTime(ins.StartedAt),
		idLabel:   "检查编号 Inspection ID",
		id:        ins.ID,
		hashLabel: "封存哈希 Seal SHA-256",
		hash:      ins.SealHash,
		qrNote:    "扫描二维码可核对编号与封存哈希 · Scan the QR code to check the ID and seal",
		qr:        rep.qr,
		redact:    rep.opt.Redact,
	}, page, pages)
}

func (rep *insReport) section(zh, en string, keep float64) { rep.d.section(zh, en, keep) }

// ---- summary --------------------------------------------------------------

func (rep *insReport) gradeColor(g standard.GradeBand) rgb { return gradeColor(rep.std.Grades, g) }

// gradeColor colours a grade by its rank among the bands: the lowest red,
// the highest green, those between amber and blue.
func gradeColor(bands []standard.GradeBand, g standard.GradeBand) rgb {
	if g.ID == "" {
		return colMuted
	}
	grades := slices.Clone(bands)
	slices.SortFunc(grades, func(a, b standard.GradeBand) int { return cmp.Compare(a.MinScore, b.MinScore) })
	i := slices.IndexFunc(grades, func(x standard.GradeBand) bool { return x.ID == g.ID })
	if i < 0 || len(grades) == 1 {
		return colAccent
	}
	switch pos := float64(i) / float64(len(grades)-1); {
	case pos == 0:
		return colBad
	case pos < 0.5:
		return colWarn
	case pos < 1:
		return colAccent
	default:
		return colGood
	}
}

// capped marks a grade that a critical failure capped.
func (rep *insReport) capped() string {
	if rep.lang == "en" {
		return " (capped)"
	}
	return "（封顶）"
}

func (rep *insReport) gradeName(s inspect.Score) string {
	if !s.Scored {
		return "未评分"
	}
	return s.Grade.Name.In(rep.lang)
}

func (rep *insReport) summary() {
	d, r, ins := rep.d, rep.r, rep.r.Inspection
	total := rep.result.Inspection

	// Title, and the grade in a badge at the right, the first thing a reader
	// looks for.
	d.text(marginL, d.y, "督导检查报告", stH1)
	sub := "Inspection report"
	if rep.opt.Redact {
		sub += "  ·  脱敏版 Redacted copy: no photos, staff shown by badge number"
	}
	d.text(marginL, d.y+stH1.lineH()-0.5, sub, stSubhead)

	const badgeW, badgeH = 50.0, 27.0
	bx, by := marginR-badgeW, d.y
	gc := rep.gradeColor(total.Grade)
	d.fill(gc)
	d.pdf.RoundedRect(bx, by, badgeW, badgeH, 2.5, "1234", "F")
	big := stH1.sized(22).with(colWhite)
	name := rep.gradeName(total)
	d.text(bx+(badgeW-d.width(name, big))/2, by+2, name, big)
	var pts string
	if total.Scored {
		pts = fmtScore(total.Points) + " / 100"
	} else {
		pts = "无适用项目 nothing assessed"
	}
	ps := stBold.sized(11).with(colWhite)
	d.text(bx+(badgeW-d.width(pts, ps))/2, by+2+big.lineH(), pts, ps)
	en := total.Grade.Name.In(other(rep.lang))
	if total.Capped {
		en = "关键项封顶 capped"
	}
	es := stSmall.with(colWhite)
	d.text(bx+(badgeW-d.width(en, es))/2, by+2+big.lineH()+ps.lineH(), en, es)

	d.y += stH1.lineH() + stSubhead.lineH() + 3

	// Who, where, when, against what.
	end := ""
	if !ins.EndedAt.IsZero() {
		end = " – " + ins.EndedAt.In(CST).Format("15:04")
	}
	hall := r.HallName
	if r.HallCode != "" {
		hall += " (" + r.HallCode + ")"
	}
	info := [][3]string{
		{"营业厅", "Hall", hall},
		{"检查时间", "Time", fmtDateTime(ins.StartedAt) + end + "（北京时间 UTC+8）"},
		{"督导员", "Supervisor", r.SupervisorName},
		{"设备", "Device", r.DeviceName},
		{"检查标准", "Standard", fmt.Sprintf("第 %d 版 v%d  %s", rep.std.Version, rep.std.Version, rep.std.Title.In(rep.lang))},
		{"封存时间", "Sealed", ins.SealedAt.In(CST).Format("2006-01-02 15:04:05")},
	}
	if n := len(rep.amends); n > 0 {
		info = append(info, [3]string{"更正", "Amendments",
			fmt.Sprintf("%d 项，见“更正记录”；得分已计入更正 / %d, see Amendments; the score includes them", n, n)})
	}
	const labelW = 30.0
	valW := bx - 4 - marginL - labelW
	for _, row := range info {
		if d.y > by+badgeH+1 {
			valW = contentW - labelW
		}
		d.text(marginL, d.y+0.3, row[0]+" "+row[1], stLabel)
		val := row[2]
		if strings.TrimSpace(val) == "" {
			val = "—"
		}
		for _, ln := range d.wrap(val, stBody, valW) {
			d.ensure(stBody.lineH())
			d.text(marginL+labelW, d.y, ln, stBody)
			d.y += stBody.lineH()
		}
	}
	d.y = max(d.y, by+badgeH) + 4

	// Why this grade.
	rep.section("评分说明", "Why this grade", 20)
	var lead string
	if total.Scored {
		lost := 0.0
		for _, x := range total.Deductions {
			lost += x.Points
		}
		if rep.lang == "en" {
			lead = fmt.Sprintf("Score %s of 100, grade %s. Each applicable item counts by its weight; the deductions below add up to %s points.",
				fmtScore(total.Points), rep.gradeName(total), fmtScore(lost))
		} else {
			lead = fmt.Sprintf("得分 %s（满分 100），等级 %s。每个适用检查项按权重计分，以下扣分合计 %s 分。",
				fmtScore(total.Points), rep.gradeName(total), fmtScore(lost))
		}
		if len(total.Deductions) == 0 {
			lead += map[string]string{"zh": "所有适用项目均符合。", "en": " Every applicable item conforms."}[rep.lang]
		}
	}
	if len(rep.amends) > 0 {
		o := rep.original.Inspection
		if o.Scored && (inspect.Round1(o.Points) != inspect.Round1(total.Points) || o.Grade.ID != total.Grade.ID) {
			if rep.lang == "en" {
				lead += fmt.Sprintf(" The score counts the amendments; as sealed it was %s (%s).", fmtScore(o.Points), rep.gradeName(o))
			} else {
				lead += fmt.Sprintf("得分已计入更正；原始封存记录得分 %s（%s）。", fmtScore(o.Points), rep.gradeName(o))
			}
		}
	}
	if lead != "" {
		d.para(marginL, contentW, lead, stBody)
		d.y += 1
	}
	for _, ln := range total.Explain(rep.lang) {
		st := stBody
		if strings.HasPrefix(ln, "等级封顶") || strings.HasPrefix(ln, "grade capped") {
			st = stBold.with(colBad)
		}
		lines := d.wrap(ln, st, contentW-5)
		for i, l := range lines {
			d.ensure(st.lineH())
			if i == 0 {
				d.text(marginL+1, d.y, "•", st)
			}
			d.text(marginL+5, d.y, l, st)
			d.y += st.lineH()
		}
	}
}

// overview is the table of everyone's score.
func (rep *insReport) overview() {
	d := rep.d
	rep.section("人员得分", "Scores by person", 30)
	cols := []column{{"人员", "Person", 42}, {"角色", "Role", 30}, {"工号", "Employee no.", 24}, {"工牌", "Badge", 18},
		{"扣分项", "Deductions", 20}, {"得分", "Score", 20}, {"等级", "Grade", 26}}
	if rep.opt.Redact {
		cols = []column{{"人员", "Person", 66}, {"角色", "Role", 30}, {"工牌", "Badge", 18},
			{"扣分项", "Deductions", 20}, {"得分", "Score", 20}, {"等级", "Grade", 26}}
	}
	t := &table{d: d, cols: cols, caption: "人员得分 Scores by person"}
	cell := func(i int, s string, st style) []block { return d.lines(s, st, cols[i].w-2*cellPadX) }
	scoreCells := func(at int, s inspect.Score, bold bool) [][]block {
		st := stBody
		if bold {
			st = stBold
		}
		pts, gr := "—", rep.gradeName(s)
		if s.Scored {
			pts = fmtScore(s.Points)
		}
		if s.Capped {
			gr += rep.capped()
		}
		return [][]block{
			cell(at, fmt.Sprint(len(s.Deductions)), st),
			cell(at+1, pts, st),
			cell(at+2, gr, st.emph().with(rep.gradeColor(s.Grade))),
		}
	}
	var rows [][][]block
	for _, p := range rep.ins.People {
		name := p.Name
		if p.OffRoster {
			name += "（名册外 off-roster）"
		}
		row := [][]block{cell(0, name, stBody), cell(1, roleName(p.Role), stBody)}
		if !rep.opt.Redact {
			row = append(row, cell(2, dash(p.EmployeeNo), stBody))
		}
		row = append(row, cell(len(row), dash(p.Badge), stBody))
		rows = append(rows, append(row, scoreCells(len(row), rep.result.People[p.ID], false)...))
	}
	hallRow := func(label string, s inspect.Score, bold bool) [][]block {
		st := stBody
		if bold {
			st = stBold
		}
		row := [][]block{cell(0, label, st)}
		for i := 1; i < len(cols)-3; i++ {
			row = append(row, nil)
		}
		return append(row, scoreCells(len(cols)-3, s, bold)...)
	}
	rows = append(rows, hallRow("营业厅整体 Hall items", rep.result.Hall, false))
	total := hallRow("整次检查 Overall", rep.result.Inspection, true)

	t.start(rowH(rows[0]))
	for _, row := range rows {
		t.row(row, nil)
	}
	t.row(total, &colBandBg)
	t.end()
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

var roleNames = map[standard.Role]string{
	standard.RoleShiftLeader: "值班长 Shift leader",
	standard.RoleCashier:     "收银员 Cashier",
	standard.RolePromoter:    "宣传员 Promoter",
	standard.RoleSupervisor:  "督导员 Supervisor",
	standard.RoleHotline:     "96396热线 Hotline",
}

func roleName(r standard.Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// ---- findings -------------------------------------------------------------

var findingCols = []column{
	{"条款", "Clause", 17},
	{"检查项", "Requirement", 55},
	// Wide enough for "10次中4次未做到" on one line.
	{"结果", "Result", 30},
	{"备注与照片", "Note and photos", 78},
}

func (rep *insReport) person(i int) {
	d := rep.d
	p := rep.ins.People[i]
	s := rep.result.People[p.ID]
	rows := rep.findingRows(p.ID, p.Findings, rep.r.Repeats[p.ID])

	// A band naming the person, with their score at the right. It stays with
	// the table header and the first row.
	band := stH3.lineH() + 3
	keep := 2 + band + 1 + rep.firstRowKeep(rows)
	if i == 0 {
		rep.section("检查明细", "Findings by person", keep)
	}
	d.ensure(keep)
	d.y += 2
	d.rect(marginL, d.y, contentW, band, colBandBg)
	name := fmt.Sprintf("%d  %s", i+1, p.Name)
	d.text(marginL+2, d.y+1.5, name, stH3)
	var facts []string
	facts = append(facts, roleName(p.Role))
	if p.EmployeeNo != "" {
		facts = append(facts, "工号 "+p.EmployeeNo)
	}
	if p.Badge != "" && !rep.opt.Redact {
		facts = append(facts, "工牌 "+p.Badge)
	}
	if p.OffRoster {
		facts = append(facts, "名册外 off-roster")
	}
	score := "未评分 not scored"
	if s.Scored {
		score = fmtScore(s.Points) + " 分  " + rep.gradeName(s)
		if s.Capped {
			score += rep.capped()
		}
	}
	sw := d.width(score, stH3)
	fx := marginL + 2 + d.width(name, stH3) + 4
	d.text(fx, d.y+1.5+(stH3.lineH()-stSmall.lineH())*0.75, d.fit(strings.Join(facts, "  ·  "), stSmall, marginR-2-sw-4-fx), stSmall)
	d.textRight(marginR-2, d.y+1.5, score, stH3.with(rep.gradeColor(s.Grade)))
	d.y += band + 1

	rep.findings(rows, p.Name)
}

func (rep *insReport) hall() {
	rows := rep.findingRows("", rep.ins.HallFindings, nil)
	rep.section("营业厅整体", "Hall-level items", rep.firstRowKeep(rows))
	rep.findings(rows, "营业厅整体 Hall-level items")
}

// findingRows are the table rows of findings, in the standard's order.
func (rep *insReport) findingRows(personID string, fs []inspect.Finding, repeats map[string]int) [][][]block {
	var rows [][][]block
	for _, f := range rep.sorted(fs) {
		rows = append(rows, rep.findingRow(personID, f, repeats))
	}
	return rows
}

// firstRowKeep is the height that must stay together at the start of a
// findings table: its header and its first row (or the line that says there
// are no findings).
func (rep *insReport) firstRowKeep(rows [][][]block) float64 {
	if len(rows) == 0 {
		return stBody.lineH()
	}
	return (&table{}).headerH() + keepH(rowH(rows[0]))
}

func (rep *insReport) findings(rows [][][]block, caption string) {
	d := rep.d
	if len(rows) == 0 {
		msg := "无问题记录：所有适用检查项均符合。  No findings: every applicable item conforms."
		d.para(marginL+2, contentW-2, msg, stBody.with(colGood))
		return
	}
	t := &table{d: d, cols: findingCols, caption: caption}
	t.start(rowH(rows[0]))
	for _, row := range rows {
		t.row(row, nil)
	}
	t.end()
}

// outcome describes what a finding records, in both languages.
func outcome(it standard.Item, f inspect.Finding) (zh, en string, c rgb) {
	switch {
	case f.Outcome == inspect.NotApplicable:
		return "不适用", "N/A, not observed", colMuted
	case f.Observed > 0 && (f.Outcome == inspect.Tallied || it.Kind == standard.KindTally):
		if f.Failed == 0 {
			return fmt.Sprintf("%d次均做到", f.Observed), fmt.Sprintf("met all %d times", f.Observed), colGood
		}
		return fmt.Sprintf("%d次中%d次未做到", f.Observed, f.Failed), fmt.Sprintf("failed %d of %d", f.Failed, f.Observed), colBad
	case f.Outcome == inspect.Nonconform:
		return "不符合", "Does not conform", colBad
	case f.Outcome == inspect.Tallied:
		return "未计数", "Nothing counted", colMuted
	}
	return string(f.Outcome), "", colMuted
}

func ordinal(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return fmt.Sprintf("%dth", n)
	}
	switch n % 10 {
	case 1:
		return fmt.Sprintf("%dst", n)
	case 2:
		return fmt.Sprintf("%dnd", n)
	case 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

// itemCells are the clause and requirement columns of a finding.
func (rep *insReport) itemCells(itemID string, w0, w1 float64) (clause, req []block) {
	d := rep.d
	it, ok := rep.items[itemID]
	if !ok {
		return d.lines(itemID, stBold, w0), d.lines("标准中无此检查项 / item not in this standard", stBody.with(colBad), w1)
	}
	clause = d.lines(it.Clause, stBold, w0)
	clause = append(clause, d.lines(it.ID, stSmall, w0)...)
	c, hasClause := rep.clauses[it.Clause]
	if hasClause {
		clause = append(clause, d.lines(c.Ref, stTiny, w0)...)
	}
	req = d.lines(it.Text.In(rep.lang), stBody, w1)
	if o := it.Text.In(other(rep.lang)); o != it.Text.In(rep.lang) {
		req = append(req, d.lines(o, stSmall, w1)...)
	}
	if hasClause {
		req = append(req, gap(0.8))
		req = append(req, d.lines("条款 "+c.ID+"："+c.Summary.In(rep.lang), stSmall.with(colFaint), w1)...)
	}
	return clause, req
}

func (rep *insReport) findingRow(personID string, f inspect.Finding, repeats map[string]int) [][]block {
	d := rep.d
	w := func(i int) float64 { return findingCols[i].w - 2*cellPadX }
	clause, req := rep.itemCells(f.ItemID, w(0), w(1))
	it := rep.items[f.ItemID]

	zh, en, c := outcome(it, f)
	res := d.lines(zh, stBold.with(c), w(2))
	res = append(res, d.lines(en, stSmall.with(c), w(2))...)
	if it.Critical && offence(f) {
		res = append(res, d.lines("关键项 Critical", stBold.with(colBad), w(2))...)
	}
	if n := repeats[f.ItemID]; n >= 2 && offence(f) {
		res = append(res, gap(0.6))
		res = append(res, d.lines(fmt.Sprintf("第%d次/%d天", n, RepeatWindowDays), stBold.with(colWarn), w(2))...)
		res = append(res, d.lines(fmt.Sprintf("%s time in %d days", ordinal(n), RepeatWindowDays), stTiny.with(colWarn), w(2))...)
	}
	if !f.At.IsZero() {
		res = append(res, d.lines("记录于 "+fmtClock(f.At), stTiny, w(2))...)
	}
	if ams := rep.amended[[2]string{personID, f.ItemID}]; len(ams) > 0 {
		var ns []string
		for _, n := range ams {
			ns = append(ns, fmt.Sprint(n))
		}
		res = append(res, gap(0.6))
		res = append(res, d.lines("已更正 Amended", stBold.with(colWarn), w(2))...)
		res = append(res, d.lines("见更正 "+strings.Join(ns, "、")+" / see amendment "+strings.Join(ns, ", "), stTiny.with(colWarn), w(2))...)
	}
	return [][]block{clause, req, res, rep.noteCell(f, w(3))}
}

// noteCell is the note followed by the photos.
func (rep *insReport) noteCell(f inspect.Finding, w float64) []block {
	d := rep.d
	var out []block
	if strings.TrimSpace(f.Note) == "" {
		out = d.lines("（无备注 no note）", stSmall.with(colFaint), w)
	} else {
		out = d.lines(f.Note, stBody, w)
	}
	if len(f.Photos) == 0 {
		return out
	}
	out = append(out, gap(1.2))
	if rep.opt.Redact {
		return append(out, d.lines(fmt.Sprintf("照片 %d 张，脱敏版不附照片 / %d photo(s) withheld in the redacted copy", len(f.Photos), len(f.Photos)), stSmall, w)...)
	}
	return append(out, rep.photoRows(f.Photos, w)...)
}

// Thumbnails: two to a row in the note column, 4:3 like the tablet's camera.
const (
	thumbW   = 36.0
	thumbH   = 27.0
	thumbGap = 2.0
)

func (rep *insReport) photoRows(photos []inspect.PhotoRef, w float64) []block {
	d := rep.d
	perRow := max(1, int((w+thumbGap)/(thumbW+thumbGap)))
	capH := stTiny.lineH()
	var out []block
	for start := 0; start < len(photos); start += perRow {
		row := photos[start:min(len(photos), start+perRow)]
		first := start
		out = append(out, block{h: thumbH + capH + 1.5, draw: func(x, y float64) {
			for i, ph := range row {
				px := x + float64(i)*(thumbW+thumbGap)
				rep.thumb(ph, px, y)
				label := fmt.Sprintf("照片 %d", first+i+1)
				if !ph.At.IsZero() {
					label += " · " + fmtClock(ph.At)
				}
				d.text(px, y+thumbH+0.3, label, stTiny)
			}
		}})
	}
	return out
}

// thumb draws a photo fitted into a thumbnail box, or its placeholder.
func (rep *insReport) thumb(ph inspect.PhotoRef, x, y float64) {
	d := rep.d
	pic := rep.pics.lookup(ph.SHA256, false)
	d.rect(x, y, thumbW, thumbH, colPhotoBg)
	if !pic.ok() {
		d.stroke(colBad, 0.3)
		d.pdf.Rect(x, y, thumbW, thumbH, "D")
		ly := y + 2
		for _, ln := range d.wrap(pic.problem, stTiny.with(colBad), thumbW-3) {
			if ly+stTiny.lineH() > y+thumbH {
				break // the full SHA-256 is also in the text; the box only shows what fits
			}
			d.text(x+1.5, ly, ln, stTiny.with(colBad))
			ly += stTiny.lineH()
		}
		return
	}
	iw, ih := fitBox(float64(pic.w), float64(pic.h), thumbW, thumbH)
	d.pdf.ImageOptions(pic.name, x+(thumbW-iw)/2, y+(thumbH-ih)/2, iw, ih, false, imageOpts(pic), 0, "")
}

// itemHead names an item with the clause it enforces: "A3 · A3.1".
func (rep *insReport) itemHead(itemID string) string {
	if it, ok := rep.items[itemID]; ok {
		return it.Clause + " · " + it.ID
	}
	return itemID
}

func fitBox(w, h, bw, bh float64) (float64, float64) {
	f := min(bw/w, bh/h)
	return w * f, h * f
}

// ---- signatures -----------------------------------------------------------

// signatures0 orders signatures: the supervisor first, then staff in the
// order they were observed.
func (rep *insReport) signatures0() []inspect.Signature {
	pos := map[string]int{}
	for i, p := range rep.ins.People {
		pos[p.ID] = i
	}
	sigs := slices.Clone(rep.ins.Signatures)
	slices.SortStableFunc(sigs, func(a, b inspect.Signature) int {
		ra, rb := a.Role != inspect.SignerSupervisor, b.Role != inspect.SignerSupervisor
		if ra != rb {
			if !ra {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(pos[a.PersonID], pos[b.PersonID]), a.At.Compare(b.At))
	})
	return sigs
}

// signer is one row of the signatures table: someone who signed, declined
// or did not sign at all (sig nil).
type signer struct {
	role     inspect.SignerRole
	personID string
	name     string
	sig      *inspect.Signature
}

// signers lists everyone who should have signed: the supervisor, then every
// person observed, in the order they were observed, each with their
// signature record or none, so that nobody observed is silently left out.
// A signature of someone not observed (which the app does not make) is
// listed at the end rather than dropped.
func (rep *insReport) signers() []signer {
	var out []signer
	used := make([]bool, len(rep.ins.Signatures))
	take := func(role inspect.SignerRole, personID string) bool {
		found := false
		for _, i := range rep.sigOrder() {
			s := &rep.ins.Signatures[i]
			if used[i] || s.Role != role || role == inspect.SignerStaff && s.PersonID != personID {
				continue
			}
			used[i] = true
			found = true
			out = append(out, signer{role: s.Role, personID: s.PersonID, name: s.Name, sig: s})
		}
		return found
	}
	if !take(inspect.SignerSupervisor, "") {
		out = append(out, signer{role: inspect.SignerSupervisor, personID: rep.r.Inspection.SupervisorID, name: rep.r.SupervisorName})
	}
	for _, p := range rep.ins.People {
		if !take(inspect.SignerStaff, p.ID) {
			out = append(out, signer{role: inspect.SignerStaff, personID: p.ID, name: rep.labels[p.ID]})
		}
	}
	for _, i := range rep.sigOrder() {
		if !used[i] {
			s := &rep.ins.Signatures[i]
			out = append(out, signer{role: s.Role, personID: s.PersonID, name: s.Name, sig: s})
		}
	}
	return out
}

// sigOrder is the indexes of the signatures by time, for people who signed
// more than once.
func (rep *insReport) sigOrder() []int {
	idx := make([]int, len(rep.ins.Signatures))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return rep.ins.Signatures[a].At.Compare(rep.ins.Signatures[b].At) })
	return idx
}

func (rep *insReport) signatures() {
	d := rep.d
	cols := []column{{"签署人", "Signer", 62}, {"签名", "Signature", 58}, {"异议", "Disagreement", 60}}
	t := &table{d: d, cols: cols, caption: "签名与异议 Signatures"}
	w0, w1, w2 := cols[0].w-2*cellPadX, cols[1].w-2*cellPadX, cols[2].w-2*cellPadX
	var rows [][][]block
	for _, sg := range rep.signers() {
		role := "被检查员工 Staff member"
		if sg.role == inspect.SignerSupervisor {
			role = "督导员 Supervisor"
		}
		name := sg.name
		if sg.role == inspect.SignerStaff {
			if l, ok := rep.labels[sg.personID]; ok && (rep.opt.Redact || strings.TrimSpace(name) == "") {
				name = l
			}
		} else if strings.TrimSpace(name) == "" {
			name = rep.r.SupervisorName
		}
		signer := d.lines(dash(name), stBold, w0)
		signer = append(signer, d.lines(role, stSmall, w0)...)
		s := sg.sig
		if s != nil && !s.At.IsZero() {
			signer = append(signer, d.lines(fmtDateTime(s.At), stTiny, w0)...)
		}

		var sig []block
		switch {
		case s == nil:
			sig = d.lines("未签名 / not signed", stBold.with(colWarn), w1)
			sig = append(sig, d.lines("无签名记录 no signature or refusal recorded", stTiny, w1)...)
		case rep.opt.Redact && rep.r.Inspection != nil && hasImage(rep.r.Inspection.Signatures, *s):
			sig = d.lines("已签名；脱敏版不附签名图像 / signed; image withheld in the redacted copy", stSmall, w1)
		case s.Image == nil:
			sig = d.lines("拒签 / declined to sign", stBold.with(colWarn), w1)
		default:
			sig = []block{rep.signatureBlock(*s.Image, w1)}
		}

		var dis []block
		switch {
		case s == nil:
			dis = d.lines("—", stSmall.with(colFaint), w2)
		case strings.TrimSpace(s.Disagreement) == "":
			dis = d.lines("无 none", stSmall.with(colFaint), w2)
		default:
			dis = d.lines("有异议 Disagrees:", stBold.with(colBad), w2)
			dis = append(dis, d.lines(s.Disagreement, stBody, w2)...)
		}
		rows = append(rows, [][]block{signer, sig, dis})
	}
	rep.section("签名与异议", "Signatures and disagreements", t.headerH()+keepH(rowH(rows[0])))
	t.start(rowH(rows[0]))
	for _, row := range rows {
		t.row(row, nil)
	}
	t.end()
}

// hasImage reports whether the original record of signature s had an image,
// which the redacted copy has dropped.
func hasImage(orig []inspect.Signature, s inspect.Signature) bool {
	for _, o := range orig {
		if o.Role == s.Role && o.PersonID == s.PersonID && o.At.Equal(s.At) {
			return o.Image != nil
		}
	}
	return false
}

func (rep *insReport) signatureBlock(ref inspect.PhotoRef, w float64) block {
	d := rep.d
	const boxH = 18.0
	return block{h: boxH + 1, draw: func(x, y float64) {
		pic := rep.pics.lookup(ref.SHA256, true)
		if !pic.ok() {
			ly := y
			for _, ln := range d.wrap(pic.problem, stTiny.with(colBad), w) {
				if ly+stTiny.lineH() > y+boxH {
					break
				}
				d.text(x, ly, ln, stTiny.with(colBad))
				ly += stTiny.lineH()
			}
			return
		}
		iw, ih := fitBox(float64(pic.w), float64(pic.h), w, boxH)
		d.pdf.ImageOptions(pic.name, x, y+(boxH-ih)/2, iw, ih, false, imageOpts(pic), 0, "")
		d.rule(x, x+w, y+boxH, colRule, 0.2)
	}}
}

// ---- amendments -----------------------------------------------------------

func (rep *insReport) amendmentLog() {
	d := rep.d
	if len(rep.amends) == 0 {
		return
	}
	rep.section("更正记录", "Amendments", 40)
	d.para(marginL, contentW, "封存后的更正另行封存并指向原始封存；以上检查明细为原始封存记录，未作改动，得分已计入更正。"+
		"  Corrections after sealing are sealed separately and point at the original seal; the findings above are the original record, unchanged, and the score counts the corrections.", stSmall)
	cols := []column{{"人员", "Person", 30}, {"检查项", "Item", 50}, {"更正前", "Before", 50}, {"更正后", "After", 50}}
	for i, a := range rep.amends {
		d.y += 3
		d.ensure(stH3.lineH()*3 + 25)
		author := a.AuthorID
		if n, ok := rep.r.AuthorNames[a.AuthorID]; ok && n != "" {
			author = n
		}
		d.para(marginL, contentW, fmt.Sprintf("更正 %d  Amendment %d  ·  %s  ·  %s", i+1, i+1, fmtDateTime(a.At), author), stH3)
		d.para(marginL, contentW, "原因 Reason: "+a.Reason, stBody)
		d.ensure(stTiny.lineH() + stMono.lineH())
		d.text(marginL, d.y, "更正封存哈希 Amendment seal SHA-256", stTiny)
		d.y += stTiny.lineH()
		d.text(marginL, d.y, a.SealHash, stMono)
		d.y += stMono.lineH() + 1

		before := inspect.Effective(rep.ins, rep.amends[:i])
		after := inspect.Effective(rep.ins, rep.amends[:i+1])
		if sa, err := inspect.ScoreInspection(rep.std, after); err == nil && sa.Inspection.Scored {
			sb, _ := inspect.ScoreInspection(rep.std, before)
			d.para(marginL, contentW, fmt.Sprintf("得分 Score: 更正前 before %s（%s），更正后 after %s（%s）",
				fmtScore(sb.Inspection.Points), rep.gradeName(sb.Inspection), fmtScore(sa.Inspection.Points), rep.gradeName(sa.Inspection)), stSmall)
		}

		t := &table{d: d, cols: cols, caption: fmt.Sprintf("更正 %d Amendment %d", i+1, i+1)}
		var rows [][][]block
		for _, ch := range a.Changes {
			who := "营业厅整体 Hall"
			if ch.PersonID != "" {
				who = dash(rep.labels[ch.PersonID])
			}
			w := func(i int) float64 { return cols[i].w - 2*cellPadX }
			_, req := rep.itemCells(ch.ItemID, w(1), w(1))
			item := append(d.lines(rep.itemHead(ch.ItemID), stBold, w(1)), req...)
			prev, had := findingOf(before, ch.PersonID, ch.ItemID)
			var was, now []block
			if had {
				was = rep.findingSummary(prev, w(2))
			} else {
				was = d.lines("无记录（符合） no finding: conforms", stSmall, w(2))
			}
			if ch.Finding != nil {
				now = rep.findingSummary(*ch.Finding, w(3))
			} else {
				now = d.lines("清除：视为符合 cleared: conforms", stBold.with(colGood), w(3))
			}
			rows = append(rows, [][]block{d.lines(who, stBody, w(0)), item, was, now})
		}
		if len(rows) == 0 {
			continue
		}
		t.start(rowH(rows[0]))
		for _, row := range rows {
			t.row(row, nil)
		}
		t.end()
	}
}

// findingSummary is a finding in an amendment's before/after column.
func (rep *insReport) findingSummary(f inspect.Finding, w float64) []block {
	d := rep.d
	zh, en, c := outcome(rep.items[f.ItemID], f)
	out := d.lines(zh+" "+en, stBold.with(c), w)
	return append(out, rep.noteCell(f, w)...)
}

func findingOf(ins *inspect.Inspection, personID, itemID string) (inspect.Finding, bool) {
	fs := ins.HallFindings
	if personID != "" {
		i := slices.IndexFunc(ins.People, func(p inspect.Person) bool { return p.ID == personID })
		if i < 0 {
			return inspect.Finding{}, false
		}
		fs = ins.People[i].Findings
	}
	for _, f := range fs {
		if f.ItemID == itemID {
			return f, true
		}
	}
	return inspect.Finding{}, false
}
