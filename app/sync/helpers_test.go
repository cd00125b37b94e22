package sync_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/data"
)

var ctx = context.Background()

var quietLog = slog.New(slog.DiscardHandler)

// testLog logs to the test when DUDAO_SYNC_LOG is set.
func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("DUDAO_SYNC_LOG") == "" {
		return quietLog
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testHub is a real hub in process: its store, keys and an HTTPS server.
type testHub struct {
	t      testing.TB
	dir    string
	dbPath string
	db     *store.DB
	keys   *dsync.HubKeys
	hub    *dsync.Hub
	srv    *httptest.Server
	url    string
	addr   string
	opt    dsync.HubOptions
	sopt   dsync.ServerOptions
	// handler, when set, replaces the hub's (a captive portal).
	handler http.Handler
	// wrap, when set, stands between the hub and its store (a full disk).
	wrap func(store.HubStore) store.HubStore

	region, region2 store.Region
	halls           []store.Hall // in region
	farHall         store.Hall   // in region2
	staff           []store.Staff
	sup             store.User
}

// startHub makes a hub with a region of two halls and a few staff, a second
// region with one hall, a supervisor and the standard.
func startHub(t testing.TB, opt dsync.HubOptions) *testHub {
	t.Helper()
	return startHubWith(t, opt, dsync.ServerOptions{})
}

func startHubWith(t testing.TB, opt dsync.HubOptions, sopt dsync.ServerOptions, dbOpts ...store.Option) *testHub {
	t.Helper()
	dir := t.TempDir()
	if opt.EnrolPerMinute == 0 {
		opt.EnrolPerMinute = 10_000 // every test tablet enrols from 127.0.0.1
	}
	h := &testHub{t: t, dir: dir, dbPath: filepath.Join(dir, "hub.db"), opt: opt, sopt: sopt}
	db, err := store.Open(h.dbPath, append([]store.Option{store.WithLogger(quietLog)}, dbOpts...)...)
	must(t, err)
	h.db = db
	h.region, err = db.AddRegion(ctx, "昆明")
	must(t, err)
	h.region2, err = db.AddRegion(ctx, "大理")
	must(t, err)
	for i, name := range []string{"北京路营业厅", "滇池路营业厅"} {
		hall, err := db.AddHall(ctx, store.Hall{RegionID: h.region.ID, Code: fmt.Sprintf("KM-%d", i+1), Name: name})
		must(t, err)
		h.halls = append(h.halls, hall)
	}
	h.farHall, err = db.AddHall(ctx, store.Hall{RegionID: h.region2.ID, Code: "DL-1", Name: "大理营业厅"})
	must(t, err)
	for i, name := range []string{"王丽", "李强", "张敏", "赵军"} {
		s, err := db.UpsertStaff(ctx, store.Staff{EmployeeNo: fmt.Sprintf("E%03d", i+1), Name: name,
			Gender: standard.GenderFemale, Role: standard.RoleCashier, HallID: h.halls[i%2].ID})
		must(t, err)
		h.staff = append(h.staff, s)
	}
	h.sup, err = db.AddUser(ctx, store.User{Name: "张督导", Username: "zhang", Role: store.RoleSupervisor, RegionID: h.region.ID}, "2580")
	must(t, err)
	v, err := standard.Parse("standard-v1.yaml", data.StandardV1)
	must(t, err)
	_, err = db.ImportStandard(ctx, v, data.StandardV1)
	must(t, err)
	h.keys, err = dsync.LoadKeys(filepath.Join(dir, "hub.db.keys"), dsync.KeyOptions{})
	must(t, err)
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *testHub) start() {
	if h.opt.Logger == nil {
		h.opt.Logger = testLog(h.t)
	}
	var st store.HubStore = h.db
	if h.wrap != nil {
		st = h.wrap(st)
	}
	h.hub = dsync.NewHub(st, h.keys.ReceiptKey, h.opt)
	handler := h.handler
	if handler == nil {
		handler = h.hub.Handler(h.sopt)
	}
	h.srv = httptest.NewUnstartedServer(handler)
	if h.addr != "" {
		// A restarted hub comes back at the same address, as a real one
		// does: the tablets keep the address they enrolled with.
		l, err := net.Listen("tcp", h.addr)
		must(h.t, err)
		h.srv.Listener.Close()
		h.srv.Listener = l
	}
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{h.keys.TLS}}
	h.srv.Config.ErrorLog = slog.NewLogLogger(quietLog.Handler(), slog.LevelDebug)
	h.srv.StartTLS()
	h.url = h.srv.URL
	h.addr = h.srv.Listener.Addr().String()
}

