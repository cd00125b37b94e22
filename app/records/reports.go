package records

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// ReportSource is what assembling a report needs from a store: the records,
// the master data that names them, repeat counts and photo files.
// *store.DB provides it; tests may pass a fake.
type ReportSource interface {
	Source
	ListInspections(ctx context.Context, f store.InspectionFilter) ([]store.InspectionSummary, error)
	RepeatCounts(ctx context.Context, staffID string, since time.Time) (map[string]int, error)
	OpenPhoto(sha string) (io.ReadCloser, error)
	Halls(ctx context.Context) ([]store.Hall, error)
	Regions(ctx context.Context) ([]store.Region, error)
	Users(ctx context.Context) ([]store.User, error)
	Devices(ctx context.Context) ([]store.Device, error)
	StaffByEmployeeNo(ctx context.Context, employeeNo string) (store.Staff, error)
}

var _ ReportSource = (*store.DB)(nil)

// Reports fills the renderer's inputs (package report) from a store, so the
// tablet app, the manager desktop and dudao-hub print the same facts: the
// renderer itself never reads a store.
type Reports struct {
	*Reader
	src ReportSource
}

// NewReports returns a Reports over src.
func NewReports(src ReportSource) *Reports {
	return &Reports{Reader: NewReader(src), src: src}
}

// repeatWindow is how far back a repeat offence counts, as the report prints
// it ("第3次/90天").
const repeatWindow = report.RepeatWindowDays * 24 * time.Hour

