package report_test

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
)

var staff = []struct {
	id, no, name, badge string
	role                standard.Role
	gender              standard.Gender
}{
	{"s-1", "E1024", "王强", "B-07", standard.RoleCashier, standard.GenderMale},
	{"s-2", "E1031", "李娜", "B-12", standard.RolePromoter, standard.GenderFemale},
	{"s-3", "E0998", "赵敏", "B-03", standard.RoleShiftLeader, standard.GenderFemale},
	{"s-4", "E1102", "刘洋", "B-09", standard.RoleCashier, standard.GenderMale},
}

// records makes n sealed inspections of two halls spread over days days
// from start, with findings that vary from visit to visit, a disagreement
// in every fifth and an amendment in every seventh.
func records(t testing.TB, n int, start time.Time, days int) []report.Record {
	t.Helper()
	std := standard.V1()
	items := map[standard.Role][]standard.Item{}
	for _, s := range staff {
		items[s.role] = std.PersonItems(s.role, s.gender)
	}
	hall := std.HallItems()
	var out []report.Record
	for i := range n {
		at := start.Add(time.Duration(i) * time.Duration(days) * 24 * time.Hour / time.Duration(n)).Add(90 * time.Minute)
		ins := &inspect.Inspection{
			ID: fmt.Sprintf("0193f2a0-0000-7000-8000-%012d", i), HallID: fmt.Sprint("hall-", i%2), SupervisorID: "u-sup",
			DeviceID: "dev", StandardVersion: 1, StartedAt: at, EndedAt: at.Add(time.Hour), Status: inspect.StatusSealed,
			SealedAt: at.Add(61 * time.Minute),
		}
		for k, s := range staff {
			if (i+k)%5 == 4 {
				continue // not on shift
			}
			per := inspect.Person{ID: fmt.Sprintf("p-%d-%d", i, k), StaffID: s.id, EmployeeNo: s.no, Name: s.name, Badge: s.badge, Role: s.role, Gender: s.gender}
			its := items[s.role]
			for j := 0; j < 1+(i*7+k*3)%4; j++ {
				it := its[(i*5+k*11+j*13)%len(its)]
				if it.Critical && i%9 != 0 {
					continue
				}
				f := inspect.Finding{ID: fmt.Sprintf("f-%d-%d-%d", i, k, j), ItemID: it.ID, Outcome: inspect.Nonconform,
					Note: fmt.Sprintf("第%d次检查记录：%s未做到。", i+1, it.Text.ZH), At: at.Add(time.Duration(j+k) * time.Minute)}
				if it.Kind == standard.KindTally {
					f.Outcome, f.Observed, f.Failed = inspect.Tallied, 5, (i+j)%4
				}
				if k == 1 && j == 0 && i == 0 {
					f.Note = longNote
				}
				if !hasItem(per.Findings, it.ID) {
					per.Findings = append(per.Findings, f)
				}
			}
			ins.People = append(ins.People, per)
			if i%5 == 0 && k == (i/5)%2 {
				ins.Signatures = append(ins.Signatures, inspect.Signature{Role: inspect.SignerStaff, PersonID: per.ID, Name: s.name,
					Disagreement: fmt.Sprintf("第%d次：我不同意这次的记录，当时正在处理系统故障。", i+1), At: at.Add(time.Hour)})
			}
		}
		if i%3 == 0 {
			ins.HallFindings = append(ins.HallFindings, inspect.Finding{ID: fmt.Sprint("h-", i), ItemID: hall[i%len(hall)].ID, Outcome: inspect.Nonconform, At: at})
		}
		seal, err := inspect.ComputeSeal(ins)
		if err != nil {
			t.Fatal(err)
		}
		ins.SealHash = seal
		rec := report.Record{Inspection: ins, HallName: []string{"昆明五华优付通营业厅", "昆明盘龙优付通营业厅"}[i%2]}
		if i%7 == 3 && len(ins.People) > 0 && len(ins.People[0].Findings) > 0 {
			a := inspect.Amendment{ID: fmt.Sprintf("0193f3b0-0000-7000-8000-%012d", i), InspectionID: ins.ID, OriginalHash: seal,
				Reason: "复核后撤销", AuthorID: "u-mgr", At: at.Add(48 * time.Hour),
				Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: ins.People[0].Findings[0].ItemID}}}
			if a.SealHash, err = inspect.ComputeAmendmentSeal(&a); err != nil {
				t.Fatal(err)
			}
			rec.Amendments = []inspect.Amendment{a}
		}
		out = append(out, rec)
	}
	return out
}

