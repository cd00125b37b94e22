package flow

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// Photo reads a stored photo or signature image back by its SHA-256.
func (f *Flow) Photo(ctx context.Context, sha256 string) ([]byte, error) {
	op := "read photo " + sha256
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	r, err := f.db.OpenPhoto(sha256)
	if err != nil {
		return nil, storeErr(op, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// Grades lists the newest standard's grade bands, best first.
func (f *Flow) Grades(ctx context.Context) ([]standard.GradeBand, error) {
	v, err := f.newestStandard(ctx)
	if err != nil {
		return nil, storeErr("list grades", err)
	}
	gs := slices.Clone(v.Grades)
	slices.SortStableFunc(gs, func(a, b standard.GradeBand) int { return cmp.Compare(b.MinScore, a.MinScore) })
	return gs, nil
}

// Staff lists a hall's staff ("" = every hall's), those still on the roster
// first, then those who have left; within each, by hall, role and name.
func (f *Flow) Staff(ctx context.Context, hallID string) ([]StaffMember, error) {
	const op = "list staff"
	staff, err := f.db.Staff(ctx, store.StaffFilter{HallID: hallID, IncludeInactive: true})
	if err != nil {
		return nil, storeErr(op, err)
	}
	// Who is active is the store's answer, as on the start screen.
	active, err := f.db.Staff(ctx, store.StaffFilter{HallID: hallID})
	if err != nil {
		return nil, storeErr(op, err)
	}
	isActive := make(map[string]bool, len(active))
	for _, s := range active {
		isActive[s.ID] = true
	}
	halls, err := f.db.Halls(ctx)
	if err != nil {
		return nil, storeErr(op, err)
	}
	names := make(map[string]string, len(halls))
	for _, h := range halls {
		names[h.ID] = h.Name
	}
	out := make([]StaffMember, 0, len(staff))
	for _, s := range staff {
		out = append(out, StaffMember{
			ID: s.ID, EmployeeNo: s.EmployeeNo, Name: s.Name, Badge: s.Badge,
			HallID: s.HallID, HallName: names[s.HallID], Role: s.Role, Left: !isActive[s.ID],
		})
	}
	slices.SortStableFunc(out, func(a, b StaffMember) int {
		left := func(m StaffMember) int {
			if m.Left {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(left(a), left(b)),
			cmp.Compare(shortName(a.HallName), shortName(b.HallName)),
			cmp.Compare(roleRank(a.Role), roleRank(b.Role)),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.EmployeeNo, b.EmployeeNo))
	})
	return out, nil
}

// ExportInspection assembles a sealed inspection's report from the store
// (records.Reports) and renders it.
func (f *Flow) ExportInspection(ctx context.Context, inspectionID string, opt report.Options) ([]byte, string, error) {
	op := "export inspection " + inspectionID
	in, err := f.rep.InspectionReport(ctx, inspectionID)
	if err != nil {
		return nil, "", storeErr(op, err)
	}
	var buf bytes.Buffer
	if err := report.RenderInspection(&buf, in, opt); err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	name := report.FileName("督导报告", in.HallName, report.FileDate(in.Inspection.StartedAt))
	f.log.Info("inspection exported", "inspection", inspectionID, "bytes", buf.Len(), "redacted", opt.Redact)
	return buf.Bytes(), name, nil
}

// ExportPersonHistory assembles a member of staff's history and renders it.
// A redacted copy's suggested name carries the badge number, not the name.
func (f *Flow) ExportPersonHistory(ctx context.Context, staffID string, from, to time.Time, opt report.Options) ([]byte, string, error) {
	op := "export the history of staff " + staffID
	s, err := f.db.StaffByID(ctx, staffID)
	if err != nil {
		return nil, "", storeErr(op, err)
	}
	op = "export the history of " + s.Name
	in, err := f.rep.PersonHistoryReport(ctx, s.EmployeeNo, from, to)
	if err != nil {
		return nil, "", storeErr(op, err)
	}
	var buf bytes.Buffer
	if err := report.RenderPersonHistory(&buf, in, opt); err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	who := s.Name
	if opt.Redact {
		who = cmp.Or(s.Badge, s.EmployeeNo)
	}
	name := report.FileName("个人督导记录", who, report.FileDate(in.From)+"至"+report.FileDate(in.To))
	f.log.Info("person history exported", "staff", staffID, "bytes", buf.Len(), "redacted", opt.Redact)
	return buf.Bytes(), name, nil
}
