package admin_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
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
	r := remoteOf(h.newDesktop("总经理的电脑", h.boss), "boss")
	l := h.local(h.boss)

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
	// An import to a hub nobody answers at: the call never left, so
	// nothing changed, and it says so at once.
	start := time.Now()
	_, err = r.ApplyRoster(bg, admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}, "digest", nil)
	if !errors.Is(err, admin.ErrUnavailable) || errors.Is(err, admin.ErrOutcomeUnknown) {
		t.Errorf("import on a stopped hub: %v", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("import on a stopped hub took %v to fail", waited)
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

// A hub that cannot be reached or answers 503 is ErrUnavailable; a changed
// certificate, a version mismatch, the hub's own failure and a busy hub are
// not (each is told apart by the sync package's sentinel); the hub's
// refusals map to the admin sentinels.
func TestRemoteErrorMapping(t *testing.T) {
	for _, sc := range []struct {
		err     error
		want    []error
		notWant []error
	}{
		{&dsync.Error{Code: dsync.CodeUnavailable, Message: "busy", Status: 503}, []error{admin.ErrUnavailable}, nil},
		{&dsync.Error{Code: dsync.CodeNotHub, Message: "portal"}, []error{admin.ErrUnavailable}, nil},
		{&dsync.Error{Code: dsync.CodeUnreachable, Message: "connection reset"}, []error{admin.ErrUnavailable, dsync.ErrUnreachable}, nil},
		{&dsync.Error{Code: dsync.CodeInternal, Message: "the hub failed", Status: 500},
			[]error{dsync.ErrInternal}, []error{admin.ErrUnavailable}},
		{&dsync.Error{Code: dsync.CodeCertChanged, Message: "pin"},
			[]error{dsync.ErrCertChanged}, []error{admin.ErrUnavailable}},
		{fmt.Errorf("hub admin halls: %w", &dsync.Error{Code: dsync.CodeUpdateRequired, Message: "update", Status: 426}),
			[]error{dsync.ErrUpdateRequired}, []error{admin.ErrUnavailable}},
		{&dsync.Error{Code: dsync.CodeHubTooOld, Message: "old hub", Status: 400},
			[]error{dsync.ErrHubTooOld}, []error{admin.ErrUnavailable, admin.ErrInvalid}},
		{&dsync.Error{Code: dsync.CodeRateLimited, Message: "the hub is busy with 16 jobs", Status: 429, RetryAfterMS: 15000},
			[]error{admin.ErrBusy, dsync.ErrRateLimited}, []error{admin.ErrUnavailable}},
		{&dsync.Error{Code: dsync.CodeNotFound, Message: "hall x: not found"}, []error{admin.ErrNotFound}, nil},
		{&dsync.Error{Code: dsync.CodeForbidden, Message: "the account of wu is disabled"},
			[]error{admin.ErrForbidden, dsync.ErrForbidden}, []error{dsync.ErrRevoked, admin.ErrUnavailable}},
		{&dsync.Error{Code: dsync.CodeRevoked, Message: "revoked: reported stolen"},
			[]error{admin.ErrForbidden, dsync.ErrRevoked}, []error{admin.ErrUnavailable}},
		{&dsync.Error{Code: dsync.CodeUnauthenticated, Message: "who"}, []error{admin.ErrForbidden, dsync.ErrUnauthenticated}, nil},
		{&dsync.Error{Code: dsync.CodeInvalid, Message: "bad"}, []error{admin.ErrInvalid}, nil},
		{&dsync.Error{Code: dsync.CodeBadRequest, Message: "bad"}, []error{admin.ErrInvalid}, nil},
		{&dsync.Error{Code: dsync.CodeStale, Message: "stale"}, []error{admin.ErrStale}, nil},
		{fmt.Errorf("hub admin halls: %w", errors.New("tls: handshake failure")), []error{admin.ErrUnavailable}, nil},
	} {
		caller := admin.AdminCallerFunc(func(context.Context, string, string, any, any) error { return sc.err })
		_, err := admin.NewRemote(caller, "li", admin.RemoteOptions{}).Halls(bg, "")
		for _, w := range sc.want {
			if !errors.Is(err, w) {
				t.Errorf("%v: got %v, want %v", sc.err, err, w)
			}
		}
		for _, w := range sc.notWant {
			if errors.Is(err, w) {
				t.Errorf("%v: got %v, which must not be %v", sc.err, err, w)
			}
		}
		var we *dsync.Error
		if errors.As(sc.err, &we) && !strings.Contains(err.Error(), we.Message) {
			t.Errorf("%v: message %q lost the hub's", sc.err, err)
		}
	}
}

// fakeJobs is a hub's admin API for one job, scripted call by call: what
// each start and each status poll answers.
type fakeJobs struct {
	mu     stdsync.Mutex
	starts []func() error // the i-th start's failure (nil: started)
	// startsLost: every start's answer is lost.
	startsLost bool
	polls      []func(*admin.JobStatus) error
	result     any
	startID    []string // the job ID each start asked for
	cancels    []string
	n          int // polls so far
}

func (f *fakeJobs) Admin(_ context.Context, _, method string, req, resp any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case admin.MethodJobStatus:
		st := resp.(*admin.JobStatus)
		i := f.n
		f.n++
		if i < len(f.polls) {
			return f.polls[i](st)
		}
		if f.result == nil { // keep failing
			return f.polls[len(f.polls)-1](st)
		}
		b, err := json.Marshal(f.result)
		if err != nil {
			return err
		}
		*st = admin.JobStatus{Job: "j", Finished: true, Done: 1, Total: 1, Result: b}
		return nil
	case admin.MethodJobCancel:
		var r struct{ Job string }
		b, _ := json.Marshal(req)
		_ = json.Unmarshal(b, &r)
		f.cancels = append(f.cancels, r.Job)
		return nil
	}
	var r struct {
		JobID string `json:"job_id"`
	}
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	_ = json.Unmarshal(b, &r)
	i := len(f.startID)
	f.startID = append(f.startID, r.JobID)
	if f.startsLost {
		return lost()
	}
	if i < len(f.starts) && f.starts[i] != nil {
		return f.starts[i]()
	}
	*resp.(*admin.JobStarted) = admin.JobStarted{Job: cmp.Or(r.JobID, "j")}
	return nil
}

// lost is a failure after which the hub may have received the call: the
// connection dropped with no answer.
func lost() error {
	return fmt.Errorf("hub admin x: %w", &dsync.Error{Code: dsync.CodeUnreachable, Message: "the hub is unreachable: connection reset by peer"})
}

func running(st *admin.JobStatus) error {
	*st = admin.JobStatus{Job: "j", Done: 1, Total: 2}
	return nil
}

func failing(err func() error) func(*admin.JobStatus) error {
	return func(*admin.JobStatus) error { return err() }
}

// TestRemoteApplyOutcome: an import whose status polls fail for a while is
// followed to its end; one whose outcome cannot be learned is
// ErrOutcomeUnknown, which does not say that nothing changed; a plan (which
// changes nothing) that cannot be followed is ErrUnavailable.
func TestRemoteApplyOutcome(t *testing.T) {
	opt := admin.RemoteOptions{PollEvery: time.Millisecond, PollFailures: 3, OutcomePatience: 300 * time.Millisecond}
	f := admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}

	// Six failed polls in a row (more than PollFailures), then the answer.
	hub := &fakeJobs{polls: []func(*admin.JobStatus) error{running, failing(lost), failing(lost), failing(lost),
		failing(lost), failing(lost), failing(lost)}, result: admin.RosterOutcome{Added: 1}}
	out, err := admin.NewRemote(hub, "li", opt).ApplyRoster(bg, f, "digest", nil)
	if err != nil || out.Added != 1 {
		t.Fatalf("apply through failed polls = %+v, %v", out, err)
	}
	if len(hub.cancels) != 1 || hub.startID[0] == "" || hub.cancels[0] != hub.startID[0] {
		t.Errorf("the collected job was acknowledged %v, started as %v", hub.cancels, hub.startID)
	}

	// The polls never get through: the outcome is unknown, not "nothing
	// changed".
	hub = &fakeJobs{polls: []func(*admin.JobStatus) error{running, failing(lost)}}
	start := time.Now()
	_, err = admin.NewRemote(hub, "li", opt).ApplyRoster(bg, f, "digest", nil)
	if !errors.Is(err, admin.ErrOutcomeUnknown) || errors.Is(err, admin.ErrUnavailable) ||
		!strings.Contains(err.Error(), "may or may not have been applied") {
		t.Errorf("apply whose polls all fail: %v", err)
	}
	if waited := time.Since(start); waited < opt.OutcomePatience {
		t.Errorf("gave up after %v, before the patience of %v", waited, opt.OutcomePatience)
	}
	// The hub forgot the job (it restarted): unknown too.
	hub = &fakeJobs{polls: []func(*admin.JobStatus) error{running, failing(func() error {
		return &dsync.Error{Code: dsync.CodeNotFound, Message: "no job", Status: 404}
	})}}
	_, err = admin.NewRemote(hub, "li", opt).ApplyRoster(bg, f, "digest", nil)
	if !errors.Is(err, admin.ErrOutcomeUnknown) || errors.Is(err, admin.ErrUnavailable) {
		t.Errorf("apply whose job the hub forgot: %v", err)
	}

	// The answer to the start is lost: it is sent again under the same job
	// ID, which the hub recognises.
	hub = &fakeJobs{starts: []func() error{lost, lost}, polls: []func(*admin.JobStatus) error{running},
		result: admin.RosterOutcome{Updated: 2}}
	out, err = admin.NewRemote(hub, "li", opt).ApplyRoster(bg, f, "digest", nil)
	if err != nil || out.Updated != 2 {
		t.Fatalf("apply whose start answer was lost = %+v, %v", out, err)
	}
	if len(hub.startID) != 3 || hub.startID[0] == "" || hub.startID[1] != hub.startID[0] || hub.startID[2] != hub.startID[0] {
		t.Errorf("starts asked for jobs %q, want one ID thrice", hub.startID)
	}
	// The start never gets an answer: unknown.
	hub = &fakeJobs{startsLost: true}
	_, err = admin.NewRemote(hub, "li", opt).ApplyRoster(bg, f, "digest", nil)
	if !errors.Is(err, admin.ErrOutcomeUnknown) || errors.Is(err, admin.ErrUnavailable) || len(hub.startID) < 2 {
		t.Errorf("apply whose start is never answered: %v after %d starts", err, len(hub.startID))
	}
	// The hub answered the start with a refusal, or could not be dialled:
	// nothing changed, and it says so at once.
	for name, refusal := range map[string]error{
		"503":                &dsync.Error{Code: dsync.CodeUnavailable, Message: "the hub is shutting down", Status: 503},
		"connection refused": dialFailure(t),
	} {
		hub = &fakeJobs{starts: []func() error{func() error { return refusal }}}
		_, err = admin.NewRemote(hub, "li", opt).ApplyRoster(bg, f, "digest", nil)
		if !errors.Is(err, admin.ErrUnavailable) || errors.Is(err, admin.ErrOutcomeUnknown) || len(hub.startID) != 1 {
			t.Errorf("%s: apply = %v after %d starts, want ErrUnavailable at once", name, err, len(hub.startID))
		}
	}

	// A plan changes nothing: after PollFailures failed polls it is
	// ErrUnavailable, as before.
	hub = &fakeJobs{polls: []func(*admin.JobStatus) error{running, failing(lost)}}
	start = time.Now()
	_, err = admin.NewRemote(hub, "li", opt).PlanRoster(bg, f, nil)
	if !errors.Is(err, admin.ErrUnavailable) || errors.Is(err, admin.ErrOutcomeUnknown) {
		t.Errorf("plan whose polls fail: %v", err)
	}
	if waited := time.Since(start); waited >= opt.OutcomePatience {
		t.Errorf("a plan waited %v for the hub: it changes nothing, and should fail at once", waited)
	}
}

