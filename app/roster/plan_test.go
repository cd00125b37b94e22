package roster_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/roster"
	"github.com/dudao-app/dudao/app/standard"
)

var (
	hallBJ = roster.Hall{ID: "h-bj", Code: "YFT-KM-001", Name: "优付通北京路营业厅"}
	hallDC = roster.Hall{ID: "h-dc", Code: "YFT-KM-002", Name: "优付通滇池路营业厅"}
	hallJB = roster.Hall{ID: "h-jb", Code: "YFT-KM-003", Name: "优付通金碧路营业厅"}
)

func staff(id, no, name string, g standard.Gender, r standard.Role, hall, badge string, active bool) roster.Staff {
	return roster.Staff{ID: id, EmployeeNo: no, Name: name, Gender: g, Role: r, HallID: hall, Badge: badge, Active: active}
}

const (
	F = standard.GenderFemale
	M = standard.GenderMale
)

func planFor(t *testing.T, data string, cur roster.Current) *roster.Plan {
	t.Helper()
	f := parse(t, "roster.csv", []byte("工号,姓名,性别,岗位,营业厅,服务证号\n"+data), roster.Options{})
	return f.Plan(cur)
}

func changeNos(cs []roster.Change) []string {
	var s []string
	for _, c := range cs {
		s = append(s, c.New.EmployeeNo)
	}
	return s
}

func staffNos(ss []roster.Staff) []string {
	var s []string
	for _, x := range ss {
		s = append(s, x.EmployeeNo)
	}
	return s
}

func fieldsString(c roster.Change) string {
	var s []string
	for _, f := range c.Fields {
		s = append(s, f.String())
	}
	return strings.Join(s, "; ")
}

