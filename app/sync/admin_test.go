package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	stdsync "sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// recordingAdmin is an AdminHandler that echoes what it was called with, or
// fails as told by the method name.
type recordingAdmin struct {
	mu    stdsync.Mutex
	calls []adminCall
}

type adminCall struct {
	Device, UserID, User, Method string
	Body                         json.RawMessage
}

func (a *recordingAdmin) ServeAdmin(_ context.Context, dev store.DeviceAccount, user, method string, body []byte) (any, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := adminCall{Device: dev.ID, UserID: dev.UserID, User: user, Method: method, Body: json.RawMessage(body)}
	a.calls = append(a.calls, c)
	switch method {
	case "refuse":
		return nil, &dsync.Error{Code: dsync.CodeInvalid, Message: "standard.yaml: 2 problems", File: "standard.yaml",
			Problems: []string{"line 3: version: missing", "line 9: items[0].clause: unknown clause Z9"}}
	case "stale":
		return nil, &dsync.Error{Code: dsync.CodeStale, Message: "the roster changed since the dry run"}
	case "crash":
		return nil, errors.New("secret detail of a bug")
	case "panic":
		panic("admin handler bug")
	}
	return c, nil
}

func (a *recordingAdmin) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls)
}

// desktop is a manager's desktop enrolled with the hub: a sync client whose
// device is bound to a manager.
func (h *testHub) newDesktop(t testing.TB, name string, manager store.User) *dsync.Client {
	t.Helper()
	e, err := dsync.NewDeviceEnrolment(ctx, h.db, store.Device{Name: name, RegionID: manager.RegionID, UserID: manager.ID},
		time.Now().Add(time.Hour))
	must(t, err)
	c, err := dsync.Enrol(ctx, newTabletDB(t), dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: e.Code}, clientOpts(t))
	must(t, err)
	return c
}

func (h *testHub) addManager(t testing.TB, username string, region store.Region) store.User {
	t.Helper()
	u, err := h.db.AddUser(ctx, store.User{Name: "经理 " + username, Username: username, Role: store.RoleManager, RegionID: region.ID}, "1357")
	must(t, err)
	return u
}

func TestAdminCallReachesHandler(t *testing.T) {
	adm := &recordingAdmin{}
	h := startHub(t, dsync.HubOptions{Admin: adm})
	li := h.addManager(t, "li", h.region)
	desk := h.newDesktop(t, "李经理的电脑", li)

	var got adminCall
	must(t, desk.Admin(ctx, "li", "halls", map[string]string{"query": "北京"}, &got))
	if got.Device != desk.DeviceID() || got.UserID != li.ID || got.User != "li" || got.Method != "halls" ||
		string(got.Body) != `{"query":"北京"}` {
		t.Errorf("handler saw %+v", got)
	}
	// A username that is not plain ASCII travels intact.
	must(t, desk.Admin(ctx, "王 经理/1", "scope", nil, &got))
	if got.User != "王 经理/1" || string(got.Body) != "{}" {
		t.Errorf("handler saw %+v", got)
	}
	if desk.HubURL() != h.url {
		t.Errorf("HubURL = %q, want %q", desk.HubURL(), h.url)
	}

	// The hub's refusals keep their code and details across the wire.
	err := desk.Admin(ctx, "li", "refuse", nil, nil)
	var e *dsync.Error
	if !errors.As(err, &e) || e.Code != dsync.CodeInvalid || e.Status != http.StatusUnprocessableEntity ||
		e.File != "standard.yaml" || len(e.Problems) != 2 || e.Problems[1] != "line 9: items[0].clause: unknown clause Z9" {
		t.Errorf("refusal = %#v", err)
	}
	if err := desk.Admin(ctx, "li", "stale", nil, nil); !errors.Is(err, dsync.ErrStale) || dsync.Retryable(err) {
		t.Errorf("stale = %v", err)
	}
	// A failure of the handler is internal: logged, its text not sent.
	err = desk.Admin(ctx, "li", "crash", nil, nil)
	if !errors.As(err, &e) || e.Code != dsync.CodeInternal || contains(err.Error(), "secret") {
		t.Errorf("crash = %v", err)
	}
	if err := desk.Admin(ctx, "li", "panic", nil, nil); !errors.Is(err, dsync.ErrInternal) {
		t.Errorf("panic = %v", err)
	}
	// Not a method name: refused before anything is sent.
	if err := desk.Admin(ctx, "li", "../pull", nil, nil); !errors.Is(err, dsync.ErrLocalProblem) {
		t.Errorf("bad method name = %v", err)
	}
}

