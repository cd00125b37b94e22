package flow_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

var ctx = context.Background()

var quiet = slog.New(slog.DiscardHandler)

// t0 is when the fake clock starts: a Monday morning in the halls' zone.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, inspect.HallZone)

// clock is a fake clock that moves one second per reading, so every
// recorded time differs and orders as the calls were made.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// set moves the clock to t.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Users of the fixture, with their PINs.
const (
	supPIN     = "1234"
	sup2PIN    = "2468"
	managerPIN = "5678"
	formerPIN  = "1111"
)

// env is a temporary store with the shipped standard, three halls, a roster
// and four users, and a Flow over it.
type env struct {
	t     *testing.T
	path  string
	db    *store.DB
	flow  *flow.Flow
	clock *clock

	halls map[string]store.Hall  // by code
	staff map[string]store.Staff // by name
	sup   flow.User              // 张督导
	sup2  flow.User              // 王督导
	mgr   flow.User
}

const (
	hallA = "YFT-KM-001" // 优付通北京路营业厅
	hallB = "YFT-KM-002" // 优付通滇池路营业厅
	hallC = "YFT-KM-003" // 优付通呈贡营业厅
)

func newEnv(t *testing.T, opts ...store.Option) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "dudao.db"), clock: &clock{t: t0},
		halls: map[string]store.Hall{}, staff: map[string]store.Staff{}}
	e.db = e.openStore(opts...)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.db.ImportStandard(ctx, standard.V1(), data.StandardV1)
	must(err)
	region, err := e.db.AddRegion(ctx, "昆明")
	must(err)
	for _, h := range []store.Hall{
		{Code: hallA, Name: "优付通北京路营业厅"},
		{Code: hallB, Name: "优付通滇池路营业厅"},
		{Code: hallC, Name: "优付通呈贡营业厅"},
	} {
		h.RegionID = region.ID
		h, err = e.db.AddHall(ctx, h)
		must(err)
		e.halls[h.Code] = h
	}
	type member struct {
		no, name string
		g        standard.Gender
		r        standard.Role
		hall     string
	}
	for _, m := range []member{
		{"KM1001", "杨建华", standard.GenderMale, standard.RoleShiftLeader, hallA},
		{"KM1002", "李娜", standard.GenderFemale, standard.RoleCashier, hallA},
		{"KM1003", "赵磊", standard.GenderMale, standard.RoleCashier, hallA},
		{"KM1005", "刘洋", standard.GenderMale, standard.RolePromoter, hallA},
		{"KM1006", "周婷", standard.GenderFemale, standard.RolePromoter, hallA},
		{"KM1007", "吴敏", standard.GenderFemale, standard.RoleSupervisor, hallA},
		{"KM1008", "黄丽华", standard.GenderFemale, standard.RoleHotline, hallA},
		{"KM1009", "马俊", standard.GenderMale, standard.RoleCashier, hallA},
		{"KM1010", "段志强", standard.GenderMale, standard.RoleShiftLeader, hallB},
	} {
		s, err := e.db.UpsertStaff(ctx, store.Staff{EmployeeNo: m.no, Name: m.name, Gender: m.g, Role: m.r,
			Badge: "0871-" + m.no[2:], HallID: e.halls[m.hall].ID})
		must(err)
		e.staff[m.name] = s
	}
	must(e.db.DeactivateStaff(ctx, e.staff["马俊"].ID, time.Time{}))

	add := func(name, username string, role store.UserRole, pin string, disabled bool) flow.User {
		u, err := e.db.AddUser(ctx, store.User{Name: name, Username: username, Role: role, Disabled: disabled}, pin)
		must(err)
		return flow.User{ID: u.ID, Username: u.Username, Name: u.Name, Manager: role == store.RoleManager}
	}
	e.sup = add("张督导", "supervisor", store.RoleSupervisor, supPIN, false)
	e.sup2 = add("王督导", "supervisor2", store.RoleSupervisor, sup2PIN, false)
	e.mgr = add("李经理", "manager", store.RoleManager, managerPIN, false)
	add("前督导", "former", store.RoleSupervisor, formerPIN, true)

	e.flow = e.newFlow()
	return e
}

func (e *env) openStore(opts ...store.Option) *store.DB {
	e.t.Helper()
	db, err := store.Open(e.path, append([]store.Option{store.WithLogger(quiet)}, opts...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

func (e *env) newFlow() *flow.Flow {
	e.t.Helper()
	f, err := flow.New(e.db, flow.WithClock(e.clock.now), flow.WithLogger(quiet), flow.WithDeviceName("test tablet"))
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// start begins an inspection in a hall with the named staff.
func (e *env) start(user flow.User, hall string, names ...string) *flow.Draft {
	e.t.Helper()
	var ids []string
	for _, n := range names {
		ids = append(ids, e.staff[n].ID)
	}
	d, err := e.flow.Start(ctx, user, e.halls[hall].ID, ids)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// person returns the ID of the named person in the draft.
func person(t *testing.T, d *flow.Draft, name string) string {
	t.Helper()
	for _, p := range d.Inspection.People {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("%s is not in inspection %s", name, d.Inspection.ID)
	return ""
}

// owner is the user who started d, the one who may sign and seal it.
func (e *env) owner(d *flow.Draft) flow.User {
	e.t.Helper()
	for _, u := range []flow.User{e.sup, e.sup2, e.mgr} {
		if u.ID == d.Inspection.SupervisorID {
			return u
		}
	}
	e.t.Fatalf("inspection %s was started by none of the fixture's users", d.Inspection.ID)
	return flow.User{}
}

// sealedWithFinding seals an inspection of 李娜 in hall A whose A1.2 does
// not conform; it returns the draft and her person ID.
func (e *env) sealedWithFinding() (*flow.Draft, string) {
	e.t.Helper()
	d := e.start(e.sup, hallA, "李娜")
	pid := person(e.t, d, "李娜")
	if _, err := e.flow.ToggleNonconform(ctx, d, pid, "A1.2"); err != nil {
		e.t.Fatal(err)
	}
	e.signAndSeal(d)
	return d, pid
}

// signAndSeal signs as the supervisor and seals.
func (e *env) signAndSeal(d *flow.Draft) string {
	e.t.Helper()
	if err := e.flow.SignSupervisor(ctx, e.owner(d), d, signaturePNG(e.t)); err != nil {
		e.t.Fatal(err)
	}
	hash, err := e.flow.Seal(ctx, e.owner(d), d)
	if err != nil {
		e.t.Fatal(err)
	}
	return hash
}

// signaturePNG is a small drawing: a diagonal stroke.
func signaturePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	for x := range 120 {
		img.Set(x, x/3, color.Black)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// finding returns the stored finding of an item for a person ("" = hall).
func finding(ins *inspect.Inspection, personID, itemID string) *inspect.Finding {
	fs := ins.HallFindings
	for _, p := range ins.People {
		if p.ID == personID {
			fs = p.Findings
		}
	}
	for i := range fs {
		if fs[i].ItemID == itemID {
			return &fs[i]
		}
	}
	return nil
}

// stored reloads an inspection from the store.
func (e *env) stored(id string) *inspect.Inspection {
	e.t.Helper()
	ins, err := e.db.Inspection(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ins
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}
