package admin_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/data"
)

// The tests of Server and Remote run a real hub in process: its store and
// keys, the sync hub with the admin Server installed, served over HTTPS;
// tablets that enrol and sync sealed inspections to it; and managers'
// desktops that enrol and call the admin API through sync.Client, pinned
// to the hub's keys, as the app does.

var bg = context.Background()

// quietLogger keeps the hub's log out of the test output unless
// DUDAO_ADMIN_LOG is set.
func quietLogger(t testing.TB) *slog.Logger {
	if os.Getenv("DUDAO_ADMIN_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(adminTestWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type adminTestWriter struct{ t testing.TB }

func (w adminTestWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixtureDay is when the fixture's inspections happened.
var fixtureDay = time.Date(2026, 3, 2, 9, 30, 0, 0, inspect.HallZone)

// adminHub is a hub with two regions: 昆明 (two halls) and 大理 (one), staff
// in each, a supervisor and a tablet in each with a sealed inspection (a
// photo, an off-roster person) delivered, a sync conflict in each, and
// managers: li of 昆明, zhao of 大理 and boss over every region.
type adminHub struct {
	t      testing.TB
	dir    string
	db     *store.DB
	keys   *dsync.HubKeys
	hub    *dsync.Hub
	server *admin.Server
	srv    *httptest.Server
	url    string
	addr   string
	sopt   admin.ServerOptions
	log    *slog.Logger

	km, dl         store.Region
	kmHalls        []store.Hall
	dlHall         store.Hall
	kmStaff        []store.Staff
	dlStaff        []store.Staff
	kmSup, dlSup   store.User
	li, zhao, boss store.User

	kmTablet, dlTablet     *dsync.Client
	kmTabletDB, dlTabletDB *store.DB
	kmIns, dlIns           *inspect.Inspection
	kmPhoto, dlPhoto       string // SHA-256
}

func startAdminHub(t testing.TB, sopt admin.ServerOptions) *adminHub {
	t.Helper()
	h := &adminHub{t: t, dir: t.TempDir(), sopt: sopt, log: quietLogger(t)}
	db, err := store.Open(filepath.Join(h.dir, "hub.db"), store.WithLogger(h.log))
	ok(t, err)
	h.db = db
	t.Cleanup(func() { h.db.Close() })
	h.km, err = db.AddRegion(bg, "昆明")
	ok(t, err)
	h.dl, err = db.AddRegion(bg, "大理")
	ok(t, err)
	for i, name := range []string{"北京路营业厅", "滇池路营业厅"} {
		hall, err := db.AddHall(bg, store.Hall{RegionID: h.km.ID, Code: fmt.Sprintf("KM-%d", i+1), Name: name})
		ok(t, err)
		h.kmHalls = append(h.kmHalls, hall)
	}
	h.dlHall, err = db.AddHall(bg, store.Hall{RegionID: h.dl.ID, Code: "DL-1", Name: "大理古城营业厅"})
	ok(t, err)
	for i, name := range []string{"王丽", "李强", "张敏"} {
		s, err := db.UpsertStaff(bg, store.Staff{EmployeeNo: fmt.Sprintf("KM%03d", i+1), Name: name,
			Gender: standard.GenderFemale, Role: standard.RoleCashier, HallID: h.kmHalls[i%2].ID, Badge: fmt.Sprintf("B%d", i+1)})
		ok(t, err)
		h.kmStaff = append(h.kmStaff, s)
	}
	for i, name := range []string{"段誉", "木婉清"} {
		s, err := db.UpsertStaff(bg, store.Staff{EmployeeNo: fmt.Sprintf("DL%03d", i+1), Name: name,
			Gender: standard.GenderFemale, Role: standard.RoleCashier, HallID: h.dlHall.ID})
		ok(t, err)
		h.dlStaff = append(h.dlStaff, s)
	}
	user := func(name, username string, role store.UserRole, region string) store.User {
		u, err := db.AddUser(bg, store.User{Name: name, Username: username, Role: role, RegionID: region}, "2580")
		ok(t, err)
		return u
	}
	h.kmSup = user("张督导", "zhang", store.RoleSupervisor, h.km.ID)
	h.dlSup = user("段督导", "duan", store.RoleSupervisor, h.dl.ID)
	h.li = user("李经理", "li", store.RoleManager, h.km.ID)
	h.zhao = user("赵经理", "zhao", store.RoleManager, h.dl.ID)
	h.boss = user("总经理", "boss", store.RoleManager, "")
	v, err := standard.Parse("standard-v1.yaml", data.StandardV1)
	ok(t, err)
	_, err = db.ImportStandard(bg, v, data.StandardV1)
	ok(t, err)
	h.keys, err = dsync.LoadKeys(filepath.Join(h.dir, "keys"), dsync.KeyOptions{})
	ok(t, err)
	h.start()
	t.Cleanup(h.stop)

	h.kmTablet, h.kmTabletDB = h.newTablet("昆明一号", h.km)
	h.dlTablet, h.dlTabletDB = h.newTablet("大理一号", h.dl)
	kmT2, kmTab2 := h.newTablet("昆明二号", h.km)
	dlT2, dlTab2 := h.newTablet("大理二号", h.dl)
	var kmRef, dlRef inspect.PhotoRef
	h.kmIns, kmRef = h.seal(h.kmTablet, h.kmTabletDB, h.kmHalls[0].ID, h.kmStaff[0].ID, h.kmSup.ID, color.RGBA{200, 30, 30, 255}, "临时工甲")
	h.dlIns, dlRef = h.seal(h.dlTablet, h.dlTabletDB, h.dlHall.ID, h.dlStaff[0].ID, h.dlSup.ID, color.RGBA{30, 30, 200, 255}, "临时工乙")
	h.kmPhoto, h.dlPhoto = kmRef.SHA256, dlRef.SHA256
	for _, c := range []*dsync.Client{h.kmTablet, h.dlTablet} {
		rep, err := c.Sync(bg)
		ok(t, err)
		if rep.Delivered != 1 {
			t.Fatalf("fixture sync delivered %d, want 1: %+v", rep.Delivered, rep)
		}
	}
	// A second tablet in each region holds another record under the first
	// one's ID: a conflict on the hub.
	h.forge(kmT2, kmTab2, h.kmIns, h.kmSup.ID)
	h.forge(dlT2, dlTab2, h.dlIns, h.dlSup.ID)
	return h
}

func (h *adminHub) start() {
	h.t.Helper()
	addr := h.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	// A restarted hub comes back at the same address, as a real one does.
	l, err := net.Listen("tcp", addr)
	ok(h.t, err)
	h.addr = l.Addr().String()
	h.url = "https://" + h.addr
	sopt := h.sopt
	sopt.HubURL, sopt.Pins, sopt.Logger = h.url, h.keys.Pins, h.log
	h.server = admin.NewServer(h.db, sopt)
	h.hub = dsync.NewHub(h.db, h.keys.ReceiptKey, dsync.HubOptions{Logger: h.log, EnrolPerMinute: 10_000, Admin: h.server})
	h.srv = httptest.NewUnstartedServer(h.hub.Handler(dsync.ServerOptions{}))
	h.srv.Listener.Close()
	h.srv.Listener = l
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{h.keys.TLS}}
	h.srv.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelDebug)
	h.srv.StartTLS()
}

// stop stops serving (the database stays open: start serves again at the
// same address).
func (h *adminHub) stop() {
	if h.srv != nil {
		h.srv.CloseClientConnections()
		h.srv.Close()
		h.srv = nil
	}
	if h.server != nil {
		h.server.Close()
	}
}

func (h *adminHub) hubInvite() *admin.HubInvite {
	return &admin.HubInvite{URL: h.url, Pins: h.keys.Pins, EnrolTTL: 15 * time.Minute}
}

// local is the Service a manager gets on the hub's own database, to compare
// with what the same manager gets over the wire.
func (h *adminHub) local(mgr store.User) *admin.Local {
	return admin.NewLocal(h.db, mgr, admin.LocalOptions{Hub: h.hubInvite(), Logger: h.log})
}

func (h *adminHub) openStore(name string) *store.DB {
	h.t.Helper()
	db, err := store.Open(filepath.Join(h.t.TempDir(), name+".db"), store.WithLogger(h.log))
	ok(h.t, err)
	h.t.Cleanup(func() { db.Close() })
	return db
}

func (h *adminHub) clientOptions() dsync.ClientOptions {
	return dsync.ClientOptions{Logger: h.log, BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond}
}

// newTablet enrols a tablet in a region and pulls its master data.
func (h *adminHub) newTablet(name string, region store.Region) (*dsync.Client, *store.DB) {
	h.t.Helper()
	e, err := dsync.NewEnrolment(bg, h.db, name, region.ID, time.Now().Add(time.Hour))
	ok(h.t, err)
	db := h.openStore("tablet")
	c, err := dsync.Enrol(bg, db, dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: e.Code}, h.clientOptions())
	ok(h.t, err)
	_, err = c.Sync(bg)
	ok(h.t, err)
	return c, db
}

