package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// sameJSON compares what Remote returned with what Local returns: equal
// when their JSON is, which is what travelled.
func sameJSON(t *testing.T, what string, remote, local any) {
	t.Helper()
	rb, err := json.Marshal(remote)
	ok(t, err)
	lb, err := json.Marshal(local)
	ok(t, err)
	if !bytes.Equal(rb, lb) {
		t.Errorf("%s differs over the wire:\nremote %s\nlocal  %s", what, rb, lb)
	}
	if string(rb) == "null" || string(rb) == "[]" {
		t.Errorf("%s: nothing to compare (%s): the fixture should give it content", what, rb)
	}
}

// progressLog records Progress calls.
type progressLog struct {
	mu    stdsync.Mutex
	calls [][2]int
}

func (p *progressLog) f(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, [2]int{done, total})
}

// finished reports whether progress was seen and ended at done == total > 0.
func (p *progressLog) finished() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.calls) == 0 {
		return false
	}
	last := p.calls[len(p.calls)-1]
	return last[1] > 0 && last[0] == last[1]
}

const rosterCSV = `工号,姓名,性别,岗位,营业厅,服务证号
KM001,王丽,女,收银员,KM-1,B1
KM002,李强,男,值班长,KM-2,B2
KM004,孙伟,男,宣传员,KM-1,B4
KM005,陈晨,女,收银员,不存在的营业厅,B5
`

const standardV2 = `version: 2
title: {zh: 测试版, en: Test version}
source: test
clauses:
  - {id: A1, ref: "1.2.1.2(1)", summary: {zh: 着装整洁, en: Clean uniform}}
sections:
  - id: appearance
    ref: "1.2.1.2(1)"
    title: {zh: 形象规范, en: Appearance}
    items:
      - id: A1.1
        clause: A1
        text: {zh: 制服整洁无污渍, en: Uniform clean}
        scope: person
        roles: [cashier]
        weight: 3
        kind: check
grades:
  - {id: pass, name: {zh: 合格, en: Pass}, min_score: 60}
  - {id: fail, name: {zh: 不合格, en: Fail}, min_score: 0}
`

const standardBad = `version: 3
title: {zh: 坏版本, en: Bad}
source: test
clauses:
  - {id: A1, ref: "1.2.1.2(1)", summary: {zh: 着装整洁, en: Clean uniform}}
sections:
  - id: appearance
    ref: "1.2.1.2(1)"
    title: {zh: 形象规范, en: Appearance}
    items:
      - id: X1.1
        clause: Z9
        text: {zh: 制服整洁, en: Uniform clean}
        scope: person
        roles: [cashier]
        weight: 12
        kind: check
grades:
  - {id: fail, name: {zh: 不合格, en: Fail}, min_score: 0}
`