func TestPlan(t *testing.T) {
	cur := roster.Current{
		Halls: []roster.Hall{hallBJ, hallDC, hallJB},
		Staff: []roster.Staff{
			staff("s1", "KM1001", "张丽", F, standard.RoleShiftLeader, "h-bj", "FW-1", true),
			staff("s2", "KM1002", "王强", M, standard.RoleCashier, "h-bj", "FW-2", true),
			staff("s3", "KM1003", "李娜", F, standard.RoleCashier, "h-jb", "FW-3", true),
			staff("s4", "KM1004", "赵敏", F, standard.RolePromoter, "h-bj", "FW-4", false),
			staff("s5", "KM1005", "孙伟", M, standard.RoleCashier, "h-bj", "FW-5", true),
			staff("s6", "KM3001", "钱多", M, standard.RoleCashier, "h-jb", "FW-31", true),
			staff("s7", "KM1006", "吴刚", M, standard.RoleCashier, "h-bj", "FW-6", true),
			staff("s8", "530102199001011234", "郑洁", F, standard.RoleSupervisor, "h-bj", "", true),
			staff("s9", "KM1008", "冯离", F, standard.RoleCashier, "h-bj", "", false),
			staff("s10", "KM2001", "陈建国", M, standard.RoleShiftLeader, "h-dc", "FW-21", true),
			staff("s11", "KM2002", "刘芳", F, standard.RoleCashier, "h-dc", "FW-22", true),
			staff("s12", "km1010", "周平", F, standard.RoleCashier, "h-bj", "FW-10", true),
		},
	}
	const data = "KM1001,张丽,女,值班长,YFT-KM-001,FW-1\n" + // 2 unchanged
		"KM1002,王强,男,值班长,优付通北京路营业厅,\n" + // 3 role change; blank badge keeps FW-2
		"KM1003,李娜,女,收银员,h-bj,FW-3\n" + // 4 moved from 金碧路 (not in the file)
		"KM1004,赵敏,女,宣传员,优付通北京路营业厅,FW-4\n" + // 5 reactivated
		"KM1006,吴刚,不详,收银员,优付通北京路营业厅,FW-6\n" + // 6 rejected; must not be deactivated
		"5.30102E+17,郑洁,女,督导员,优付通北京路营业厅,\n" + // 7 rejected number; protected by name
		"KM1009,何新,男,收银员,优付通北京路营业厅,FW-9\n" + // 8 added
		"KM2001,陈建国,男,值班长,YFT-KM-002,FW-21\n" + // 9 unchanged, covers 滇池路
		"ＫＭ１０１０,周平,女,收银员,yft-km-001,FW-10\n" // 10 unchanged despite width and case

	p := planFor(t, data, cur)

	if got := changeNos(p.Add); !slices.Equal(got, []string{"KM1009"}) {
		t.Errorf("add %v, want [KM1009]", got)
	}
	if len(p.Add) == 1 {
		a := p.Add[0]
		want := roster.Staff{EmployeeNo: "KM1009", Name: "何新", Gender: M, Role: standard.RoleCashier, HallID: "h-bj", Badge: "FW-9", Active: true}
		if a.New != want || a.Old != nil || a.Hall != hallBJ || a.Row.Line != 8 {
			t.Errorf("add %+v", a)
		}
	}
	if got := changeNos(p.Update); !slices.Equal(got, []string{"KM1002", "KM1003", "KM1004"}) {
		t.Errorf("update %v, want [KM1002 KM1003 KM1004]", got)
	}
	wantFields := map[string]string{
		"KM1002": "role: cashier → shift_leader",
		"KM1003": "hall: 优付通金碧路营业厅 → 优付通北京路营业厅",
		"KM1004": "active: false → true",
	}
	for _, c := range p.Update {
		if got := fieldsString(c); got != wantFields[c.New.EmployeeNo] {
			t.Errorf("%s changes %q, want %q", c.New.EmployeeNo, got, wantFields[c.New.EmployeeNo])
		}
		if c.New.ID != c.Old.ID || !c.New.Active {
			t.Errorf("%s: new %+v, old %+v", c.New.EmployeeNo, c.New, *c.Old)
		}
		if c.Moved() != (c.New.EmployeeNo == "KM1003") || c.Reactivate != (c.New.EmployeeNo == "KM1004") {
			t.Errorf("%s: moved %v, reactivate %v", c.New.EmployeeNo, c.Moved(), c.Reactivate)
		}
		if c.New.EmployeeNo == "KM1002" && c.New.Badge != "FW-2" {
			t.Errorf("blank badge cell cleared the badge: %+v", c.New)
		}
	}
	if p.Unchanged != 3 {
		t.Errorf("unchanged %d, want 3", p.Unchanged)
	}
	// 孙伟 is missing from 北京路; 吴刚 and 郑洁 are in the file, only malformed;
	// 冯离 is already inactive; 刘芳's hall is covered too; 钱多's hall is not.
	if got := staffNos(p.Deactivate); !slices.Equal(got, []string{"KM1005", "KM2002"}) {
		t.Errorf("deactivate %v, want [KM1005 KM2002]", got)
	}
	if p.HeldBack {
		t.Error("held back")
	}
	if got := p.Halls; !slices.Equal(got, []roster.Hall{hallBJ, hallDC}) {
		t.Errorf("halls %v, want 北京路, 滇池路", got)
	}
	if got := rejectsString(p.Rejects); got != "6 gender: 无法识别的性别（应为 男 或 女） / unknown gender (expected 男 or 女)\n"+
		"7 employee_no: 工号被 Excel 转成了科学计数法，请把该列设为文本格式后重新输入 / looks like a number Excel turned into scientific notation; format the column as text and re-enter it\n" {
		t.Errorf("rejects:\n%s", got)
	}
	if p.Moved() != 1 || p.Reactivated() != 1 || p.RejectedLines() != 2 {
		t.Errorf("moved %d reactivated %d rejected %d", p.Moved(), p.Reactivated(), p.RejectedLines())
	}
	const summary = "roster.csv: 2 halls (优付通北京路营业厅, 优付通滇池路营业厅): 1 to add, 3 to update (1 moved, 1 reactivated), " +
		"3 unchanged, 2 to deactivate; 2 rows rejected"
	if got := p.Summary(); got != summary {
		t.Errorf("summary\n%s\nwant\n%s", got, summary)
	}
}