func (h *testHub) stop() {
	if h.srv != nil {
		h.srv.CloseClientConnections()
		h.srv.Close()
		h.srv = nil
	}
	if h.db != nil {
		_ = h.db.Close()
		h.db = nil
	}
}

// restartOn stops the hub and starts it again on the database at path, with
// the same keys and photo directory, at the same address.
func (h *testHub) restartOn(path string) {
	h.t.Helper()
	h.stop()
	db, err := store.Open(path, store.WithLogger(quietLog), store.WithPhotoDir(filepath.Join(h.dir, "hub.db.photos")))
	must(h.t, err)
	h.db = db
	h.start()
}

func (h *testHub) invite(t testing.TB, name string, region store.Region) dsync.Invite {
	t.Helper()
	e, err := h.hub.NewEnrolment(ctx, name, region.ID)
	must(t, err)
	return dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: e.Code}
}

// copies counts the copies of an inspection on the hub by its ID. The ID is
// the primary key, and the hub never makes IDs, so "exactly once" is this
// being 1 together with the hub's total matching what the tablets sent
// (checked where several tablets share a hub).
func (h *testHub) copies(t testing.TB, id string) int {
	t.Helper()
	_, err := h.db.Inspection(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	must(t, err)
	return 1
}

// tablet is a simulated tablet: its own store and sync client.
type tablet struct {
	name   string
	db     *store.DB
	client *dsync.Client
}

var (
	templateOnce stdsync.Once
	templatePath string
	templateErr  error
)

// newTabletDB copies a migrated empty database: opening one from scratch
// runs every migration, which the soak test would pay hundreds of times.
func newTabletDB(t testing.TB, opts ...store.Option) *store.DB {
	t.Helper()
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dudao-tablet-template-")
		if err != nil {
			templateErr = err
			return
		}
		templatePath = filepath.Join(dir, "template.db")
		db, err := store.Open(templatePath, store.WithLogger(quietLog))
		if err != nil {
			templateErr = err
			return
		}
		templateErr = db.Close()
	})
	must(t, templateErr)
	path := filepath.Join(t.TempDir(), "tablet.db")
	b, err := os.ReadFile(templatePath)
	must(t, err)
	must(t, os.WriteFile(path, b, 0o600))
	db, err := store.Open(path, append([]store.Option{store.WithLogger(quietLog)}, opts...)...)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func clientOpts(t testing.TB) dsync.ClientOptions {
	return dsync.ClientOptions{Logger: testLog(t), BackoffBase: time.Millisecond, BackoffMax: 20 * time.Millisecond}
}

// newTablet enrols a tablet in a region and runs its first sync.
func (h *testHub) newTablet(t testing.TB, name string, region store.Region, opt dsync.ClientOptions) *tablet {
	t.Helper()
	tb := &tablet{name: name, db: newTabletDB(t)}
	c, err := dsync.Enrol(ctx, tb.db, h.invite(t, name, region), opt)
	must(t, err)
	tb.client = c
	if _, err := c.Sync(ctx); err != nil {
		t.Fatalf("first sync of %s: %v", name, err)
	}
	return tb
}

// photoBytes makes deterministic content of n bytes.
func photoBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b
}

