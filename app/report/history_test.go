package report_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
)

func historyInput(t testing.TB, staffID string) report.PersonHistoryReport {
	in := summaryInput(t, 24)
	for _, s := range staff {
		if s.id == staffID {
			return report.PersonHistoryReport{
				StaffID: s.id, Name: s.name, EmployeeNo: s.no, Badge: s.badge, Role: s.role, HallName: "昆明五华优付通营业厅",
				From: in.From, To: in.To, Records: in.Records, Standards: in.Standards,
			}
		}
	}
	t.Fatalf("no staff %s", staffID)
	return report.PersonHistoryReport{}
}

func renderHistory(t testing.TB, r report.PersonHistoryReport, opt report.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.RenderPersonHistory(&buf, r, opt); err != nil {
		t.Fatalf("RenderPersonHistory: %v", err)
	}
	return buf.Bytes()
}

func TestPersonHistory(t *testing.T) {
	in := historyInput(t, "s-2")
	in.Records = withMetTallies(t, in.Records, in.StaffID)
	pdf := renderHistory(t, in, report.Options{})
	file := writeTemp(t, pdf)
	pages := pageCount(t, file)
	flat := squeeze(pdftotext(t, file))

	// Every finding of the person, as amendments leave it, with its item:
	// faults and N/A in the table, with their notes in the note column;
	// tallies met every time on the line after their inspection.
	var items, notes []string
	var met []inspect.Finding
	visits := 0
	for _, r := range in.Records {
		eff := inspect.Effective(r.Inspection, r.Amendments)
		for _, p := range eff.People {
			if p.StaffID != in.StaffID {
				continue
			}
			visits++
			for _, f := range p.Findings {
				if f.Outcome == inspect.Tallied && f.Failed == 0 {
					met = append(met, f)
					continue
				}
				items = append(items, f.ItemID)
				notes = append(notes, f.Note)
			}
		}
	}
	if visits == 0 || len(items) == 0 || len(met) == 0 {
		t.Fatal("fixture has no findings, or no tallies met every time, for the person")
	}
	noteCol := columnText(t, file, pages, 122, 73)
	for i, item := range items {
		if !strings.Contains(flat, item) {
			t.Errorf("history lacks item %s", item)
		}
		if !strings.Contains(noteCol, squeeze(notes[i])) {
			t.Errorf("history lacks the note %q", notes[i])
		}
	}
	for _, f := range met {
		if !strings.Contains(flat, squeeze(fmt.Sprintf("%s%s（%d次均做到", f.ItemID, mustItem(t, f.ItemID).Text.ZH, f.Observed))) ||
			!strings.Contains(flat, squeeze(f.Note)) {
			t.Errorf("history lacks the tally met every time %s with its note %q", f.ItemID, f.Note)
		}
	}
	for _, want := range []string{"人员检查记录", "李娜", "E1031", fmt.Sprintf("%d", visits), "得分趋势", "全部记录", "本人异议"} {
		if !strings.Contains(flat, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	for p := 1; p <= pages; p++ {
		s := pdftotext(t, file, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p))
		if want := fmt.Sprintf("Page %d/%d", p, pages); !strings.Contains(s, want) {
			t.Errorf("page %d lacks %q", p, want)
		}
	}

	red := squeeze(pdftotext(t, writeTemp(t, renderHistory(t, in, report.Options{Redact: true}))))
	for _, s := range staff {
		if strings.Contains(red, s.name) {
			t.Errorf("redacted history shows %s", s.name)
		}
	}
	if strings.Contains(red, "E1031") || !strings.Contains(red, "工牌B-12") {
		t.Error("redacted history does not name the person by badge only")
	}
	again := historyInput(t, "s-2")
	again.Records = withMetTallies(t, again.Records, again.StaffID)
	if again := renderHistory(t, again, report.Options{}); !bytes.Equal(pdf, again) {
		t.Error("two renders of the same history differ")
	}
}

func TestPersonHistoryEmpty(t *testing.T) {
	in := historyInput(t, "s-1")
	in.StaffID = "s-nobody"
	file := writeTemp(t, renderHistory(t, in, report.Options{}))
	if flat := squeeze(pdftotext(t, file)); !strings.Contains(flat, "本期间无检查记录") {
		t.Errorf("history of someone never observed does not say so:\n%s", flat)
	}
	in.StaffID = ""
	if err := report.RenderPersonHistory(&bytes.Buffer{}, in, report.Options{}); err == nil {
		t.Error("a history without a staff ID rendered")
	}
}

// mustItem is an item of the fixture's standard, version 1.
func mustItem(t testing.TB, id string) standard.Item {
	t.Helper()
	it, ok := standard.V1().Item(id)
	if !ok {
		t.Fatalf("item %s not in the standard", id)
	}
	return it
}

// A long history reads month by month: each month opens with its
// inspections, average score and offences; only faults and N/A get rows of
// their own, tallies met every time share a line; and a page that goes on
// with a month says which.
func TestPersonHistoryByMonth(t *testing.T) {
	in := historyInput(t, "s-2")
	in.Records = withMetTallies(t, records(t, 90, periodStart, 420), in.StaffID)
	in.To = periodStart.AddDate(0, 0, 420)
	file := writeTemp(t, renderHistory(t, in, report.Options{}))
	pages := pageCount(t, file)
	flat := squeeze(pdftotext(t, file))

	// The months and their subtotals, worked out from the records.
	type month struct {
		name       string
		n, scored  int
		sum        float64
		offences   int
		metTallies int
	}
	var months []*month
	for _, r := range in.Records {
		eff := inspect.Effective(r.Inspection, r.Amendments)
		res, err := inspect.ScoreInspection(in.Standards[1], eff)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range eff.People {
			if p.StaffID != in.StaffID {
				continue
			}
			at := r.Inspection.StartedAt.In(report.CST)
			name := fmt.Sprintf("%d年%d月%s%d", at.Year(), at.Month(), at.Month(), at.Year())
			if len(months) == 0 || months[len(months)-1].name != name {
				months = append(months, &month{name: name})
			}
			m := months[len(months)-1]
			m.n++
			if s := res.People[p.ID]; s.Scored {
				m.scored++
				m.sum += s.Points
			}
			for _, f := range p.Findings {
				switch {
				case f.Outcome == inspect.Nonconform || f.Outcome == inspect.Tallied && f.Failed > 0:
					m.offences++
				case f.Outcome == inspect.Tallied:
					m.metTallies++
				}
			}
		}
	}
	if len(months) < 12 {
		t.Fatalf("fixture spans %d months, want a long history", len(months))
	}
	at := 0
	for _, m := range months {
		// pdftotext reads the right-aligned subtotals before or after the name.
		sums := fmt.Sprintf("%d次检查inspections·平均得分average%.1f·问题offences%d", m.n, inspect.Round1(m.sum/float64(m.scored)), m.offences)
		if !strings.Contains(flat, m.name+sums) && !strings.Contains(flat, sums+m.name) {
			t.Errorf("no heading %q with its subtotals %q", m.name, sums)
		}
		i := strings.Index(flat[at:], m.name)
		if i < 0 {
			t.Errorf("no heading %q after the previous month's", m.name)
			continue
		}
		at += i
	}

	// The result column (92 mm, 30 wide) has no tally met every time.
	if res := columnText(t, file, pages, 92, 30); strings.Contains(res, "均做到") {
		t.Errorf("a tally met every time is listed as a finding:\n%s", res)
	}
	if got := strings.Count(flat, "均做到Meteverytime"); got == 0 {
		t.Error("the tallies met every time are not listed on their line")
	}

	// A page that goes on with a month names it, the month of the last
	// heading before it.
	last := ""
	head := regexp.MustCompile(`(\d{4}年\d{1,2}月)[A-Z][a-z]+\d{4}`)
	cont := regexp.MustCompile(`全部记录Everyfinding·(\d{4}年\d{1,2}月)[A-Za-z]+\d{4}（续continued）`)
	continued := 0
	for p := 1; p <= pages; p++ {
		s := squeeze(pdftotext(t, file, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p)))
		if c := cont.FindStringSubmatch(s); c != nil {
			continued++
			if c[1] != last {
				t.Errorf("page %d goes on with %s, but the last month begun is %s", p, c[1], last)
			}
		}
		for _, h := range head.FindAllStringSubmatch(s, -1) {
			last = h[1]
		}
	}
	if continued == 0 {
		t.Error("no page of the findings says which month it goes on with")
	}
}