// A person whose row is rejected is in the file, just malformed: deactivating
// them would punish HR's typo by taking the person off every inspection.
func TestPlanRejectedPersonNotDeactivated(t *testing.T) {
	cur := roster.Current{
		Halls: []roster.Hall{hallBJ, hallDC},
		Staff: []roster.Staff{
			staff("s1", "KM1001", "张丽", F, standard.RoleShiftLeader, "h-bj", "", true),
			staff("s2", "KM1002", "王强", M, standard.RoleCashier, "h-bj", "", true),
			staff("s3", "KM1003", "李娜", F, standard.RoleCashier, "h-bj", "", true),
			staff("s4", "KM1004", "赵敏", F, standard.RoleCashier, "h-bj", "", true),
			staff("s5", "KM1005", "孙伟", M, standard.RoleCashier, "h-bj", "", true),
			staff("s6", "KM1006", "吴刚", M, standard.RoleCashier, "h-bj", "", true),
			staff("s7", "KM1007", "郑洁", F, standard.RoleCashier, "h-bj", "", true),
			staff("s9", "KM1009", "冯离", F, standard.RoleCashier, "h-bj", "", true),
		},
	}
	tests := []struct {
		name string
		row  string
	}{
		{"bad role", "KM1002,王强,男,厨师,优付通北京路营业厅,"},
		{"bad gender", "KM1002,王强,X,收银员,优付通北京路营业厅,"},
		{"empty name", "KM1002,,男,收银员,优付通北京路营业厅,"},
		{"empty hall", "KM1002,王强,男,收银员,,"},
		{"unknown hall", "KM1002,王强,男,收银员,优付通不存在营业厅,"},
		{"moved to an unknown hall, lower case", "km1002,王强,男,收银员,优付通不存在营业厅,"},
		{"ragged row", "KM1002,王强,男,收银员"},
		{"empty employee number", ",王强,男,收银员,优付通北京路营业厅,"},
		{"mangled employee number", "5.30102E+17,王强,男,收银员,优付通北京路营业厅,"},
		{"duplicate with different details", "KM1002,王强,男,收银员,优付通北京路营业厅,\nKM1002,王强,男,值班长,优付通北京路营业厅,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planFor(t, "KM1001,张丽,女,值班长,优付通北京路营业厅,\n"+tt.row+"\n", cur)
			if len(p.Rejects) == 0 {
				t.Fatal("no rejects")
			}
			got := staffNos(p.Deactivate)
			if slices.Contains(got, "KM1002") {
				t.Errorf("deactivate %v includes the rejected person KM1002", got)
			}
			// Everyone else missing from 北京路 still goes.
			if want := []string{"KM1003", "KM1004", "KM1005", "KM1006", "KM1007", "KM1009"}; !slices.Equal(got, want) {
				t.Errorf("deactivate %v, want %v", got, want)
			}
		})
	}
}

func TestPlanHeldBack(t *testing.T) {
	cur := roster.Current{
		Halls: []roster.Hall{hallBJ},
		Staff: []roster.Staff{
			staff("s1", "KM1", "张丽", F, standard.RoleShiftLeader, "h-bj", "", true),
			staff("s2", "KM2", "王强", M, standard.RoleCashier, "h-bj", "", true),
			staff("s3", "KM3", "李娜", F, standard.RoleCashier, "h-bj", "", true),
			staff("s4", "KM4", "赵敏", F, standard.RoleCashier, "h-bj", "", true),
		},
	}
	tests := []struct{ name, data string }{
		// The quote on line 3 swallows 李娜's row: nobody can say she left.
		{"unbalanced quote", "KM1,张丽,女,值班长,优付通北京路营业厅,\nKM2,\"王强,男,收银员,优付通北京路营业厅,\nKM3,李娜,女,收银员,优付通北京路营业厅,\n"},
		{"row with neither number nor name", "KM1,张丽,女,值班长,优付通北京路营业厅,\n,,男,收银员,优付通北京路营业厅,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planFor(t, tt.data, cur)
			if len(p.Deactivate) != 0 || !p.HeldBack {
				t.Errorf("deactivate %v, held back %v; want nothing deactivated", staffNos(p.Deactivate), p.HeldBack)
			}
			if !containsAny(p.Warnings, "not deactivated, because the rejected rows on lines 3") {
				t.Errorf("warnings %q", p.Warnings)
			}
			if !strings.Contains(p.Summary(), "0 to deactivate (deactivation held back)") {
				t.Errorf("summary %q", p.Summary())
			}
		})
	}
}

