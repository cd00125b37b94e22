package report_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/report"
)

// sectionColumn is the text of one table column of a report section: from
// the page of the section's heading on, after the column's own heading
// (start), up to the next section's heading where the column shows it.
func sectionColumn(t *testing.T, file, heading, start, next string, x, w float64) string {
	t.Helper()
	pages := strings.Split(pdftotext(t, file), "\f")
	first := slices.IndexFunc(pages, func(s string) bool { return strings.Contains(squeeze(s), heading) })
	if first < 0 {
		t.Fatalf("no section %s", heading)
	}
	var b strings.Builder
	for p := first + 1; p <= len(pages); p++ {
		if strings.TrimSpace(pages[p-1]) != "" {
			b.WriteString(columnPage(t, file, p, x, w))
		}
	}
	s := b.String()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("no column %s after the heading %s:\n%s", start, heading, s)
	}
	s = s[i+len(start):]
	if i := strings.Index(s, next); i >= 0 {
		s = s[:i]
	}
	return s
}

// Everyone observed is in the signatures section: those who signed, the one
// who declined, and the two with no signature record at all, who used to be
// left out without a word.
func TestSignaturesListEveryone(t *testing.T) {
	fx := newFixture(t)
	for _, opt := range []report.Options{{}, {Redact: true}} {
		file := writeTemp(t, render(t, fx.r, opt))
		// The table's columns: signer at 15 mm (62 wide), signature at 77 (58).
		signers := sectionColumn(t, file, "签名与异议", "签署人Signer", "更正记录", 15, 62)
		sigs := sectionColumn(t, file, "签名与异议", "签名Signature", "更正前Before", 77, 58)
		want := []string{"周督导", "王强", "李娜", "赵敏", "陈杰", "刘洋"}
		if opt.Redact {
			want = []string{"周督导", "工牌B-07", "工牌B-12", "工牌B-03", "工牌B-21", "工牌B-09"}
		}
		at := 0
		for _, name := range want {
			i := strings.Index(signers[at:], name)
			if i < 0 {
				t.Errorf("redact %v: signatures lack %s, or list them out of order:\n%s", opt.Redact, name, signers)
				break
			}
			at += i + len(name)
		}
		if got := strings.Count(signers, "被检查员工Staffmember"); got != 5 {
			t.Errorf("redact %v: %d staff rows in the signatures, want one for each of the 5 people observed", opt.Redact, got)
		}
		if got := strings.Count(sigs, "未签名/notsigned"); got != 2 {
			t.Errorf("redact %v: %d people marked as not signed, want 2 (陈杰, 刘洋):\n%s", opt.Redact, got, sigs)
		}
		if got := strings.Count(sigs, "拒签/declinedtosign"); got != 1 {
			t.Errorf("redact %v: %d refusals, want 1 (赵敏):\n%s", opt.Redact, got, sigs)
		}
	}
}
