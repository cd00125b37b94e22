package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
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
	pdf := renderHistory(t, in, report.Options{})
	file := writeTemp(t, pdf)
	pages := pageCount(t, file)
	flat := squeeze(pdftotext(t, file))

	// Every finding of the person, as amendments leave it, with its item.
	var items, notes []string
	visits := 0
	for _, r := range in.Records {
		eff := inspect.Effective(r.Inspection, r.Amendments)
		for _, p := range eff.People {
			if p.StaffID != in.StaffID {
				continue
			}
			visits++
			for _, f := range p.Findings {
				items = append(items, f.ItemID)
				notes = append(notes, f.Note)
			}
		}
	}
	if visits == 0 || len(items) == 0 {
		t.Fatal("fixture has no findings for the person")
	}
	noteCol := columnText(t, file, pages, 15+22+15+50+25, 68)
	noteCol = strings.ReplaceAll(noteCol, "备注Note", "")
	for i, item := range items {
		if !strings.Contains(flat, item) {
			t.Errorf("history lacks item %s", item)
		}
		if !strings.Contains(noteCol, squeeze(notes[i])) {
			t.Errorf("history lacks the note %q", notes[i])
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
	if again := renderHistory(t, historyInput(t, "s-2"), report.Options{}); !bytes.Equal(pdf, again) {
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