// newDesktop enrols a manager's desktop (the device bound to mgr).
func (h *adminHub) newDesktop(name string, mgr store.User) *dsync.Client {
	h.t.Helper()
	e, err := dsync.NewDeviceEnrolment(bg, h.db, store.Device{Name: name, RegionID: mgr.RegionID, UserID: mgr.ID}, time.Now().Add(time.Hour))
	ok(h.t, err)
	c, err := dsync.Enrol(bg, h.openStore("desktop"), dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: e.Code}, h.clientOptions())
	ok(h.t, err)
	return c
}

// remote is the Service of a desktop for the user signed in on it.
func remoteOf(c admin.AdminCaller, user string) *admin.Remote {
	return admin.NewRemote(c, user, admin.RemoteOptions{PollEvery: 10 * time.Millisecond})
}

func jpegOf(c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for y := range 12 {
		for x := range 16 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// seal records and seals an inspection on a tablet: a member of staff with
// a finding and a photo, an off-roster person, the supervisor's signature.
func (h *adminHub) seal(c *dsync.Client, db *store.DB, hallID, staffID, supID string, col color.Color, offRoster string) (*inspect.Inspection, inspect.PhotoRef) {
	h.t.Helper()
	ref, err := db.PutPhoto(bg, bytes.NewReader(jpegOf(col)), "image/jpeg")
	ok(h.t, err)
	at := fixtureDay
	ins := &inspect.Inspection{HallID: hallID, SupervisorID: supID, DeviceID: c.DeviceID(), StandardVersion: 1, StartedAt: at,
		People: []inspect.Person{
			{StaffID: staffID, Findings: []inspect.Finding{{ItemID: "A1.1", Outcome: inspect.Nonconform, Note: "未按规定着装",
				Photos: []inspect.PhotoRef{ref}, At: at.Add(time.Minute)}}},
			{OffRoster: true, Name: offRoster, Role: standard.RoleCashier, Gender: standard.GenderMale},
		},
		Signatures: []inspect.Signature{{Role: inspect.SignerSupervisor, PersonID: supID, Name: "督导", At: at.Add(30 * time.Minute)}},
	}
	ok(h.t, db.CreateInspection(bg, ins))
	_, err = db.Seal(bg, ins.ID, at.Add(time.Hour))
	ok(h.t, err)
	got, err := db.Inspection(bg, ins.ID)
	ok(h.t, err)
	return got, ref
}

// forge seals, on another tablet, another record under ins's ID and syncs
// it: the hub keeps its own and lists the conflict.
func (h *adminHub) forge(c *dsync.Client, db *store.DB, ins *inspect.Inspection, supID string) {
	h.t.Helper()
	other := &inspect.Inspection{ID: ins.ID, HallID: ins.HallID, SupervisorID: supID, DeviceID: c.DeviceID(), StandardVersion: 1,
		StartedAt: ins.StartedAt, People: []inspect.Person{{OffRoster: true, Name: "另一个人"}}}
	ok(h.t, db.CreateInspection(bg, other))
	_, err := db.Seal(bg, other.ID, ins.StartedAt.Add(2*time.Hour))
	ok(h.t, err)
	rep, err := c.Sync(bg)
	ok(h.t, err)
	if rep.Quarantined != 1 {
		h.t.Fatalf("forged record: %+v, want it quarantined", rep)
	}
}

// offRosterPerson is the off-roster person of a fixture inspection.
func offRosterPerson(t testing.TB, ins *inspect.Inspection) inspect.Person {
	t.Helper()
	for _, p := range ins.People {
		if p.OffRoster {
			return p
		}
	}
	t.Fatalf("inspection %s has no off-roster person", ins.ID)
	return inspect.Person{}
}

// disableUser disables an account the way an administrator's tool would:
// the store has no call for it yet.
func (h *adminHub) disableUser(u store.User) {
	h.t.Helper()
	raw, err := sql.Open("sqlite3", h.db.Path())
	ok(h.t, err)
	defer raw.Close()
	_, err = raw.Exec("UPDATE users SET disabled = 1 WHERE id = ?", u.ID)
	ok(h.t, err)
}