// InspectionReport assembles the report of one sealed inspection: the
// original with its amendments and standard version, the names of its hall,
// supervisor, device and amendment authors, each rostered person's repeat
// offences, and a reader of its photos. An unknown ID gives an error
// wrapping store.ErrNotFound; a draft, one wrapping store.ErrNotSealed.
func (r *Reports) InspectionReport(ctx context.Context, id string) (report.InspectionReport, error) {
	ins, err := r.src.Inspection(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		// The store's message names the ID twice; one is enough.
		return report.InspectionReport{}, fmt.Errorf("inspection %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return report.InspectionReport{}, err
	}
	if ins.Status != inspect.StatusSealed {
		return report.InspectionReport{}, fmt.Errorf("inspection %s: %w: a draft has no report until it is sealed", id, store.ErrNotSealed)
	}
	rec, err := r.score(ctx, ins)
	if err != nil {
		return report.InspectionReport{}, err
	}
	n, err := r.names(ctx, true)
	if err != nil {
		return report.InspectionReport{}, fmt.Errorf("inspection report %s: %w", id, err)
	}
	repeats, err := r.repeats(ctx, rec)
	if err != nil {
		return report.InspectionReport{}, fmt.Errorf("inspection report %s: %w", id, err)
	}

	out := report.InspectionReport{
		Inspection: rec.Original, Amendments: rec.Amendments, Standard: rec.Standard,
		HallName: ins.HallID, Repeats: repeats, Photo: r.photo,
		SupervisorName: cmp.Or(n.users[ins.SupervisorID], supervisorSigner(ins), ins.SupervisorID),
		DeviceName:     cmp.Or(n.devices[ins.DeviceID], ins.DeviceID),
	}
	if h, ok := n.halls[ins.HallID]; ok {
		out.HallName, out.HallCode = h.Name, h.Code
	}
	for _, a := range rec.Amendments {
		if name, ok := n.users[a.AuthorID]; ok {
			if out.AuthorNames == nil {
				out.AuthorNames = map[string]string{}
			}
			out.AuthorNames[a.AuthorID] = name
		}
	}
	return out, nil
}

// supervisorSigner is the name the supervisor signed with, for a supervisor
// whose account is not in this store (a tablet that has not synced users).
func supervisorSigner(ins *inspect.Inspection) string {
	for _, s := range ins.Signatures {
		if s.Role == inspect.SignerSupervisor && s.PersonID == ins.SupervisorID {
			return s.Name
		}
	}
	return ""
}

// repeats counts, for each rostered person of the record, their offences
// per item in the window up to and including this inspection, as the
// report's repeat marks need.
//
// The store counts from a time onwards only, so the count up to the
// inspection is the count from the window's start less the count from just
// after it: two queries per person rather than a load of every inspection in
// the window, and a later inspection cannot change an earlier report's marks.
//
// The store counts each inspection as amended, but the report prints the
// original findings, with a note where an amendment changed one. So this
// inspection counts as sealed: a finding later amended away is still printed
// as, say, the 4th time, as it was when the supervisor recorded it.
func (r *Reports) repeats(ctx context.Context, rec *Record) (map[string]map[string]int, error) {
	ins := rec.Original
	since := ins.StartedAt.Add(-repeatWindow)
	// The store keeps milliseconds: anything from the next one on is later.
	after := ins.StartedAt.Truncate(time.Millisecond).Add(time.Millisecond)
	window := map[string]map[string]int{} // by staff ID
	out := map[string]map[string]int{}
	for i, p := range ins.People {
		if p.StaffID == "" {
			continue // off the roster: no history to count
		}
		if _, ok := window[p.StaffID]; !ok {
			all, err := r.src.RepeatCounts(ctx, p.StaffID, since)
			if err != nil {
				return nil, err
			}
			later, err := r.src.RepeatCounts(ctx, p.StaffID, after)
			if err != nil {
				return nil, err
			}
			upTo := map[string]int{}
			for item, n := range all {
				upTo[item] = n - later[item]
			}
			window[p.StaffID] = upTo
		}
		counts := maps.Clone(window[p.StaffID])
		// This inspection as amended out, as sealed in.
		if i < len(rec.Effective.People) && rec.Effective.People[i].ID == p.ID {
			for _, f := range rec.Effective.People[i].Findings {
				if offence(f) {
					counts[f.ItemID]--
				}
			}
		}
		for _, f := range p.Findings {
			if offence(f) {
				counts[f.ItemID]++
			}
		}
		maps.DeleteFunc(counts, func(_ string, n int) bool { return n <= 0 })
		if len(counts) > 0 {
			out[p.ID] = counts
		}
	}
	return out, nil
}

// offence reports whether a finding counts as a repeat offence, as the
// store counts them: a nonconformity, or a tally with a failure.
func offence(f inspect.Finding) bool {
	return f.Outcome == inspect.Nonconform || f.Outcome == inspect.Tallied && f.Failed > 0
}

// photo reads a stored photo or signature image for the renderer, which
// checks the bytes against the address itself.
func (r *Reports) photo(sha string) ([]byte, error) {
	f, err := r.src.OpenPhoto(sha)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read photo %s: %w", sha, err)
	}
	return b, nil
}

// names are the master data a report names things by.
type names struct {
	halls   map[string]store.Hall
	users   map[string]string // user ID -> name
	devices map[string]string // device ID -> name
}

