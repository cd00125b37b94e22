package roster_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/standard"
)

// The managers and HR who read reject reasons read Chinese; the CLI and its
// scripts match the English. Every reason produced by the bad-input fixtures
// of this package must therefore be "中文 / English", and its Chinese must
// be printable with the UI's font subset (GB 2312, without … “” –).
func TestRejectReasonsBilingual(t *testing.T) {
	parseCSV := func(data string) func(*testing.T) []roster.Reject {
		return func(t *testing.T) []roster.Reject {
			return parse(t, "roster.csv", []byte(data), roster.Options{}).Rejects
		}
	}
	fixtures := []struct {
		name    string
		rejects func(*testing.T) []roster.Reject
	}{
		{"badRowsCSV", parseCSV(badRowsCSV)},
		{"badRowsXLSX", func(t *testing.T) []roster.Reject {
			return parse(t, "r.xlsx", workbook(t, badRowsXLSX), roster.Options{}).Rejects
		}},
		{"testdata/roster-bad.csv planned", func(t *testing.T) []roster.Reject {
			data, err := os.ReadFile(filepath.Join("testdata", "roster-bad.csv"))
			if err != nil {
				t.Fatal(err)
			}
			f := parse(t, "roster-bad.csv", data, roster.Options{})
			return f.Plan(roster.Current{Halls: []roster.Hall{hallBJ, hallDC}}).Rejects
		}},
		{"many differing duplicates", parseCSV("工号,姓名,性别,岗位,营业厅\n" +
			strings.Repeat("KM1,张丽,女,收银员,北京路\nKM1,王强,男,收银员,北京路\n", 6))},
		{"long and control characters", parseCSV("工号,姓名,性别,岗位,营业厅,服务证号\n" +
			"KM1," + strings.Repeat("张", 51) + ",女,收银员,北京路," + strings.Repeat("9", 33) + "\n" +
			"KM2,\"王\x01强\",男,收银员,\"北京\x01路\",FW/2\n" +
			strings.Repeat("8", 33) + ",李娜,女,收银员,北京路,FW+3\n")},
		{"employee number on two staff records", func(t *testing.T) []roster.Reject {
			cur := roster.Current{Halls: []roster.Hall{hallDC}, Staff: []roster.Staff{
				staff("s3", "KM3", "李娜", F, standard.RoleCashier, "h-dc", "", true),
				staff("s4", "km3", "李娜", F, standard.RoleCashier, "h-dc", "", false),
			}}
			return planFor(t, "KM3,李娜,女,收银员,优付通滇池路营业厅,\n", cur).Rejects
		}},
	}
	for _, c := range unbalancedQuoteCases {
		fixtures = append(fixtures, struct {
			name    string
			rejects func(*testing.T) []roster.Reject
		}{"unbalanced quote: " + c.name, parseCSV(c.data)})
	}
	for _, c := range planHallCases {
		if c.reject == "" {
			continue
		}
		fixtures = append(fixtures, struct {
			name    string
			rejects func(*testing.T) []roster.Reject
		}{"hall " + c.name, func(t *testing.T) []roster.Reject {
			return planFor(t, "KM3,李娜,女,收银员,"+c.hall+",\n", planHallsCurrent).Rejects
		}})
	}

	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			rejects := fx.rejects(t)
			if len(rejects) == 0 {
				t.Fatal("the fixture produced no rejects")
			}
			for _, r := range rejects {
				checkBilingual(t, r)
			}
		})
	}
}

