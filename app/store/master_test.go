package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

func TestMasterDataRoundTrip(t *testing.T) {
	f := newFixture(t)
	db := f.db

	regions, err := db.Regions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Region{f.region}; !reflect.DeepEqual(regions, want) {
		t.Errorf("Regions = %+v, want %+v", regions, want)
	}
	halls, err := db.Halls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Hall{f.hall, f.otherHall}; !reflect.DeepEqual(halls, want) {
		t.Errorf("Halls = %+v, want %+v", halls, want)
	}

	staff, err := db.Staff(ctx, store.StaffFilter{HallID: f.hall.ID})
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Staff{f.alice, f.bob}; !reflect.DeepEqual(staff, want) {
		t.Errorf("Staff = %+v, want %+v", staff, want)
	}
	for _, tc := range []struct {
		name string
		get  func() (store.Staff, error)
		want store.Staff
	}{
		{"by id", func() (store.Staff, error) { return db.StaffByID(ctx, f.bob.ID) }, f.bob},
		{"by employee no", func() (store.Staff, error) { return db.StaffByEmployeeNo(ctx, "E001") }, f.alice},
		{"by employee no with spaces", func() (store.Staff, error) { return db.StaffByEmployeeNo(ctx, " E002 ") }, f.bob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := db.StaffByID(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StaffByID(unknown) error = %v, want ErrNotFound", err)
	}

	users, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.User{f.sup2, f.sup}; !reflect.DeepEqual(users, want) {
		t.Errorf("Users = %+v, want %+v", users, want)
	}

	revoked := t0.Add(48 * time.Hour)
	d1, err := db.AddDevice(ctx, store.Device{Name: "平板 1", RegionID: f.region.ID, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := db.AddDevice(ctx, store.Device{Name: "平板 2", CreatedAt: t0.Add(time.Hour), RevokedAt: &revoked})
	if err != nil {
		t.Fatal(err)
	}
	devices, err := db.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Device{d1, d2}; !reflect.DeepEqual(devices, want) {
		t.Errorf("Devices = %+v, want %+v", devices, want)
	}

	if _, err := db.Setting(ctx, "device_id"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Setting(unset) error = %v, want ErrNotFound", err)
	}
	for _, v := range []string{d1.ID, d2.ID} {
		if err := db.SetSetting(ctx, "device_id", v); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Setting(ctx, "device_id"); err != nil || got != v {
			t.Errorf("Setting = %q, %v; want %q", got, err, v)
		}
	}
}

func TestMasterDataRejects(t *testing.T) {
	f := newFixture(t)
	db := f.db
	for _, tc := range []struct {
		name string
		do   func() error
		want error
	}{
		{"empty region", func() error { _, err := db.AddRegion(ctx, " "); return err }, store.ErrInvalid},
		{"duplicate region", func() error { _, err := db.AddRegion(ctx, "市区"); return err }, store.ErrConflict},
		{"hall without region", func() error {
			_, err := db.AddHall(ctx, store.Hall{Code: "H9", Name: "x"})
			return err
		}, store.ErrInvalid},
		{"hall in unknown region", func() error {
			_, err := db.AddHall(ctx, store.Hall{RegionID: "nope", Code: "H9", Name: "x"})
			return err
		}, store.ErrNotFound},
		{"duplicate hall code", func() error {
			_, err := db.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "H01", Name: "新厅"})
			return err
		}, store.ErrConflict},
		{"duplicate hall name", func() error {
			_, err := db.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "H09", Name: "人民路营业厅"})
			return err
		}, store.ErrConflict},
		{"staff with bad role", func() error {
			_, err := db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E9", Name: "x", Gender: standard.GenderMale, Role: "boss", HallID: f.hall.ID})
			return err
		}, store.ErrInvalid},
		{"staff with bad gender", func() error {
			_, err := db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E9", Name: "x", Gender: "m", Role: standard.RoleCashier, HallID: f.hall.ID})
			return err
		}, store.ErrInvalid},
		{"staff in unknown hall", func() error {
			_, err := db.UpsertStaff(ctx, store.Staff{EmployeeNo: "E9", Name: "x", Gender: standard.GenderMale, Role: standard.RoleCashier, HallID: "nope"})
			return err
		}, store.ErrNotFound},
		{"staff ID taking another's employee number", func() error {
			s := f.bob
			s.EmployeeNo = f.alice.EmployeeNo
			_, err := db.UpsertStaff(ctx, s)
			return err
		}, store.ErrConflict},
		{"user with short PIN", func() error {
			_, err := db.AddUser(ctx, store.User{Name: "x", Username: "x", Role: store.RoleManager}, "12")
			return err
		}, store.ErrInvalid},
		{"user with bad role", func() error {
			_, err := db.AddUser(ctx, store.User{Name: "x", Username: "x", Role: "admin"}, "1234")
			return err
		}, store.ErrInvalid},
		{"duplicate user name", func() error {
			_, err := db.AddUser(ctx, store.User{Name: "x", Username: "zhang", Role: store.RoleManager}, "1234")
			return err
		}, store.ErrConflict},
		{"deactivate unknown staff", func() error { return db.DeactivateStaff(ctx, "nope", t0) }, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestResolveHall(t *testing.T) {
	f := newFixture(t)
	// A hall whose code is another hall's name would make that name
	// ambiguous: AddHall refuses it, and a database that has one anyway (from
	// before that rule) gets an "ambiguous" error rather than a guess.
	if _, err := f.db.AddHall(ctx, store.Hall{RegionID: f.region.ID, Code: "解放路营业厅", Name: "解放路二厅"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("AddHall with another hall's name as code: %v, want ErrConflict", err)
	}
	tricky := store.Hall{ID: "tricky", RegionID: f.region.ID, Code: "解放路营业厅", Name: "解放路二厅"}
	if _, err := rawDB(t, f.path).Exec("INSERT INTO halls (id, region_id, code, name, created_at) VALUES (?, ?, ?, ?, 0)",
		tricky.ID, tricky.RegionID, tricky.Code, tricky.Name); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, ref string
		want      store.Hall
		err       error
		msg       string
	}{
		{name: "id", ref: f.hall.ID, want: f.hall},
		{name: "code", ref: "H01", want: f.hall},
		{name: "name", ref: "人民路营业厅", want: f.hall},
		{name: "trimmed", ref: "  H02\n", want: f.otherHall},
		{name: "name of tricky", ref: "解放路二厅", want: tricky},
		{name: "unknown", ref: "H99", err: store.ErrNotFound, msg: `hall "H99"`},
		{name: "partial name", ref: "人民路", err: store.ErrNotFound},
		{name: "ambiguous", ref: "解放路营业厅", err: store.ErrInvalid, msg: "ambiguous"},
		{name: "empty", ref: "", err: store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.db.ResolveHall(ctx, tc.ref)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("error = %v, want %v containing %q", err, tc.err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStaffUpsertAndDeactivate(t *testing.T) {
	now := t0.Add(30 * 24 * time.Hour)
	f := newFixture(t, store.WithClock(func() time.Time { return now }))
	db := f.db

	// The roster's key is the employee number: no ID updates the same person.
	moved := store.Staff{EmployeeNo: "E001", Name: "王丽", Gender: standard.GenderFemale,
		Role: standard.RoleShiftLeader, Badge: "020", HallID: f.otherHall.ID}
	got, err := db.UpsertStaff(ctx, moved)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != f.alice.ID || !got.ActiveFrom.Equal(f.alice.ActiveFrom) {
		t.Errorf("upsert by employee number gave ID %s from %v, want %s from %v", got.ID, got.ActiveFrom, f.alice.ID, f.alice.ActiveFrom)
	}
	back, err := db.StaffByID(ctx, f.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, got) {
		t.Errorf("stored %+v, want %+v", back, got)
	}

	if err := db.DeactivateStaff(ctx, f.bob.ID, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A second deactivation keeps the first date.
	if err := db.DeactivateStaff(ctx, f.bob.ID, now); err != nil {
		t.Fatal(err)
	}
	bob, err := db.StaffByID(ctx, f.bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bob.ActiveTo == nil || !bob.ActiveTo.Equal(now.Add(-time.Hour)) || bob.Active() {
		t.Errorf("bob after deactivation: ActiveTo %v Active %v", bob.ActiveTo, bob.Active())
	}

	for _, tc := range []struct {
		name   string
		filter store.StaffFilter
		want   []string
	}{
		{"active in hall", store.StaffFilter{HallID: f.hall.ID}, nil},
		{"all in hall", store.StaffFilter{HallID: f.hall.ID, IncludeInactive: true}, []string{"E002"}},
		{"active anywhere", store.StaffFilter{}, []string{"E001"}},
		{"everyone", store.StaffFilter{IncludeInactive: true}, []string{"E001", "E002"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := db.Staff(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var nos []string
			for _, s := range list {
				nos = append(nos, s.EmployeeNo)
			}
			if !reflect.DeepEqual(nos, tc.want) {
				t.Errorf("got %v, want %v", nos, tc.want)
			}
		})
	}

	// Upserting with ActiveTo nil reactivates.
	bob.ActiveTo = nil
	if _, err := db.UpsertStaff(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if bob, _ = db.StaffByID(ctx, f.bob.ID); !bob.Active() {
		t.Error("bob not reactivated")
	}
}

func TestApplyRoster(t *testing.T) {
	f := newFixture(t)
	db := f.db
	newcomer := store.Staff{EmployeeNo: "E003", Name: "赵敏", Gender: standard.GenderFemale, Role: standard.RolePromoter, HallID: f.hall.ID}
	renamed := f.alice
	renamed.Name = "王丽丽"

	snapshot := func() []store.Staff {
		t.Helper()
		s, err := db.Staff(ctx, store.StaffFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := snapshot()

	for _, tc := range []struct {
		name    string
		changes store.RosterChanges
		want    error
	}{
		{"bad role last", store.RosterChanges{
			Upsert: []store.Staff{newcomer, renamed, {EmployeeNo: "E004", Name: "x", Gender: standard.GenderMale, Role: "boss", HallID: f.hall.ID}},
		}, store.ErrInvalid},
		{"unknown hall", store.RosterChanges{
			Upsert: []store.Staff{newcomer, {EmployeeNo: "E004", Name: "x", Gender: standard.GenderMale, Role: standard.RoleCashier, HallID: "nope"}},
		}, store.ErrNotFound},
		{"unknown staff to deactivate", store.RosterChanges{
			Upsert: []store.Staff{newcomer, renamed}, Deactivate: []string{f.bob.ID, "nope"},
		}, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.ApplyRoster(ctx, tc.changes)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if after := snapshot(); !reflect.DeepEqual(after, before) {
				t.Errorf("a failed roster changed staff:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}

	res, err := db.ApplyRoster(ctx, store.RosterChanges{Upsert: []store.Staff{newcomer, renamed}, Deactivate: []string{f.bob.ID}, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Updated != 1 || res.Deactivated != 1 || len(res.Staff) != 2 || res.Staff[0].ID == "" {
		t.Errorf("result = %+v", res)
	}
	active, err := db.Staff(ctx, store.StaffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 || active[0].Name != "王丽丽" || active[1].EmployeeNo != "E003" {
		t.Errorf("active staff after roster = %+v", active)
	}
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	disabled, err := f.db.AddUser(ctx, store.User{Name: "离职", Username: "gone", Role: store.RoleManager, Disabled: true}, "4444")
	if err != nil {
		t.Fatal(err)
	}
	if !disabled.Disabled {
		t.Fatal("Disabled not kept")
	}
	for _, tc := range []struct {
		name, user, pin string
		want            store.User
		err             error
	}{
		{"right", "zhang", "2580", f.sup, nil},
		{"user name trimmed", " zhang ", "2580", f.sup, nil},
		{"wrong pin", "zhang", "2581", store.User{}, store.ErrAuth},
		{"other user's pin", "zhang", "1357", store.User{}, store.ErrAuth},
		{"unknown user", "wang", "2580", store.User{}, store.ErrAuth},
		{"empty pin", "zhang", "", store.User{}, store.ErrAuth},
		{"disabled", "gone", "4444", store.User{}, store.ErrDisabled},
		{"disabled wrong pin", "gone", "4445", store.User{}, store.ErrAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.db.Authenticate(ctx, tc.user, tc.pin)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