func hasItem(fs []inspect.Finding, item string) bool {
	for _, f := range fs {
		if f.ItemID == item {
			return true
		}
	}
	return false
}

var periodStart = time.Date(2026, 9, 1, 0, 0, 0, 0, report.CST)

func summaryInput(t testing.TB, n int) report.SummaryReport {
	return report.SummaryReport{
		Scope: "昆明片区", ScopeCode: "KM", Region: true,
		From: periodStart, To: periodStart.AddDate(0, 0, 55),
		Records:   records(t, n, periodStart, 56),
		Standards: map[int]*standard.Version{1: standard.V1()},
	}
}

func renderSummary(t testing.TB, r report.SummaryReport, opt report.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.RenderSummary(&buf, r, opt); err != nil {
		t.Fatalf("RenderSummary: %v", err)
	}
	return buf.Bytes()
}

func TestSummary(t *testing.T) {
	in := summaryInput(t, 40)
	pdf := renderSummary(t, in, report.Options{})
	file := writeTemp(t, pdf)
	text := pdftotext(t, file)
	flat := squeeze(text)

	// The average the report prints is the mean of the inspections' scores,
	// amendments applied.
	var sum float64
	var n int
	for _, r := range in.Records {
		res, err := inspect.ScoreInspection(in.Standards[1], inspect.Effective(r.Inspection, r.Amendments))
		if err != nil {
			t.Fatal(err)
		}
		if res.Inspection.Scored {
			sum += res.Inspection.Points
			n++
		}
	}
	avg := fmt.Sprintf("%.1f", inspect.Round1(sum/float64(n)))
	for _, want := range []string{"督导汇总报告", "昆明片区(KM)", "2026-09-01–2026-10-26", "40次检查", avg,
		"得分趋势", "等级分布", "违规最多的条款", "各营业厅", "昆明盘龙优付通营业厅", "王强", "李娜", "赵敏", "刘洋", "E1024"} {
		if !strings.Contains(flat, squeeze(want)) {
			t.Errorf("summary lacks %q", want)
		}
	}
	pages := pageCount(t, file)
	for p := 1; p <= pages; p++ {
		s := pdftotext(t, file, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p))
		if want := fmt.Sprintf("Page %d/%d", p, pages); !strings.Contains(s, want) {
			t.Errorf("page %d lacks %q", p, want)
		}
	}
	dg := regexp.MustCompile(`[0-9a-f]{64}`).FindString(text)
	if want := "dudao:summary:KM:2026-09-01:2026-10-26:" + dg; readQR(t, file, 1) != want {
		t.Errorf("QR code does not read %q", want)
	}

	red := squeeze(pdftotext(t, writeTemp(t, renderSummary(t, in, report.Options{Redact: true}))))
	for _, s := range staff {
		if strings.Contains(red, s.name) || strings.Contains(red, s.no) {
			t.Errorf("redacted summary shows %s / %s", s.name, s.no)
		}
		if !strings.Contains(red, "工牌"+s.badge) {
			t.Errorf("redacted summary lacks badge %s", s.badge)
		}
	}

	if again := renderSummary(t, summaryInput(t, 40), report.Options{}); !bytes.Equal(pdf, again) {
		t.Error("two renders of the same summary differ")
	}
}

func TestSummaryEmptyPeriod(t *testing.T) {
	in := summaryInput(t, 10)
	in.From, in.To = periodStart.AddDate(1, 0, 0), periodStart.AddDate(1, 1, 0)
	file := writeTemp(t, renderSummary(t, in, report.Options{}))
	flat := squeeze(pdftotext(t, file))
	if !strings.Contains(flat, "本期间无检查") || !strings.Contains(flat, "0次检查") {
		t.Errorf("empty period does not say so:\n%s", flat)
	}
	if n := pageCount(t, file); n != 1 {
		t.Errorf("empty period gives %d pages", n)
	}
}

