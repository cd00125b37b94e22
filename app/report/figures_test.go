package report_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
)

// computeSummary is report.ComputeSummary, failing the test on an error.
func computeSummary(t *testing.T, in report.SummaryReport) report.SummaryFigures {
	t.Helper()
	fig, err := report.ComputeSummary(in)
	if err != nil {
		t.Fatalf("ComputeSummary: %v", err)
	}
	return fig
}

// printedSummary is what a summary PDF prints, read back with pdftotext.
type printedSummary struct {
	file   string
	layout string // every page, -layout
	words  []pdfWord
}

func printSummary(t *testing.T, in report.SummaryReport) printedSummary {
	t.Helper()
	file := writeTemp(t, renderSummary(t, in, report.Options{}))
	return printedSummary{file: file, layout: pdftotext(t, file, "-layout"), words: pdfWords(t, file)}
}

// pdfWord is one word pdftotext -bbox finds, in points from the page's top left.
type pdfWord struct {
	page           int
	x0, y0, x1, y1 float64
	text           string
}

func (w pdfWord) centre() float64 { return (w.x0 + w.x1) / 2 }

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>`)

func pdfWords(t *testing.T, file string) []pdfWord {
	t.Helper()
	var out []pdfWord
	page := 0
	for ln := range strings.Lines(pdftotext(t, file, "-bbox")) {
		if strings.Contains(ln, "<page ") {
			page++
			continue
		}
		m := wordRE.FindStringSubmatch(ln)
		if m == nil {
			continue
		}
		w := pdfWord{page: page, text: html.UnescapeString(m[5])}
		for i, p := range []*float64{&w.x0, &w.y0, &w.x1, &w.y1} {
			v, err := strconv.ParseFloat(m[i+1], 64)
			if err != nil {
				t.Fatalf("pdftotext -bbox: %q: %v", ln, err)
			}
			*p = v
		}
		out = append(out, w)
	}
	return out
}

// match returns the first submatches of re in s, failing the test if there is none.
func match(t *testing.T, s, re string) []string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("the PDF has nothing matching %s:\n%s", re, s)
	}
	return m[1:]
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// section is the lines of the layout text from the first line containing
// start to the next line containing end.
func section(t *testing.T, layout, start, end string) string {
	t.Helper()
	_, after, ok := strings.Cut(layout, start)
	if !ok {
		t.Fatalf("the PDF has no %q", start)
	}
	body, _, ok := strings.Cut(after, end)
	if !ok {
		t.Fatalf("the PDF has no %q after %q", end, start)
	}
	return body
}

// gradeBars reads the grade chart: each label under a column with the count
// printed above that column, in the order drawn from left to right.
func (p printedSummary) gradeBars(t *testing.T, labels []string) []int {
	t.Helper()
	i := slices.IndexFunc(p.words, func(w pdfWord) bool { return w.text == "等级分布" })
	if i < 0 {
		t.Fatal("the PDF has no grade chart")
	}
	head := p.words[i]
	var counts []int
	lastX := 0.0
	for _, l := range labels {
		j := slices.IndexFunc(p.words[i:], func(w pdfWord) bool { return w.page == head.page && w.y0 > head.y1 && w.text == l })
		if j < 0 {
			t.Fatalf("the grade chart has no label %q", l)
		}
		lw := p.words[i+j]
		if lw.x0 < lastX {
			t.Errorf("the grade chart's label %q is left of the one before it", l)
		}
		lastX = lw.x0
		// The count is centred over the label, between the heading and it;
		// the nearest such number above the label.
		var count *pdfWord
		for k, w := range p.words {
			if _, err := strconv.Atoi(w.text); err == nil && w.page == head.page && w.y0 > head.y1 && w.y1 <= lw.y0 &&
				math.Abs(w.centre()-lw.centre()) < 3 && (count == nil || w.y0 > count.y0) {
				count = &p.words[k]
			}
		}
		if count == nil {
			t.Fatalf("the grade chart has no count over %q", l)
		}
		counts = append(counts, atoi(t, count.text))
	}
	return counts
}

// gradeLabels are the labels of the grade chart the figures make: each
// band's Chinese name, and 未评分 for the unscored when there are any.
func gradeLabels(fig report.SummaryFigures) ([]string, []int) {
	var labels []string
	var counts []int
	for _, g := range fig.Grades {
		labels = append(labels, g.Grade.Name.ZH)
		counts = append(counts, g.Count)
	}
	if n := fig.Inspections - fig.Scored; n > 0 {
		labels, counts = append(labels, "未评分"), append(counts, n)
	}
	return labels, counts
}

var roleZH = map[standard.Role]string{
	standard.RoleShiftLeader: "值班长", standard.RoleCashier: "收银员", standard.RolePromoter: "宣传员",
}

// The figures are what the PDF prints, and what an independent count of
// the records gives.
func TestComputeSummaryMatchesPDF(t *testing.T) {
	in := summaryInput(t, 40)
	fig := computeSummary(t, in)
	pdf := printSummary(t, in)
	page1 := pdftotext(t, pdf.file, "-layout", "-f", "1", "-l", "1")

	// Headline figures, worked out from the records.
	var sum float64
	var scored, amended, amendments int
	for _, r := range in.Records {
		res, err := inspect.ScoreInspection(in.Standards[1], inspect.Effective(r.Inspection, r.Amendments))
		if err != nil {
			t.Fatal(err)
		}
		if res.Inspection.Scored {
			sum += res.Inspection.Points
			scored++
		}
		if len(r.Amendments) > 0 {
			amended++
		}
		amendments += len(r.Amendments)
	}
	if fig.Inspections != 40 || fig.Scored != scored || fig.Amended != amended || fig.Amendments != amendments || fig.People != len(staff) {
		t.Errorf("figures: %d inspections, %d scored, %d amended, %d amendments, %d people; want 40, %d, %d, %d, %d",
			fig.Inspections, fig.Scored, fig.Amended, fig.Amendments, fig.People, scored, amended, amendments, len(staff))
	}
	if math.Abs(fig.Average-sum/float64(scored)) > 1e-9 {
		t.Errorf("average %v, want %v", fig.Average, sum/float64(scored))
	}
	if fig.Scope != in.Scope || fig.ScopeCode != in.ScopeCode || fig.Region != in.Region ||
		!fig.From.Equal(in.From) || !fig.To.Equal(in.To) {
		t.Errorf("scope and period %q %q %v %v–%v, want those of the input", fig.Scope, fig.ScopeCode, fig.Region, fig.From, fig.To)
	}

	// As printed.
	if got := match(t, page1, `(?m)^督导汇总报告\s+(\S+)\s*$`)[0]; got != report.FormatScore(fig.Average) {
		t.Errorf("the PDF's average is %s, the figures' %s", got, report.FormatScore(fig.Average))
	}
	if got := match(t, page1, `(\d+) 次检查 inspections`)[0]; atoi(t, got) != fig.Inspections {
		t.Errorf("the PDF counts %s inspections, the figures %d", got, fig.Inspections)
	}
	m := match(t, page1, `检查次数 Inspections\s+(\d+)（其中 (\d+) 次已更正 / (\d+) amended）`)
	if atoi(t, m[0]) != fig.Inspections || atoi(t, m[1]) != fig.Amended || atoi(t, m[2]) != fig.Amended {
		t.Errorf("the PDF prints %v inspections and amended, the figures %d and %d", m, fig.Inspections, fig.Amended)
	}
	if got := match(t, page1, `被检查人员 People\s+(\d+)`)[0]; atoi(t, got) != fig.People {
		t.Errorf("the PDF counts %s people, the figures %d", got, fig.People)
	}
	if got := match(t, page1, `更正 Amendments\s+(\d+)`)[0]; atoi(t, got) != fig.Amendments {
		t.Errorf("the PDF counts %s amendments, the figures %d", got, fig.Amendments)
	}
	if got := regexp.MustCompile(`[0-9a-f]{64}`).FindString(pdf.layout); got != fig.Digest {
		t.Errorf("the PDF's digest is %s, the figures' %s", got, fig.Digest)
	}

	// Trend: eight weeks of data, every week charted with its value.
	if fig.Trend.Unit != report.TrendWeek || !strings.Contains(page1, "Average score by week") {
		t.Errorf("trend by %q; the fixture spans 56 days, which is charted by week", fig.Trend.Unit)
	}
	n := 0
	wavg := 0.0
	for i, pt := range fig.Trend.Points {
		if pt.Start.Weekday() != time.Monday || i > 0 && !pt.Start.Equal(fig.Trend.Points[i-1].Start.AddDate(0, 0, 7)) {
			t.Errorf("trend point %d starts %v: want consecutive Mondays", i, pt.Start)
		}
		if pt.Label != pt.Start.In(report.CST).Format("2006-01-02") {
			t.Errorf("trend point %d is labelled %q, want its Monday's date", i, pt.Label)
		}
		n += pt.Count
		wavg += pt.Average * float64(pt.Count)
	}
	if n != fig.Scored || math.Abs(wavg/float64(n)-fig.Average) > 1e-9 {
		t.Errorf("the trend's points count %d inspections averaging %v, want %d averaging %v", n, wavg/float64(n), fig.Scored, fig.Average)
	}
	chart := section(t, page1, "得分趋势", "每点为")
	var printedValues, values, printedAxis, axis []string
	printedValues = regexp.MustCompile(`\b\d+\.\d\b`).FindAllString(chart, -1)
	printedAxis = regexp.MustCompile(`\b\d\d-\d\d\b`).FindAllString(chart, -1)
	for _, pt := range fig.Trend.Points {
		axis = append(axis, pt.Label[5:])
		if pt.Count > 0 {
			values = append(values, report.FormatScore(pt.Average))
		}
	}
	slices.Sort(printedValues)
	slices.Sort(values)
	if !slices.Equal(printedValues, values) || !slices.Equal(printedAxis, axis) {
		t.Errorf("the trend chart prints values %v on the axis %v; the figures have %v on %v", printedValues, printedAxis, values, axis)
	}

	// Grades: every band of the standard, best first, then the unscored.
	bands := slices.Clone(standard.V1().Grades)
	slices.SortFunc(bands, func(a, b standard.GradeBand) int { return cmp.Compare(b.MinScore, a.MinScore) })
	var gradeSum int
	for i, g := range fig.Grades {
		if i >= len(bands) || g.Grade.ID != bands[i].ID {
			t.Errorf("grade %d is %q, want the bands best first: %v", i, g.Grade.ID, bands)
		}
		gradeSum += g.Count
	}
	if len(fig.Grades) != len(bands) || gradeSum != fig.Scored {
		t.Errorf("%d grades counting %d inspections, want %d counting the %d scored", len(fig.Grades), gradeSum, len(bands), fig.Scored)
	}
	labels, counts := gradeLabels(fig)
	if got := pdf.gradeBars(t, labels); !slices.Equal(got, counts) {
		t.Errorf("the grade chart prints %v for %v, the figures %v", got, labels, counts)
	}

	// The most violated clauses, against an independent count and as printed.
	want := topClauses(t, in.Records)
	var got []string
	for _, c := range fig.TopClauses {
		got = append(got, c.ClauseID+c.Text.ZH)
	}
	if !slices.Equal(got, want) {
		t.Errorf("top clauses %v, want %v", got, want)
	}
	bars := regexp.MustCompile(`(?m)^([A-Z]+\d+) .*\s(\d+)$`).FindAllStringSubmatch(section(t, pdf.layout, "违规最多的条款", "计数为不符合项"), -1)
	if len(bars) != len(fig.TopClauses) {
		t.Fatalf("the clause chart has %d bars, the figures %d", len(bars), len(fig.TopClauses))
	}
	for i, b := range bars {
		if c := fig.TopClauses[i]; b[1] != c.ClauseID || atoi(t, b[2]) != c.Count {
			t.Errorf("clause bar %d prints %s %s, the figures %s %d", i+1, b[1], b[2], c.ClauseID, c.Count)
		}
	}

	// Halls.
	rows := regexp.MustCompile(`(?m)^\s*(昆明\S+营业厅)\s+(\d+)\s+(\S+)\s*$`).FindAllStringSubmatch(pdf.layout, -1)
	if len(rows) != len(fig.Halls) || len(rows) != 2 {
		t.Fatalf("the hall table has %d rows, the figures %d; the fixture has 2 halls", len(rows), len(fig.Halls))
	}
	for i, r := range rows {
		if h := fig.Halls[i]; r[1] != h.Name || atoi(t, r[2]) != h.Inspections || r[3] != report.FormatScore(h.Average) {
			t.Errorf("hall row %d prints %v, the figures %+v", i+1, r[1:], h)
		}
	}

	// People: the rows in order, their figures, and their repeated items.
	visits := map[string]int{}
	offences := map[string]map[string]int{} // staff ID -> item ID -> times failed
	for _, r := range in.Records {
		for _, p := range inspect.Effective(r.Inspection, r.Amendments).People {
			visits[p.StaffID]++
			if offences[p.StaffID] == nil {
				offences[p.StaffID] = map[string]int{}
			}
			for _, f := range p.Findings {
				if f.Outcome == inspect.Nonconform || f.Outcome == inspect.Tallied && f.Failed > 0 {
					offences[p.StaffID][f.ItemID]++
				}
			}
		}
	}
	rowRE := regexp.MustCompile(`(?m)^\s*(\S+)\s+(E\d{4})\s+(\S+)\s+\S+\s+(\d+)\s+(\S+)\s+(\d+)\b`)
	printed := rowRE.FindAllStringSubmatch(pdf.layout, -1)
	if len(printed) != len(fig.PeopleRows) {
		t.Fatalf("the people table has %d rows, the figures %d", len(printed), len(fig.PeopleRows))
	}
	var reps []string
	for i, p := range fig.PeopleRows {
		var id, name, badge string
		var role standard.Role
		for _, s := range staff {
			if s.no == p.EmployeeNo {
				id, name, badge, role = s.id, s.name, s.badge, s.role
			}
		}
		if p.Name != name || p.Badge != badge || p.Role != string(role) || p.Visits != visits[id] || p.OffRoster {
			t.Errorf("person %d: %+v; want %s %s %s with %d visits", i+1, p, name, badge, role, visits[id])
		}
		if i > 0 && fig.PeopleRows[i-1].EmployeeNo > p.EmployeeNo {
			t.Errorf("person %d (%s) is after %s: want them by employee number", i+1, p.EmployeeNo, fig.PeopleRows[i-1].EmployeeNo)
		}
		r := printed[i]
		if want := []string{p.Name, p.EmployeeNo, roleZH[role], fmt.Sprint(p.Visits), report.FormatScore(p.Average), fmt.Sprint(p.Offences)}; !slices.Equal(r[1:], want) {
			t.Errorf("people row %d prints %v, the figures %v", i+1, r[1:], want)
		}
		// Items failed twice or more, most first, then by ID.
		var repeated []report.ItemCount
		total := 0
		for item, n := range offences[id] {
			total += n
			if n >= 2 {
				repeated = append(repeated, report.ItemCount{ItemID: item, Count: n})
			}
		}
		slices.SortFunc(repeated, func(a, b report.ItemCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.ItemID, b.ItemID))
		})
		if p.Offences != total || !slices.Equal(p.Repeated, repeated) {
			t.Errorf("person %d has %d offences, repeated %v; want %d, %v", i+1, p.Offences, p.Repeated, total, repeated)
		}
		for _, it := range p.Repeated {
			reps = append(reps, fmt.Sprintf("%s×%d", it.ItemID, it.Count))
		}
	}
	if got := regexp.MustCompile(`\S+×\d+`).FindAllString(pdf.layout, -1); !slices.Equal(got, reps) {
		t.Errorf("the people table prints the repeated items\n%v\nthe figures\n%v", got, reps)
	}
}

// A period without inspections has no average, no trend, no rankings, and
// every grade at 0.
func TestComputeSummaryEmptyPeriod(t *testing.T) {
	in := summaryInput(t, 10)
	in.From, in.To = periodStart.AddDate(1, 0, 0), periodStart.AddDate(1, 1, 0)
	fig := computeSummary(t, in)
	if fig.Inspections != 0 || fig.Scored != 0 || fig.Average != 0 || fig.People != 0 || fig.Amended != 0 || fig.Amendments != 0 {
		t.Errorf("empty period: %+v", fig)
	}
	if len(fig.Trend.Points) != 0 || len(fig.TopClauses) != 0 || len(fig.Halls) != 0 || len(fig.PeopleRows) != 0 {
		t.Errorf("empty period has trend %v, clauses %v, halls %v, people %v", fig.Trend.Points, fig.TopClauses, fig.Halls, fig.PeopleRows)
	}
	var ids []string
	for _, g := range fig.Grades {
		ids = append(ids, g.Grade.ID)
		if g.Count != 0 {
			t.Errorf("empty period counts %d in grade %s", g.Count, g.Grade.ID)
		}
	}
	bands := slices.Clone(standard.V1().Grades)
	slices.SortFunc(bands, func(a, b standard.GradeBand) int { return cmp.Compare(b.MinScore, a.MinScore) })
	var want []string
	for _, b := range bands {
		want = append(want, b.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("empty period lists the grades %v, want every band best first %v", ids, want)
	}
	pdf := printSummary(t, in)
	if got := match(t, pdf.layout, `(\d+) 次检查 inspections`)[0]; atoi(t, got) != 0 || !strings.Contains(pdf.layout, "本期间无检查") {
		t.Errorf("the empty period's PDF counts %s inspections", got)
	}
	if got := match(t, pdf.layout, `(?m)^督导汇总报告\s+(\S+)\s*$`)[0]; got != "—" {
		t.Errorf("the empty period's PDF prints the average %q", got)
	}
	if got := regexp.MustCompile(`[0-9a-f]{64}`).FindString(pdf.layout); got != fig.Digest {
		t.Errorf("the PDF's digest is %s, the figures' %s", got, fig.Digest)
	}
}

// An amendment that changes an inspection's grade moves it from one band
// to the other, in the figures and on paper.
func TestComputeSummaryAmendmentMovesGrade(t *testing.T) {
	in := summaryInput(t, 40)
	std := in.Standards[1]
	before := computeSummary(t, in)

	// The first unamended inspection in the best band gets a critical
	// nonconformity for its first person.
	best := before.Grades[0].Grade.ID
	var rec *report.Record
	var crit standard.Item
	var oldGrade, newGrade string
	for i := range in.Records {
		r := &in.Records[i]
		res, err := inspect.ScoreInspection(std, r.Inspection)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Amendments) > 0 || res.Inspection.Grade.ID != best || len(r.Inspection.People) == 0 {
			continue
		}
		p := r.Inspection.People[0]
		for _, it := range std.PersonItems(p.Role, p.Gender) {
			if it.Critical && it.Kind != standard.KindTally && !hasItem(p.Findings, it.ID) {
				rec, crit, oldGrade = r, it, res.Inspection.Grade.ID
				break
			}
		}
		if rec != nil {
			break
		}
	}
	if rec == nil {
		t.Fatal("the fixture has no unamended inspection in the best grade whose first person has a critical item to fail")
	}
	ins := rec.Inspection
	f := inspect.Finding{ID: "f-amend", ItemID: crit.ID, Outcome: inspect.Nonconform, At: ins.StartedAt.Add(10 * time.Minute)}
	a := inspect.Amendment{ID: "0193f3b0-0000-7000-8000-0000000000aa", InspectionID: ins.ID, OriginalHash: ins.SealHash,
		Reason: "复核监控：漏记一项严重问题", AuthorID: "u-mgr", At: ins.StartedAt.Add(24 * time.Hour),
		Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: crit.ID, Finding: &f}}}
	var err error
	if a.SealHash, err = inspect.ComputeAmendmentSeal(&a); err != nil {
		t.Fatal(err)
	}
	rec.Amendments = []inspect.Amendment{a}
	res, err := inspect.ScoreInspection(std, inspect.Effective(ins, rec.Amendments))
	if err != nil {
		t.Fatal(err)
	}
	if newGrade = res.Inspection.Grade.ID; newGrade == oldGrade {
		t.Fatalf("failing critical item %s leaves inspection %s in grade %s", crit.ID, ins.ID, oldGrade)
	}

	after := computeSummary(t, in)
	for i, g := range after.Grades {
		want := before.Grades[i].Count
		switch g.Grade.ID {
		case oldGrade:
			want--
		case newGrade:
			want++
		}
		if g.Count != want {
			t.Errorf("after the amendment grade %s counts %d, want %d (before: %d)", g.Grade.ID, g.Count, want, before.Grades[i].Count)
		}
	}
	if after.Amended != before.Amended+1 || after.Amendments != before.Amendments+1 || after.Digest == before.Digest {
		t.Errorf("after the amendment %d amended, %d amendments, digest %s; before %d, %d, %s",
			after.Amended, after.Amendments, after.Digest, before.Amended, before.Amendments, before.Digest)
	}
	labels, counts := gradeLabels(after)
	if got := printSummary(t, in).gradeBars(t, labels); !slices.Equal(got, counts) {
		t.Errorf("after the amendment the grade chart prints %v for %v, the figures %v", got, labels, counts)
	}
}

// The figures cross the wire from the hub as JSON and arrive unchanged.
func TestSummaryFiguresJSON(t *testing.T) {
	full := summaryInput(t, 40)
	empty := summaryInput(t, 10)
	empty.From, empty.To = periodStart.AddDate(1, 0, 0), periodStart.AddDate(1, 1, 0)
	for name, in := range map[string]report.SummaryReport{"full": full, "empty": empty} {
		fig := computeSummary(t, in)
		b, err := json.Marshal(fig)
		if err != nil {
			t.Fatal(err)
		}
		var back report.SummaryFigures
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Times come back in a zone of the same offset, not the same
		// *time.Location: the instants must match, and the rest exactly.
		if !back.From.Equal(fig.From) || !back.To.Equal(fig.To) || len(back.Trend.Points) != len(fig.Trend.Points) {
			t.Fatalf("%s: period or trend changed in JSON: %v–%v, %d points", name, back.From, back.To, len(back.Trend.Points))
		}
		back.From, back.To = fig.From, fig.To
		for i := range back.Trend.Points {
			if !back.Trend.Points[i].Start.Equal(fig.Trend.Points[i].Start) {
				t.Errorf("%s: trend point %d starts %v, sent %v", name, i, back.Trend.Points[i].Start, fig.Trend.Points[i].Start)
			}
			back.Trend.Points[i].Start = fig.Trend.Points[i].Start
		}
		again, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) || !reflect.DeepEqual(back, fig) {
			t.Errorf("%s: the figures change in a JSON round trip:\nsent %s\ngot  %s", name, b, again)
		}
		for _, key := range []string{`"inspections":`, `"average":`, `"trend":`, `"grades":`, `"top_clauses":`, `"halls":`, `"people_rows":`, `"digest":`} {
			if !bytes.Contains(b, []byte(key)) {
				t.Errorf("%s: the JSON lacks %s", name, key)
			}
		}
	}
}

// ComputeSummary refuses what RenderSummary refuses: the screen shows no
// figures the PDF would not print.
func TestComputeSummaryInvalidInput(t *testing.T) {
	in := summaryInput(t, 10)
	ins := *in.Records[3].Inspection
	ins.SupervisorID = "u-someone-else" // altered after sealing
	in.Records[3].Inspection = &ins
	reversed := summaryInput(t, 10)
	reversed.From, reversed.To = reversed.To, reversed.From
	for name, r := range map[string]report.SummaryReport{"altered": in, "reversed period": reversed} {
		_, err := report.ComputeSummary(r)
		if !errors.Is(err, report.ErrInvalidInput) {
			t.Errorf("%s: ComputeSummary gives %v, want ErrInvalidInput", name, err)
		}
		if err := report.RenderSummary(&bytes.Buffer{}, r, report.Options{}); !errors.Is(err, report.ErrInvalidInput) {
			t.Errorf("%s: RenderSummary gives %v, want ErrInvalidInput", name, err)
		}
	}
}

// BenchmarkComputeSummary2000 computes the figures of 2,000 inspections,
// as the manager's summary screen asks the hub for them.
func BenchmarkComputeSummary2000(b *testing.B) {
	in := summaryInput(b, 2000)
	for b.Loop() {
		if _, err := report.ComputeSummary(in); err != nil {
			b.Fatal(err)
		}
	}
}