// dialFailure is how the transport fails to connect at all: the call never
// left this computer (the *sync.Error wraps the dial's error).
func dialFailure(t *testing.T) error {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if err == nil {
		t.Skip("something listens on port 1")
	}
	return fmt.Errorf("hub admin x: %w: %w", &dsync.Error{Code: dsync.CodeUnreachable, Message: "the hub is unreachable"}, err)
}

// TestRemoteJobsOnHub: a start re-sent under the same job ID runs the job
// once; the answer, once collected, is let go; a finished job nobody
// collected does not block the hub.
func TestRemoteJobsOnHub(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{MaxJobs: 2, JobsPerDevice: 2})
	desk := h.newDesktop("李经理的电脑", h.li)
	l := h.local(h.li)
	f := admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}
	plan, err := l.PlanRoster(bg, f, nil)
	ok(t, err)
	const id = "00112233445566778899aabbccddeeff"
	req := map[string]any{"file": f, "digest": plan.Digest, "job_id": id}
	for range 2 {
		var started admin.JobStarted
		ok(t, desk.Admin(bg, "li", admin.MethodApplyRoster, req, &started))
		if started.Job != id {
			t.Fatalf("started job %q, want the chosen %q", started.Job, id)
		}
	}
	var st admin.JobStatus
	for deadline := time.Now().Add(10 * time.Second); !st.Finished && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ok(t, desk.Admin(bg, "li", admin.MethodJobStatus, map[string]string{"job": id}, &st))
	}
	var out admin.RosterOutcome
	if !st.Finished || st.Error != nil || json.Unmarshal(st.Result, &out) != nil || out.Added != 1 {
		t.Fatalf("the twice-started import: %+v (%s)", st, st.Result)
	}
	// Finished and never collected, three plans more than the hub's bound
	// of two jobs: each still starts.
	var plans []string
	for range 3 {
		var started admin.JobStarted
		ok(t, desk.Admin(bg, "li", admin.MethodPlanRoster, map[string]any{"file": f}, &started))
		plans = append(plans, started.Job)
		for st = (admin.JobStatus{}); !st.Finished; time.Sleep(5 * time.Millisecond) {
			ok(t, desk.Admin(bg, "li", admin.MethodJobStatus, map[string]string{"job": started.Job}, &st))
		}
	}
	// Remote lets go of what it collected.
	var calls []string
	var mu stdsync.Mutex
	spy := admin.AdminCallerFunc(func(ctx context.Context, user, method string, req, resp any) error {
		mu.Lock()
		calls = append(calls, method)
		mu.Unlock()
		return desk.Admin(ctx, user, method, req, resp)
	})
	if _, err := remoteOf(spy, "li").PlanRoster(bg, f, nil); err != nil {
		t.Fatal(err)
	}
	if calls[len(calls)-1] != admin.MethodJobCancel {
		t.Errorf("calls %v: want the collected job let go last", calls)
	}
}

