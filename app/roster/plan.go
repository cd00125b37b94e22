package roster

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/dudao-app/dudao/app/standard"
)

// Hall is a business hall as the caller knows it.
type Hall struct {
	ID, Code, Name string
}

// Staff is a member of staff as the caller knows it.
type Staff struct {
	ID         string
	EmployeeNo string
	Name       string
	Gender     standard.Gender
	Role       standard.Role
	HallID     string
	Badge      string
	Active     bool
}

// Current is the state a roster is compared with, loaded by the caller.
type Current struct {
	Halls []Hall
	Staff []Staff
}

// FieldChange is one field of one person that the import changes.
type FieldChange struct {
	Field    string // name, gender, role, hall, badge, active
	Old, New string // for hall, the hall names
}

func (c FieldChange) String() string { return fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New) }

// Change is one person to add or update.
type Change struct {
	Row  Row
	Hall Hall // the hall Row.Hall resolved to
	// Old is the record before the import; nil for an addition.
	Old *Staff
	// New is the record as it should be after the import: Old with the
	// changes applied, or a new active record with an empty ID.
	New    Staff
	Fields []FieldChange
	// Reactivate marks inactive staff who reappear in a roster.
	Reactivate bool
}

// Moved reports an update that moves the person to another hall.
func (c Change) Moved() bool { return c.Old != nil && c.Old.HallID != c.New.HallID }

// Plan is what importing a roster would do. The caller shows it, then applies
// Add, Update and Deactivate in one transaction and writes Rejects out for HR.
type Plan struct {
	File string
	// Halls the roster covers: those named by at least one row that will be
	// applied. Their staff list is replaced; other halls are not touched.
	Halls      []Hall
	Add        []Change
	Update     []Change
	Unchanged  int
	Deactivate []Staff
	// Rejects are the file's rejects plus the rows Plan could not place (a hall
	// unknown or ambiguous, an employee number on several staff records), by line.
	Rejects []Reject
	// HeldBack is set when deactivation was skipped because some rejected row
	// could not be tied to a person, who might be among those it would hit.
	HeldBack bool
	// Warnings are "中文 / English", like File.Warnings.
	Warnings []string
}

