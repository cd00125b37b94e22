package flow_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, user, pin string
		want            error
	}{
		{"right PIN", "supervisor", supPIN, nil},
		{"manager", "manager", managerPIN, nil},
		{"user name with spaces", "  supervisor ", supPIN, nil},
		{"wrong PIN", "supervisor", "9999", flow.ErrWrongPIN},
		{"another user's PIN", "supervisor", sup2PIN, flow.ErrWrongPIN},
		{"unknown user", "nobody", supPIN, flow.ErrWrongPIN},
		{"empty", "", "", flow.ErrWrongPIN},
		{"disabled, right PIN", "former", formerPIN, flow.ErrDisabled},
		{"disabled, wrong PIN", "former", "9999", flow.ErrWrongPIN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.flow.SignIn(ctx, tt.user, tt.pin)
			if tt.want != nil {
				wantErr(t, err, tt.want)
				if u != (flow.User{}) {
					t.Errorf("refused sign-in returned user %+v", u)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Username != "supervisor" && u.Username != "manager" || u.Manager != (u.Username == "manager") {
				t.Errorf("signed in as %+v", u)
			}
		})
	}

	// Whether the name or the PIN was wrong must not show, even in the text.
	_, errPIN := e.flow.SignIn(ctx, "supervisor", "9999")
	_, errUser := e.flow.SignIn(ctx, "nobody", "9999")
	if errPIN.Error() != errUser.Error() {
		t.Errorf("wrong PIN says %q, unknown user says %q", errPIN, errUser)
	}

	us, err := e.flow.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
	}
	if !slices.Equal(names, []string{"manager", "supervisor", "supervisor2"}) {
		t.Errorf("users = %v, want the enabled ones by user name", names)
	}
}

func hallCodes(hs []flow.Hall) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Code)
	}
	return out
}