// TestRemoteUploadLimit: a file over MaxUploadBytes is refused with the
// limit in the message, by Remote before it sends anything, and by the
// Server should a desktop send it anyway.
func TestRemoteUploadLimit(t *testing.T) {
	big := make([]byte, admin.MaxUploadBytes+1<<20)
	never := admin.AdminCallerFunc(func(context.Context, string, string, any, any) error {
		t.Error("Remote sent a file over the limit")
		return nil
	})
	r := admin.NewRemote(never, "li", admin.RemoteOptions{})
	_, err := r.PlanRoster(bg, admin.RosterFile{Name: "大.csv", Data: big}, nil)
	if !errors.Is(err, admin.ErrInvalid) || !strings.Contains(err.Error(), "41.0 MB is over the 40 MB limit") {
		t.Errorf("Remote PlanRoster of %d bytes: %v", len(big), err)
	}
	if _, err := r.ImportStandard(bg, "大.yaml", big); !errors.Is(err, admin.ErrInvalid) || !strings.Contains(err.Error(), "40 MB limit") {
		t.Errorf("Remote ImportStandard of %d bytes: %v", len(big), err)
	}

	// At the limit, Remote sends it.
	sent := false
	atLimit := admin.AdminCallerFunc(func(context.Context, string, string, any, any) error {
		sent = true
		return &dsync.Error{Code: dsync.CodeInvalid, Message: "not a roster"}
	})
	_, err = admin.NewRemote(atLimit, "li", admin.RemoteOptions{}).PlanRoster(bg,
		admin.RosterFile{Name: "r.csv", Data: big[:admin.MaxUploadBytes]}, nil)
	if !sent || strings.Contains(err.Error(), "limit") {
		t.Errorf("a file at the limit: sent %v, %v", sent, err)
	}

	h := startAdminHub(t, admin.ServerOptions{})
	h.newDesktop("李经理的电脑", h.li)
	devs, err := h.db.DeviceAccounts(bg)
	ok(t, err)
	desk := devs[len(devs)-1]
	if desk.UserID != h.li.ID {
		t.Fatalf("the newest device is %+v, not li's desktop", desk)
	}
	for method, req := range map[string]any{
		admin.MethodPlanRoster:     map[string]any{"file": admin.RosterFile{Name: "大.csv", Data: big}},
		admin.MethodApplyRoster:    map[string]any{"file": admin.RosterFile{Name: "大.csv", Data: big}, "digest": "x"},
		admin.MethodImportStandard: map[string]any{"name": "大.yaml", "data": big},
	} {
		body, err := json.Marshal(req)
		ok(t, err)
		_, err = h.server.ServeAdmin(bg, desk, "li", method, body)
		var we *dsync.Error
		if !errors.As(err, &we) || we.Code != dsync.CodeInvalid || !strings.Contains(we.Message, "41.0 MB is over the 40 MB limit") {
			t.Errorf("Server %s of %d bytes: %#v", method, len(big), err)
		}
	}
}