func TestAdminRefusals(t *testing.T) {
	adm := &recordingAdmin{}
	h := startHub(t, dsync.HubOptions{Admin: adm})
	li := h.addManager(t, "li", h.region)
	desk := h.newDesktop(t, "李经理的电脑", li)
	gone := h.newDesktop(t, "旧电脑", li)
	_, err := h.db.RevokeDevice(ctx, gone.DeviceID(), "replaced")
	must(t, err)
	tab := h.newTablet(t, "平板", h.region, clientOpts(t))
	must(t, desk.Admin(ctx, "li", "scope", nil, nil))
	before := adm.count()

	tabTok, err := tab.db.Setting(ctx, "sync.token")
	must(t, err)
	for _, sc := range []struct {
		name, path, token string
		status            int
		code              dsync.Code
		message           string
	}{
		{"no token", "/v1/admin/scope", "", 401, dsync.CodeUnauthenticated, "no device token"},
		{"wrong token", "/v1/admin/scope", "forged", 401, dsync.CodeUnauthenticated, "does not know"},
		{"a tablet's token", "/v1/admin/scope", tabTok, 403, dsync.CodeForbidden, "dudao-hub device enrol --manager USER"},
		{"GET", "/v1/admin/scope", tabTok, 404, dsync.CodeNotFound, "no such operation"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			method := "POST"
			if sc.name == "GET" {
				method = "GET"
			}
			status, env, _ := h.rawCall(t, method, sc.path, sc.token, dsync.Version, []byte(`{}`), nil)
			if status != sc.status || env.Error == nil || env.Error.Code != sc.code || !contains(env.Error.Message, sc.message) {
				t.Errorf("= %d %+v, want %d %s %q", status, env.Error, sc.status, sc.code, sc.message)
			}
		})
	}
	// The revoked desktop is told so, with the reason.
	if err := gone.Admin(ctx, "li", "scope", nil, nil); !errors.Is(err, dsync.ErrRevoked) || !contains(err.Error(), "replaced") {
		t.Errorf("revoked desktop = %v", err)
	}
	if n := adm.count(); n != before {
		t.Errorf("the handler saw %d refused calls", n-before)
	}

	// A hub without the admin API does not know its methods.
	h2 := startHub(t, dsync.HubOptions{})
	desk2 := h2.newDesktop(t, "电脑", h2.addManager(t, "li", h2.region))
	if err := desk2.Admin(ctx, "li", "scope", nil, nil); !errors.Is(err, dsync.ErrNotFound) || !contains(err.Error(), "admin API") {
		t.Errorf("hub without admin API = %v", err)
	}
}

