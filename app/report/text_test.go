package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
)

// TestTrimmedFont guards the speed-up of trim.go: if the trimmed font could
// not be made, reports still render, but every one pays ~30 ms more.
func TestTrimmedFont(t *testing.T) {
	if !report.TrimmedFont() {
		t.Error("reports embed from the full CJK font: the trimmed copy could not be made")
	}
}

// TestOddText covers what a tablet keyboard can produce: a rare character in
// a name (outside the trimmed font), an emoji (in no font), a URL longer
// than a line, tabs and Windows line ends, and text that looks like a
// gofpdf page-count alias.
func TestOddText(t *testing.T) {
	fx := newFixture(t)
	ins := fx.r.Inspection
	ins.People[0].Name = "王喆"
	ins.Signatures[0].Name = "王喆"
	url := "https://example.com/" + strings.Repeat("abcdefghij", 12)
	ins.HallFindings[0].Note = "叫号机故障😀\t见{nb}页\r\n链接：" + url
	seal, err := inspect.ComputeSeal(ins)
	if err != nil {
		t.Fatal(err)
	}
	ins.SealHash = seal
	for i := range fx.r.Amendments {
		a := &fx.r.Amendments[i]
		a.OriginalHash = seal
		if a.SealHash, err = inspect.ComputeAmendmentSeal(a); err != nil {
			t.Fatal(err)
		}
	}
	pdf := render(t, fx.r, report.Options{})
	file := writeTemp(t, pdf)
	flat := squeeze(pdftotext(t, file))
	for _, want := range []string{"王喆", "叫号机故障[U+1F600]见{nb}页"} {
		if !strings.Contains(flat, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	note := columnText(t, file, pageCount(t, file), 117, 78)
	if !strings.Contains(note, "链接："+url) {
		t.Errorf("the long URL did not come back whole:\n%s", note)
	}
	// 喆 is not in GB 2312, so the full font was added for it.
	if got := bytes.Count(pdf, []byte("/Subtype /CIDFontType2")); got != 2 {
		t.Errorf("PDF has %d CJK fonts, want 2 (trimmed and full)", got)
	}
}

// TestEmptyInspection renders an inspection with nobody observed and
// nothing recorded: a short report that says so, not an error.
func TestEmptyInspection(t *testing.T) {
	fx := newFixture(t)
	ins := fx.r.Inspection
	ins.People, ins.HallFindings, ins.Signatures = nil, nil, nil
	seal, err := inspect.ComputeSeal(ins)
	if err != nil {
		t.Fatal(err)
	}
	ins.SealHash = seal
	fx.r.Amendments, fx.r.Repeats = nil, nil
	file := writeTemp(t, render(t, fx.r, report.Options{}))
	flat := squeeze(pdftotext(t, file))
	for _, want := range []string{"无问题记录", "无签名记录", "Page1/1", seal} {
		if !strings.Contains(flat, want) {
			t.Errorf("empty report lacks %q", want)
		}
	}
}
