package report_test

import (
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/report"
)

func TestFileName(t *testing.T) {
	got := report.FileName("督导报告", ` 营业厅/A:B*"C"<D>|E\F?`+"\x01", report.FileDate(time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)))
	// 20:00 UTC is the next day in the halls' zone.
	if want := "督导报告-营业厅_A_B__C__D__E_F__-2026-11-26.pdf"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
}