func TestHallsOrderAndSearch(t *testing.T) {
	e := newEnv(t)
	hs, err := e.flow.Halls(ctx, e.sup, "")
	if err != nil {
		t.Fatal(err)
	}
	// Never visited: by name past the brand (北京路, 呈贡, 滇池路 in code point order).
	if got, want := hallCodes(hs), []string{hallA, hallC, hallB}; !slices.Equal(got, want) {
		t.Fatalf("before any visit: %v, want %v", got, want)
	}
	if last, err := e.flow.LastHall(ctx, e.sup); err != nil || last != "" {
		t.Errorf("LastHall before any visit = %q, %v", last, err)
	}

	e.start(e.sup, hallC)
	e.start(e.sup, hallB)
	hs, err = e.flow.Halls(ctx, e.sup, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hallCodes(hs), []string{hallB, hallC, hallA}; !slices.Equal(got, want) {
		t.Errorf("after visiting C then B: %v, want %v", got, want)
	}
	if hs[0].LastVisit.IsZero() || !hs[0].LastVisit.After(hs[1].LastVisit) || !hs[2].LastVisit.IsZero() {
		t.Errorf("last visits: %v, %v, %v", hs[0].LastVisit, hs[1].LastVisit, hs[2].LastVisit)
	}
	if last, err := e.flow.LastHall(ctx, e.sup); err != nil || last != e.halls[hallB].ID {
		t.Errorf("LastHall = %q, %v, want hall B", last, err)
	}
	// Another supervisor's list is theirs.
	hs, err = e.flow.Halls(ctx, e.sup2, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hallCodes(hs), []string{hallA, hallC, hallB}; !slices.Equal(got, want) {
		t.Errorf("other supervisor: %v, want %v", got, want)
	}

	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{hallB, hallC, hallA}},
		{"   ", []string{hallB, hallC, hallA}},
		{"km-002", []string{hallB}},
		{"YFT-KM-00", []string{hallB, hallC, hallA}},
		{"滇池", []string{hallB}},
		{"优付通北京", []string{hallA}},
		{"北京路营业厅", []string{hallA}},
		{"营业厅", []string{hallB, hallC, hallA}},
		{"北京 001", []string{hallA}},
		{"北京 002", nil},
		{"上海", nil},
	} {
		hs, err := e.flow.Halls(ctx, e.sup, tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := hallCodes(hs); !slices.Equal(got, tt.want) {
			t.Errorf("Halls(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestOnDutyRemembersTheLastSelection(t *testing.T) {
	e := newEnv(t)
	names := func(ds []flow.DutyStaff, onlyPresent bool) []string {
		var out []string
		for _, d := range ds {
			if !onlyPresent || d.Present {
				out = append(out, d.Name)
			}
		}
		return out
	}
	ds, err := e.flow.OnDuty(ctx, e.sup, e.halls[hallA].ID)
	if err != nil {
		t.Fatal(err)
	}
	// By role as the standard lists them, then name; 马俊 has left.
	want := []string{"杨建华", "李娜", "赵磊", "刘洋", "周婷", "吴敏", "黄丽华"}
	if got := names(ds, false); !slices.Equal(got, want) {
		t.Fatalf("on duty = %v, want %v", got, want)
	}
	if got := names(ds, true); got != nil {
		t.Errorf("first visit: %v ticked, want nobody", got)
	}
	if ds[1].Badge == "" || ds[1].EmployeeNo != "KM1002" || ds[1].Role != "cashier" || ds[1].Gender != "female" {
		t.Errorf("李娜 = %+v", ds[1])
	}

	e.start(e.sup, hallA, "李娜", "刘洋")
	ds, err = e.flow.OnDuty(ctx, e.sup, e.halls[hallA].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ds, true); !slices.Equal(got, []string{"李娜", "刘洋"}) {
		t.Errorf("second visit: ticked %v, want the last selection", got)
	}
	// The memory is the user's and the hall's.
	for _, c := range []struct {
		user flow.User
		hall string
	}{{e.sup2, hallA}, {e.sup, hallB}} {
		ds, err := e.flow.OnDuty(ctx, c.user, e.halls[c.hall].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(ds, true); got != nil {
			t.Errorf("%s in %s: ticked %v, want nobody", c.user.Username, c.hall, got)
		}
	}
	// The next start replaces it.
	e.start(e.sup, hallA, "黄丽华")
	ds, _ = e.flow.OnDuty(ctx, e.sup, e.halls[hallA].ID)
	if got := names(ds, true); !slices.Equal(got, []string{"黄丽华"}) {
		t.Errorf("third visit: ticked %v", got)
	}
}

func TestStart(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜", "赵磊", "李娜")
	ins := d.Inspection
	dev, err := e.flow.DeviceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ins.DeviceID != dev || ins.SupervisorID != e.sup.ID || ins.StandardVersion != 1 || d.HallName != "优付通北京路营业厅" {
		t.Errorf("draft = %+v (hall %q), want device %s, supervisor %s, standard 1", ins, d.HallName, dev, e.sup.ID)
	}
	if len(ins.People) != 2 || ins.People[0].Name != "李娜" || ins.People[0].Badge != "0871-1002" ||
		ins.People[0].EmployeeNo != "KM1002" || ins.People[0].StaffID != e.staff["李娜"].ID {
		t.Errorf("people = %+v", ins.People)
	}
	if got := e.stored(ins.ID); len(got.People) != 2 || !got.StartedAt.Equal(ins.StartedAt) {
		t.Errorf("stored = %+v", got)
	}

	// A member of staff who does not exist: nothing is created, nothing remembered.
	before, _ := e.db.CountInspections(ctx, store.InspectionFilter{})
	_, err = e.flow.Start(ctx, e.sup, e.halls[hallB].ID, []string{e.staff["段志强"].ID, "no-such-staff"})
	wantErr(t, err, flow.ErrNotFound)
	if after, _ := e.db.CountInspections(ctx, store.InspectionFilter{}); after != before {
		t.Errorf("a failed start left %d inspections, want %d", after, before)
	}
	if last, _ := e.flow.LastHall(ctx, e.sup); last != e.halls[hallA].ID {
		t.Errorf("a failed start changed the last hall to %s", last)
	}
	_, err = e.flow.Start(ctx, e.sup, "no-such-hall", nil)
	wantErr(t, err, flow.ErrNotFound)
	_, err = e.flow.Start(ctx, flow.User{}, e.halls[hallA].ID, nil)
	wantErr(t, err, flow.ErrInvalid)

	drafts, err := e.flow.Drafts(ctx, e.sup)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].ID != ins.ID || drafts[0].State != flow.StateDraft || drafts[0].People != 2 {
		t.Errorf("drafts = %+v", drafts)
	}
	if drafts, _ := e.flow.Drafts(ctx, e.sup2); len(drafts) != 0 {
		t.Errorf("another supervisor's drafts = %+v", drafts)
	}
}

func TestPeopleInADraft(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	sub, err := e.flow.AddPerson(ctx, d, e.staff["杨建华"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Person == nil || sub.Person.Name != "杨建华" || len(sub.Sections) == 0 {
		t.Fatalf("added = %+v", sub)
	}
	// A double tap adds nobody twice.
	again, err := e.flow.AddPerson(ctx, d, e.staff["杨建华"].ID)
	if err != nil || again.PersonID != sub.PersonID || len(d.Inspection.People) != 2 {
		t.Errorf("second add: %+v, %v; %d people", again, err, len(d.Inspection.People))
	}
	off, err := e.flow.AddOffRoster(ctx, d, "  临时工小王 ", "promoter", "male")
	if err != nil {
		t.Fatal(err)
	}
	if !off.Person.OffRoster || off.Person.Name != "临时工小王" || off.Person.StaffID != "" {
		t.Errorf("off roster = %+v", off.Person)
	}
	for _, bad := range []struct{ name, role, gender string }{
		{"", "promoter", "male"}, {"某人", "boss", "male"}, {"某人", "promoter", ""},
	} {
		_, err := e.flow.AddOffRoster(ctx, d, bad.name, standard.Role(bad.role), standard.Gender(bad.gender))
		wantErr(t, err, flow.ErrInvalid)
	}
	if _, err := e.flow.AddPerson(ctx, d, "no-such-staff"); !errors.Is(err, flow.ErrNotFound) {
		t.Errorf("unknown staff: %v", err)
	}
	if err := e.flow.RemovePerson(ctx, d, sub.PersonID); err != nil {
		t.Fatal(err)
	}
	got := e.stored(d.Inspection.ID)
	if len(got.People) != 2 || len(d.Inspection.People) != 2 || got.People[1].Name != "临时工小王" {
		t.Errorf("after removing 杨建华: stored %d people, draft %d", len(got.People), len(d.Inspection.People))
	}
	wantErr(t, e.flow.RemovePerson(ctx, d, sub.PersonID), flow.ErrNotFound)
}

func TestDeviceIdentity(t *testing.T) {
	e := newEnv(t)
	id, err := e.flow.DeviceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	devs, err := e.db.Devices(ctx)
	if err != nil || len(devs) != 1 || devs[0].ID != id || devs[0].Name != "test tablet" {
		t.Fatalf("devices = %+v, %v; want one named test tablet with ID %s", devs, err, id)
	}
	if again, _ := e.newFlow().DeviceID(ctx); again != id {
		t.Errorf("a second Flow on the store is device %s, want %s", again, id)
	}

	// A store with one device and no setting (the demo database) is that device's.
	e2 := newEnv(t)
	demoDev, err := e2.db.AddDevice(ctx, store.Device{Name: "演示平板 Demo tablet"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e2.flow.DeviceID(ctx); got != demoDev.ID {
		t.Errorf("with one device in the store: device %s, want it adopted (%s)", got, demoDev.ID)
	}

	// With several (a hub's master data), this device gets its own record.
	e3 := newEnv(t)
	for _, n := range []string{"a", "b"} {
		if _, err := e3.db.AddDevice(ctx, store.Device{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e3.flow.DeviceID(ctx)
	if devs, _ := e3.db.Devices(ctx); len(devs) != 3 || devs[2].ID != got {
		t.Errorf("with two devices: got %s, devices %+v", got, devs)
	}
}