// planHallsCurrent has a hall whose code is another hall's name, so that
// name is ambiguous.
var planHallsCurrent = roster.Current{
	Halls: []roster.Hall{hallBJ, hallDC, hallJB, {ID: "h-x", Code: "优付通北京路营业厅", Name: "北京路二号厅"}, hallDC}, // a hall listed twice is still one hall
	Staff: []roster.Staff{
		staff("s1", "KM1", "张丽", F, standard.RoleShiftLeader, "h-dc", "", true),
		staff("s2", "KM2", "王强", M, standard.RoleCashier, "h-jb", "", true),
	},
}

// planHallCases name a hall in each way a row can; reject is set for those
// that cannot be placed.
var planHallCases = []struct {
	name     string
	hall     string
	want     roster.Hall
	reject   string
	wantHall []roster.Hall
}{
	{name: "by id", hall: "h-dc", want: hallDC},
	{name: "by code", hall: "YFT-KM-002", want: hallDC},
	{name: "by code, any case and width", hall: "ｙｆｔ－ｋｍ－００２", want: hallDC},
	{name: "by exact name", hall: "优付通滇池路营业厅", want: hallDC},
	{name: "unknown", hall: "优付通人民路营业厅", reject: "找不到该营业厅（请填写营业厅的 ID、编码或完整名称） / unknown hall (give its ID, code or exact name)"},
	{name: "near name", hall: "优付通 滇池路营业厅", reject: `找不到该营业厅，是不是「优付通滇池路营业厅」？ / unknown hall; did you mean "优付通滇池路营业厅"?`},
	{name: "ambiguous", hall: "优付通北京路营业厅",
		reject: "营业厅不明确，同时匹配 2 个营业厅；请改填营业厅编码 / ambiguous hall: matches 优付通北京路营业厅 (ID h-bj, code YFT-KM-001), 北京路二号厅 (ID h-x, code 优付通北京路营业厅); use the hall code"},
}

func TestPlanHalls(t *testing.T) {
	cur, tests := planHallsCurrent, planHallCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planFor(t, "KM3,李娜,女,收银员,"+tt.hall+",\n", cur)
			if tt.reject != "" {
				if got := rejectsString(p.Rejects); got != "2 hall: "+tt.reject+"\n" {
					t.Errorf("rejects %q, want %q", got, tt.reject)
				}
				if len(p.Add)+len(p.Update)+len(p.Deactivate)+len(p.Halls) != 0 {
					t.Errorf("a row with an unresolved hall changed something: %+v", p)
				}
				return
			}
			if len(p.Rejects) != 0 || len(p.Add) != 1 || p.Add[0].Hall != tt.want {
				t.Fatalf("rejects %v, add %+v", p.Rejects, p.Add)
			}
			// 张丽 is in 滇池路, which the file now covers; 王强 is in 金碧路, which it does not.
			if got := staffNos(p.Deactivate); !slices.Equal(got, []string{"KM1"}) {
				t.Errorf("deactivate %v, want [KM1]", got)
			}
		})
	}
}