// withMetTallies gives the person a tally met every time, with a note, in
// every other inspection of theirs that no amendment points at, and seals
// those inspections again: the fixture's tallies all have failures.
func withMetTallies(t testing.TB, recs []report.Record, staffID string) []report.Record {
	t.Helper()
	std := standard.V1()
	n := 0
	for i := range recs {
		ins := recs[i].Inspection
		if len(recs[i].Amendments) > 0 {
			continue
		}
		for j := range ins.People {
			p := &ins.People[j]
			if p.StaffID != staffID {
				continue
			}
			n++
			if n%2 == 0 {
				continue
			}
			for _, it := range std.PersonItems(p.Role, p.Gender) {
				if it.Kind == standard.KindTally && !hasItem(p.Findings, it.ID) {
					p.Findings = append(p.Findings, inspect.Finding{ID: fmt.Sprintf("met-%d", i), ItemID: it.ID, Outcome: inspect.Tallied,
						Observed: 4, Failed: 0, Note: fmt.Sprintf("第%d次：4位顾客均已做到。", i+1), At: ins.StartedAt.Add(5 * time.Minute)})
					break
				}
			}
		}
		seal, err := inspect.ComputeSeal(ins)
		if err != nil {
			t.Fatal(err)
		}
		ins.SealHash = seal
	}
	return recs
}
