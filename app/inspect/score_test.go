package inspect_test

import (
	"math"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

func TestScorePerson(t *testing.T) {
	v := testStandard()
	tests := []struct {
		name       string
		person     inspect.Person
		wantScored bool
		wantPoints float64
		wantGrade  string
		wantCapped bool
		wantLines  []string // substrings of the zh explanation, in order
	}{
		{"no findings conforms", promoter("p", "王强", standard.GenderMale), true, 100, "excellent", false, nil},
		{"nonconform costs its weight share", promoter("p", "王强", standard.GenderMale, nc("A3.1")), true, 100 * 11.0 / 14, "pass", false,
			[]string{"-21.4: A3 王强 不穿拖鞋"}},
		{"N/A leaves the denominator", promoter("p", "李娜", standard.GenderFemale, na("A5.2")), true, 100, "excellent", false, nil},
		{"tally scored by failure ratio", promoter("p", "李娜", standard.GenderFemale, tallied("G1.1", 4, 1)), true, 100 * 12.75 / 14, "excellent", false,
			[]string{"-8.9: G1 李娜 来有迎声（4次中1次未做到）"}},
		{"tally with nothing observed is not counted", promoter("p", "王强", standard.GenderMale, tallied("G1.1", 0, 0)), true, 100, "excellent", false, nil},
		{"tally marked nonconform without counts fails once", promoter("p", "王强", standard.GenderMale, nc("G1.1")), true, 100 * 9.0 / 14, "pass", false, nil},
		{"tally all failed", promoter("p", "王强", standard.GenderMale, tallied("G1.1", 3, 3)), true, 100 * 9.0 / 14, "pass", false, nil},
		{"critical failure caps the grade", cashier("p", "赵敏", standard.GenderFemale, nc("C9.1")), true, 70, "fail", true,
			[]string{"-30: C9 赵敏 不与客户争执", "等级封顶为不合格：C9 为关键项"}},
		{"gender-specific item not applicable to the other gender", promoter("p", "王强", standard.GenderMale), true, 100, "excellent", false, nil},
		{"everything N/A is not scored", promoter("p", "王强", standard.GenderMale, na("A1.1"), na("A3.1"), na("A5.1"), na("G1.1")), false, 0, "", false,
			[]string{"无适用项目被评估"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := &inspect.Inspection{ID: "i", People: []inspect.Person{tt.person}}
			res, err := inspect.ScoreInspection(v, ins)
			if err != nil {
				t.Fatal(err)
			}
			s := res.People["p"]
			if s.Scored != tt.wantScored || math.Abs(s.Points-tt.wantPoints) > 1e-9 || s.Grade.ID != tt.wantGrade || s.Capped != tt.wantCapped {
				t.Errorf("got scored=%v points=%.4f grade=%q capped=%v, want %v %.4f %q %v",
					s.Scored, s.Points, s.Grade.ID, s.Capped, tt.wantScored, tt.wantPoints, tt.wantGrade, tt.wantCapped)
			}
			lines := s.Explain("zh")
			for i, want := range tt.wantLines {
				if i >= len(lines) || !strings.Contains(lines[i], want) {
					t.Errorf("explanation %q: line %d should contain %q", lines, i, want)
				}
			}
		})
	}
}

func TestScoreInspectionPoolsAndDeductionsAddUp(t *testing.T) {
	v := testStandard()
	ins := &inspect.Inspection{
		ID:           "i",
		HallFindings: []inspect.Finding{nc("C1.1")},
		People: []inspect.Person{
			promoter("a", "王强", standard.GenderMale, nc("A3.1")),
			promoter("b", "李娜", standard.GenderFemale, tallied("G1.1", 5, 2)),
			cashier("c", "赵敏", standard.GenderFemale),
		},
	}
	res, err := inspect.ScoreInspection(v, ins)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Inspection
	// hall 4 + 王强 14 + 李娜 14 + 赵敏 20 = 52 possible; lost 4 + 3 + 5×0.4.
	wantPoints := 100 * (52 - 4 - 3 - 2.0) / 52
	if math.Abs(s.Points-wantPoints) > 1e-9 {
		t.Fatalf("inspection points %.4f, want %.4f", s.Points, wantPoints)
	}
	var lost float64
	for _, d := range s.Deductions {
		lost += d.Points
	}
	if math.Abs(100-lost-s.Points) > 1e-9 {
		t.Errorf("deductions add up to %.4f, score %.4f: they should explain 100 − score exactly", lost, s.Points)
	}
	if len(s.Deductions) != 3 {
		t.Errorf("%d deductions, want 3 (hall, 王强, 李娜): %+v", len(s.Deductions), s.Deductions)
	}
	if res.Hall.Points != 0 || !res.Hall.Scored {
		t.Errorf("hall score %.1f scored=%v, want 0 (its one item failed)", res.Hall.Points, res.Hall.Scored)
	}
	if got := res.People["c"].Points; got != 100 {
		t.Errorf("赵敏 with no findings scores %.1f, want 100", got)
	}
	en := strings.Join(s.Explain("en"), "\n")
	for _, want := range []string{"C1 opens on time", "A3 王强 no slippers", "G1 李娜 greets each customer (failed 2 of 5)"} {
		if !strings.Contains(en, want) {
			t.Errorf("english explanation lacks %q:\n%s", want, en)
		}
	}
}

func TestCriticalAnywhereCapsTheInspection(t *testing.T) {
	v := testStandard()
	ins := &inspect.Inspection{ID: "i", People: []inspect.Person{
		promoter("a", "王强", standard.GenderMale),
		promoter("b", "孙丽", standard.GenderFemale),
		cashier("c", "赵敏", standard.GenderFemale, nc("C9.1")),
	}}
	res, err := inspect.ScoreInspection(v, ins)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inspection.Points < 80 {
		t.Fatalf("points %.1f: the test needs a high score to show the cap", res.Inspection.Points)
	}
	if !res.Inspection.Capped || res.Inspection.Grade.ID != "fail" {
		t.Errorf("critical C9 failure: grade %q capped=%v, want fail, capped", res.Inspection.Grade.ID, res.Inspection.Capped)
	}
	if res.People["a"].Capped {
		t.Error("the cap is the failing person's and the inspection's, not everyone's")
	}
}

func TestScoreRejectsUnknownItem(t *testing.T) {
	ins := &inspect.Inspection{ID: "i", People: []inspect.Person{promoter("a", "王强", standard.GenderMale, nc("Z9.9"))}}
	if _, err := inspect.ScoreInspection(testStandard(), ins); err == nil || !strings.Contains(err.Error(), "Z9.9") {
		t.Fatalf("err = %v, want one naming the unknown item Z9.9", err)
	}
}

func TestGradeBands(t *testing.T) {
	v := testStandard()
	for _, tt := range []struct {
		points float64
		want   string
	}{{100, "excellent"}, {90, "excellent"}, {89.99, "good"}, {80, "good"}, {79.9, "pass"}, {60, "pass"}, {59.9, "fail"}, {0, "fail"}} {
		if got := v.Grade(tt.points).ID; got != tt.want {
			t.Errorf("Grade(%v) = %s, want %s", tt.points, got, tt.want)
		}
	}
}
