package admin_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// tokenCaller calls the admin API with whatever token it is given (none,
// a forged one, a tablet's), over the same pinned HTTPS as the app.
type tokenCaller struct {
	tr    *dsync.HTTPTransport
	token string
}

func (c tokenCaller) Admin(ctx context.Context, user, method string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	env, err := c.tr.Do(ctx, &dsync.Call{Op: dsync.OpAdmin, Version: dsync.Version, Token: c.token, Method: method, User: user, Body: body})
	if err != nil {
		return err
	}
	if env.Error != nil {
		return env.Error
	}
	if resp == nil {
		return nil
	}
	return json.Unmarshal(env.Result, resp)
}

func (h *adminHub) withToken(token string) tokenCaller {
	return tokenCaller{tr: dsync.NewHTTPTransport(h.url, h.keys.Pins, dsync.TransportOptions{Timeout: 10 * time.Second}), token: token}
}

// TestAuthMatrixWho: only a manager's desktop, unrevoked, bound to an
// enabled manager, with that manager signed in, reaches the admin API;
// every other caller is refused before anything is read.
func TestAuthMatrixWho(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{})
	good := h.newDesktop("李经理的电脑", h.li)
	revoked := h.newDesktop("丢失的电脑", h.li)
	_, err := h.db.RevokeDevice(bg, revoked.DeviceID(), "reported stolen")
	ok(t, err)
	wu := h.addManager(t, "wu", h.km.ID)
	disabled := h.newDesktop("吴经理的电脑", wu)
	h.disableUser(wu)
	tabletToken, err := h.kmTabletDB.Setting(bg, "sync.token")
	ok(t, err)

	// A supervisor cannot even be given a desktop.
	if _, err := dsync.NewDeviceEnrolment(bg, h.db, store.Device{Name: "督导的电脑", RegionID: h.km.ID, UserID: h.kmSup.ID},
		time.Now().Add(time.Hour)); err == nil {
		t.Error("a desktop was enrolled for a supervisor")
	}

	type want struct {
		code    dsync.Code
		message string
	}
	for _, sc := range []struct {
		name   string
		caller admin.AdminCaller
		user   string
		want   want // zero: allowed
	}{
		{"no token", h.withToken(""), "li", want{dsync.CodeUnauthenticated, "no device token"}},
		{"wrong token", h.withToken("bm90IGEgdG9rZW4gb2YgdGhpcyBodWIsIGF0IGFsbC4"), "li", want{dsync.CodeUnauthenticated, "enrol the device again"}},
		{"a tablet's token", h.withToken(tabletToken), "li", want{dsync.CodeForbidden, "--manager"}},
		{"a tablet's token, no user", h.withToken(tabletToken), "", want{dsync.CodeForbidden, "--manager"}},
		{"revoked desktop", revoked, "li", want{dsync.CodeRevoked, "reported stolen"}},
		{"desktop of a disabled manager", disabled, "wu", want{dsync.CodeForbidden, "disabled"}},
		{"another manager signed in", good, "zhao", want{dsync.CodeForbidden, "enrolled for manager li, not zhao"}},
		{"a supervisor signed in", good, "zhang", want{dsync.CodeForbidden, "not zhang"}},
		{"the desktop's manager", good, "li", want{}},
		{"no user said", good, "", want{}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			r := remoteOf(sc.caller, sc.user)
			calls := map[string]func() error{
				"Scope":       func() error { _, err := r.Scope(bg); return err },
				"Halls":       func() error { _, err := r.Halls(bg, ""); return err },
				"Inspection":  func() error { _, err := r.Inspection(bg, h.kmIns.ID); return err },
				"EnrolDevice": func() error { _, err := r.EnrolDevice(bg, "偷偷的平板"); return err },
				"PlanRoster (job)": func() error {
					_, err := r.PlanRoster(bg, admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}, nil)
					return err
				},
				"job-status": func() error {
					return sc.caller.Admin(bg, sc.user, admin.MethodJobStatus, map[string]string{"job": "x"}, nil)
				},
			}
			for name, call := range calls {
				err := call()
				if sc.want.code == "" {
					if err != nil && name != "job-status" {
						t.Errorf("%s: %v", name, err)
					}
					continue
				}
				var e *dsync.Error
				if !errors.Is(err, admin.ErrForbidden) && name != "job-status" {
					t.Errorf("%s = %v, want ErrForbidden", name, err)
				}
				if !errors.As(err, &e) || e.Code != sc.want.code || !strings.Contains(e.Message, sc.want.message) {
					t.Errorf("%s = %#v, want %s saying %q", name, err, sc.want.code, sc.want.message)
				}
			}
		})
	}
	// Nothing the refused callers asked for happened.
	devs, err := h.db.DeviceAccounts(bg)
	ok(t, err)
	enrolled := 0
	for _, d := range devs {
		if d.Name == "偷偷的平板" {
			enrolled++
		}
	}
	if enrolled != 2 { // the two allowed rows
		t.Errorf("%d tablets enrolled by the matrix, want 2 (the allowed callers')", enrolled)
	}
}

