package roster

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/dudao-app/dudao/app/standard"
)

// The columns of a roster, in the order the error messages list them.
const (
	colEmployeeNo = iota
	colName
	colGender
	colRole
	colHall
	colBadge
	numCols
)

// Field names used in Reject.Field and FieldChange.Field.
const (
	FieldEmployeeNo = "employee_no"
	FieldName       = "name"
	FieldGender     = "gender"
	FieldRole       = "role"
	FieldHall       = "hall"
	FieldBadge      = "badge"
	FieldActive     = "active"
)

var (
	fieldNames  = [numCols]string{FieldEmployeeNo, FieldName, FieldGender, FieldRole, FieldHall, FieldBadge}
	fieldLabels = [numCols]string{"工号", "姓名", "性别", "岗位", "营业厅", "服务证号"}
	required    = [numCols]bool{true, true, true, true, true, false}
)

// headerAliases maps a normalised header (see headerKey) to its column.
var headerAliases = func() map[string]int {
	aliases := [numCols][]string{
		colEmployeeNo: {"工号", "员工编号", "员工号", "职工号", "职工编号", "人员编号",
			"employee_no", "employee no", "employee number", "employee id", "emp no", "staff no", "staff id"},
		colName:   {"姓名", "名字", "员工姓名", "name", "full name", "staff name", "employee name"},
		colGender: {"性别", "gender", "sex"},
		colRole:   {"岗位", "职位", "岗位名称", "职务", "role", "position", "post", "job", "job title"},
		colHall: {"营业厅", "所属营业厅", "营业厅名称", "营业厅编号", "营业厅代码", "网点",
			"hall", "hall name", "hall code", "hall id"},
		colBadge: {"服务证号", "服务证", "服务证编号", "工作证号", "badge", "badge_no", "badge no", "badge number", "badge id"},
	}
	m := make(map[string]int)
	for col, names := range aliases {
		for _, n := range names {
			m[headerKey(n)] = col
		}
	}
	return m
}()

// headerKey folds the ways people decorate a header: case, width, spaces and
// underscores, a "*" marking required columns, and a note in brackets such as
// 岗位（值班长/收银员）.
func headerKey(s string) string {
	s = strings.ToLower(width.Narrow.String(clean(s)))
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), strings.ContainsRune("_-.*:#", r):
			return -1
		}
		return r
	}, s)
}

// clean trims what spreadsheets leave around values: ASCII and full-width
// spaces, non-breaking spaces, and the zero-width characters and BOMs that come
// with text pasted from web pages.
func clean(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return true
		}
		return unicode.IsSpace(r)
	})
}

// normID is the form of employee and badge numbers we store and compare:
// full-width digits narrowed (Chinese input methods produce them), upper case
// so that e1001 and E1001 are one person.
func normID(s string) string {
	return strings.ToUpper(width.Narrow.String(clean(s)))
}

// valueKey folds a gender or role value for lookup.
func valueKey(s string) string {
	s = strings.ToLower(width.Narrow.String(clean(s)))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' {
			return -1
		}
		return r
	}, s)
}

var genders = map[string]standard.Gender{
	"男": standard.GenderMale, "男性": standard.GenderMale, "male": standard.GenderMale, "m": standard.GenderMale,
	"女": standard.GenderFemale, "女性": standard.GenderFemale, "female": standard.GenderFemale, "f": standard.GenderFemale,
}

var roles = func() map[string]standard.Role {
	aliases := map[standard.Role][]string{
		standard.RoleShiftLeader: {"值班长", "shift leader", "shift_leader"},
		standard.RoleCashier:     {"收银员", "收银", "cashier"},
		standard.RolePromoter:    {"宣传员", "宣传", "引导员", "promoter", "floor guide"},
		standard.RoleSupervisor:  {"督导员", "督导", "supervisor"},
		standard.RoleHotline:     {"96396热线", "热线", "热线员", "96396", "hotline", "hotline agent"},
	}
	m := make(map[string]standard.Role)
	for role, names := range aliases {
		for _, n := range names {
			m[valueKey(n)] = role
		}
	}
	return m
}()

const (
	expectRoles     = "expected 值班长, 收银员, 宣传员, 督导员, 96396热线"
	expectGenders   = "expected 男 or 女"
	expectRolesZh   = "应为 值班长、收银员、宣传员、督导员 或 96396热线"
	expectGendersZh = "应为 男 或 女"
)

// Excel shows long numbers such as 18-digit IDs as 5.30102E+17 and saves them
// that way in CSV; the digits are gone and the value must be re-entered.
var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?E[+-]?[0-9]+$`)

const maxIDLen = 32

// checkID validates an employee or badge number already passed through normID
// and returns the reason it is unusable, or "". label names the column in
// Chinese (工号, 服务证号).
func checkID(label, v string) string {
	if scientific.MatchString(v) {
		return bilingual(label+"被 Excel 转成了科学计数法，请把该列设为文本格式后重新输入",
			"looks like a number Excel turned into scientific notation; format the column as text and re-enter it")
	}
	if len(v) > maxIDLen {
		return bilingual(label+"过长", "too long")
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '/') {
			return bilingual(label+"只能由字母、数字和 -、_、/ 组成", "may contain only letters, digits, - _ and /")
		}
	}
	return ""
}

const maxNameLen = 50 // characters; longer is a shifted row, not a name

func checkName(v string) string {
	if strings.ContainsAny(v, "?？\ufffd") {
		// Excel writes "?" for characters GBK cannot hold (rare ones are common
		// in names), so the name in the file is no longer the person's name.
		return bilingual("姓名含有问号，可能是文件存为 GBK/ANSI 时丢了字；请另存为「CSV UTF-8」或 xlsx",
			"contains \"?\": a character was probably lost when the file was saved as GBK/ANSI; save it as \"CSV UTF-8\" or xlsx")
	}
	if hasControl(v) {
		return bilingual("姓名含有换行或控制字符", "contains a line break or control character")
	}
	if n := len([]rune(v)); n > maxNameLen {
		return bilingual("姓名过长", "too long")
	}
	return ""
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}
