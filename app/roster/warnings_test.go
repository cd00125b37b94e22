package roster_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/standard"
)

// Warnings are read by the same managers as the reject reasons and printed
// by the same CLI, so each is "中文 / English" like a reason. Every kind of
// warning the package gives is triggered here: want is the English half of
// one warning the fixture must give, exactly as it read before the Chinese.
func TestWarningsBilingual(t *testing.T) {
	parseCSV := func(data string) func(*testing.T) []string {
		return func(t *testing.T) []string {
			return parse(t, "roster.csv", []byte(data), roster.Options{}).Warnings
		}
	}
	planned := func(data string, cur roster.Current) func(*testing.T) []string {
		return func(t *testing.T) []string {
			return planFor(t, data, cur).Warnings
		}
	}
	bj := func(staff ...roster.Staff) roster.Current {
		return roster.Current{Halls: []roster.Hall{hallBJ}, Staff: staff}
	}
	fixtures := []struct {
		name     string
		warnings func(*testing.T) []string
		want     string
	}{
		{"title rows", parseCSV("2025年员工花名册,,,,\n制表：人事部,,,,\n工号,姓名,性别,岗位,营业厅\nKM1,张丽,女,值班长,北京路\n"),
			"skipped 2 line(s) above the header on line 3"},
		{"extra column", parseCSV("序号,工号,姓名,性别,岗位,营业厅,服务证号,手机\n1,KM1,张丽,女,值班长,北京路,FW-1,13800000000\n"),
			`ignored column 8 "手机"`},
		{"no badge column", parseCSV("工号,姓名,性别,岗位,营业厅\nKM1,张丽,女,值班长,北京路\n"),
			"no 服务证号 (badge) column; badges are left as they are"},
		{"unnamed column with data", parseCSV("工号,姓名,性别,岗位,营业厅,服务证号,\nKM1,张丽,女,值班长,北京路,,x\n"),
			"ignored column 7: it has no header but holds data (first on line 2)"},
		{"header only", parseCSV("工号,姓名,性别,岗位,营业厅,服务证号\n"),
			"no data rows below the header"},
		{"badge on several rows", parseCSV("工号,姓名,性别,岗位,营业厅,服务证号\nKM1,张丽,女,值班长,北京路,FW-1\nKM2,王强,男,收银员,北京路,fw-1\n"),
			"badge FW-1 is on several rows: lines 2, 3"},
		{"several sheets", func(t *testing.T) []string {
			data := workbook(t, [][]any{{"工号", "姓名", "性别", "岗位", "营业厅", "服务证号"}, {"KM1", "张丽", "女", "值班长", "北京路"}}, "说明", "Sheet 3")
			return parse(t, "r.xlsx", data, roster.Options{}).Warnings
		}, `only the first sheet "Sheet1" was read; the workbook also has "说明", "Sheet 3"`},
		{"hidden rows", func(t *testing.T) []string {
			return parse(t, "r.xlsx", hiddenRowsWorkbook(t), roster.Options{}).Warnings
		}, "rows 3 are hidden in the sheet but were read like the others"},
		{"workbook named csv", func(t *testing.T) []string {
			data := workbook(t, [][]any{{"工号", "姓名", "性别", "岗位", "营业厅", "服务证号"}, {"KM1", "张丽", "女", "值班长", "北京路"}})
			return parse(t, "roster.CSV", data, roster.Options{}).Warnings
		}, "roster.CSV is an Excel workbook despite its name; read it as xlsx"},
		{"name change", planned("KM2,王小强,男,收银员,优付通北京路营业厅,\n",
			bj(staff("s2", "KM2", "王强", M, standard.RoleCashier, "h-bj", "", true))),
			"line 2: KM2 changes name from 王强 to 王小强; if this is another person, the employee number is wrong"},
		{"rejected row with the name of someone missing", planned("KM1,张丽,女,值班长,优付通北京路营业厅,\n,李娜,女,收银员,优付通北京路营业厅,\n",
			bj(staff("s1", "KM1", "张丽", F, standard.RoleShiftLeader, "h-bj", "", true),
				staff("s3", "KM3", "李娜", F, standard.RoleCashier, "h-bj", "", true))),
			"KM3 李娜 is not deactivated: a rejected row has the same name"},
		{"deactivation held back", planned("KM1,张丽,女,值班长,优付通北京路营业厅,\n,,男,收银员,优付通北京路营业厅,\n",
			bj(staff("s1", "KM1", "张丽", F, standard.RoleShiftLeader, "h-bj", "", true),
				staff("s2", "KM2", "王强", M, standard.RoleCashier, "h-bj", "", true))),
			"1 staff missing from the roster were not deactivated, because the rejected rows on lines 3 " +
				"do not say who they are; fix those rows and import again"},
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			warnings := fx.warnings(t)
			found := false
			for _, w := range warnings {
				_, en := checkWarning(t, w)
				found = found || en == fx.want
			}
			if !found {
				t.Errorf("no warning reads %q in English; warnings:\n%s", fx.want, strings.Join(warnings, "\n"))
			}
		})
	}
}

