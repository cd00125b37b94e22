package demo

import (
	"cmp"
	"slices"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// visit is one planned inspection.
type visit struct {
	day   int // index into the period
	hall  int
	sup   int // index into Logins
	start time.Time
	size  int       // how many staff to observe
	inc   *incident // scripted story, if any
	mood  float64   // how the hall is doing today: 1 normal, more is worse

	// Set when written.
	sealed *sealedRec
}

// incident is a scripted finding: the handful of stories that make the demo
// show what the app is for (a critical failure with a disputed account, a
// repeat offender, a correction by a manager) rather than leaving them to
// chance.
type incident struct {
	at       float64 // where in the period, 0..1
	emp      string  // employee number; "" for a hall finding
	hall     int     // for hall findings
	item     string
	outcome  inspect.Outcome
	observed int
	failed   int
	note     string
	photos   int
	extra    []inspect.Finding // further hall findings on the same visit
	disagree string
	signs    bool   // whether the person also signs with a disagreement
	amend    string // reason of a manager's amendment to N/A

	// Set when written.
	personID string
	finding  *inspect.Finding
}

func incidents() []*incident {
	return []*incident{
		{at: 0.12, emp: "KM1005", item: "G1.1", outcome: inspect.Tallied, observed: 12, failed: 5, note: noteBusyMorning},
		{at: 0.3, emp: offenderBadge, item: "A1.2", outcome: inspect.Nonconform, note: "未佩戴服务证", photos: 1,
			disagree: disagreeBadge, signs: true, amend: amendBadge},
		{at: 0.45, emp: "KM1024", item: "G8.2", outcome: inspect.Nonconform, note: noteArgument, photos: 2,
			disagree: disagreeArgument},
		{at: 0.52, emp: "KM1021", item: "A5.2", outcome: inspect.Nonconform, note: noteMakeup, amend: amendMakeup},
		{at: 0.6, hall: 2, item: "C1.1", outcome: inspect.Nonconform, note: noteLateOpening, photos: 1,
			extra: []inspect.Finding{{ItemID: "C1.3", Outcome: inspect.Nonconform, Note: "两台POS机开门后才开机，打印机未预热"}}},
		{at: 0.72, emp: offenderHair, item: "A5.1", outcome: inspect.Nonconform, note: noteHairRepeated, photos: 1},
		{at: 0.8, emp: "KM1022", item: "C9.2", outcome: inspect.Nonconform, note: notePolicy},
		{at: 0.9, emp: "KM1017", item: "G8.2", outcome: inspect.Nonconform,
			note: "接听停电报修电话时，客户抱怨多次打不通，王海涛回答“又不是我们停的电，你冲我喊有什么用”，随后挂断电话。"},
	}
}

// plan lays out the visits: two or three per hall per calendar week on
// weekdays, one on the first day so the period is covered from its start, and
// one on the last day (End), which is also where the draft will be.
func (g *gen) plan() []*visit {
	last := g.opt.Days - 1
	var vs []*visit
	for h := range halls {
		days := map[int]bool{}
		if h == 0 {
			days[0] = true
		}
		// Group the days before End by ISO week and pick 2–3 weekdays in each;
		// partial weeks at the edges get proportionally fewer.
		weeks := map[int][]int{}
		var order []int
		for d := range last {
			day := g.day(d)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			y, w := day.ISOWeek()
			k := y*100 + w
			if _, ok := weeks[k]; !ok {
				order = append(order, k)
			}
			weeks[k] = append(weeks[k], d)
		}
		for _, k := range order {
			wd := weeks[k]
			n := (2 + g.r.IntN(2)) * len(wd)
			n = (n + 2) / 5 // rounded share of a full five-day week
			for _, i := range g.r.Perm(len(wd))[:min(n, len(wd))] {
				days[wd[i]] = true
			}
		}
		for d := range days {
			vs = append(vs, &visit{day: d, hall: h})
		}
	}
	if last > 0 || len(vs) == 0 {
		vs = append(vs, &visit{day: last, hall: g.r.IntN(len(halls))})
	}
	// Map iteration order is random; the plan must not be.
	slices.SortFunc(vs, func(a, b *visit) int { return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.hall, b.hall)) })

	for _, v := range vs {
		v.size = 3 + g.r.IntN(4)
		v.mood = 1 + 0.2*float64(v.hall) // the newer 呈贡 hall is still settling in
		switch x := g.r.Float64(); {
		case x < 0.08:
			v.mood *= 7 // a bad day: short-staffed, a queue out of the door
		case x < 0.22:
			v.mood *= 3
		}
	}
	g.assignIncidents(vs)
	g.schedule(vs)
	slices.SortFunc(vs, func(a, b *visit) int { return a.start.Compare(b.start) })
	return vs
}

