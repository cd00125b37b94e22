package roster_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-app/dudao/app/roster"
)

// gbk encodes s as Excel on Chinese Windows would save it.
func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode gbk: %v", err)
	}
	return b
}

// workbook builds an xlsx whose first sheet holds rows, starting at sheet row 1.
// A nil row leaves that sheet row empty. Extra sheets are added by name.
func workbook(t testing.TB, rows [][]any, extraSheets ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range extraSheets {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parse(t testing.TB, name string, data []byte, opt roster.Options) *roster.File {
	t.Helper()
	f, err := roster.Parse(name, bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	checkLines(t, f)
	return f
}

// checkLines asserts what every caller of Parse relies on: line numbers point
// into the file.
func checkLines(t testing.TB, f *roster.File) {
	t.Helper()
	for _, r := range f.Rows {
		if r.Line < 1 || r.Line > f.Lines {
			t.Errorf("row line %d outside 1..%d: %+v", r.Line, f.Lines, r)
		}
	}
	for _, r := range f.Rejects {
		if r.Line < 1 || r.Line > f.Lines {
			t.Errorf("reject line %d outside 1..%d: %v", r.Line, f.Lines, r)
		}
	}
}

// rejectsString lists rejects one per line as "line field: reason", for
// comparisons that show every difference at once.
func rejectsString(rs []roster.Reject) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%d %s: %s\n", r.Line, r.Field, r.Reason)
	}
	return b.String()
}

func rowsByNo(f *roster.File) map[string]roster.Row {
	m := make(map[string]roster.Row)
	for _, r := range f.Rows {
		m[r.EmployeeNo] = r
	}
	return m
}
