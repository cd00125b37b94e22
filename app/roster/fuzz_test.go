package roster_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/standard"
)

// fuzzCurrent gives Plan something to match fuzzed rows against.
var fuzzCurrent = roster.Current{
	Halls: []roster.Hall{hallBJ, hallDC, {ID: "H1", Code: "h1", Name: "H1"}},
	Staff: []roster.Staff{
		staff("s1", "KM1001", "张丽", F, standard.RoleShiftLeader, "h-bj", "FW-1", true),
		staff("s2", "KM1002", "王强", M, standard.RoleCashier, "h-dc", "", false),
		staff("s3", "1001", "李娜", F, standard.RoleCashier, "H1", "", true),
	},
}

// checkFuzzed asserts what must hold for any input: Parse either fails with an
// error or returns a file whose line numbers point into it, and the rest of
// the pipeline copes with whatever it returned.
func checkFuzzed(t *testing.T, name string, data []byte, opt roster.Options, maxLines int) {
	f, err := roster.Parse(name, bytes.NewReader(data), opt)
	if err != nil {
		if f != nil {
			t.Fatalf("file returned with error %v", err)
		}
		return
	}
	if f.Lines > maxLines {
		t.Fatalf("Lines %d, but the input has at most %d", f.Lines, maxLines)
	}
	checkLines(t, f)
	for _, r := range f.Rows {
		if r.EmployeeNo == "" || r.Name == "" || r.Hall == "" || !r.Gender.Valid() || !r.Role.Valid() {
			t.Fatalf("invalid row passed: %+v", r)
		}
	}
	p := f.Plan(fuzzCurrent)
	for _, r := range p.Rejects {
		if r.Line < 1 || r.Line > f.Lines {
			t.Fatalf("plan reject line %d outside 1..%d", r.Line, f.Lines)
		}
		_ = r.Error()
	}
	_ = p.Summary()
	if err := roster.WriteRejects(io.Discard, p.Rejects); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"roster-good.csv", "roster-gbk.csv", "roster-bad.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte(goodCSV), "")
	f.Add(append([]byte("\ufeff"), goodCSV...), "utf-8")
	f.Add(gbk(f, "工号,姓名,性别,岗位,营业厅\r\nKM1,张丽,女,值班长,北京路\r\nKM2,王强,男,收银员,北京路\r\n"), "")
	f.Add(gbk(f, "工号,姓名,性别,岗位,营业厅\r\nKM1,张丽,女,值班长,北京路\r\n"), "gbk")
	f.Add(gbk(f, "工号,姓名,性别,岗位,营业厅\r\nKM1,张丽,女,值班长,北京路\r\n"), "gb18030")
	f.Add([]byte("Hall;Gender;Name;Role;Employee No\nH1;F;Li;cashier;E1\nH1;M;Wang;hotline agent;E2\n"), "")
	f.Add([]byte("sep=\t\n工号\t姓名\t性别\t岗位\t营业厅\nKM1\t张丽\t女\t值班长\tH1\n"), "")
	f.Add([]byte("2025花名册\n工号,姓名,性别,岗位,营业厅,备注\nKM1,\"张丽,女,值班长,H1,\"多\n行\"\nKM1,张丽,女,值班长,H1\n"), "")
	f.Add([]byte("工号,姓名,性别,岗位,营业厅\r5.30102E+17,王?明,未知,厨师,\r,,,,\r"), "")
	f.Add([]byte("\xff\xfe\x00\x00"), "")
	f.Add([]byte{0xFF, 0xFE, 'a', 0}, "")

	f.Fuzz(func(t *testing.T, data []byte, enc string) {
		// Lines can only end at LF or CR bytes, whatever the encoding.
		maxLines := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
		checkFuzzed(t, "roster.csv", data, roster.Options{Encoding: enc}, maxLines)
	})
}