// TestRemoteMatchesLocal calls every Service method over the wire and on
// the hub's database for the same manager, and compares the answers.
func TestRemoteMatchesLocal(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{})
	desk := h.newDesktop("李经理的电脑", h.li)
	r := remoteOf(desk, "li")
	l := h.local(h.li)
	var _ admin.Service = r

	sc, err := r.Scope(bg)
	ok(t, err)
	lsc, err := l.Scope(bg)
	ok(t, err)
	if !sc.Remote || sc.HubURL != h.url || sc.Username != "li" || sc.RegionID != h.km.ID || sc.RegionName != "昆明" {
		t.Errorf("remote scope = %+v", sc)
	}
	sc.Remote, sc.HubURL = false, ""
	sameJSON(t, "Scope", sc, lsc)

	check := func(what string, remote func() (any, error), local func() (any, error)) {
		t.Helper()
		rv, rerr := remote()
		lv, lerr := local()
		if rerr != nil || lerr != nil {
			t.Errorf("%s: remote %v, local %v", what, rerr, lerr)
			return
		}
		sameJSON(t, what, rv, lv)
	}
	check("Halls", func() (any, error) { return r.Halls(bg, "") }, func() (any, error) { return l.Halls(bg, "") })
	check("Halls(北京)", func() (any, error) { return r.Halls(bg, "北京") }, func() (any, error) { return l.Halls(bg, "北京") })
	check("Staff", func() (any, error) { return r.Staff(bg, admin.StaffQuery{}) },
		func() (any, error) { return l.Staff(bg, admin.StaffQuery{}) })
	q := admin.StaffQuery{HallID: h.kmHalls[0].ID, Text: "王"}
	check("Staff(hall, text)", func() (any, error) { return r.Staff(bg, q) }, func() (any, error) { return l.Staff(bg, q) })
	check("Person", func() (any, error) { return r.Person(bg, h.kmStaff[0].ID) },
		func() (any, error) { return l.Person(bg, h.kmStaff[0].ID) })
	check("Standards", func() (any, error) { return r.Standards(bg) }, func() (any, error) { return l.Standards(bg) })
	check("Standard", func() (any, error) { return r.Standard(bg, 1) }, func() (any, error) { return l.Standard(bg, 1) })
	check("Inspections", func() (any, error) { return r.Inspections(bg, admin.InspectionQuery{}) },
		func() (any, error) { return l.Inspections(bg, admin.InspectionQuery{}) })
	iq := admin.InspectionQuery{HallID: h.kmHalls[0].ID, From: fixtureDay.AddDate(0, 0, -1), To: fixtureDay, Completeness: admin.Complete}
	check("Inspections(filtered)", func() (any, error) { return r.Inspections(bg, iq) },
		func() (any, error) { return l.Inspections(bg, iq) })
	check("FilterChoices", func() (any, error) { return r.FilterChoices(bg) }, func() (any, error) { return l.FilterChoices(bg) })
	check("Inspection", func() (any, error) { return r.Inspection(bg, h.kmIns.ID) },
		func() (any, error) { return l.Inspection(bg, h.kmIns.ID) })
	check("Photo", func() (any, error) { return r.Photo(bg, h.kmPhoto) }, func() (any, error) { return l.Photo(bg, h.kmPhoto) })
	check("Verify", func() (any, error) { return r.Verify(bg, h.kmIns.ID) }, func() (any, error) { return l.Verify(bg, h.kmIns.ID) })
	sq := admin.SummaryQuery{From: fixtureDay.AddDate(0, -1, 0), To: fixtureDay}
	check("Summary", func() (any, error) { return r.Summary(bg, sq) }, func() (any, error) { return l.Summary(bg, sq) })
	check("Devices", func() (any, error) { return r.Devices(bg) }, func() (any, error) { return l.Devices(bg) })
	check("Conflicts", func() (any, error) { return r.Conflicts(bg) }, func() (any, error) { return l.Conflicts(bg) })
	check("OffRoster", func() (any, error) { return r.OffRoster(bg) }, func() (any, error) { return l.OffRoster(bg) })

	// The PDFs: the same report, named alike.
	opt := report.Options{Lang: "en"}
	rpdf, rname, err := r.ExportInspection(bg, h.kmIns.ID, opt)
	ok(t, err)
	lpdf, lname, err := l.ExportInspection(bg, h.kmIns.ID, opt)
	ok(t, err)
	if rname != lname || !bytes.HasPrefix(rpdf, []byte("%PDF")) || len(rpdf) != len(lpdf) {
		t.Errorf("ExportInspection: remote %s (%d bytes), local %s (%d bytes)", rname, len(rpdf), lname, len(lpdf))
	}

	// A job: the summary PDF with its progress.
	var prog progressLog
	var optProg progressLog
	rpdf, rname, err = r.ExportSummary(bg, sq, report.Options{Progress: optProg.f}, prog.f)
	ok(t, err)
	lpdf, lname, err = l.ExportSummary(bg, sq, report.Options{}, nil)
	ok(t, err)
	if rname != lname || !bytes.HasPrefix(rpdf, []byte("%PDF")) || len(rpdf) != len(lpdf) {
		t.Errorf("ExportSummary: remote %s (%d bytes), local %s (%d bytes)", rname, len(rpdf), lname, len(lpdf))
	}
	if !prog.finished() || !optProg.finished() {
		t.Errorf("ExportSummary progress = %v, options' progress = %v", prog.calls, optProg.calls)
	}

	// Changes: link an off-roster person, enrol and revoke a tablet.
	p := offRosterPerson(t, h.kmIns)
	ok(t, r.LinkOffRoster(bg, h.kmIns.ID, p.ID, h.kmStaff[1].ID))
	if left, err := r.OffRoster(bg); err != nil || len(left) != 0 {
		t.Errorf("off-roster after the link: %+v, %v", left, err)
	}
	// A link never changes: a second one is refused, the same way.
	rerr := r.LinkOffRoster(bg, h.kmIns.ID, p.ID, h.kmStaff[2].ID)
	lerr := l.LinkOffRoster(bg, h.kmIns.ID, p.ID, h.kmStaff[2].ID)
	if rerr == nil || !errors.Is(rerr, store.ErrConflict) || rerr.Error() != lerr.Error() {
		t.Errorf("second link: remote %v, local %v", rerr, lerr)
	}
	enr, err := r.EnrolDevice(bg, "新平板")
	ok(t, err)
	inv, err := dsync.ParseInvite(enr.Invite)
	if err != nil || inv.URL != h.url || inv.Code != enr.Code || enr.Device.RegionID != h.km.ID || enr.Device.Name != "新平板" {
		t.Errorf("enrolment = %+v (invite %+v, %v)", enr, inv, err)
	}
	row, err := r.RevokeDevice(bg, enr.Device.ID, "test")
	ok(t, err)
	if !row.Revoked() || row.RevokeReason != "test" {
		t.Errorf("revoked row = %+v", row)
	}
	check("Devices after enrol and revoke", func() (any, error) { return r.Devices(bg) }, func() (any, error) { return l.Devices(bg) })
}

