package report_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dudao-app/dudao/app/report"
)

// TestWriteSamples writes the fixture's reports to $DUDAO_REPORT_OUT, to look
// at them as a reader would (pdftoppm -png). It does nothing otherwise.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("DUDAO_REPORT_OUT")
	if dir == "" {
		t.Skip("set DUDAO_REPORT_OUT to a directory to write sample reports")
	}
	fx := newFixture(t)
	for name, opt := range map[string]report.Options{
		"inspection.pdf": {}, "inspection-redacted.pdf": {Redact: true}, "inspection-en.pdf": {Lang: "en"},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), render(t, fx.r, opt), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.pdf"), renderSummary(t, summaryInput(t, 40), report.Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "history.pdf"), renderHistory(t, historyInput(t, "s-2"), report.Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
}