// Plan compares the roster with the current state.
//
// Valid rows are applied and invalid ones rejected, rather than refusing the
// whole file for one typo: a roster of 200 people usually has a few bad rows,
// and blocking everyone's update on them means HR's fixes never land. What
// must not happen is a bad row causing damage, so:
//   - a row whose hall is unknown or ambiguous is rejected, never guessed;
//   - a person named in a rejected row is never deactivated, since they are in
//     the file, just malformed (matched by employee number, and by name when
//     the number itself is what is broken);
//   - when a rejected row names nobody recognisable, no one is deactivated
//     at all (HeldBack), because we cannot tell whom it was meant to keep;
//   - a hall counts as covered only when at least one of its rows is applied,
//     so a hall whose every row is rejected keeps its staff.
//
// It is a method because a function named Plan would clash with the type.
func (f *File) Plan(cur Current) *Plan {
	if f == nil {
		return &Plan{}
	}
	p := &Plan{File: f.Name}
	halls := newHallIndex(cur.Halls)

	byNo := make(map[string][]int)
	for i, s := range cur.Staff {
		if no := normID(s.EmployeeNo); no != "" {
			byNo[no] = append(byNo[no], i)
		}
	}

	inFile := make(map[string]bool) // employee numbers in any row, valid or not
	covered := make(map[string]bool)
	reject := func(r Row, field, value, reason string) {
		p.Rejects = append(p.Rejects, Reject{File: f.Name, Line: r.Line, Field: field, Value: value, Reason: reason,
			EmployeeNo: r.EmployeeNo, Name: r.Name})
	}

	for _, r := range f.Rows {
		no := normID(r.EmployeeNo)
		inFile[no] = true
		hall, why := halls.resolve(r.Hall)
		if why != "" {
			reject(r, FieldHall, r.Hall, why)
			continue
		}
		matches := byNo[no]
		if len(matches) > 1 {
			ids := make([]string, len(matches))
			for i, m := range matches {
				ids[i] = cur.Staff[m].ID
			}
			reject(r, FieldEmployeeNo, r.EmployeeNo, bilingual(
				fmt.Sprintf("该工号对应 %d 条员工记录（ID %s），请先修正员工名单", len(matches), strings.Join(ids, ", ")),
				fmt.Sprintf("belongs to %d staff records (IDs %s); fix the staff list first", len(matches), strings.Join(ids, ", "))))
			continue
		}
		if !covered[hall.ID] {
			covered[hall.ID] = true
			p.Halls = append(p.Halls, hall)
		}
		want := Staff{EmployeeNo: no, Name: r.Name, Gender: r.Gender, Role: r.Role, HallID: hall.ID, Badge: r.Badge, Active: true}
		if len(matches) == 0 {
			p.Add = append(p.Add, Change{Row: r, Hall: hall, New: want})
			continue
		}
		old := cur.Staff[matches[0]]
		c := diff(r, hall, old, want, halls)
		switch {
		case len(c.Fields) == 0:
			p.Unchanged++
		default:
			p.Update = append(p.Update, c)
			if old.Name != want.Name {
				p.Warnings = append(p.Warnings, bilingual(
					fmt.Sprintf("第 %d 行：工号 %s 的姓名由 %s 改为 %s；如果不是同一个人，说明工号填错了", r.Line, no, old.Name, want.Name),
					fmt.Sprintf("line %d: %s changes name from %s to %s; if this is another person, the employee number is wrong",
						r.Line, no, old.Name, want.Name)))
			}
		}
	}

	p.Rejects = append(slices.Clone(f.Rejects), p.Rejects...)
	slices.SortStableFunc(p.Rejects, func(a, b Reject) int { return cmp.Compare(a.Line, b.Line) })

	names := make(map[string]bool) // names on rejected rows
	var anonymous []int
	for _, rj := range p.Rejects {
		if no := normID(rj.EmployeeNo); no != "" {
			inFile[no] = true
		}
		if n := clean(rj.Name); n != "" {
			names[n] = true
		}
		if normID(rj.EmployeeNo) == "" && clean(rj.Name) == "" {
			if len(anonymous) == 0 || anonymous[len(anonymous)-1] != rj.Line {
				anonymous = append(anonymous, rj.Line)
			}
		}
	}

	var gone []Staff
	for _, s := range cur.Staff {
		if !s.Active || !covered[s.HallID] {
			continue
		}
		if no := normID(s.EmployeeNo); no != "" && inFile[no] {
			continue
		}
		if names[clean(s.Name)] {
			p.Warnings = append(p.Warnings, bilingual(fmt.Sprintf("%s %s 未停用：有被拒绝的行与其同名", s.EmployeeNo, s.Name),
				fmt.Sprintf("%s %s is not deactivated: a rejected row has the same name", s.EmployeeNo, s.Name)))
			continue
		}
		gone = append(gone, s)
	}
	if len(anonymous) > 0 && len(gone) > 0 {
		p.HeldBack = true
		p.Warnings = append(p.Warnings, bilingual(
			fmt.Sprintf("花名册中缺少的 %d 名员工未停用，因为被拒绝的%s无法确定是谁；请修正这些行后重新导入", len(gone), lineListZh(anonymous)),
			fmt.Sprintf("%d staff missing from the roster were not deactivated, because the rejected rows on lines %s "+
				"do not say who they are; fix those rows and import again", len(gone), lineList(anonymous))))
		gone = nil
	}
	order := make(map[string]int)
	for i, h := range p.Halls {
		order[h.ID] = i
	}
	slices.SortStableFunc(gone, func(a, b Staff) int {
		return cmp.Or(cmp.Compare(order[a.HallID], order[b.HallID]), cmp.Compare(a.EmployeeNo, b.EmployeeNo))
	})
	p.Deactivate = gone
	return p
}

func diff(r Row, hall Hall, old, want Staff, halls *hallIndex) Change {
	c := Change{Row: r, Hall: hall, Old: &old}
	// Only the listed fields change; the number keeps its stored spelling.
	want.ID, want.EmployeeNo = old.ID, old.EmployeeNo
	if want.Badge == "" {
		// A blank badge cell is far more often an omission than a revoked card.
		want.Badge = old.Badge
	}
	add := func(field, o, n string) {
		if o != n {
			c.Fields = append(c.Fields, FieldChange{Field: field, Old: o, New: n})
		}
	}
	add(FieldName, old.Name, want.Name)
	add(FieldGender, string(old.Gender), string(want.Gender))
	add(FieldRole, string(old.Role), string(want.Role))
	if old.HallID != want.HallID {
		add(FieldHall, halls.label(old.HallID), hall.Name)
	}
	add(FieldBadge, old.Badge, want.Badge)
	if !old.Active {
		c.Reactivate = true
		add(FieldActive, strconv.FormatBool(old.Active), strconv.FormatBool(want.Active))
	}
	c.New = want
	return c
}