func TestRemoteRosterJobs(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{})
	r := remoteOf(h.newDesktop("李经理的电脑", h.li), "li")
	l := h.local(h.li)
	f := admin.RosterFile{Name: "员工名单.csv", Data: []byte(rosterCSV)}

	var prog progressLog
	plan, err := r.PlanRoster(bg, f, prog.f)
	ok(t, err)
	lplan, err := l.PlanRoster(bg, f, nil)
	ok(t, err)
	sameJSON(t, "PlanRoster", plan, lplan)
	if !prog.finished() {
		t.Errorf("PlanRoster progress = %v", prog.calls)
	}
	if len(plan.Add) != 1 || len(plan.Rejects) != 1 || plan.Rejects[0].Line != 5 || plan.Digest == "" {
		t.Errorf("plan = %+v", plan)
	}

	prog = progressLog{}
	out, err := r.ApplyRoster(bg, f, plan.Digest, prog.f)
	ok(t, err)
	if out.Added != 1 || out.Rejected != 1 || !prog.finished() {
		t.Errorf("outcome = %+v, progress %v", out, prog.calls)
	}
	// The plan the manager saw is out of date now: stale, nothing changes.
	before, err := l.Staff(bg, admin.StaffQuery{IncludeInactive: true})
	ok(t, err)
	_, err = r.ApplyRoster(bg, f, plan.Digest, nil)
	if !errors.Is(err, admin.ErrStale) || errors.Is(err, admin.ErrUnavailable) {
		t.Errorf("apply of a stale plan = %v, want ErrStale", err)
	}
	after, err := l.Staff(bg, admin.StaffQuery{IncludeInactive: true})
	ok(t, err)
	sameJSON(t, "staff after a stale apply", after, before)

	// A file the roster reader refuses is invalid, as on the hub.
	bad := admin.RosterFile{Name: "坏.csv", Data: []byte("KM001,王丽\n")}
	_, rerr := r.PlanRoster(bg, bad, nil)
	_, lerr := l.PlanRoster(bg, bad, nil)
	if !errors.Is(rerr, admin.ErrInvalid) || !errors.Is(lerr, admin.ErrInvalid) || rerr.Error() != lerr.Error() {
		t.Errorf("bad roster: remote %v, local %v", rerr, lerr)
	}
}

func TestRemoteStandardErrors(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{})
	r := remoteOf(h.newDesktop("李经理的电脑", h.li), "li")
	l := h.local(h.li)

	info, err := r.ImportStandard(bg, "v2.yaml", []byte(standardV2))
	ok(t, err)
	if info.Version != 2 {
		t.Errorf("imported %+v", info)
	}
	// The loader's problems survive the wire, each as the loader said it.
	_, rerr := r.ImportStandard(bg, "bad.yaml", []byte(standardBad))
	_, lerr := l.ImportStandard(bg, "bad.yaml", []byte(standardBad))
	var rse, lse *admin.StandardError
	if !errors.As(rerr, &rse) || !errors.As(lerr, &lse) || !errors.Is(rerr, admin.ErrInvalid) {
		t.Fatalf("bad standard: remote %v, local %v", rerr, lerr)
	}
	if rse.File != lse.File || strings.Join(rse.Problems, "\n") != strings.Join(lse.Problems, "\n") || len(rse.Problems) < 2 {
		t.Errorf("problems: remote %q %q, local %q %q", rse.File, rse.Problems, lse.File, lse.Problems)
	}
	// Another file under an imported version number: invalid, with why.
	changed := strings.Replace(standardV2, "weight: 3", "weight: 5", 1)
	_, rerr = r.ImportStandard(bg, "v2-changed.yaml", []byte(changed))
	_, lerr = l.ImportStandard(bg, "v2-changed.yaml", []byte(changed))
	if !errors.Is(rerr, admin.ErrInvalid) || rerr.Error() != lerr.Error() {
		t.Errorf("changed version: remote %v, local %v", rerr, lerr)
	}
}

