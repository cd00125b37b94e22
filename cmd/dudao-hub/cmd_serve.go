package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// Settings serve records for the admin commands: the address tablets use
// and the pins they must trust, which device enrol puts in the QR code.
const (
	settingHubURL  = "hub.url"
	settingHubPins = "hub.pins"
)

// keysDir is where the hub's keys live: beside the database, as the photo
// directory is.
func keysDir(e *env, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return e.db.Path() + ".keys"
}

// stringsFlag collects a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func init() {
	var addr, publicURL, certFile, keyFile, keys, readyFile string
	var hosts stringsFlag
	register(&command{
		noun: "serve", args: "[--addr ADDR] [--url URL] [--host NAME]... [--tls-cert FILE --tls-key FILE] [--keys DIR]",
		needsDB: true, createsDB: true,
		short: "run the sync server that tablets enrol with and sync to, over HTTPS",
		examples: `  dudao-hub serve --db /var/lib/dudao/hub.db --addr :8443
  dudao-hub serve --db hub.db --addr :8443 --url https://hub.km.example.cn:8443
  dudao-hub serve --db hub.db --tls-cert hub-chain.pem --tls-key hub-key.pem

On first start the hub creates its own certificate authority, a backup key,
a server certificate and a receipt-signing key in DIR (default: the
database path with ".keys" added), and prints the public-key pins tablets
will trust. Keep a copy of DIR, and keep backup-ca.key somewhere offline
(see app/sync/README-restore.md).

Managers' desktops enrolled with device enrol --manager call the hub's admin
API over the same HTTPS and pins, each seeing only its manager's region.

Other commands (device enrol, device revoke, backup, ...) work on the same
database while serve runs. Stop it with Ctrl-C or SIGTERM.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&addr, "addr", ":8443", "listen on `ADDR` (host:port)")
			fs.StringVar(&publicURL, "url", "", "the `URL` tablets reach the hub at (default: https:// this machine's first LAN address and the port)")
			fs.Var(&hosts, "host", "another host `NAME` or address for the certificate (repeatable)")
			fs.StringVar(&certFile, "tls-cert", "", "serve this certificate chain (PEM `FILE`) instead of the hub's own")
			fs.StringVar(&keyFile, "tls-key", "", "the private key (PEM `FILE`) of --tls-cert")
			fs.StringVar(&keys, "keys", "", "the hub's key `DIR`")
			fs.StringVar(&readyFile, "ready-file", "", "once listening, write the URL and pins as JSON to `FILE` (for scripts)")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("serve", args); err != nil {
				return err
			}
			if (certFile == "") != (keyFile == "") {
				return usagef("serve: give both --tls-cert and --tls-key, or neither")
			}
			return serve(e, serveOptions{addr: addr, url: publicURL, hosts: hosts, certFile: certFile,
				keyFile: keyFile, keys: keysDir(e, keys), readyFile: readyFile})
		},
	})
}

type serveOptions struct {
	addr, url, certFile, keyFile, keys, readyFile string
	hosts                                         []string
}

func serve(e *env, o serveOptions) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	if o.url == "" {
		o.url = guessURL(o.addr, ln.Addr())
	}
	u, err := url.Parse(o.url)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return usagef("serve: --url %q: want https://host:port", o.url)
	}
	keys, err := dsync.LoadKeys(o.keys, dsync.KeyOptions{Hosts: append([]string{u.Hostname()}, o.hosts...),
		CertFile: o.certFile, KeyFile: o.keyFile})
	if err != nil {
		return err
	}
	id, err := e.db.HubIdentity(e.ctx)
	if err != nil {
		return err
	}
	if err := e.db.SetSettings(e.ctx, map[string]string{settingHubURL: o.url, settingHubPins: strings.Join(keys.Pins, " ")}); err != nil {
		return err
	}

	// serve is the one command that logs what it does: each call, at info.
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// The admin API serves managers' desktops (enrolled with device enrol
	// --manager), each scoped to its manager's region.
	adm := admin.NewServer(e.db, admin.ServerOptions{HubURL: o.url, Pins: keys.Pins, Logger: log})
	defer adm.Close()
	hub := dsync.NewHub(e.db, keys.ReceiptKey, dsync.HubOptions{Logger: log, Admin: adm, Pins: keys.Pins})
	srv := dsync.NewServer(o.addr, hub, keys.TLS, dsync.ServerOptions{})

	e.printf("dudao-hub: hub %s, epoch %s\n", id.HubID, id.Epoch)
	e.printf("listening on %s; tablets reach it at %s\n", ln.Addr(), o.url)
	e.printf("certificate pin: %s\n", keys.Pins[0])
	if len(keys.Pins) > 1 {
		e.printf("backup pin:      %s\n", keys.Pins[1])
	}
	e.printf("keys: %s\n", keys.Dir)
	if slices.Contains(keys.Created, "ca.key") {
		e.printf("created a new certificate authority: copy %s somewhere safe, and keep backup-ca.key offline\n", keys.Dir)
	}
	e.printf("enrol a tablet with: dudao-hub device enrol --db %s --name NAME\n", e.db.Path())
	e.printf("enrol a manager's desktop with: dudao-hub device enrol --db %s --name NAME --manager USERNAME\n", e.db.Path())
	if o.readyFile != "" {
		b, _ := json.Marshal(map[string]any{"url": o.url, "addr": ln.Addr().String(), "pins": keys.Pins, "hub_id": id.HubID})
		if err := os.WriteFile(o.readyFile, b, 0o600); err != nil {
			return fmt.Errorf("serve: write ready file: %w", err)
		}
	}

	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	go prepareManagerIndex(ctx, e.db, log)
	go sweepPartials(ctx, e.db, log)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down; waiting for calls in progress")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	e.printf("dudao-hub: stopped\n")
	return nil
}

// prepareManagerIndex brings the managers' inspection index up to date
// while the hub already serves: after an upgrade every inspection has to be
// graded once (about 15 s per 100,000), and a manager's first listing would
// otherwise wait for it. Photos whose upload wrote no row are noted first,
// so completeness is right when the grades are.
func prepareManagerIndex(ctx context.Context, db *store.DB, log *slog.Logger) {
	start := time.Now()
	photos, err := db.NoteHeldPhotos(ctx)
	if err != nil {
		log.Warn("note held photos", "err", err)
	}
	graded, err := db.RefreshInspectionIndex(ctx)
	if err != nil {
		log.Warn("grade inspections for the managers' list", "err", err)
		return
	}
	if photos > 0 || graded > 0 {
		log.Info("managers' inspection index ready", "photos_noted", photos, "graded", graded, "took", time.Since(start).Round(time.Millisecond))
	}
}

// sweepPartials removes photo uploads abandoned for store.PartialUploadTTL,
// at start and then daily, while the hub serves.
func sweepPartials(ctx context.Context, db *store.DB, log *slog.Logger) {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		files, bytes, err := db.RemoveStalePartials(time.Now().Add(-store.PartialUploadTTL))
		if err != nil {
			log.Warn("remove abandoned photo uploads", "err", err)
		} else if files > 0 {
			log.Info("removed abandoned photo uploads", "files", files, "bytes", bytes)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// guessURL is the address tablets on the hall's network most likely reach
// the hub at: the host given in --addr, or else this machine's first
// non-loopback IPv4 address.
func guessURL(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	port := "8443"
	if ta, ok := bound.(*net.TCPAddr); ok {
		port = strconv.Itoa(ta.Port)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
					host = n.IP.String()
					break
				}
			}
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}
