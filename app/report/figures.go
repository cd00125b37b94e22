package report

import (
	"time"

	"github.com/dudao-app/dudao/app/standard"
)

// SummaryFigures are the figures of a period summary, computed once and
// drawn twice: by RenderSummary on paper and by the manager's summary
// screen, so the two can never disagree. It travels as JSON from the hub.
type SummaryFigures struct {
	Scope     string    `json:"scope"`
	ScopeCode string    `json:"scope_code,omitempty"`
	Region    bool      `json:"region"`
	From      time.Time `json:"from"` // days in CST, both included
	To        time.Time `json:"to"`

	Inspections int `json:"inspections"`
	Amended     int `json:"amended"`    // inspections with at least one amendment
	Amendments  int `json:"amendments"` // amendments in all
	People      int `json:"people"`
	// Scored counts the inspections with a score; Average is over them,
	// meaningless when Scored is 0.
	Scored  int     `json:"scored"`
	Average float64 `json:"average"`

	Trend      Trend          `json:"trend"`
	Grades     []GradeCount   `json:"grades"`      // every band of the newest standard, best first
	TopClauses []ClauseCount  `json:"top_clauses"` // the ten most violated, most first
	PeopleRows []PersonFigure `json:"people_rows"` // as the PDF's people table orders them
	// Digest is the SHA-256 over the inspections covered, as printed.
	Digest string `json:"digest"`
}

// Trend is the average score by week, month or quarter over the span of
// the inspections.
type Trend struct {
	Unit   string       `json:"unit"` // "week", "month" or "quarter"
	Points []TrendPoint `json:"points"`
}

// TrendPoint is one bucket of the trend.
type TrendPoint struct {
	Start   time.Time `json:"start"`
	Label   string    `json:"label"` // as the chart prints it
	Average float64   `json:"average"`
	Count   int       `json:"count"`
}

// GradeCount is how many inspections ended in a grade band.
type GradeCount struct {
	Grade standard.GradeBand `json:"grade"`
	Count int                `json:"count"`
}

// ClauseCount is how often an item was violated in the period.
type ClauseCount struct {
	ItemID   string        `json:"item_id"`
	ClauseID string        `json:"clause_id"`
	Text     standard.Text `json:"text"`
	Count    int           `json:"count"`
}

// PersonFigure is one row of the people table.
type PersonFigure struct {
	Name       string   `json:"name"`
	EmployeeNo string   `json:"employee_no,omitempty"`
	Badge      string   `json:"badge,omitempty"`
	Role       string   `json:"role"`
	OffRoster  bool     `json:"off_roster,omitempty"`
	Halls      []string `json:"halls"`
	Visits     int      `json:"visits"`
	Scored     int      `json:"scored"`
	Average    float64  `json:"average"`
	Offences   int      `json:"offences"`
	// TopItems are the clause IDs of their most frequent offences.
	TopItems []string `json:"top_items,omitempty"`
}