func (r *Reports) names(ctx context.Context, people bool) (names, error) {
	n := names{halls: map[string]store.Hall{}, users: map[string]string{}, devices: map[string]string{}}
	hs, err := r.src.Halls(ctx)
	if err != nil {
		return n, err
	}
	for _, h := range hs {
		n.halls[h.ID] = h
	}
	if !people {
		return n, nil
	}
	us, err := r.src.Users(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range us {
		n.users[u.ID] = u.Name
	}
	ds, err := r.src.Devices(ctx)
	if err != nil {
		return n, err
	}
	for _, d := range ds {
		n.devices[d.ID] = d.Name
	}
	return n, nil
}

// SummaryQuery selects what a period summary covers: one hall or every hall
// of a region, over whole days in the halls' zone (inspect.HallZone), both
// ends included.
type SummaryQuery struct {
	HallID   string // set exactly one of HallID and RegionID
	RegionID string
	From, To time.Time
	// Progress, when set, is called as the records are read with the number
	// read and the total, one call at a time but not necessarily on the
	// caller's goroutine. Reading takes about as long as drawing the pages.
	Progress func(done, total int)
}

// SummaryReport assembles the period summary of a hall or a region: every
// sealed inspection of its halls started in the period, with amendments,
// hall names and the standard versions used. A period without inspections
// is not an error: the renderer prints a report that says so. An unknown
// hall or region gives an error wrapping store.ErrNotFound.
func (r *Reports) SummaryReport(ctx context.Context, q SummaryQuery) (report.SummaryReport, error) {
	if (q.HallID == "") == (q.RegionID == "") {
		return report.SummaryReport{}, fmt.Errorf("summary: %w: give a hall or a region, not both or neither", store.ErrInvalid)
	}
	from, to, err := days(q.From, q.To)
	if err != nil {
		return report.SummaryReport{}, fmt.Errorf("summary: %w", err)
	}
	n, err := r.names(ctx, false)
	if err != nil {
		return report.SummaryReport{}, fmt.Errorf("summary: %w", err)
	}
	out := report.SummaryReport{From: from, To: to}
	var halls []store.Hall
	if q.HallID != "" {
		h, ok := n.halls[q.HallID]
		if !ok {
			return report.SummaryReport{}, fmt.Errorf("hall %s: %w", q.HallID, store.ErrNotFound)
		}
		out.Scope, out.ScopeCode, out.ScopeKey = h.Name, h.Code, cmp.Or(h.Code, h.ID)
		halls = []store.Hall{h}
	} else {
		rs, err := r.src.Regions(ctx)
		if err != nil {
			return report.SummaryReport{}, fmt.Errorf("summary: %w", err)
		}
		i := slices.IndexFunc(rs, func(x store.Region) bool { return x.ID == q.RegionID })
		if i < 0 {
			return report.SummaryReport{}, fmt.Errorf("region %s: %w", q.RegionID, store.ErrNotFound)
		}
		// A region has no code: the report prints its name, and its ID goes
		// in the QR code only, so that the hub can tell which region a
		// printed summary covers.
		out.Scope, out.ScopeKey, out.Region = rs[i].Name, rs[i].ID, true
		for _, h := range n.halls {
			if h.RegionID == q.RegionID {
				halls = append(halls, h)
			}
		}
		slices.SortFunc(halls, func(a, b store.Hall) int { return cmp.Compare(a.Code, b.Code) })
	}

	var ids []string
	for _, h := range halls {
		rows, err := r.src.ListInspections(ctx, store.InspectionFilter{
			HallID: h.ID, Status: inspect.StatusSealed, From: from, To: to.AddDate(0, 0, 1),
		})
		if err != nil {
			return report.SummaryReport{}, fmt.Errorf("summary of %s: %w", out.Scope, err)
		}
		for _, row := range rows {
			ids = append(ids, row.ID)
		}
	}
	out.Records, out.Standards, err = r.records(ctx, ids, n.halls, q.Progress)
	if err != nil {
		return report.SummaryReport{}, fmt.Errorf("summary of %s: %w", out.Scope, err)
	}
	return out, nil
}

// PersonHistoryReport assembles the history of the member of staff with
// this employee number over whole days from and to (in the halls' zone,
// both included): every sealed inspection that observed them, in any hall.
// An unknown employee number gives an error wrapping store.ErrNotFound; a
// period without inspections is not an error.
func (r *Reports) PersonHistoryReport(ctx context.Context, employeeNo string, from, to time.Time) (report.PersonHistoryReport, error) {
	s, err := r.src.StaffByEmployeeNo(ctx, employeeNo)
	if errors.Is(err, store.ErrNotFound) {
		return report.PersonHistoryReport{}, fmt.Errorf("employee number %s: %w", employeeNo, store.ErrNotFound)
	}
	if err != nil {
		return report.PersonHistoryReport{}, err
	}
	from, to, err = days(from, to)
	if err != nil {
		return report.PersonHistoryReport{}, fmt.Errorf("history of %s: %w", employeeNo, err)
	}
	n, err := r.names(ctx, false)
	if err != nil {
		return report.PersonHistoryReport{}, fmt.Errorf("history of %s: %w", employeeNo, err)
	}
	rows, err := r.src.ListInspections(ctx, store.InspectionFilter{
		StaffID: s.ID, Status: inspect.StatusSealed, From: from, To: to.AddDate(0, 0, 1),
	})
	if err != nil {
		return report.PersonHistoryReport{}, fmt.Errorf("history of %s: %w", employeeNo, err)
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	out := report.PersonHistoryReport{
		StaffID: s.ID, Name: s.Name, EmployeeNo: s.EmployeeNo, Badge: s.Badge, Role: s.Role,
		HallName: cmp.Or(n.halls[s.HallID].Name, s.HallID), From: from, To: to,
	}
	out.Records, out.Standards, err = r.records(ctx, ids, n.halls, nil)
	if err != nil {
		return report.PersonHistoryReport{}, fmt.Errorf("history of %s: %w", employeeNo, err)
	}
	return out, nil
}

// days turns a period into the first moments of its first and last days in
// the halls' zone.
func days(from, to time.Time) (time.Time, time.Time, error) {
	from, to = startOfDay(from), startOfDay(to)
	if to.Before(from) {
		return from, to, fmt.Errorf("%w: the period ends %s, before it starts %s", store.ErrInvalid,
			to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	return from, to, nil
}

func startOfDay(t time.Time) time.Time {
	t = t.In(inspect.HallZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, inspect.HallZone)
}

// records reads sealed inspections with their amendments for a summary or
// a history, in the order of ids, and the standard versions they use. They
// are not scored here: the renderer checks each seal and scores it.
//
// Read one at a time, 2,000 inspections take about a second, twice as long
// as drawing their summary; so a few goroutines read at once, as many as the
// store's read pool and the processors allow (0.45 s on two cores).
func (r *Reports) records(ctx context.Context, ids []string, halls map[string]store.Hall, progress func(done, total int)) ([]report.Record, map[int]*standard.Version, error) {
	recs := make([]report.Record, len(ids))
	vers := make([]*standard.Version, len(ids))
	if progress != nil {
		progress(0, len(ids))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		done  int
		wg    sync.WaitGroup
	)
	jobs := make(chan int)
	for range min(len(ids), runtime.GOMAXPROCS(0), maxReaders) {
		wg.Go(func() {
			for i := range jobs {
				rec, v, err := r.record(ctx, ids[i], halls)
				mu.Lock()
				switch {
				case first != nil:
				case err != nil:
					first = err
					cancel()
				default:
					recs[i], vers[i] = rec, v
					done++
					if progress != nil {
						progress(done, len(ids))
					}
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range ids {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		return nil, nil, first
	}
	stds := map[int]*standard.Version{}
	for _, v := range vers {
		stds[v.Version] = v
	}
	return recs, stds, nil
}

// maxReaders bounds the goroutines reading records at once; the store has
// four read connections.
const maxReaders = 4

// record reads one sealed inspection for a summary or a history.
func (r *Reports) record(ctx context.Context, id string, halls map[string]store.Hall) (report.Record, *standard.Version, error) {
	ins, err := r.src.Inspection(ctx, id)
	if err != nil {
		return report.Record{}, nil, err
	}
	v, err := r.Standard(ctx, ins.StandardVersion)
	if err != nil {
		return report.Record{}, nil, fmt.Errorf("inspection %s: %w", id, err)
	}
	ams, err := r.src.Amendments(ctx, id)
	if err != nil {
		return report.Record{}, nil, err
	}
	return report.Record{Inspection: ins, Amendments: ams, HallName: cmp.Or(halls[ins.HallID].Name, ins.HallID)}, v, nil
}
