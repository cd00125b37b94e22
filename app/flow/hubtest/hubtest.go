// Package hubtest runs a real sync hub in process for the tests of flow and
// of the screens: an HTTPS server with the hub's own keys over a store made
// from a copy of a tablet's database, so the hub knows the tablet's halls,
// staff, users and standard under the same IDs.
package hubtest

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

var quiet = slog.New(slog.DiscardHandler)

// Hub is a running hub.
type Hub struct {
	t    testing.TB
	DB   *store.DB
	Keys *dsync.HubKeys
	Hub  *dsync.Hub
	srv  *httptest.Server
	URL  string
	addr string
	// Wrap, when set before Start, wraps the hub's HTTP handler: a test
	// puts a misbehaving network or an impostor between the app and the hub.
	Wrap func(http.Handler) http.Handler

	// Now, when set before Start, is the hub's clock.
	Now func() time.Time

	// Admin is the admin API's server when the hub serves it (WithAdmin).
	Admin     *admin.Server
	withAdmin bool
}

// Option changes how a test hub is made.
type Option func(*Hub)

// WithAdmin serves the managers' admin API (app/admin's Server), as
// dudao-hub serve does, so that a manager's desktop enrolled with the hub
// can work over it.
func WithAdmin() Option { return func(h *Hub) { h.withAdmin = true } }

// FromCopy starts a hub on a copy of src's database (store.DB.Backup).
func FromCopy(t testing.TB, src *store.DB, opts ...Option) *Hub {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "hub.db")
	if err := src.Backup(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := dsync.LoadKeys(filepath.Join(dir, "keys"), dsync.KeyOptions{})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	h := &Hub{t: t, DB: db, Keys: keys}
	for _, o := range opts {
		o(h)
	}
	h.Start()
	t.Cleanup(func() {
		h.Stop()
		h.DB.Close()
	})
	return h
}

// Start serves the hub, at the address it had before when restarted.
func (h *Hub) Start() {
	h.t.Helper()
	h.srv = httptest.NewUnstartedServer(nil)
	if h.addr != "" {
		l, err := net.Listen("tcp", h.addr)
		if err != nil {
			h.t.Fatal(err)
		}
		h.srv.Listener.Close()
		h.srv.Listener = l
	}
	opt := dsync.HubOptions{Logger: quiet, EnrolPerMinute: 10_000, Pins: h.Keys.Pins, Now: h.Now}
	if h.withAdmin {
		// The admin API's invites carry the hub's address, known once the
		// listener is.
		h.Admin = admin.NewServer(h.DB, admin.ServerOptions{
			HubURL: "https://" + h.srv.Listener.Addr().String(), Pins: h.Keys.Pins, Logger: quiet})
		opt.Admin = h.Admin
	}
	h.Hub = dsync.NewHub(h.DB, h.Keys.ReceiptKey, opt)
	var handler http.Handler = h.Hub.Handler(dsync.ServerOptions{})
	if h.Wrap != nil {
		handler = h.Wrap(handler)
	}
	h.srv.Config.Handler = handler
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{h.Keys.TLS}}
	h.srv.Config.ErrorLog = slog.NewLogLogger(quiet.Handler(), slog.LevelDebug)
	h.srv.StartTLS()
	h.URL = h.srv.URL
	h.addr = h.srv.Listener.Addr().String()
}

// Stop stops serving; the database stays open, so Start can serve again.
func (h *Hub) Stop() {
	if h.srv != nil {
		h.srv.CloseClientConnections()
		h.srv.Close()
		h.srv = nil
	}
	if h.Admin != nil {
		h.Admin.Close()
		h.Admin = nil
	}
}

// Invite makes a one-time enrolment for a device in region and returns the
// text the hub would show (and put in its QR code).
func (h *Hub) Invite(name, regionID string) string {
	h.t.Helper()
	e, err := h.Hub.NewEnrolment(context.Background(), name, regionID)
	if err != nil {
		h.t.Fatal(err)
	}
	return dsync.Invite{URL: h.URL, Pins: h.Keys.Pins, Code: e.Code}.String()
}

// TypedInvite is Invite in the short form a supervisor types: address,
// code and the check of the hub's pin.
func (h *Hub) TypedInvite(name, regionID string) string {
	h.t.Helper()
	inv, err := dsync.ParseInvite(h.Invite(name, regionID))
	if err != nil {
		h.t.Fatal(err)
	}
	return inv.Typed()
}

// ManagerInvite makes a one-time enrolment for a manager's desktop, bound
// to the manager with this user name (as dudao-hub device enrol --manager
// does), and returns its invite.
func (h *Hub) ManagerInvite(name, username string) string {
	h.t.Helper()
	ctx := context.Background()
	u, err := admin.ManagerByUsername(ctx, h.DB, username)
	if err != nil {
		h.t.Fatal(err)
	}
	e, err := dsync.NewDeviceEnrolment(ctx, h.DB, store.Device{Name: name, RegionID: u.RegionID, UserID: u.ID}, time.Now().Add(time.Hour))
	if err != nil {
		h.t.Fatal(err)
	}
	return dsync.Invite{URL: h.URL, Pins: h.Keys.Pins, Code: e.Code}.String()
}

// Unreachable is an invite to an address where nothing listens, with this
// hub's pins.
func (h *Hub) Unreachable(code string) string {
	h.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return dsync.Invite{URL: "https://" + addr, Pins: h.Keys.Pins, Code: code}.String()
}

// Wait is how long tests wait for a background sync.
const Wait = 20 * time.Second