func TestSummaryProgress(t *testing.T) {
	in := summaryInput(t, 60)
	var calls [][2]int
	if err := report.RenderSummary(io.Discard, in, report.Options{Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}}); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 {
		t.Fatalf("progress called %d times", len(calls))
	}
	for i, c := range calls {
		if c[1] != calls[0][1] || c[0] > c[1] || i > 0 && c[0] < calls[i-1][0] {
			t.Fatalf("progress calls %v: want a rising count up to a fixed total", calls)
		}
	}
	if last := calls[len(calls)-1]; last[0] != last[1] {
		t.Errorf("last progress call %v does not reach the total", last)
	}
}

// BenchmarkSummary2000 summarises 2,000 inspections; the budget is 2 s.
func BenchmarkSummary2000(b *testing.B) {
	in := summaryInput(b, 2000)
	if err := report.RenderSummary(io.Discard, in, report.Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := report.RenderSummary(io.Discard, in, report.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A region is printed by its name only; its ID, which identifies it to the
// hub, is in the QR code and nowhere in the text. A hall keeps its code.
func TestSummaryScopeKey(t *testing.T) {
	const regionID = "01a21323-5fe4-7a76-9fb6-890f312e6985"
	in := summaryInput(t, 12)
	in.Scope, in.ScopeCode, in.ScopeKey, in.Region = "昆明", "", regionID, true
	file := writeTemp(t, renderSummary(t, in, report.Options{}))
	text := pdftotext(t, file)
	if strings.Contains(text, regionID) || strings.Contains(squeeze(text), "()") {
		t.Errorf("the region's ID is printed:\n%s", text)
	}
	flat := squeeze(text)
	for _, want := range []string{"片区Region昆明", "昆明·2026-09-01–2026-10-26"} {
		if !strings.Contains(flat, want) {
			t.Errorf("region summary lacks %q", want)
		}
	}
	dg := regexp.MustCompile(`[0-9a-f]{64}`).FindString(text)
	if got, want := readQR(t, file, 1), "dudao:summary:"+regionID+":2026-09-01:2026-10-26:"+dg; got != want {
		t.Errorf("QR code reads %q, want %q", got, want)
	}

	in.Scope, in.ScopeCode, in.ScopeKey, in.Region = "优付通北京路营业厅", "YFT-KM-001", "YFT-KM-001", false
	file = writeTemp(t, renderSummary(t, in, report.Options{}))
	text = pdftotext(t, file)
	if !strings.Contains(squeeze(text), "营业厅Hall优付通北京路营业厅(YFT-KM-001)") {
		t.Errorf("hall summary does not print the hall's name and code:\n%s", text)
	}
}

// topClauses are the clauses a summary's "most violated" chart shows, with
// their texts, worked out independently of the renderer.
func topClauses(t *testing.T, recs []report.Record) []string {
	t.Helper()
	std := standard.V1()
	count := map[string]int{}
	for _, r := range recs {
		eff := inspect.Effective(r.Inspection, r.Amendments)
		fs := slices.Clone(eff.HallFindings)
		for _, p := range eff.People {
			fs = append(fs, p.Findings...)
		}
		for _, f := range fs {
			if f.Outcome == inspect.Nonconform || f.Outcome == inspect.Tallied && f.Failed > 0 {
				count[mustItem(t, f.ItemID).Clause]++
			}
		}
	}
	ids := slices.Collect(maps.Keys(count))
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b)) })
	var out []string
	for _, id := range ids[:min(10, len(ids))] {
		c, _ := std.Clause(id)
		out = append(out, id+c.Summary.ZH)
	}
	return out
}