// FuzzParseXLSX fuzzes whole files, and, because byte mutations of a zip
// rarely get past its checksums, also the first sheet's XML: when sheet is not
// empty it replaces xl/worksheets/sheet1.xml inside data before parsing.
func FuzzParseXLSX(f *testing.F) {
	base := workbook(f, [][]any{
		{"工号", "姓名", "性别", "岗位", "营业厅", "服务证号"},
		{"KM1001", "张丽", "女", "值班长", "优付通北京路营业厅", "FW-1"},
		{1001, "李娜", "F", "cashier", "H1", 12345},
		nil,
		{"KM1002", "王强", "男", "厨师", "优付通滇池路营业厅"},
	})
	f.Add(base, "")
	f.Add(workbook(f, [][]any{
		{"花名册"},
		{"Name", "Employee No", "Hall", "Role", "Gender"},
		{"张丽", "KM1001", "YFT-KM-001", "shift leader", "female"},
		{"张丽", "KM1001", "YFT-KM-001", "cashier", "female"},
	}, "Sheet2"), "")
	f.Add(workbook(f, [][]any{{"工号", "姓名"}}), "")
	f.Add(workbook(f, nil), "")
	f.Add([]byte("PK\x03\x04"), "")
	// Shared strings 0..5 are the header of base; 6.. its values.
	const header = `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>` +
		`<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>`
	for _, rows := range []string{
		`<row r="2"><c r="A2" t="inlineStr"><is><t>KM9</t></is></c><c r="B2" t="inlineStr"><is><t>张丽</t></is></c>` +
			`<c r="C2" t="inlineStr"><is><t>女</t></is></c><c r="D2" t="inlineStr"><is><t>收银员</t></is></c><c r="E2" t="inlineStr"><is><t>H1</t></is></c></row>`,
		`<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>`,
		`<row r="3"><c r="A3" t="s"><v>999</v></c><c r="B3" t="s"><v>-1</v></c><c r="C3" t="n"><v>1e308</v></c><c t="b"><v>1</v></c></row>`,
		`<row><c><v>1</v></c></row><row r="2"><c r="ZZZZ2"><v>2</v></c></row><row r="0"></row>`,
		`<row r="5"><c r="A5" t="str"><f>1+1</f><v>2</v></c><c r="B5" t="e"><v>#N/A</v></c><c r="C5" t="d"><v>2025-01-01</v></c></row>`,
		`<row r="2"><c r="A2" s="99999"><v>45000.5</v></c></row>`,
	} {
		f.Add(base, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+header+rows+`</sheetData></worksheet>`)
	}

	f.Fuzz(func(t *testing.T, data []byte, sheet string) {
		if sheet != "" {
			data = replaceSheet(data, sheet)
		}
		const maxRows = 1 << 20 // the most rows a sheet can have
		checkFuzzed(t, "roster.xlsx", data, roster.Options{}, maxRows)
	})
}

// replaceSheet rewrites the workbook in data with sheet as its first sheet's
// XML; data that is not a zip is returned as it is.
func replaceSheet(data []byte, sheet string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return data
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			return data
		}
		if zf.Name == "xl/worksheets/sheet1.xml" {
			io.WriteString(w, sheet)
			continue
		}
		r, err := zf.Open()
		if err != nil {
			return data
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return data
		}
	}
	if err := zw.Close(); err != nil {
		return data
	}
	return buf.Bytes()
}

// Errors from Parse must be one of the documented kinds, so the CLI can give
// the right hint.
func TestParseErrorKinds(t *testing.T) {
	kinds := []error{roster.ErrUnsupportedFormat, roster.ErrTooLarge, roster.ErrEncoding, roster.ErrNoHeader,
		roster.ErrMissingColumns, roster.ErrDuplicateColumn, roster.ErrUnreadable}
	inputs := map[string][]byte{
		"a.csv":  {0xFF, 0xFF},
		"b.csv":  nil,
		"c.xlsx": []byte("PK\x03\x04junk"),
		"d.csv":  []byte("工号\n"),
		"e.doc":  nil,
	}
	for name, data := range inputs {
		_, err := roster.Parse(name, bytes.NewReader(data), roster.Options{})
		found := false
		for _, k := range kinds {
			found = found || errors.Is(err, k)
		}
		if !found {
			t.Errorf("%s: error %v is none of the documented kinds", name, err)
		}
	}
}

// The XML half of FuzzParseXLSX is only useful if the rewritten workbook
// still parses.
func TestReplaceSheet(t *testing.T) {
	base := workbook(t, [][]any{{"工号", "姓名", "性别", "岗位", "营业厅"}, {"KM1", "张丽", "女", "值班长", "北京路"}})
	sheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>` +
		`<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>` +
		`<row r="7"><c r="A7" t="inlineStr"><is><t>KM9</t></is></c><c r="B7" t="inlineStr"><is><t>王强</t></is></c>` +
		`<c r="C7" t="inlineStr"><is><t>男</t></is></c><c r="D7" t="inlineStr"><is><t>收银员</t></is></c><c r="E7" t="inlineStr"><is><t>H1</t></is></c></row>` +
		`</sheetData></worksheet>`
	f := parse(t, "r.xlsx", replaceSheet(base, sheet), roster.Options{})
	want := []roster.Row{{Line: 7, EmployeeNo: "KM9", Name: "王强", Gender: M, Role: standard.RoleCashier, Hall: "H1"}}
	if !slices.Equal(f.Rows, want) || f.Lines != 7 {
		t.Errorf("rows %+v lines %d, want %+v and 7", f.Rows, f.Lines, want)
	}
}