// Chinese wording, with the lists of lines and values as the Chinese writes them.
func TestWarningWording(t *testing.T) {
	f := parse(t, "roster.csv", []byte("工号,姓名,性别,岗位,营业厅,服务证号\n"+
		"KM1,张丽,女,值班长,北京路,FW-1\nKM2,王强,男,收银员,北京路,FW-1\n"), roster.Options{})
	want := "服务证号 FW-1 出现在多行：第 2、3 行 / badge FW-1 is on several rows: lines 2, 3"
	if len(f.Warnings) != 1 || f.Warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", f.Warnings, want)
	}

	data := workbook(t, [][]any{{"工号", "姓名", "性别", "岗位", "营业厅"}, {"KM1", "张丽", "女", "值班长", "北京路"}}, "说明", "停用")
	f = parse(t, "r.xlsx", data, roster.Options{})
	want = `只读取了第一个工作表 "Sheet1"，工作簿中还有 "说明"、"停用" / ` +
		`only the first sheet "Sheet1" was read; the workbook also has "说明", "停用"`
	if !containsAny(f.Warnings, want) {
		t.Errorf("warnings %q lack %q", f.Warnings, want)
	}
}

// hiddenRowsWorkbook is an xlsx roster of two rows, the second (sheet row
// 3) hidden.
func hiddenRowsWorkbook(t *testing.T) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	rows := [][]any{{"工号", "姓名", "性别", "岗位", "营业厅", "服务证号"}, {"KM1", "张丽", "女", "值班长", "北京路"}, {"KM2", "王强", "男", "收银员", "滇池路"}}
	for i, r := range rows {
		if err := x.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SetRowVisible("Sheet1", 3, false); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var englishWords = regexp.MustCompile(`[a-z]{2,} [a-z]{2,}`)

// checkWarning asserts that w is "中文 / English", with Chinese the UI font
// can show, and returns the halves.
func checkWarning(t *testing.T, w string) (zh, en string) {
	t.Helper()
	i := strings.Index(w, roster.ReasonSep)
	if i < 0 {
		t.Errorf("warning %q has no %q", w, roster.ReasonSep)
		return "", w
	}
	zh, en = w[:i], w[i+len(roster.ReasonSep):]
	if !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("warning %q has no Chinese before %q", w, roster.ReasonSep)
	}
	if !englishWords.MatchString(en) {
		t.Errorf("warning %q: %q after %q does not read as English", w, en, roster.ReasonSep)
	}
	if gz, ge := roster.SplitReason(w); gz != zh || ge != en {
		t.Errorf("SplitReason(%q) = %q, %q", w, gz, ge)
	}
	if _, err := simplifiedchinese.HZGB2312.NewEncoder().String(zh); err != nil {
		t.Errorf("warning %q: Chinese %q is not all in GB 2312: %v", w, zh, err)
	}
	if strings.ContainsAny(zh, "…“”–") {
		t.Errorf("warning %q: Chinese %q uses a character the UI font lacks", w, zh)
	}
	return zh, en
}