// assignIncidents puts each incident on the first visit of its hall on or
// after its point in the period, when the person is on the roster that day.
// The last day is kept free of them: its visit is ordinary.
func (g *gen) assignIncidents(vs []*visit) {
	for _, inc := range incidents() {
		hall, st := inc.hall, (*staffRec)(nil)
		if inc.emp != "" {
			st = g.member(inc.emp)
			hall = st.Hall
		}
		from := int(inc.at * float64(g.opt.Days-1))
		for _, v := range vs {
			if v.day < from || v.hall != hall || v.inc != nil || v.day == g.opt.Days-1 {
				continue
			}
			if st != nil && !st.activeOn(g.day(v.day)) {
				continue
			}
			v.inc = inc
			break
		}
	}
}

// schedule gives each visit a supervisor and a start time. Each supervisor
// does one hall at a time with travel in between; 张督导 does most of them.
// A visit that checks the opening goes first, at 09:00.
func (g *gen) schedule(vs []*visit) {
	byDay := map[int][]*visit{}
	for _, v := range vs {
		byDay[v.day] = append(byDay[v.day], v)
	}
	for d := range g.opt.Days {
		day := byDay[d]
		if len(day) == 0 {
			continue
		}
		g.r.Shuffle(len(day), func(i, j int) { day[i], day[j] = day[j], day[i] })
		slices.SortStableFunc(day, func(a, b *visit) int { return cmp.Compare(b.openingRank(), a.openingRank()) })
		free := map[int]time.Time{}
		date := g.day(d)
		for _, v := range day {
			v.sup = 0
			if g.r.Float64() < 0.3 {
				v.sup = 2
			}
			if d == g.opt.Days-1 {
				v.sup = 0 // the last day is the main login's, with the draft
			}
			at, ok := free[v.sup]
			if !ok {
				at = g.clock(date, 9, 0)
				if !v.opening() {
					at = at.Add(time.Duration(g.r.IntN(50)) * time.Minute)
				}
			}
			if at.Hour() >= 15 && at.Minute() >= 30 || at.Hour() >= 16 {
				other := 2 - v.sup
				if t, busy := free[other]; !busy || t.Before(at) {
					v.sup = other
					at, ok = free[other]
					if !ok {
						at = g.clock(date, 9, g.r.IntN(50))
					}
				}
			}
			v.start = at
			// Ten minutes or so per person and the signing, then travel.
			free[v.sup] = at.Add(time.Duration(15+v.size*12+30+g.r.IntN(20)) * time.Minute)
		}
	}
}

// opening reports whether the visit checks the hall's opening (C1).
func (v *visit) opening() bool { return v.inc != nil && v.inc.emp == "" }

func (v *visit) openingRank() int {
	if v.opening() {
		return 1
	}
	return 0
}

func (g *gen) member(emp string) *staffRec {
	for i := range g.staff {
		if g.staff[i].EmployeeNo == emp {
			return &g.staff[i]
		}
	}
	panic("demo: no cast member " + emp) // the cast and the incidents are both constants
}
