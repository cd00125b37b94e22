// Package standard holds the service standard as versioned data: the clauses of
// the 优付通 hall service standard and the checklist items that cite them.
//
// A Version is immutable once imported. The checklist lives in data files (see
// data/standard-v1.yaml), never in code, because most of the source document is
// still missing and managers must be able to add a version without a new build.
package standard

import "slices"

// Role is a job in the hall, as listed in 1.1 of the standard.
type Role string

const (
	RoleShiftLeader Role = "shift_leader" // 值班长
	RoleCashier     Role = "cashier"      // 收银员
	RolePromoter    Role = "promoter"     // 宣传员
	RoleSupervisor  Role = "supervisor"   // 督导员
	RoleHotline     Role = "hotline"      // 96396热线
)

// Roles lists every role in the order the standard names them.
var Roles = []Role{RoleShiftLeader, RoleCashier, RolePromoter, RoleSupervisor, RoleHotline}

// Valid reports whether r is one of the standard's roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Gender of a member of staff. Items may apply to one gender only (A5).
type Gender string

const (
	GenderMale   Gender = "male"
	GenderFemale Gender = "female"
)

// Valid reports whether g is a known gender.
func (g Gender) Valid() bool { return g == GenderMale || g == GenderFemale }

// Scope says what an item is checked on: a person, or the hall as a whole
// (opening checks, equipment).
type Scope string

const (
	ScopePerson Scope = "person"
	ScopeHall   Scope = "hall"
)

// Kind says how an item is recorded.
type Kind string

const (
	// KindCheck is a yes/no item: it conforms unless a finding says otherwise.
	KindCheck Kind = "check"
	// KindTally counts a behaviour: observed n times, failed k times.
	KindTally Kind = "tally"
)

// Weight bounds for an item.
const (
	MinWeight = 1
	MaxWeight = 10
)

// Text is a string in both languages of the product. zh-CN is the language of
// record; en is its translation.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in the given language ("zh" or "en"), falling back to zh.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// Version is one immutable version of the standard.
type Version struct {
	Version  int     `yaml:"version" json:"version"`
	Title    Text    `yaml:"title" json:"title"`
	Source   string  `yaml:"source" json:"source"`
	Preamble []Prose `yaml:"preamble" json:"preamble"`
	// Clauses is the registry of clause IDs that items may cite.
	Clauses  []Clause    `yaml:"clauses" json:"clauses"`
	Sections []Section   `yaml:"sections" json:"sections"`
	Grades   []GradeBand `yaml:"grades" json:"grades"`
}

// Prose is unscored text of the standard, such as the service philosophy (1.2.1.1).
type Prose struct {
	Clause string `yaml:"clause" json:"clause"`
	Title  Text   `yaml:"title" json:"title"`
	Body   Text   `yaml:"body" json:"body"`
}

// Clause is one checkable requirement of the source document, with the stable ID
// that items, findings and reports cite (see shared standard/clauses.md).
type Clause struct {
	ID      string `yaml:"id" json:"id"`
	Ref     string `yaml:"ref" json:"ref"` // the section number in the source, e.g. "1.2.1.2(1)"
	Summary Text   `yaml:"summary" json:"summary"`
}

// Section groups items as the source document does.
type Section struct {
	ID    string `yaml:"id" json:"id"`
	Ref   string `yaml:"ref" json:"ref"`
	Title Text   `yaml:"title" json:"title"`
	// Pending marks a section whose content is missing from the source we have;
	// it is shown with PendingNote and holds no items.
	Pending     bool   `yaml:"pending,omitempty" json:"pending,omitempty"`
	PendingNote Text   `yaml:"pending_note,omitempty" json:"pending_note,omitempty"`
	Items       []Item `yaml:"items" json:"items"`
}

// Item is one checklist item, in our own words, citing the clause it enforces.
type Item struct {
	ID       string  `yaml:"id" json:"id"`
	Clause   string  `yaml:"clause" json:"clause"`
	Text     Text    `yaml:"text" json:"text"`
	Scope    Scope   `yaml:"scope" json:"scope"`
	Roles    []Role  `yaml:"roles,omitempty" json:"roles,omitempty"` // person items only
	Gender   *Gender `yaml:"gender,omitempty" json:"gender,omitempty"`
	Weight   int     `yaml:"weight" json:"weight"`
	Critical bool    `yaml:"critical,omitempty" json:"critical,omitempty"`
	Kind     Kind    `yaml:"kind" json:"kind"`
}

// AppliesTo reports whether a person item applies to someone with this role and
// gender. Hall items apply to no person.
func (it Item) AppliesTo(role Role, gender Gender) bool {
	if it.Scope != ScopePerson || !slices.Contains(it.Roles, role) {
		return false
	}
	return it.Gender == nil || *it.Gender == gender
}

// GradeBand is a named grade; a score at or above MinScore earns it unless a
// higher band also applies. The band with the lowest MinScore is where a
// critical failure caps the grade.
type GradeBand struct {
	ID       string  `yaml:"id" json:"id"`
	Name     Text    `yaml:"name" json:"name"`
	MinScore float64 `yaml:"min_score" json:"min_score"`
}

// Item returns the item with the given ID.
func (v *Version) Item(id string) (Item, bool) {
	for _, s := range v.Sections {
		for _, it := range s.Items {
			if it.ID == id {
				return it, true
			}
		}
	}
	return Item{}, false
}

// Clause returns the clause with the given ID.
func (v *Version) Clause(id string) (Clause, bool) {
	for _, c := range v.Clauses {
		if c.ID == id {
			return c, true
		}
	}
	return Clause{}, false
}

// PersonItems returns, in section order, the items that apply to a person of
// this role and gender.
func (v *Version) PersonItems(role Role, gender Gender) []Item {
	var out []Item
	for _, s := range v.Sections {
		for _, it := range s.Items {
			if it.AppliesTo(role, gender) {
				out = append(out, it)
			}
		}
	}
	return out
}

// HallItems returns the items checked on the hall as a whole.
func (v *Version) HallItems() []Item {
	var out []Item
	for _, s := range v.Sections {
		for _, it := range s.Items {
			if it.Scope == ScopeHall {
				out = append(out, it)
			}
		}
	}
	return out
}

// Grade returns the band a score earns: the band with the highest MinScore not
// above score. Grades are validated on load to be non-empty.
func (v *Version) Grade(score float64) GradeBand {
	best := v.LowestGrade()
	for _, g := range v.Grades {
		if score >= g.MinScore && g.MinScore >= best.MinScore {
			best = g
		}
	}
	return best
}

// LowestGrade is the band a critical failure caps the grade at.
func (v *Version) LowestGrade() GradeBand {
	var low GradeBand
	for i, g := range v.Grades {
		if i == 0 || g.MinScore < low.MinScore {
			low = g
		}
	}
	return low
}