func TestPlanEdgeCases(t *testing.T) {
	cur := roster.Current{
		Halls: []roster.Hall{hallBJ, hallDC},
		Staff: []roster.Staff{
			staff("s1", "KM1", "张丽", F, standard.RoleShiftLeader, "h-bj", "FW-1", true),
			staff("s2", "KM2", "王强", M, standard.RoleCashier, "h-bj", "", true),
			staff("s3", "KM3", "李娜", F, standard.RoleCashier, "h-dc", "", true),
			staff("s4", "KM3", "李娜", F, standard.RoleCashier, "h-dc", "", false),
			staff("s5", "", "无工号", F, standard.RoleCashier, "h-dc", "", true),
		},
	}

	t.Run("header only changes nothing", func(t *testing.T) {
		p := planFor(t, "", cur)
		if len(p.Halls)+len(p.Add)+len(p.Update)+len(p.Deactivate)+p.Unchanged != 0 {
			t.Errorf("plan %+v", p)
		}
		if got := p.Summary(); got != "roster.csv: no halls: 0 to add, 0 to update, 0 unchanged, 0 to deactivate" {
			t.Errorf("summary %q", got)
		}
	})
	t.Run("hall whose rows are all rejected is not covered", func(t *testing.T) {
		p := planFor(t, "KM1,张丽,女,厨师,优付通北京路营业厅,\n", cur)
		if len(p.Halls) != 0 || len(p.Deactivate) != 0 {
			t.Errorf("halls %v deactivate %v", p.Halls, staffNos(p.Deactivate))
		}
	})
	t.Run("employee number on two staff records", func(t *testing.T) {
		p := planFor(t, "KM3,李娜,女,收银员,优付通滇池路营业厅,\n", cur)
		if got := rejectsString(p.Rejects); got != "2 employee_no: 该工号对应 2 条员工记录（ID s3, s4），请先修正员工名单 / belongs to 2 staff records (IDs s3, s4); fix the staff list first\n" {
			t.Errorf("rejects %q", got)
		}
	})
	t.Run("name change warns", func(t *testing.T) {
		p := planFor(t, "KM2,王小强,男,收银员,优付通北京路营业厅,\n", cur)
		if len(p.Update) != 1 || fieldsString(p.Update[0]) != "name: 王强 → 王小强" {
			t.Fatalf("update %+v", p.Update)
		}
		if !containsAny(p.Warnings, "line 2: KM2 changes name from 王强 to 王小强") {
			t.Errorf("warnings %q", p.Warnings)
		}
		if got := staffNos(p.Deactivate); !slices.Equal(got, []string{"KM1"}) {
			t.Errorf("deactivate %v", got)
		}
	})
	t.Run("new badge replaces old", func(t *testing.T) {
		p := planFor(t, "KM1,张丽,女,值班长,优付通北京路营业厅,FW-100\nKM2,王强,男,收银员,优付通北京路营业厅,\n", cur)
		if len(p.Update) != 1 || fieldsString(p.Update[0]) != "badge: FW-1 → FW-100" || p.Unchanged != 1 {
			t.Errorf("update %+v unchanged %d", p.Update, p.Unchanged)
		}
	})
	t.Run("staff without employee number in a covered hall", func(t *testing.T) {
		// They can never match a row, so a full snapshot of their hall retires them.
		p := planFor(t, "KM9,新人,女,收银员,优付通滇池路营业厅,\n", cur)
		if got := staffNos(p.Deactivate); !slices.Equal(got, []string{"", "KM3"}) {
			t.Errorf("deactivate %q", got)
		}
	})
	t.Run("nil file", func(t *testing.T) {
		var f *roster.File
		if p := f.Plan(cur); len(p.Add)+len(p.Deactivate) != 0 {
			t.Errorf("plan %+v", p)
		}
	})
}

func TestWriteRejects(t *testing.T) {
	rejects := []roster.Reject{
		{File: "r.csv", Line: 3, Field: "role", Value: "厨师", Reason: "unknown role (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)"},
		{File: "r.csv", Line: 7, Field: "name", Value: `=HYPERLINK("http://x","点我")`, Reason: "contains \"?\""},
		{File: "r.csv", Line: 9, Reason: "row has 5 columns, the header has 6"},
	}
	var buf bytes.Buffer
	if err := roster.WriteRejects(&buf, rejects); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBFline,field,value,reason\r\n")) {
		t.Fatalf("no BOM and header: %q", data[:min(40, len(data))])
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"line", "field", "value", "reason"},
		{"3", "role", "厨师", "unknown role (expected 值班长, 收银员, 宣传员, 督导员, 96396热线)"},
		{"7", "name", `'=HYPERLINK("http://x","点我")`, "contains \"?\""},
		{"9", "", "", "row has 5 columns, the header has 6"},
	}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("records %q\nwant %q", recs, want)
	}

	// The rejects file is itself a valid UTF-8 CSV that Parse detects as such.
	var empty bytes.Buffer
	if err := roster.WriteRejects(&empty, nil); err != nil || empty.String() != "\ufeffline,field,value,reason\r\n" {
		t.Errorf("empty: %q %v", empty.String(), err)
	}
}

func TestWriteRejectsError(t *testing.T) {
	if err := roster.WriteRejects(failWriter{}, []roster.Reject{{Line: 1}}); err == nil || !strings.HasPrefix(err.Error(), "write rejects") {
		t.Errorf("err %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, bytes.ErrTooLarge }
