package inspect_test

import (
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

func ptr[T any](v T) *T { return &v }

var all = []standard.Role{standard.RoleShiftLeader, standard.RoleCashier, standard.RolePromoter, standard.RoleSupervisor}

// testStandard is small enough to score by hand: person items of weights
// 2+3+5 (+4 for women, +4 for men) and one critical, one tally, and a hall item.
func testStandard() *standard.Version {
	return &standard.Version{
		Version: 1,
		Clauses: []standard.Clause{{ID: "A1"}, {ID: "A3"}, {ID: "A5"}, {ID: "G1"}, {ID: "C1"}, {ID: "C9"}},
		Sections: []standard.Section{{ID: "s", Items: []standard.Item{
			{ID: "A1.1", Clause: "A1", Text: standard.Text{ZH: "制服整洁", EN: "uniform clean"}, Scope: standard.ScopePerson, Roles: all, Weight: 2, Kind: standard.KindCheck},
			{ID: "A3.1", Clause: "A3", Text: standard.Text{ZH: "不穿拖鞋", EN: "no slippers"}, Scope: standard.ScopePerson, Roles: all, Weight: 3, Kind: standard.KindCheck},
			{ID: "A5.1", Clause: "A5", Text: standard.Text{ZH: "不留胡须", EN: "no beard"}, Scope: standard.ScopePerson, Roles: all, Gender: ptr(standard.GenderMale), Weight: 4, Kind: standard.KindCheck},
			{ID: "A5.2", Clause: "A5", Text: standard.Text{ZH: "淡妆上岗", EN: "light make-up"}, Scope: standard.ScopePerson, Roles: all, Gender: ptr(standard.GenderFemale), Weight: 4, Kind: standard.KindCheck},
			{ID: "G1.1", Clause: "G1", Text: standard.Text{ZH: "来有迎声", EN: "greets each customer"}, Scope: standard.ScopePerson, Roles: all, Weight: 5, Kind: standard.KindTally},
			{ID: "C9.1", Clause: "C9", Text: standard.Text{ZH: "不与客户争执", EN: "never argues"}, Scope: standard.ScopePerson, Roles: []standard.Role{standard.RoleCashier}, Weight: 6, Critical: true, Kind: standard.KindCheck},
			{ID: "C1.1", Clause: "C1", Text: standard.Text{ZH: "按时营业", EN: "opens on time"}, Scope: standard.ScopeHall, Weight: 4, Kind: standard.KindCheck},
		}}},
		Grades: []standard.GradeBand{
			{ID: "excellent", Name: standard.Text{ZH: "优秀", EN: "Excellent"}, MinScore: 90},
			{ID: "good", Name: standard.Text{ZH: "良好", EN: "Good"}, MinScore: 80},
			{ID: "pass", Name: standard.Text{ZH: "合格", EN: "Pass"}, MinScore: 60},
			{ID: "fail", Name: standard.Text{ZH: "不合格", EN: "Fail"}, MinScore: 0},
		},
	}
}

var t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func promoter(id, name string, g standard.Gender, fs ...inspect.Finding) inspect.Person {
	return inspect.Person{ID: id, StaffID: "staff-" + id, Name: name, Role: standard.RolePromoter, Gender: g, Findings: fs}
}

func cashier(id, name string, g standard.Gender, fs ...inspect.Finding) inspect.Person {
	p := promoter(id, name, g, fs...)
	p.Role = standard.RoleCashier
	return p
}

func nc(item string) inspect.Finding {
	return inspect.Finding{ID: "f-" + item, ItemID: item, Outcome: inspect.Nonconform, At: t0}
}

func na(item string) inspect.Finding {
	return inspect.Finding{ID: "f-" + item, ItemID: item, Outcome: inspect.NotApplicable, At: t0}
}

func tallied(item string, observed, failed int) inspect.Finding {
	return inspect.Finding{ID: "f-" + item, ItemID: item, Outcome: inspect.Tallied, Observed: observed, Failed: failed, At: t0}
}