func (h *adminHub) addManager(t testing.TB, username, regionID string) store.User {
	t.Helper()
	u, err := h.db.AddUser(bg, store.User{Name: "经理" + username, Username: username, Role: store.RoleManager, RegionID: regionID}, "1357")
	ok(t, err)
	return u
}

// TestAuthMatrixRegion: a regional manager asking for another region's
// hall, staff, inspection, photo, device, summary or link is told it does
// not exist, and nothing of it leaks into their lists; the same request
// about their own region works.
func TestAuthMatrixRegion(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{})
	r := remoteOf(h.newDesktop("李经理的电脑", h.li), "li")
	kmSpare, err := h.local(h.li).EnrolDevice(bg, "昆明备用")
	ok(t, err)
	kmOff, dlOff := offRosterPerson(t, h.kmIns), offRosterPerson(t, h.dlIns)
	month := func(hall string) admin.SummaryQuery {
		return admin.SummaryQuery{HallID: hall, From: fixtureDay.AddDate(0, -1, 0), To: fixtureDay}
	}

	for _, sc := range []struct {
		name          string
		other, own    func() error
		otherNotFound bool // else forbidden is also acceptable
	}{
		{name: "staff of a hall",
			other: func() error { _, err := r.Staff(bg, admin.StaffQuery{HallID: h.dlHall.ID}); return err },
			own:   func() error { _, err := r.Staff(bg, admin.StaffQuery{HallID: h.kmHalls[0].ID}); return err }},
		{name: "a person",
			other: func() error { _, err := r.Person(bg, h.dlStaff[0].ID); return err },
			own:   func() error { _, err := r.Person(bg, h.kmStaff[0].ID); return err }},
		{name: "inspections of a hall",
			other: func() error { _, err := r.Inspections(bg, admin.InspectionQuery{HallID: h.dlHall.ID}); return err },
			own:   func() error { _, err := r.Inspections(bg, admin.InspectionQuery{HallID: h.kmHalls[0].ID}); return err }},
		{name: "inspections of a person",
			other: func() error { _, err := r.Inspections(bg, admin.InspectionQuery{StaffID: h.dlStaff[0].ID}); return err },
			own:   func() error { _, err := r.Inspections(bg, admin.InspectionQuery{StaffID: h.kmStaff[0].ID}); return err }},
		{name: "an inspection",
			other: func() error { _, err := r.Inspection(bg, h.dlIns.ID); return err },
			own:   func() error { _, err := r.Inspection(bg, h.kmIns.ID); return err }},
		{name: "a seal check",
			other: func() error { _, err := r.Verify(bg, h.dlIns.ID); return err },
			own:   func() error { _, err := r.Verify(bg, h.kmIns.ID); return err }},
		{name: "an inspection's PDF",
			other: func() error { _, _, err := r.ExportInspection(bg, h.dlIns.ID, report.Options{}); return err },
			own:   func() error { _, _, err := r.ExportInspection(bg, h.kmIns.ID, report.Options{}); return err }},
		{name: "a photo",
			other: func() error { _, err := r.Photo(bg, h.dlPhoto); return err },
			own:   func() error { _, err := r.Photo(bg, h.kmPhoto); return err }},
		{name: "a summary",
			other: func() error { _, err := r.Summary(bg, month(h.dlHall.ID)); return err },
			own:   func() error { _, err := r.Summary(bg, month(h.kmHalls[0].ID)); return err }},
		{name: "a summary PDF (job)",
			other: func() error { _, _, err := r.ExportSummary(bg, month(h.dlHall.ID), report.Options{}, nil); return err },
			own: func() error {
				_, _, err := r.ExportSummary(bg, month(h.kmHalls[0].ID), report.Options{}, nil)
				return err
			}},
		{name: "revoking a device",
			other: func() error { _, err := r.RevokeDevice(bg, h.dlTablet.DeviceID(), "not yours"); return err },
			own:   func() error { _, err := r.RevokeDevice(bg, kmSpare.Device.ID, "spare"); return err }},
		{name: "linking another region's person",
			other: func() error { return r.LinkOffRoster(bg, h.dlIns.ID, dlOff.ID, h.kmStaff[0].ID) },
			own:   func() error { return r.LinkOffRoster(bg, h.kmIns.ID, kmOff.ID, h.kmStaff[1].ID) }},
		{name: "linking to another region's staff",
			other: func() error { return r.LinkOffRoster(bg, h.kmIns.ID, kmOff.ID, h.dlStaff[0].ID) },
			own:   func() error { return nil }},
	} {
		t.Run(sc.name, func(t *testing.T) {
			err := sc.other()
			if !errors.Is(err, admin.ErrNotFound) && !errors.Is(err, admin.ErrForbidden) {
				t.Errorf("another region's: %v, want ErrNotFound", err)
			}
			if errors.Is(err, admin.ErrUnavailable) {
				t.Errorf("another region's: %v is not a refusal", err)
			}
			if strings.Contains(err.Error(), "大理") {
				t.Errorf("the refusal names the other region's data: %v", err)
			}
			if err := sc.own(); err != nil {
				t.Errorf("own region's: %v", err)
			}
		})
	}

	// Nothing of 大理 in the lists.
	leaks := func(what string, v any, err error) {
		t.Helper()
		ok(t, err)
		b, _ := json.Marshal(v)
		for _, s := range []string{h.dl.ID, h.dlHall.ID, h.dlStaff[0].ID, h.dlIns.ID, h.dlTablet.DeviceID(), h.dlSup.ID, "大理"} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s shows 大理's %s: %s", what, s, b)
			}
		}
	}
	halls, err := r.Halls(bg, "")
	leaks("Halls", halls, err)
	if len(halls) != 2 {
		t.Errorf("Halls = %d, want 昆明's 2", len(halls))
	}
	dlHalls, err := r.Halls(bg, "大理")
	leaks("Halls(大理)", dlHalls, err)
	staff, err := r.Staff(bg, admin.StaffQuery{IncludeInactive: true})
	leaks("Staff", staff, err)
	page, err := r.Inspections(bg, admin.InspectionQuery{})
	leaks("Inspections", page, err)
	if page.Total != 1 {
		t.Errorf("Inspections total = %d, want 1", page.Total)
	}
	choices, err := r.FilterChoices(bg)
	leaks("FilterChoices", choices, err)
	devs, err := r.Devices(bg)
	leaks("Devices", devs, err)
	conflicts, err := r.Conflicts(bg)
	leaks("Conflicts", conflicts, err)
	if len(conflicts) != 1 {
		t.Errorf("Conflicts = %d, want 昆明's 1", len(conflicts))
	}
	off, err := r.OffRoster(bg)
	leaks("OffRoster", off, err)
	sum, err := r.Summary(bg, month(""))
	leaks("Summary of the region", sum, err)
	if sum.Inspections != 1 {
		t.Errorf("region summary counts %d inspections, want 1", sum.Inspections)
	}
	// A roster naming 大理's hall or people: those rows are rejected.
	plan, err := r.PlanRoster(bg, admin.RosterFile{Name: "r.csv", Data: []byte(
		"工号,姓名,性别,岗位,营业厅,服务证号\nKM009,新人,女,收银员,KM-1,B9\nDL001,段誉,女,收银员,KM-1,X\nKM010,外人,男,收银员,DL-1,B10\n")}, nil)
	ok(t, err)
	if len(plan.Add) != 1 || len(plan.Rejects) != 2 || len(plan.Deactivate) != 0 && plan.Deactivate[0].HallID == h.dlHall.ID {
		t.Errorf("plan over 大理's rows = %+v", plan)
	}
	// The refused revocation left 大理's tablet working.
	if d, err := h.db.DeviceAccounts(bg); err == nil {
		for _, a := range d {
			if a.ID == h.dlTablet.DeviceID() && a.Revoked() {
				t.Error("大理's tablet was revoked by 昆明's manager")
			}
		}
	}
	if _, err := h.dlTablet.Sync(bg); err != nil {
		t.Errorf("大理's tablet after the matrix: %v", err)
	}

	// Standard versions are shared by every region: a regional manager may
	// not import one, and is told who may.
	_, err = r.ImportStandard(bg, "v2.yaml", []byte(standardV2))
	if !errors.Is(err, admin.ErrForbidden) || errors.Is(err, admin.ErrUnavailable) ||
		!strings.Contains(err.Error(), "shared by every region") || !strings.Contains(err.Error(), "dudao-hub standard import") {
		t.Errorf("li imports a standard: %v, want ErrForbidden saying who may", err)
	}
	if vs, err := h.db.Standards(bg); err != nil || len(vs) != 1 {
		t.Errorf("standards after li's refused import: %+v, %v", vs, err)
	}

	// A regional manager revokes tablets, never a manager's desktop: not a
	// peer's, not their own.
	qian := h.addManager(t, "qian", h.km.ID)
	h.newDesktop("钱经理的电脑", qian)
	desktops := map[string]string{} // name -> ID
	devices, err := r.Devices(bg)
	ok(t, err)
	for _, d := range devices {
		if d.UserID != "" {
			desktops[d.Name] = d.ID
		}
	}
	for _, name := range []string{"钱经理的电脑", "李经理的电脑"} {
		_, err := r.RevokeDevice(bg, desktops[name], "by li")
		if desktops[name] == "" || !errors.Is(err, admin.ErrForbidden) || !strings.Contains(err.Error(), "dudao-hub device revoke") {
			t.Errorf("li revokes %s (%q): %v, want ErrForbidden", name, desktops[name], err)
		}
	}
	if _, err := r.Halls(bg, ""); err != nil {
		t.Errorf("li's desktop after the refused revocations: %v", err)
	}

	// The manager over every region sees both.
	all := remoteOf(h.newDesktop("总经理的电脑", h.boss), "boss")
	if page, err := all.Inspections(bg, admin.InspectionQuery{}); err != nil || page.Total != 2 {
		t.Errorf("boss: %d inspections, %v", page.Total, err)
	}
	if _, err := all.Inspection(bg, h.dlIns.ID); err != nil {
		t.Errorf("boss: 大理's inspection: %v", err)
	}
	// They import standards, and revoke another manager's desktop, but not
	// their own through the desk.
	if info, err := all.ImportStandard(bg, "v2.yaml", []byte(standardV2)); err != nil || info.Version != 2 {
		t.Errorf("boss imports a standard: %+v, %v", info, err)
	}
	if row, err := all.RevokeDevice(bg, desktops["钱经理的电脑"], "left"); err != nil || !row.Revoked() {
		t.Errorf("boss revokes qian's desktop: %+v, %v", row, err)
	}
	devices, err = all.Devices(bg)
	ok(t, err)
	for _, d := range devices {
		if d.UserID != h.boss.ID {
			continue
		}
		if _, err := all.RevokeDevice(bg, d.ID, "oops"); !errors.Is(err, admin.ErrForbidden) {
			t.Errorf("boss revokes their own desktop: %v, want ErrForbidden", err)
		}
	}
	if _, err := all.Halls(bg, ""); err != nil {
		t.Errorf("boss's desktop after the refused revocation: %v", err)
	}
}