// A hub that is down, or too slow, is ErrUnavailable with the cause.
func TestRemoteUnavailable(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{})
	r := remoteOf(h.newDesktop("李经理的电脑", h.li), "li")
	if _, err := r.Halls(bg, ""); err != nil {
		t.Fatal(err)
	}
	h.stop()
	_, err := r.Halls(bg, "")
	if !errors.Is(err, admin.ErrUnavailable) || !errors.Is(err, dsync.ErrUnreachable) || !strings.Contains(err.Error(), h.addr) {
		t.Errorf("hub stopped: %v", err)
	}
	var re *admin.RemoteError
	if !errors.As(err, &re) || re.Code != dsync.CodeUnreachable || re.Method != admin.MethodHalls {
		t.Errorf("hub stopped: %#v", err)
	}
	_, _, err = r.ExportSummary(bg, admin.SummaryQuery{}, report.Options{}, nil)
	if !errors.Is(err, admin.ErrUnavailable) {
		t.Errorf("job on a stopped hub: %v", err)
	}
	h.start()
	if _, err := r.Halls(bg, ""); err != nil {
		t.Errorf("hub back: %v", err)
	}
	tctx, cancel := context.WithTimeout(bg, time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := r.Halls(tctx, ""); !errors.Is(err, admin.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timed out: %v", err)
	}
	// A caller who gives up is told so, not that the hub is down.
	cctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := r.Halls(cctx, ""); !errors.Is(err, context.Canceled) || errors.Is(err, admin.ErrUnavailable) {
		t.Errorf("cancelled: %v", err)
	}
}

// A server error (5xx) and an answer that is not the hub's are
// ErrUnavailable; the hub's refusals map to the sentinels.
func TestRemoteErrorMapping(t *testing.T) {
	for _, sc := range []struct {
		err  error
		want error
	}{
		{&dsync.Error{Code: dsync.CodeInternal, Message: "the hub failed", Status: 500}, admin.ErrUnavailable},
		{&dsync.Error{Code: dsync.CodeUnavailable, Message: "busy", Status: 503}, admin.ErrUnavailable},
		{&dsync.Error{Code: dsync.CodeNotHub, Message: "portal"}, admin.ErrUnavailable},
		{&dsync.Error{Code: dsync.CodeCertChanged, Message: "pin"}, admin.ErrUnavailable},
		{&dsync.Error{Code: dsync.CodeRateLimited, Message: "slow down", Status: 429}, admin.ErrUnavailable},
		{&dsync.Error{Code: dsync.CodeNotFound, Message: "hall x: not found"}, admin.ErrNotFound},
		{&dsync.Error{Code: dsync.CodeForbidden, Message: "no"}, admin.ErrForbidden},
		{&dsync.Error{Code: dsync.CodeRevoked, Message: "revoked"}, admin.ErrForbidden},
		{&dsync.Error{Code: dsync.CodeUnauthenticated, Message: "who"}, admin.ErrForbidden},
		{&dsync.Error{Code: dsync.CodeInvalid, Message: "bad"}, admin.ErrInvalid},
		{&dsync.Error{Code: dsync.CodeBadRequest, Message: "bad"}, admin.ErrInvalid},
		{&dsync.Error{Code: dsync.CodeStale, Message: "stale"}, admin.ErrStale},
		{fmt.Errorf("hub admin halls: %w", errors.New("tls: handshake failure")), admin.ErrUnavailable},
	} {
		caller := admin.AdminCallerFunc(func(context.Context, string, string, any, any) error { return sc.err })
		_, err := admin.NewRemote(caller, "li", admin.RemoteOptions{}).Halls(bg, "")
		if !errors.Is(err, sc.want) {
			t.Errorf("%v: got %v, want %v", sc.err, err, sc.want)
		}
		var we *dsync.Error
		if errors.As(sc.err, &we) && !strings.Contains(err.Error(), we.Message) {
			t.Errorf("%v: message %q lost the hub's", sc.err, err)
		}
	}
}