// seal records and seals an inspection on the tablet: one person with a
// finding carrying the given photos, and the supervisor's signature.
func (tb *tablet) seal(t testing.TB, hallID, staffID, supervisorID string, at time.Time, photos ...[]byte) *inspect.Inspection {
	t.Helper()
	var refs []inspect.PhotoRef
	for _, p := range photos {
		ref, err := tb.db.PutPhoto(ctx, bytes.NewReader(p), "image/jpeg")
		must(t, err)
		refs = append(refs, ref)
	}
	ins := &inspect.Inspection{HallID: hallID, SupervisorID: supervisorID, DeviceID: tb.client.DeviceID(),
		StandardVersion: 1, StartedAt: at,
		People: []inspect.Person{{StaffID: staffID, Findings: []inspect.Finding{{ItemID: "A1.1",
			Outcome: inspect.Nonconform, Note: "未按规定着装", Photos: refs, At: at.Add(time.Minute)}}}},
		Signatures: []inspect.Signature{{Role: inspect.SignerSupervisor, PersonID: supervisorID, Name: "张督导", At: at.Add(30 * time.Minute)}},
	}
	must(t, tb.db.CreateInspection(ctx, ins))
	_, err := tb.db.Seal(ctx, ins.ID, at.Add(time.Hour))
	must(t, err)
	got, err := tb.db.Inspection(ctx, ins.ID)
	must(t, err)
	return got
}

// outboxStates counts the tablet's outbox by state.
func (tb *tablet) outboxStates(t testing.TB) map[store.OutboxState]int {
	t.Helper()
	items, err := tb.db.Outbox(ctx)
	must(t, err)
	m := map[store.OutboxState]int{}
	for _, it := range items {
		m[it.State]++
	}
	return m
}

// checkDelivered checks that every sealed record of the tablet is on the hub
// exactly once, complete and verified, and that the tablet's delivered marks
// are exactly the hub's complete records for the device, digest included.
func checkDelivered(t testing.TB, h *testHub, tb *tablet) {
	t.Helper()
	items, err := tb.db.Outbox(ctx)
	must(t, err)
	held, err := h.db.HeldRecords(ctx, tb.client.DeviceID())
	must(t, err)
	complete := map[string]string{}
	for _, r := range held {
		if r.Complete() {
			complete[r.Key.ID] = r.Hash
		}
	}
	var entries []dsync.DigestEntry
	for _, it := range items {
		if it.State != store.OutboxDelivered {
			t.Errorf("%s: %s %s is %s (%s: %s)", tb.name, it.Key.Kind, it.Key.ID, it.State, it.ReasonCode, it.Reason)
			continue
		}
		entries = append(entries, dsync.DigestEntry{Kind: string(it.Key.Kind), ID: it.Key.ID, Hash: it.SealHash})
		if complete[it.Key.ID] != it.SealHash {
			t.Errorf("%s: %s marked delivered but the hub holds %q complete", tb.name, it.Key.ID, complete[it.Key.ID])
		}
		if it.Key.Kind == store.KindInspection {
			if n := h.copies(t, it.Key.ID); n != 1 {
				t.Errorf("%s: hub holds %d copies of %s", tb.name, n, it.Key.ID)
			}
			res, err := h.db.Verify(ctx, it.Key.ID)
			if err != nil || !res.OK() {
				t.Errorf("%s: verify %s on the hub: %+v, %v", tb.name, it.Key.ID, res, err)
			}
		}
	}
	if len(entries) != len(complete) {
		t.Errorf("%s: %d delivered marks, hub holds %d complete records", tb.name, len(entries), len(complete))
	}
	var hubEntries []dsync.DigestEntry
	for _, r := range held {
		if r.Complete() {
			hubEntries = append(hubEntries, dsync.DigestEntry{Kind: string(r.Key.Kind), ID: r.Key.ID, Hash: r.Hash})
		}
	}
	if dsync.Digest(entries) != dsync.Digest(hubEntries) {
		t.Errorf("%s: digests differ", tb.name)
	}
}

// rawCall sends one HTTP request to the hub through a pinned client and
// returns the status and the decoded envelope.
func (h *testHub) rawCall(t testing.TB, method, path, token string, version int, body []byte, hdr map[string]string) (int, *dsync.Envelope, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(body))
	must(t, err)
	if version != 0 {
		req.Header.Set(dsync.HeaderVersion, fmt.Sprint(version))
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	env := &dsync.Envelope{}
	if err := json.Unmarshal(b, env); err != nil {
		t.Fatalf("%s %s: answer is not an envelope: %v\n%s", method, path, err, b)
	}
	if env.Protocol != dsync.Marker || env.HubID == "" {
		t.Errorf("%s %s: envelope without marker or hub: %s", method, path, b)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q", method, path, resp.Header.Get("Cache-Control"))
	}
	return resp.StatusCode, env, resp.Header
}

func sha256hex(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }

func ioPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
