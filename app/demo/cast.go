package demo

import (
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// The region and halls of the demo. The names follow the real 优付通 halls'
// pattern (brand + street or district + 营业厅).
const RegionName = "昆明"

type hallSpec struct {
	Code, Name string
}

var halls = []hallSpec{
	{"YFT-KM-001", "优付通北京路营业厅"},
	{"YFT-KM-002", "优付通滇池路营业厅"},
	{"YFT-KM-003", "优付通呈贡营业厅"},
}

// Login is a demo account the README and the CLI can quote.
type Login struct {
	Name     string
	Username string
	Role     store.UserRole
	PIN      string
}

// The demo accounts. They are constants so the README, the CLI and the tests
// quote the same PINs; they are for a demo database only.
const (
	SupervisorUsername = "supervisor"
	SupervisorPIN      = "1234"
	ManagerUsername    = "manager"
	ManagerPIN         = "5678"
)

// Logins lists every demo account: the main supervisor, the manager, and a
// second supervisor who does about a third of the inspections.
var Logins = []Login{
	{Name: "张督导", Username: SupervisorUsername, Role: store.RoleSupervisor, PIN: SupervisorPIN},
	{Name: "李经理", Username: ManagerUsername, Role: store.RoleManager, PIN: ManagerPIN},
	{Name: "王督导", Username: "supervisor2", Role: store.RoleSupervisor, PIN: "2468"},
}

// DeviceName is the demo tablet's device record.
const DeviceName = "演示平板 Demo tablet"

// member is one member of staff and how they tend to behave. Most people
// mostly conform; a few have habits, so that the app's repeat-offence hints and
// staff histories have something to show.
type member struct {
	EmployeeNo string
	Name       string
	Gender     standard.Gender
	Role       standard.Role
	Hall       int // index into halls
	// Slip is the chance that any one check item is found not conforming.
	Slip float64
	// TallyFail is the share of tallied behaviours that fail.
	TallyFail float64
	// Habits raise the chance of particular items, by item ID.
	Habits map[string]float64
	// Left marks the one who left last month; Joined the one who joined
	// during the demo period.
	Left, Joined bool
}

const (
	male   = standard.GenderMale
	female = standard.GenderFemale
	leader = standard.RoleShiftLeader
	cash   = standard.RoleCashier
	promo  = standard.RolePromoter
	superv = standard.RoleSupervisor
	hotl   = standard.RoleHotline
)

// Repeat offenders, named so the scripted incidents can refer to them.
const (
	offenderHair  = "KM1003" // 赵磊: hair over the collar, slouching
	offenderBadge = "KM1011" // 孙丽: badge not worn
)

// cast is the roster: nine per hall, every role and both genders in each.
var cast = []member{
	{EmployeeNo: "KM1001", Name: "杨建华", Gender: male, Role: leader, Hall: 0, Slip: 0.006, TallyFail: 0.03},
	{EmployeeNo: "KM1002", Name: "李娜", Gender: female, Role: cash, Hall: 0, Slip: 0.004, TallyFail: 0.02},
	{EmployeeNo: offenderHair, Name: "赵磊", Gender: male, Role: cash, Hall: 0, Slip: 0.02, TallyFail: 0.12,
		Habits: map[string]float64{"A5.1": 0.4, "A8.1": 0.25, "A10.2": 0.12}},
	{EmployeeNo: "KM1004", Name: "陈静", Gender: female, Role: cash, Hall: 0, Slip: 0.008, TallyFail: 0.05},
	{EmployeeNo: "KM1005", Name: "刘洋", Gender: male, Role: promo, Hall: 0, Slip: 0.015, TallyFail: 0.15,
		Habits: map[string]float64{"A7.1": 0.2, "G1.1": 0.1}},
	{EmployeeNo: "KM1006", Name: "周婷", Gender: female, Role: promo, Hall: 0, Slip: 0.008, TallyFail: 0.06},
	{EmployeeNo: "KM1007", Name: "吴敏", Gender: female, Role: superv, Hall: 0, Slip: 0.004, TallyFail: 0.02},
	{EmployeeNo: "KM1008", Name: "黄丽华", Gender: female, Role: hotl, Hall: 0, Slip: 0.01, TallyFail: 0.05},
	{EmployeeNo: "KM1009", Name: "马俊", Gender: male, Role: cash, Hall: 0, Slip: 0.025, TallyFail: 0.15, Left: true,
		Habits: map[string]float64{"A3.2": 0.2}},

	{EmployeeNo: "KM1010", Name: "段志强", Gender: male, Role: leader, Hall: 1, Slip: 0.01, TallyFail: 0.05},
	{EmployeeNo: offenderBadge, Name: "孙丽", Gender: female, Role: promo, Hall: 1, Slip: 0.015, TallyFail: 0.08,
		Habits: map[string]float64{"A1.2": 0.35, "A4.2": 0.1}},
	{EmployeeNo: "KM1012", Name: "何雪梅", Gender: female, Role: cash, Hall: 1, Slip: 0.006, TallyFail: 0.04},
	{EmployeeNo: "KM1013", Name: "朱永刚", Gender: male, Role: cash, Hall: 1, Slip: 0.015, TallyFail: 0.2,
		Habits: map[string]float64{"A3.2": 0.15, "C5.1": 0.1}},
	{EmployeeNo: "KM1014", Name: "张燕", Gender: female, Role: cash, Hall: 1, Slip: 0.008, TallyFail: 0.05},
	{EmployeeNo: "KM1015", Name: "罗浩", Gender: male, Role: promo, Hall: 1, Slip: 0.01, TallyFail: 0.08},
	{EmployeeNo: "KM1016", Name: "郑玉兰", Gender: female, Role: superv, Hall: 1, Slip: 0.005, TallyFail: 0.03},
	{EmployeeNo: "KM1017", Name: "王海涛", Gender: male, Role: hotl, Hall: 1, Slip: 0.012, TallyFail: 0.05},
	{EmployeeNo: "KM1018", Name: "普文娟", Gender: female, Role: hotl, Hall: 1, Slip: 0.006, TallyFail: 0.03},

	{EmployeeNo: "KM1019", Name: "李春梅", Gender: female, Role: leader, Hall: 2, Slip: 0.005, TallyFail: 0.03},
	{EmployeeNo: "KM1020", Name: "徐鹏", Gender: male, Role: cash, Hall: 2, Slip: 0.01, TallyFail: 0.06},
	{EmployeeNo: "KM1021", Name: "杨晓燕", Gender: female, Role: cash, Hall: 2, Slip: 0.008, TallyFail: 0.05,
		Habits: map[string]float64{"A5.2": 0.08}},
	{EmployeeNo: "KM1022", Name: "高飞", Gender: male, Role: cash, Hall: 2, Slip: 0.015, TallyFail: 0.1,
		Habits: map[string]float64{"C9.1": 0.1}},
	{EmployeeNo: "KM1023", Name: "钱莉", Gender: female, Role: promo, Hall: 2, Slip: 0.008, TallyFail: 0.05},
	{EmployeeNo: "KM1024", Name: "胡斌", Gender: male, Role: promo, Hall: 2, Slip: 0.015, TallyFail: 0.1,
		Habits: map[string]float64{"G4.1": 0.12}},
	{EmployeeNo: "KM1025", Name: "谢军", Gender: male, Role: superv, Hall: 2, Slip: 0.006, TallyFail: 0.03},
	{EmployeeNo: "KM1026", Name: "字艳", Gender: female, Role: hotl, Hall: 2, Slip: 0.008, TallyFail: 0.04},
	{EmployeeNo: "KM1027", Name: "董明", Gender: male, Role: cash, Hall: 2, Slip: 0.02, TallyFail: 0.12, Joined: true},
}