type hallIndex struct {
	halls []Hall
	byID  map[string]Hall
}

func newHallIndex(halls []Hall) *hallIndex {
	x := &hallIndex{byID: make(map[string]Hall)}
	for _, h := range halls {
		if _, dup := x.byID[h.ID]; dup && h.ID != "" {
			continue
		}
		x.byID[h.ID] = h
		x.halls = append(x.halls, h)
	}
	return x
}

func (x *hallIndex) label(id string) string {
	if h, ok := x.byID[id]; ok && h.Name != "" {
		return h.Name
	}
	return id
}

// resolve finds the hall a roster names by ID, code or exact name. Codes are
// compared ignoring case and width because people type them; names exactly,
// because 昆明(一)厅 and 昆明(二)厅 differ by one character.
func (x *hallIndex) resolve(v string) (Hall, string) {
	v = clean(v)
	code := strings.ToUpper(width.Narrow.String(v))
	var found []Hall
	for _, h := range x.halls {
		if (h.ID != "" && h.ID == v) || (h.Code != "" && strings.ToUpper(width.Narrow.String(h.Code)) == code) || (h.Name != "" && clean(h.Name) == v) {
			found = append(found, h)
		}
	}
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		if near := x.near(v); near != "" {
			return Hall{}, bilingual(fmt.Sprintf("找不到该营业厅，是不是「%s」？", near),
				fmt.Sprintf("unknown hall; did you mean %q?", near))
		}
		return Hall{}, bilingual("找不到该营业厅（请填写营业厅的 ID、编码或完整名称）", "unknown hall (give its ID, code or exact name)")
	}
	desc := make([]string, len(found))
	for i, h := range found {
		desc[i] = fmt.Sprintf("%s (ID %s, code %s)", h.Name, h.ID, h.Code)
	}
	return Hall{}, bilingual(fmt.Sprintf("营业厅不明确，同时匹配 %d 个营业厅；请改填营业厅编码", len(found)),
		"ambiguous hall: matches "+strings.Join(desc, ", ")+"; use the hall code")
}

// near finds a hall whose name differs from v only in width, case or spaces,
// the usual difference between a typed name and the official one.
func (x *hallIndex) near(v string) string {
	key := looseKey(v)
	for _, h := range x.halls {
		if h.Name != "" && looseKey(h.Name) == key {
			return h.Name
		}
	}
	return ""
}

func looseKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(width.Fold.String(s))), "")
}

// Reactivated counts the updates that bring someone back.
func (p *Plan) Reactivated() int {
	n := 0
	for _, c := range p.Update {
		if c.Reactivate {
			n++
		}
	}
	return n
}

// Moved counts the updates that move someone to another hall.
func (p *Plan) Moved() int {
	n := 0
	for _, c := range p.Update {
		if c.Moved() {
			n++
		}
	}
	return n
}

// RejectedLines counts the rows with at least one reject.
func (p *Plan) RejectedLines() int {
	lines := make(map[int]bool)
	for _, r := range p.Rejects {
		lines[r.Line] = true
	}
	return len(lines)
}

// Summary says in one line what the import would do, for a confirmation
// prompt or a log.
func (p *Plan) Summary() string {
	var b strings.Builder
	names := make([]string, len(p.Halls))
	for i, h := range p.Halls {
		names[i] = h.Name
	}
	if p.File != "" {
		fmt.Fprintf(&b, "%s: ", p.File)
	}
	switch len(p.Halls) {
	case 0:
		b.WriteString("no halls")
	case 1:
		fmt.Fprintf(&b, "1 hall (%s)", names[0])
	default:
		fmt.Fprintf(&b, "%d halls (%s)", len(p.Halls), strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, ": %d to add, %d to update", len(p.Add), len(p.Update))
	var extra []string
	if n := p.Moved(); n > 0 {
		extra = append(extra, fmt.Sprintf("%d moved", n))
	}
	if n := p.Reactivated(); n > 0 {
		extra = append(extra, fmt.Sprintf("%d reactivated", n))
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(extra, ", "))
	}
	fmt.Fprintf(&b, ", %d unchanged, %d to deactivate", p.Unchanged, len(p.Deactivate))
	if p.HeldBack {
		b.WriteString(" (deactivation held back)")
	}
	if n := p.RejectedLines(); n > 0 {
		fmt.Fprintf(&b, "; %d rows rejected", n)
	}
	return b.String()
}
