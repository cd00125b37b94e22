package roster_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/standard"
)

const goodCSV = "工号,姓名,性别,岗位,营业厅,服务证号\nKM1001,张丽,女,值班长,优付通北京路营业厅,FW-1\n"

var wantZhangLi = roster.Row{Line: 2, EmployeeNo: "KM1001", Name: "张丽", Gender: standard.GenderFemale,
	Role: standard.RoleShiftLeader, Hall: "优付通北京路营业厅", Badge: "FW-1"}

func TestParseEncodings(t *testing.T) {
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(
		[]byte(strings.ReplaceAll(strings.ReplaceAll(goodCSV, ",", "\t"), "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	// Every non-ASCII character here is GBK whose bytes also happen to be
	// valid UTF-8, so detection cannot tell; only --encoding can.
	const accidental = "employee_no,name,gender,role,hall\nKM1,叶伟,女,cashier,H1\n"

	tests := []struct {
		name     string
		data     []byte
		encoding string
		wantEnc  string
		want     roster.Row
	}{
		{name: "utf-8", data: []byte(goodCSV), wantEnc: "utf-8", want: wantZhangLi},
		{name: "utf-8 with BOM", data: append([]byte("\ufeff"), goodCSV...), wantEnc: "utf-8", want: wantZhangLi},
		{name: "gbk detected", data: gbk(t, strings.ReplaceAll(goodCSV, "\n", "\r\n")), wantEnc: "gbk", want: wantZhangLi},
		{name: "gbk forced", data: gbk(t, goodCSV), encoding: "gbk", wantEnc: "gbk", want: wantZhangLi},
		{name: "gbk forced, Windows label", data: gbk(t, goodCSV), encoding: "CP936", wantEnc: "gbk", want: wantZhangLi},
		{name: "gb18030 forced", data: gbk(t, goodCSV), encoding: "gb18030", wantEnc: "gb18030", want: wantZhangLi},
		{name: "utf-8 forced with BOM", data: append([]byte("\ufeff"), goodCSV...), encoding: "UTF-8", wantEnc: "utf-8", want: wantZhangLi},
		{name: "utf-16 unicode text", data: utf16, wantEnc: "utf-16le", want: wantZhangLi},
		{name: "gbk that is valid utf-8, forced", data: gbk(t, accidental), encoding: "gbk", wantEnc: "gbk",
			want: roster.Row{Line: 2, EmployeeNo: "KM1", Name: "叶伟", Gender: standard.GenderFemale, Role: standard.RoleCashier, Hall: "H1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, "roster.csv", tt.data, roster.Options{Encoding: tt.encoding})
			if f.Encoding != tt.wantEnc {
				t.Errorf("encoding %q, want %q", f.Encoding, tt.wantEnc)
			}
			if len(f.Rejects) > 0 {
				t.Fatalf("rejects:\n%s", rejectsString(f.Rejects))
			}
			if len(f.Rows) != 1 || f.Rows[0] != tt.want {
				t.Errorf("rows %+v, want [%+v]", f.Rows, tt.want)
			}
		})
	}

	t.Run("gbk that is valid utf-8, detected", func(t *testing.T) {
		// The price of detection; the gender fails and the reject shows the
		// mojibake, which is what tells the user to pass the encoding.
		f := parse(t, "roster.csv", gbk(t, accidental), roster.Options{})
		if f.Encoding != "utf-8" || len(f.Rows) != 0 || len(f.Rejects) == 0 {
			t.Errorf("encoding %s, %d rows, %d rejects; want utf-8 and a reject", f.Encoding, len(f.Rows), len(f.Rejects))
		}
	})
}

func TestParseEncodingErrors(t *testing.T) {
	header := "employee_no,name,gender,role,hall\n"
	gbkRow := gbk(t, "KM1,张丽,女,值班长,北京路\n")
	bad := []byte(header + "KM1,Li,F,cashier,H1\nKM2,Wang")
	badOffset := len(bad)
	bad = append(bad, 0xFF, 0xFE)
	bad = append(bad, ",M,cashier,H1\n"...)
	// Decoded as GBK this would be mojibake names, not an error.
	damaged := []byte(header + "KM1,张丽,F,cashier,H1\nKM2,王")
	damagedOffset := len(damaged)
	damaged = append(damaged, 0xE5, 0xBC)
	damaged = append(damaged, ",M,cashier,H1\nKM3,李娜,F,cashier,H1\n"...)

	tests := []struct {
		name     string
		data     []byte
		encoding string
		want     []string
	}{
		{name: "utf-8 forced on gbk", data: append([]byte(header), gbkRow...), encoding: "utf-8",
			want: []string{"roster.csv line 2", "invalid utf-8", "byte offset 38", "文件不是 utf-8 编码"}},
		{name: "neither utf-8 nor gbk", data: bad,
			want: []string{"roster.csv line 3", "invalid gbk", "ff fe", "byte offset " + strconv.Itoa(badOffset), "文件既不是 UTF-8 也不是 GBK；请在 Excel 中另存为「CSV UTF-8」 / the file is neither UTF-8 nor GBK"}},
		{name: "utf-8 with a damaged byte", data: damaged,
			want: []string{"roster.csv line 3", "invalid utf-8", "byte offset " + strconv.Itoa(damagedOffset), "文件像是有字节损坏的 UTF-8", "damaged bytes"}},
		{name: "gbk forced on undecodable", data: bad, encoding: "gbk", want: []string{"line 3", "invalid gbk"}},
		{name: "unknown encoding", data: []byte(goodCSV), encoding: "latin1", want: []string{`unknown encoding "latin1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := roster.Parse("dir/roster.csv", bytes.NewReader(tt.data), roster.Options{Encoding: tt.encoding})
			if !errors.Is(err, roster.ErrEncoding) {
				t.Fatalf("err %v, want ErrEncoding", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	tests := []struct {
		name, data string
		warn       string // a warning that must be present
	}{
		{name: "chinese shuffled",
			data: "营业厅,服务证号,岗位,姓名,工号,性别\n优付通北京路营业厅,FW-1,值班长,张丽,KM1001,女\n"},
		{name: "english shuffled, mixed case",
			data: "Hall,Gender,NAME,Role,Badge,Employee_No\n优付通北京路营业厅,female,张丽,shift leader,FW-1,KM1001\n"},
		{name: "aliases",
			data: "员工编号,姓名,Sex,Position,所属营业厅,服务证\nKM1001,张丽,F,值班长,优付通北京路营业厅,FW-1\n"},
		{name: "english aliases with spaces",
			data: "Employee No,Full Name,Gender,Role,Hall Name,badge_no\nKM1001,张丽,F,Shift_Leader,优付通北京路营业厅,FW-1\n"},
		{name: "decorated headers",
			data: "　*工号　,姓名*,性别,岗位（值班长/收银员等）,营业厅,服务证号\nKM1001,张丽,女,值班长,优付通北京路营业厅,FW-1\n"},
		{name: "extra columns ignored with a warning",
			data: "序号,工号,姓名,性别,岗位,营业厅,服务证号,手机\n1,KM1001,张丽,女,值班长,优付通北京路营业厅,FW-1,13800000000\n",
			warn: `ignored column 8 "手机"`},
		{name: "no badge column",
			data: "工号,姓名,性别,岗位,营业厅\nKM1001,张丽,女,值班长,优付通北京路营业厅\n",
			warn: "no 服务证号 (badge) column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, "roster.csv", []byte(tt.data), roster.Options{})
			if len(f.Rejects) > 0 {
				t.Fatalf("rejects:\n%s", rejectsString(f.Rejects))
			}
			want := wantZhangLi
			if !strings.Contains(tt.data, "FW-1") {
				want.Badge = ""
			}
			if len(f.Rows) != 1 || f.Rows[0] != want {
				t.Errorf("rows %+v, want [%+v]", f.Rows, want)
			}
			if tt.warn != "" && !containsAny(f.Warnings, tt.warn) {
				t.Errorf("warnings %q lack %q", f.Warnings, tt.warn)
			}
		})
	}
}

func containsAny(ss []string, sub string) bool {
	return slices.ContainsFunc(ss, func(s string) bool { return strings.Contains(s, sub) })
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		data []byte
		is   error
		want []string
	}{
		{name: "missing columns", file: "roster.csv", data: []byte("工号,姓名,性别,部门\nKM1,张丽,女,营业部\n"),
			is:   roster.ErrMissingColumns,
			want: []string{"roster.csv line 1", "岗位 (role)", "营业厅 (hall)", `found headers "工号", "姓名", "性别", "部门"`}},
		{name: "missing columns after blank lines", file: "roster.csv", data: []byte("\r\n\r\nname,gender\r\n"),
			is: roster.ErrMissingColumns, want: []string{"line 3", "工号 (employee_no)", `found headers "name", "gender"`}},
		{name: "data without header", file: "roster.csv", data: []byte("KM1001,张丽,女,值班长,北京路,FW-1\n"),
			is: roster.ErrMissingColumns, want: []string{"line 1"}},
		{name: "duplicate column", file: "roster.csv", data: []byte("工号,姓名,性别,岗位,营业厅,员工编号\n"),
			is: roster.ErrDuplicateColumn, want: []string{"columns 1 and 6 are both employee_no"}},
		{name: "empty file", file: "roster.csv", data: nil, is: roster.ErrNoHeader, want: []string{"roster.csv", "empty"}},
		{name: "only blank lines", file: "roster.csv", data: []byte("\r\n  \r\n,,,,\r\n\r\n"), is: roster.ErrNoHeader},
		{name: "only a BOM", file: "roster.csv", data: []byte("\ufeff"), is: roster.ErrNoHeader},
		{name: "empty workbook", file: "roster.xlsx", data: workbook(t, nil), is: roster.ErrNoHeader},
		{name: "workbook missing columns", file: "roster.xlsx", data: workbook(t, [][]any{{"工号", "姓名"}}),
			is: roster.ErrMissingColumns, want: []string{"roster.xlsx line 1"}},
		{name: "xls", file: "roster.xls", data: []byte("anything"), is: roster.ErrUnsupportedFormat, want: []string{".xlsx"}},
		{name: "ole container named xlsx", file: "roster.xlsx",
			data: []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, is: roster.ErrUnsupportedFormat, want: []string{"password"}},
		{name: "pdf", file: "roster.pdf", data: []byte("%PDF"), is: roster.ErrUnsupportedFormat},
		{name: "no extension", file: "roster", data: []byte(goodCSV), is: roster.ErrUnsupportedFormat},
		{name: "csv named xlsx", file: "roster.xlsx", data: []byte(goodCSV), is: roster.ErrUnreadable},
		{name: "truncated workbook", file: "roster.xlsx", data: workbook(t, [][]any{{"工号"}})[:300], is: roster.ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := roster.Parse(tt.file, bytes.NewReader(tt.data), roster.Options{})
			if !errors.Is(err, tt.is) {
				t.Fatalf("err %v (file %+v), want %v", err, f, tt.is)
			}
			if f != nil {
				t.Errorf("file %+v returned with error", f)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	r := io.LimitReader(zeros{}, roster.MaxFileSize+1)
	if _, err := roster.Parse("big.csv", r, roster.Options{}); !errors.Is(err, roster.ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestParseHeaderOnly(t *testing.T) {
	for _, data := range []string{"工号,姓名,性别,岗位,营业厅,服务证号", "工号,姓名,性别,岗位,营业厅,服务证号\r\n\r\n,,,,,\r\n"} {
		f := parse(t, "roster.csv", []byte(data), roster.Options{})
		if len(f.Rows) != 0 || len(f.Rejects) != 0 {
			t.Errorf("%q: %d rows, %d rejects; want none", data, len(f.Rows), len(f.Rejects))
		}
		if !containsAny(f.Warnings, "no data rows") {
			t.Errorf("%q: warnings %q lack \"no data rows\"", data, f.Warnings)
		}
	}
}

func TestParseLayout(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		wantLines []int // of the rows, in order
		wantLast  int   // File.Lines
		warn      string
	}{
		{name: "crlf and trailing blank lines",
			data:      "工号,姓名,性别,岗位,营业厅\r\nKM1,张丽,女,值班长,北京路\r\nKM2,王强,男,收银员,北京路\r\n\r\n\r\n",
			wantLines: []int{2, 3}, wantLast: 5},
		{name: "cr only (old mac excel)",
			data:      "工号,姓名,性别,岗位,营业厅\rKM1,张丽,女,值班长,北京路\rKM2,王强,男,收银员,北京路\r",
			wantLines: []int{2, 3}, wantLast: 3},
		{name: "blank and whitespace lines between rows",
			data:      "工号,姓名,性别,岗位,营业厅\n\nKM1,张丽,女,值班长,北京路\n   \n,,,,\nKM2,王强,男,收银员,北京路",
			wantLines: []int{3, 6}, wantLast: 6},
		{name: "semicolon",
			data:      "工号;姓名;性别;岗位;营业厅\nKM1;张丽;女;值班长;北京路\nKM2;王强;男;收银员;\"北京路,一楼\"\n",
			wantLines: []int{2, 3}, wantLast: 3},
		{name: "tab",
			data:      "工号\t姓名\t性别\t岗位\t营业厅\nKM1\t张丽\t女\t值班长\t北京路\nKM2\t王强\t男\t收银员\t北京路, 一楼\n",
			wantLines: []int{2, 3}, wantLast: 3},
		{name: "excel sep directive",
			data:      "sep=;\n工号;姓名;性别;岗位;营业厅\nKM1;张丽;女;值班长;北京路\n",
			wantLines: []int{3}, wantLast: 3},
		{name: "title rows above the header",
			data:      "2025年员工花名册,,,,\n制表：人事部,,,,\n工号,姓名,性别,岗位,营业厅\nKM1,张丽,女,值班长,北京路\n",
			wantLines: []int{4}, wantLast: 4, warn: "skipped 2 line(s) above the header on line 3"},
		{name: "quoted multi-line note in an ignored column",
			data:      "工号,姓名,性别,岗位,营业厅,备注\nKM1,张丽,女,值班长,北京路,\"第一行\n第二行\"\nKM2,王强,男,收银员,北京路,\n",
			wantLines: []int{2, 4}, wantLast: 4},
		{name: "trailing empty cells",
			data:      "工号,姓名,性别,岗位,营业厅\nKM1,张丽,女,值班长,北京路,,,\n",
			wantLines: []int{2}, wantLast: 2},
		{name: "unnamed column with data",
			data:      "工号,姓名,性别,岗位,营业厅,\nKM1,张丽,女,值班长,北京路,x\n",
			wantLines: []int{2}, wantLast: 2, warn: "ignored column 6: it has no header but holds data (first on line 2)"},
		{name: "mid-field quotes are data",
			data:      "工号,姓名,性别,岗位,营业厅\nKM1,Li \"Lily\" Zhang,女,值班长,北京路\n",
			wantLines: []int{2}, wantLast: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, "roster.csv", []byte(tt.data), roster.Options{})
			if len(f.Rejects) > 0 {
				t.Fatalf("rejects:\n%s", rejectsString(f.Rejects))
			}
			var lines []int
			for _, r := range f.Rows {
				lines = append(lines, r.Line)
			}
			if !slices.Equal(lines, tt.wantLines) {
				t.Errorf("row lines %v, want %v", lines, tt.wantLines)
			}
			if f.Lines != tt.wantLast {
				t.Errorf("Lines %d, want %d", f.Lines, tt.wantLast)
			}
			if tt.warn != "" && !containsAny(f.Warnings, tt.warn) {
				t.Errorf("warnings %q lack %q", f.Warnings, tt.warn)
			}
			if len(f.Rows) == 2 && f.Rows[1].Hall != "北京路" && f.Rows[1].Hall != "北京路,一楼" && f.Rows[1].Hall != "北京路, 一楼" {
				t.Errorf("hall %q", f.Rows[1].Hall)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		line string // employee_no,name,gender,role,hall,badge
		want roster.Row
	}{
		{name: "chinese", line: "KM1,张丽,女,值班长,北京路,B1",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "shift_leader", Hall: "北京路", Badge: "B1"}},
		{name: "english", line: "km1,Li Na,Male,Cashier,H1,b1",
			want: roster.Row{EmployeeNo: "KM1", Name: "Li Na", Gender: "male", Role: "cashier", Hall: "H1", Badge: "B1"}},
		{name: "letters", line: "KM1,张丽,F,floor guide,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "promoter", Hall: "北京路"}},
		{name: "role constants", line: "KM1,张丽,m,shift_leader,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "male", Role: "shift_leader", Hall: "北京路"}},
		{name: "hotline", line: "KM1,张丽,女,96396热线,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "hotline", Hall: "北京路"}},
		{name: "hotline short", line: "KM1,张丽,女,热线,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "hotline", Hall: "北京路"}},
		{name: "hotline agent", line: "KM1,张丽,女,Hotline Agent,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "hotline", Hall: "北京路"}},
		{name: "full-width hotline digits", line: "KM1,张丽,女,９６３９６热线,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "hotline", Hall: "北京路"}},
		{name: "supervisor and promoter", line: "KM1,张丽,男性,督导员,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "male", Role: "supervisor", Hall: "北京路"}},
		{name: "promoter", line: "KM1,张丽,女性,宣传员,北京路,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "promoter", Hall: "北京路"}},
		{name: "full-width digits and spaces", line: "　ＫＭ１００１　,　张丽\u00a0, 女 ,\t值班长 ,\u200b北京路\u3000,ＦＷ－１２",
			want: roster.Row{EmployeeNo: "KM1001", Name: "张丽", Gender: "female", Role: "shift_leader", Hall: "北京路", Badge: "FW-12"}},
		{name: "hall kept as written", line: "KM1,张丽,女,值班长,优付通（北京路）营业厅,",
			want: roster.Row{EmployeeNo: "KM1", Name: "张丽", Gender: "female", Role: "shift_leader", Hall: "优付通（北京路）营业厅"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, "r.csv", []byte("工号,姓名,性别,岗位,营业厅,服务证号\n"+tt.line+"\n"), roster.Options{})
			if len(f.Rejects) > 0 {
				t.Fatalf("rejects:\n%s", rejectsString(f.Rejects))
			}
			tt.want.Line = 2
			if len(f.Rows) != 1 || f.Rows[0] != tt.want {
				t.Errorf("rows %+v, want [%+v]", f.Rows, tt.want)
			}
		})
	}
}

// badRowsCSV has one or more problems on most rows; TestParseRejects lists
// them, and TestRejectReasonsBilingual checks their wording.
const badRowsCSV = "工号,姓名,性别,岗位,营业厅,服务证号\n" + // 1
	"KM1001,张丽,女,值班长,北京路,FW-1\n" + // 2 ok; line 12 repeats it exactly
	"KM1002,,男,收银员,北京路,FW-2\n" + // 3
	",王强,男,收银员,北京路,FW-3\n" + // 4
	"KM1004,李娜,未知,收银员,北京路,FW-4\n" + // 5
	"KM1005,赵敏,女,厨师,北京路,FW-5\n" + // 6
	"KM1006,刘芳,女,收银员,,FW-6\n" + // 7
	"KM1007,陈,男,收银员,北京路\n" + // 8
	"KM1008,杨,男,收银员,北京路,FW-8,extra\n" + // 9
	"KM1009,周,女,收银员,北京路,FW-9,,\n" + // 10 ok
	"KM1010,,,,,\n" + // 11
	"KM1001,张丽,女,值班长,北京路,FW-1\n" + // 12
	"KM1011,吴,男,收银员,北京路,FW-11\n" + // 13
	"km1011,吴刚,男,收银员,北京路,FW-11\n" + // 14
	"5.30102E+17,孙伟,男,督导员,北京路,\n" + // 15
	"KM 1016,孙,男,督导员,北京路,\n" + // 16
	"KM1017,王?明,男,收银员,北京路,FW-17\n" + // 17
	"KM1018,郑洁,女,督导员,北京路,1.2E+5\n" + // 18
	"KM1019,钱,,督导员,北京路,\n" // 19

func TestParseRejects(t *testing.T) {
	const want = `3 name: 姓名不能为空 / required, but empty
4 employee_no: 工号不能为空 / required, but empty
5 gender: 无法识别的性别（应为 男 或 女） / unknown gender (expected 男 or 女)
6 role: 无法识别的岗位（应为 值班长、收银员、宣传员、督导员 或 96396热线） / unknown role (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)
7 hall: 营业厅不能为空 / required, but empty
8 : 该行有 5 列，表头有 6 列 / row has 5 columns, the header has 6
9 : 该行有 7 列，表头有 6 列；含逗号的值必须加引号 / row has 7 columns, the header has 6; a value containing a comma must be quoted
11 name: 姓名不能为空 / required, but empty
11 gender: 性别不能为空（应为 男 或 女） / required, but empty (expected 男 or 女)
11 role: 岗位不能为空（应为 值班长、收银员、宣传员、督导员 或 96396热线） / required, but empty (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)
11 hall: 营业厅不能为空 / required, but empty
12 employee_no: 工号 KM1001 重复，首次出现在第 2 行 / duplicate employee number KM1001, first on line 2
13 employee_no: 工号 KM1011 重复，第 14 行的信息与本行不同 / duplicate employee number KM1011, with different details on line 14
14 employee_no: 工号 KM1011 重复，首次出现在第 13 行 / duplicate employee number KM1011, first on line 13
15 employee_no: 工号被 Excel 转成了科学计数法，请把该列设为文本格式后重新输入 / looks like a number Excel turned into scientific notation; format the column as text and re-enter it
16 employee_no: 工号只能由字母、数字和 -、_、/ 组成 / may contain only letters, digits, - _ and /
17 name: 姓名含有问号，可能是文件存为 GBK/ANSI 时丢了字；请另存为「CSV UTF-8」或 xlsx / contains "?": a character was probably lost when the file was saved as GBK/ANSI; save it as "CSV UTF-8" or xlsx
18 badge: 服务证号被 Excel 转成了科学计数法，请把该列设为文本格式后重新输入 / looks like a number Excel turned into scientific notation; format the column as text and re-enter it
19 gender: 性别不能为空（应为 男 或 女） / required, but empty (expected 男 or 女)
`
	f := parse(t, "roster.csv", []byte(badRowsCSV), roster.Options{})
	if got := rejectsString(f.Rejects); got != want {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, want)
	}
	var lines []int
	for _, r := range f.Rows {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 10}) {
		t.Errorf("valid rows on lines %v, want [2 10]", lines)
	}

	byLine := make(map[int]roster.Reject)
	for _, r := range f.Rejects {
		if _, ok := byLine[r.Line]; !ok {
			byLine[r.Line] = r
		}
	}
	if got := byLine[6].Error(); got != `roster.csv line 6: 无法识别的岗位（应为 值班长、收银员、宣传员、督导员 或 96396热线） / role "厨师": unknown role (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)` {
		t.Errorf("Error() = %s", got)
	}
	if got := byLine[8].Error(); got != `roster.csv line 8: 该行有 5 列，表头有 6 列 / row has 5 columns, the header has 6` {
		t.Errorf("Error() = %s", got)
	}
	if got := byLine[3].Error(); got != `roster.csv line 3: 姓名不能为空 / name: required, but empty` {
		t.Errorf("Error() = %s", got)
	}
	// Who each rejected row is about, which Plan uses to protect them.
	for line, who := range map[int][2]string{3: {"KM1002", ""}, 4: {"", "王强"}, 8: {"KM1007", "陈"}, 14: {"KM1011", "吴刚"}, 15: {"5.30102E+17", "孙伟"}} {
		if r := byLine[line]; r.EmployeeNo != who[0] || r.Name != who[1] {
			t.Errorf("line %d is about %q %q, want %q %q", line, r.EmployeeNo, r.Name, who[0], who[1])
		}
	}
}

// unbalancedQuoteCases are rows that a stray quote runs on into the next lines.
var unbalancedQuoteCases = []struct {
	name, data string
	want       string
}{
	{name: "swallows the rest of the file",
		data: "工号,姓名,性别,岗位,营业厅\nKM1,\"张丽,女,值班长,北京路\nKM2,王强,男,收银员,北京路\nKM3,李娜,女,收银员,北京路\n",
		want: "2 : 该行有 2 列，表头有 5 列，且一直延续到第 5 行，可能是引号 (\") 不成对 / row has 2 columns, the header has 5; it runs on to line 5, probably because of an unbalanced quote (\")\n"},
	{name: "line break inside a known column",
		data: "工号,姓名,性别,岗位,营业厅\nKM1,\"张\n丽\",女,值班长,北京路\nKM2,王强,男,收银员,北京路\n",
		want: "2 name: 姓名含有换行（该行延续到第 3 行），请检查引号 (\") 是否成对 / contains a line break (the row runs on to line 3); check for an unbalanced quote (\")\n"},
}

func TestParseUnbalancedQuote(t *testing.T) {
	tests := unbalancedQuoteCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, "roster.csv", []byte(tt.data), roster.Options{})
			if got := rejectsString(f.Rejects); got != tt.want {
				t.Errorf("rejects:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, r := range f.Rejects {
				if r.EmployeeNo != "" || r.Name != "" {
					t.Errorf("reject names %q %q; a row that swallowed others must name nobody", r.EmployeeNo, r.Name)
				}
			}
		})
	}
}

// badRowsXLSX is the first sheet of a workbook with an extra sheet "说明".
var badRowsXLSX = [][]any{
	{"Name", "Employee No", "Hall", "Role", "Gender", "Badge No", "备注"},
	{"张丽", 1001, "优付通北京路营业厅", "值班长", "女", "FW-1"},
	nil,
	{"王强", "KM1002", "优付通北京路营业厅", "厨师", "男"},
	{"　李娜　", "ＫＭ１００３", "优付通北京路营业厅", "cashier", "F", "FW-3", "新员工"},
	{"赵敏", "KM1004", "优付通北京路营业厅", "宣传员"},
	nil,
	{"张丽", 1001, "优付通北京路营业厅", "收银员", "女", "FW-1"},
}

func TestParseXLSX(t *testing.T) {
	data := workbook(t, badRowsXLSX, "说明")

	f := parse(t, "员工名单.xlsx", data, roster.Options{Encoding: "gbk"}) // ignored for xlsx
	if f.Name != "员工名单.xlsx" || f.Encoding != "" || f.Lines != 8 {
		t.Errorf("name %q encoding %q lines %d; want 员工名单.xlsx, \"\", 8", f.Name, f.Encoding, f.Lines)
	}
	want := []roster.Row{
		{Line: 5, EmployeeNo: "KM1003", Name: "李娜", Gender: "female", Role: "cashier", Hall: "优付通北京路营业厅", Badge: "FW-3"},
	}
	if !slices.Equal(f.Rows, want) {
		t.Errorf("rows %+v\nwant %+v", f.Rows, want)
	}
	const wantRejects = `2 employee_no: 工号 1001 重复，第 8 行的信息与本行不同 / duplicate employee number 1001, with different details on line 8
4 role: 无法识别的岗位（应为 值班长、收银员、宣传员、督导员 或 96396热线） / unknown role (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)
6 gender: 性别不能为空（应为 男 或 女） / required, but empty (expected 男 or 女)
8 employee_no: 工号 1001 重复，首次出现在第 2 行 / duplicate employee number 1001, first on line 2
`
	if got := rejectsString(f.Rejects); got != wantRejects {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, wantRejects)
	}
	for _, w := range []string{`only the first sheet "Sheet1" was read; the workbook also has "说明"`, `ignored column 7 "备注"`} {
		if !containsAny(f.Warnings, w) {
			t.Errorf("warnings %q lack %q", f.Warnings, w)
		}
	}
}

func TestParseXLSXHiddenRows(t *testing.T) {
	data := hiddenRowsWorkbook(t)
	f := parse(t, "r.xlsx", data, roster.Options{})
	if len(f.Rows) != 2 {
		t.Errorf("%d rows, want 2: hidden rows are still part of the file", len(f.Rows))
	}
	if !containsAny(f.Warnings, "rows 3 are hidden") {
		t.Errorf("warnings %q lack the hidden row", f.Warnings)
	}
}

func TestParseWorkbookNamedCSV(t *testing.T) {
	data := workbook(t, [][]any{{"工号", "姓名", "性别", "岗位", "营业厅"}, {"KM1", "张丽", "女", "值班长", "北京路"}})
	f := parse(t, "roster.CSV", data, roster.Options{})
	if len(f.Rows) != 1 || !containsAny(f.Warnings, "is an Excel workbook") {
		t.Errorf("rows %+v warnings %q", f.Rows, f.Warnings)
	}
}

// The sample files are also used by the dudao-hub CLI tests.
func TestTestdata(t *testing.T) {
	read := func(name string) *roster.File {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return parse(t, name, data, roster.Options{})
	}
	good, gb, bad := read("roster-good.csv"), read("roster-gbk.csv"), read("roster-bad.csv")

	if good.Encoding != "utf-8" || len(good.Rows) != 8 || len(good.Rejects) != 0 {
		t.Errorf("roster-good.csv: %s, %d rows, rejects:\n%s", good.Encoding, len(good.Rows), rejectsString(good.Rejects))
	}
	if gb.Encoding != "gbk" || !slices.Equal(gb.Rows, good.Rows) || len(gb.Rejects) != 0 {
		t.Errorf("roster-gbk.csv: %s, rows differ from roster-good.csv:\n%+v\n%+v", gb.Encoding, gb.Rows, good.Rows)
	}

	const wantBad = `2 employee_no: 工号 KM1001 重复，第 8 行的信息与本行不同 / duplicate employee number KM1001, with different details on line 8
3 role: 无法识别的岗位（应为 值班长、收银员、宣传员、督导员 或 96396热线） / unknown role (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)
4 name: 姓名不能为空 / required, but empty
5 employee_no: 工号不能为空 / required, but empty
6 gender: 无法识别的性别（应为 男 或 女） / unknown gender (expected 男 or 女)
7 hall: 营业厅不能为空 / required, but empty
8 employee_no: 工号 KM1001 重复，首次出现在第 2 行 / duplicate employee number KM1001, first on line 2
9 : 该行有 5 列，表头有 6 列 / row has 5 columns, the header has 6
11 employee_no: 工号被 Excel 转成了科学计数法，请把该列设为文本格式后重新输入 / looks like a number Excel turned into scientific notation; format the column as text and re-enter it
`
	if got := rejectsString(bad.Rejects); got != wantBad {
		t.Errorf("roster-bad.csv rejects:\n%s\nwant:\n%s", got, wantBad)
	}
	var lines []int
	for _, r := range bad.Rows {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{10, 12, 13}) {
		t.Errorf("roster-bad.csv valid rows on lines %v, want [10 12 13]", lines)
	}

	cur := roster.Current{Halls: []roster.Hall{hallBJ, hallDC}}
	if p := good.Plan(cur); len(p.Add) != 8 || len(p.Halls) != 2 || len(p.Rejects) != 0 {
		t.Errorf("roster-good.csv plan: %s", p.Summary())
	}
	p := bad.Plan(cur)
	if got := changeNos(p.Add); !slices.Equal(got, []string{"KM2005", "KM2006"}) {
		t.Errorf("roster-bad.csv adds %v, want [KM2005 KM2006]", got)
	}
	if !strings.Contains(rejectsString(p.Rejects), "10 hall: 找不到该营业厅（请填写营业厅的 ID、编码或完整名称） / unknown hall") || p.RejectedLines() != 10 {
		t.Errorf("roster-bad.csv plan rejects %d lines:\n%s", p.RejectedLines(), rejectsString(p.Rejects))
	}
}