// Jobs belong to the desktop that started them.
func TestJobsOwnedByDevice(t *testing.T) {
	h := startAdminHub(t, admin.ServerOptions{JobTTL: 400 * time.Millisecond})
	mine := h.newDesktop("李经理的电脑", h.li)
	other := h.newDesktop("李经理的笔记本", h.li)
	var started admin.JobStarted
	ok(t, mine.Admin(bg, "li", admin.MethodPlanRoster, map[string]any{"file": admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}}, &started))
	if started.Job == "" {
		t.Fatal("no job started")
	}
	if err := other.Admin(bg, "li", admin.MethodJobStatus, map[string]string{"job": started.Job}, nil); !errors.Is(err, dsync.ErrNotFound) {
		t.Errorf("another desktop asking for the job: %v, want not found", err)
	}
	if err := other.Admin(bg, "li", admin.MethodJobCancel, map[string]string{"job": started.Job}, nil); !errors.Is(err, dsync.ErrNotFound) {
		t.Errorf("another desktop cancelling the job: %v, want not found", err)
	}
	var st admin.JobStatus
	deadline := time.Now().Add(5 * time.Second)
	for !st.Finished && time.Now().Before(deadline) {
		ok(t, mine.Admin(bg, "li", admin.MethodJobStatus, map[string]string{"job": started.Job}, &st))
		time.Sleep(10 * time.Millisecond)
	}
	var plan admin.RosterPlan
	if !st.Finished || st.Error != nil || json.Unmarshal(st.Result, &plan) != nil || plan.Digest == "" {
		t.Fatalf("job status = %+v", st)
	}
	// Not collected again for the TTL: forgotten.
	time.Sleep(900 * time.Millisecond)
	if err := mine.Admin(bg, "li", admin.MethodJobStatus, map[string]string{"job": started.Job}, nil); !errors.Is(err, dsync.ErrNotFound) {
		t.Errorf("expired job: %v, want not found", err)
	}
}