func checkBilingual(t *testing.T, r roster.Reject) {
	t.Helper()
	i := strings.Index(r.Reason, roster.ReasonSep)
	if i < 0 {
		t.Errorf("line %d: reason %q has no %q", r.Line, r.Reason, roster.ReasonSep)
		return
	}
	zh, en := r.Reason[:i], r.Reason[i+len(roster.ReasonSep):]
	if !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("line %d: reason %q has no Chinese before %q", r.Line, r.Reason, roster.ReasonSep)
	}
	// The English halves all start with a lower-case word ("required, ...",
	// "unknown role ...") and hold no Chinese of their own besides the
	// values they quote, which the Chinese half would then repeat.
	if en == "" || en[0] < 'a' || en[0] > 'z' {
		t.Errorf("line %d: reason %q: English half %q does not read as English", r.Line, r.Reason, en)
	}
	if gz, ge := roster.SplitReason(r.Reason); gz != zh || ge != en {
		t.Errorf("SplitReason(%q) = %q, %q", r.Reason, gz, ge)
	}
	if _, err := simplifiedchinese.HZGB2312.NewEncoder().String(zh); err != nil {
		t.Errorf("line %d: Chinese %q is not all in GB 2312: %v", r.Line, zh, err)
	}
	if strings.ContainsAny(zh, "…“”–") {
		t.Errorf("line %d: Chinese %q uses a character the UI font lacks", r.Line, zh)
	}
	// The manager's desk shows Message: Chinese first, English as before.
	if m := r.Message(); !strings.HasPrefix(m, zh+roster.ReasonSep) || !strings.HasSuffix(m, en) {
		t.Errorf("line %d: Message() = %q", r.Line, m)
	}
}

func TestRejectReasonWording(t *testing.T) {
	f := parse(t, "roster.csv", []byte("工号,姓名,性别,岗位,营业厅\n"+ // 1
		"E001,张丽,女,收银员,北京路\n"+ // 2
		"E001,张丽,女,收银员,北京路\n"+ // 3
		strings.Repeat("K9,王强,男,收银员,北京路\n", 1)+ // 4
		strings.Repeat("K9,李娜,女,收银员,北京路\n", 11)), // 5..15
		roster.Options{})
	want := map[int]string{
		3: "工号 E001 重复，首次出现在第 2 行 / duplicate employee number E001, first on line 2",
		4: "工号 K9 重复，第 5、6、7、8、9、10、11、12、13、14 行等 11 行的信息与本行不同 / " +
			"duplicate employee number K9, with different details on line 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 and 1 more",
	}
	for _, r := range f.Rejects {
		if w, ok := want[r.Line]; ok {
			if r.Reason != w {
				t.Errorf("line %d: reason\n%s\nwant\n%s", r.Line, r.Reason, w)
			}
			delete(want, r.Line)
		}
	}
	if len(want) > 0 {
		t.Errorf("no rejects on lines %v: %s", want, rejectsString(f.Rejects))
	}
}

func TestSplitReasonAndMessage(t *testing.T) {
	tests := []struct {
		reason, zh, en string
	}{
		{"工号不能为空 / required, but empty", "工号不能为空", "required, but empty"},
		// Written before reasons had Chinese, or by hand: all English.
		{"required, but empty", "", "required, but empty"},
		{"use a / b", "", "use a / b"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if zh, en := roster.SplitReason(tt.reason); zh != tt.zh || en != tt.en {
			t.Errorf("SplitReason(%q) = %q, %q; want %q, %q", tt.reason, zh, en, tt.zh, tt.en)
		}
	}
	r := roster.Reject{File: "r.csv", Line: 4, Field: "role", Value: "厨师", Reason: "无法识别的岗位 / unknown role"}
	if got := r.Message(); got != `无法识别的岗位 / role "厨师": unknown role` {
		t.Errorf("Message() = %s", got)
	}
	if got := r.Error(); got != `r.csv line 4: 无法识别的岗位 / role "厨师": unknown role` {
		t.Errorf("Error() = %s", got)
	}
	r = roster.Reject{Line: 9, Reason: "row has 5 columns, the header has 6"}
	if got := r.Error(); got != "line 9: row has 5 columns, the header has 6" {
		t.Errorf("Error() of an English-only reason = %s", got)
	}
}
