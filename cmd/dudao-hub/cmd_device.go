package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

func init() {
	var name, region, hubURL, keys string
	var valid time.Duration
	register(&command{
		noun: "device", verb: "enrol", args: "--name NAME [--region R] [--url URL] [--valid DURATION]", needsDB: true,
		short: "enrol a tablet: print a one-time code and a QR code for it to scan",
		examples: `  dudao-hub device enrol --name 北京路一号平板
  dudao-hub device enrol --name 大理二号 --region 大理 --valid 1h

The code is single-use and expires (15 minutes unless --valid says
otherwise). The QR code carries the hub's address, the public-key pins the
tablet will trust, and the code; the same text is printed below it for
pasting. The address is the one serve reported unless --url is given.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "the device's `NAME` as the hub lists it")
			fs.StringVar(&region, "region", "", "the `REGION` the device works in (ID or name); may be left out when there is one region")
			fs.StringVar(&hubURL, "url", "", "the hub's `URL` as tablets reach it (default: what serve recorded)")
			fs.DurationVar(&valid, "valid", 15*time.Minute, "how long the code stays valid (`DURATION`, at most 24h)")
			fs.StringVar(&keys, "keys", "", "the hub's key `DIR` (default: the database path with .keys added)")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("device enrol", args); err != nil {
				return err
			}
			if strings.TrimSpace(name) == "" {
				return usagef("device enrol: --name is required")
			}
			if valid <= 0 || valid > 24*time.Hour {
				return usagef("device enrol: --valid %s: want more than 0 and at most 24h", valid)
			}
			r, err := resolveRegion(e, region)
			if err != nil {
				return err
			}
			inv, err := invitePrefix(e, hubURL, keysDir(e, keys))
			if err != nil {
				return err
			}
			if _, err := e.db.HubIdentity(e.ctx); err != nil {
				return err
			}
			enr, err := dsync.NewEnrolment(e.ctx, e.db, strings.TrimSpace(name), r.ID, time.Now().Add(valid))
			if err != nil {
				return fmt.Errorf("enrol device %q: %w", name, err)
			}
			inv.Code = enr.Code
			qr, err := inv.QR()
			if err != nil {
				return err
			}
			e.printf("device %s %q in region %s\n", enr.Device.ID, enr.Device.Name, r.Name)
			e.printf("one-time code: %s (single use, valid until %s)\n", enr.Code, enr.Expires.In(hallZone).Format("2006-01-02 15:04 MST"))
			e.printf("hub: %s\n", inv.URL)
			e.printf("pins: %s\n\n", strings.Join(inv.Pins, " "))
			e.printf("%s\n", qr)
			e.printf("scan the code with the tablet (Settings, Enrol), or paste:\n%s\n", inv.String())
			return nil
		},
	})

	register(&command{
		noun: "device", verb: "list", needsDB: true, readsOnly: true,
		short: "list devices: enrolled, waiting for their code, or revoked",
		run: func(e *env, args []string) error {
			if err := wantArgs("device list", args); err != nil {
				return err
			}
			ds, err := e.db.DeviceAccounts(e.ctx)
			if err != nil {
				return err
			}
			regions, err := regionNames(e)
			if err != nil {
				return err
			}
			tw := e.table()
			fmt.Fprintln(tw, "ID\tNAME\tREGION\tSTATE\tLAST SEEN")
			for _, d := range ds {
				state := "waiting for its code"
				switch {
				case d.Revoked():
					state = fmt.Sprintf("revoked %s: %s", d.RevokedAt.In(hallZone).Format("2006-01-02"), d.RevokeReason)
				case d.Enrolled:
					state = "enrolled " + d.EnrolledAt.In(hallZone).Format("2006-01-02")
				}
				seen := "-"
				if !d.LastSeenAt.IsZero() {
					seen = d.LastSeenAt.In(hallZone).Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, regions[d.RegionID], state, seen)
			}
			return tw.Flush()
		},
	})

	var reason string
	register(&command{
		noun: "device", verb: "revoke", args: "[--reason TEXT] ID", argNames: []string{"ID"}, needsDB: true, readsOnly: true,
		short: "revoke a device: its token stops working at once, and it is told why",
		examples: `  dudao-hub device revoke --reason "reported lost on 3 June" 019a2b3c-…
  dudao-hub device revoke 北京路一号平板

The ID may also be the device's exact name. What the tablet has not sent yet
stays on it and can be exported there; nothing is deleted.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&reason, "reason", "", "why, as the tablet will show it")
		},
		run: func(e *env, args []string) error {
			d, err := e.db.RevokeDevice(e.ctx, args[0], reason)
			if errors.Is(err, store.ErrNotFound) {
				return withHint(err, "devices are listed by: dudao-hub device list")
			}
			if err != nil {
				return err
			}
			e.printf("revoked device %s %q: %s\n", d.ID, d.Name, d.RevokeReason)
			return nil
		},
	})
}

// invitePrefix is the invite without its code: the hub's address and pins,
// as serve recorded them, or from the flags and the key directory.
func invitePrefix(e *env, hubURL, keys string) (dsync.Invite, error) {
	inv := dsync.Invite{URL: hubURL}
	if inv.URL == "" {
		u, err := e.db.Setting(e.ctx, settingHubURL)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return inv, err
		}
		inv.URL = u
	}
	if inv.URL == "" {
		return inv, withHint(errors.New("the hub's address is not known yet"),
			"start dudao-hub serve once, or give the address tablets reach the hub at with --url https://HOST:PORT")
	}
	if p, err := e.db.Setting(e.ctx, settingHubPins); err == nil && p != "" {
		inv.Pins = strings.Fields(p)
	} else {
		k, err := dsync.LoadKeys(keys, dsync.KeyOptions{})
		if err != nil {
			return inv, err
		}
		inv.Pins = k.Pins
	}
	inv.Code = "0000-0000-0000" // checked for shape; the real one is set by the caller
	if err := inv.Validate(); err != nil {
		return inv, usagef("device enrol: %v", err)
	}
	return inv, nil
}