// The "most violated clauses" chart is never split across a page break:
// its heading, all ten bars and its note are on one page. The summary's
// content above the chart does not vary much, so a longer scope name moves
// it a little, and BarChartAt starts the chart at every height of a page.
func TestSummaryClauseChartOnOnePage(t *testing.T) {
	in := summaryInput(t, 40)
	labels := topClauses(t, in.Records)
	if len(labels) != 10 {
		t.Fatalf("fixture has %d violated clauses, want 10", len(labels))
	}
	const note = "计数为不符合项及有未做到次数的计数项"
	for extra := 0; extra <= 8; extra += 4 {
		in.Scope = "昆明片区" + strings.Repeat("优付通营业厅服务质量督导范围", extra)
		file := writeTemp(t, renderSummary(t, in, report.Options{}))
		pages := strings.Split(pdftotext(t, file), "\f")
		page := slices.IndexFunc(pages, func(s string) bool { return strings.Contains(s, "违规最多的条款") }) + 1
		if page == 0 {
			t.Fatalf("scope of %d more lines: no chart of the most violated clauses", extra)
		}
		// The bar labels, read from their column (100 mm wide at the margin).
		col := columnPage(t, file, page, 15, 100)
		for _, l := range labels {
			if !strings.Contains(col, squeeze(l)) {
				t.Errorf("scope of %d more lines: the bar %q is not on page %d with the chart's heading:\n%s", extra, l, page, col)
			}
		}
		if !strings.Contains(squeeze(pages[page-1]), note) {
			t.Errorf("scope of %d more lines: the chart's note is not on page %d with it", extra, page)
		}
	}

	// Wherever it starts, one page holds the heading and every bar: page 1
	// while it fits, else page 2.
	var onPage1, onPage2 int
	for y := 150.0; y <= 250; y += 6 {
		pdf, err := report.BarChartAt(y, labels)
		if err != nil {
			t.Fatal(err)
		}
		file := writeTemp(t, pdf)
		pages := strings.Split(pdftotext(t, file), "\f")
		page := slices.IndexFunc(pages, func(s string) bool { return strings.Contains(s, "违规最多的条款") }) + 1
		switch page {
		case 1:
			onPage1++
		case 2:
			onPage2++
		}
		col := columnPage(t, file, page, 15, 100)
		for _, l := range labels {
			if !strings.Contains(col, squeeze(l)) {
				t.Errorf("chart starting %.0f mm down: the bar %q is not on page %d with the heading", y, l, page)
			}
		}
	}
	if onPage1 == 0 || onPage2 == 0 {
		t.Errorf("charts on page 1: %d, on page 2: %d; the sweep should cross the page's end", onPage1, onPage2)
	}
}

// The trend chart spans the inspections, not the period asked for, and
// its axis says which year it is in.
func TestSummaryTrendSpansTheData(t *testing.T) {
	in := summaryInput(t, 40)
	in.From, in.To = time.Date(2000, 1, 1, 0, 0, 0, 0, report.CST), time.Date(2100, 12, 31, 0, 0, 0, 0, report.CST)
	file := writeTemp(t, renderSummary(t, in, report.Options{}))
	page1 := pdftotext(t, file, "-f", "1", "-l", "1", "-layout")
	// Eight weeks of data: weekly points, the first Monday labelled with
	// its year, and no date of the empty decades around them.
	if !strings.Contains(page1, "Average score by week") {
		t.Errorf("a period of 56 days of data is not charted by week:\n%s", page1)
	}
	if !regexp.MustCompile(`(?s)08-31 .*\n\s*2026\b`).MatchString(page1) {
		t.Errorf("the axis does not start at the data's first Monday, 2026-08-31, with its year:\n%s", page1)
	}
	if strings.Contains(page1, "01-03") || strings.Contains(page1, "12-27") {
		t.Errorf("the axis spans the requested period rather than the data:\n%s", page1)
	}

	// Two years of data: by month, each year named on the axis.
	in.Records = records(t, 60, periodStart, 730)
	file = writeTemp(t, renderSummary(t, in, report.Options{}))
	page1 = pdftotext(t, file, "-f", "1", "-l", "1", "-layout")
	if !strings.Contains(page1, "Average score by month") {
		t.Errorf("two years of data are not charted by month:\n%s", page1)
	}
	for _, y := range []string{"2026", "2027", "2028"} {
		if !regexp.MustCompile(`\n\s*(\S.*\s)?` + y + `\b`).MatchString(page1) {
			t.Errorf("the axis does not name the year %s", y)
		}
	}
}