// The admin API is rate limited with sync: a burst is refused with a wait,
// and Client.Admin waits out a short one.
func TestAdminRateLimited(t *testing.T) {
	adm := &recordingAdmin{}
	h := startHub(t, dsync.HubOptions{Admin: adm, Rate: 5, Burst: 2})
	desk := h.newDesktop(t, "电脑", h.addManager(t, "li", h.region))
	for i := range 6 {
		if err := desk.Admin(ctx, "li", "scope", nil, nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if adm.count() != 6 {
		t.Errorf("handler saw %d calls, want 6", adm.count())
	}
}

// An answer that is not the hub's (a captive portal) is not success.
func TestAdminCaptivePortal(t *testing.T) {
	adm := &recordingAdmin{}
	h := startHub(t, dsync.HubOptions{Admin: adm})
	desk := h.newDesktop(t, "电脑", h.addManager(t, "li", h.region))
	h.stop()
	h.db, _ = store.Open(h.dbPath, store.WithLogger(quietLog))
	h.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"result":{"Method":"scope"}}`))
	})
	h.start()
	var got adminCall
	if err := desk.Admin(ctx, "li", "scope", nil, &got); !errors.Is(err, dsync.ErrNotHub) || got.Method != "" {
		t.Errorf("portal answer = %v, %+v", err, got)
	}
}

// A sync ends by telling the hub what the tablet still has to send; the
// manager's device list shows it with the time of the sync.
func TestReceiptNotesPending(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "甲", h.region, clientOpts(t))
	account := func() store.DeviceAccount {
		t.Helper()
		ds, err := h.db.DeviceAccounts(ctx)
		must(t, err)
		for _, d := range ds {
			if d.ID == tb.client.DeviceID() {
				return d
			}
		}
		t.Fatalf("device %s not listed", tb.client.DeviceID())
		return store.DeviceAccount{}
	}
	if d := account(); d.LastSyncAt.IsZero() || d.Pending != 0 {
		t.Errorf("after the first sync: last sync %v, pending %d", d.LastSyncAt, d.Pending)
	}
	// One good record and one the hub refuses: one is still to send.
	tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day)
	bad := &inspect.Inspection{HallID: h.halls[0].ID, SupervisorID: h.sup.ID, DeviceID: tb.client.DeviceID(),
		StandardVersion: 1, StartedAt: day.Add(2 * time.Hour),
		People: []inspect.Person{{StaffID: h.staff[1].ID, Findings: []inspect.Finding{{ItemID: "C1.1",
			Outcome: inspect.Nonconform, At: day.Add(2*time.Hour + time.Minute)}}}}}
	must(t, tb.db.CreateInspection(ctx, bad))
	_, err := tb.db.Seal(ctx, bad.ID, day.Add(3*time.Hour))
	must(t, err)
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if d := account(); rep.Pending != 1 || d.Pending != rep.Pending {
		t.Errorf("tablet pending %d, hub says %d", rep.Pending, d.Pending)
	}

	// An older app says nothing: the sync is noted, the count unknown.
	tok := token(t, tb)
	status, env, _ := h.rawCall(t, "POST", "/v1/receipt", tok, dsync.Version, []byte(`{"full":true}`), nil)
	if status != 200 || env.Error != nil {
		t.Fatalf("receipt without a count = %d %+v", status, env.Error)
	}
	if d := account(); d.Pending != -1 || d.LastSyncAt.IsZero() {
		t.Errorf("after a receipt without a count: pending %d, last sync %v", d.Pending, d.LastSyncAt)
	}
}

// The stream carrier carries the admin call's method and user.
func TestAdminOverStream(t *testing.T) {
	adm := &recordingAdmin{}
	h := startHub(t, dsync.HubOptions{Admin: adm})
	li := h.addManager(t, "li", h.region)
	e, err := dsync.NewDeviceEnrolment(ctx, h.db, store.Device{Name: "流", RegionID: h.region.ID, UserID: li.ID}, time.Now().Add(time.Hour))
	must(t, err)
	cr, sw := ioPipe()
	sr, cw := ioPipe()
	go dsync.ServeStream(ctx, h.hub, sr, sw, 1<<20)
	defer cw.Close()
	c, err := dsync.Enrol(ctx, newTabletDB(t), dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: e.Code},
		dsync.ClientOptions{Logger: quietLog, Transport: dsync.NewStreamTransport(cr, cw)})
	must(t, err)
	var got adminCall
	must(t, c.Admin(ctx, "李", "person", map[string]string{"id": "x"}, &got))
	if got.Method != "person" || got.User != "李" || got.UserID != li.ID || string(got.Body) != `{"id":"x"}` {
		t.Errorf("over a stream the handler saw %+v", got)
	}
}
