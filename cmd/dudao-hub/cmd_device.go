package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

func init() {
	var name, region, hubURL, keys, manager string
	var valid time.Duration
	register(&command{
		noun: "device", verb: "enrol", args: "--name NAME [--region R | --manager USERNAME] [--url URL] [--valid DURATION]", needsDB: true, hub: true,
		short: "enrol a tablet, or a manager's desktop: print a one-time code and a QR code for it to scan",
		examples: `  dudao-hub device enrol --name 北京路一号平板
  dudao-hub device enrol --name 大理二号 --region 大理 --valid 1h
  dudao-hub device enrol --name 李经理的电脑 --manager li

The code is single-use and expires (15 minutes unless --valid says
otherwise). The QR code carries the hub's address, the public-key pins the
device will trust, and the code; the same text is printed below it for
pasting, and then a short line to type where pasting is awkward: the
address, the code and a 16-character check of the hub's key. The address
is the one serve reported unless --url is given.

With --manager the device is a manager's desktop: it is bound to that
manager's account, works in their region, and may call the hub's admin API
(halls, staff, rosters, inspections, summaries, devices) for that manager
only. Tablets may not.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "the device's `NAME` as the hub lists it")
			fs.StringVar(&region, "region", "", "the `REGION` the tablet works in (ID or name); may be left out when there is one region")
			fs.StringVar(&manager, "manager", "", "enrol a manager's desktop, bound to the manager with this `USERNAME`")
			fs.StringVar(&hubURL, "url", "", "the hub's `URL` as devices reach it (default: what serve recorded)")
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
			if valid <= 0 || valid > maxCodeValid {
				return usagef("device enrol: --valid %s: want more than 0 and at most 24h", valid)
			}
			if manager != "" && region != "" {
				return usagef("device enrol: a manager's desktop works in the manager's region: give --manager or --region, not both")
			}
			inv, err := invitePrefix(e, hubURL, keysDir(e, keys))
			if err != nil {
				return err
			}
			if _, err := e.db.HubIdentity(e.ctx); err != nil {
				return err
			}
			if manager != "" {
				return enrolDesktop(e, strings.TrimSpace(name), manager, inv, valid)
			}
			r, err := resolveRegion(e, region)
			if err != nil {
				return err
			}
			hub := &admin.HubInvite{URL: inv.URL, Pins: inv.Pins, EnrolTTL: valid}
			enr, err := operator(e, r.ID, hub).EnrolDevice(e.ctx, strings.TrimSpace(name))
			if err != nil {
				return err
			}
			e.printf("device %s %q in region %s\n", enr.Device.ID, enr.Device.Name, r.Name)
			return printInvite(e, enr.Code, enr.Expires, enr.Invite)
		},
	})

	register(&command{
		noun: "device", verb: "list", needsDB: true, hub: true,
		short: "list devices: tablets and managers' desktops, enrolled, waiting for their code, or revoked",
		examples: `  dudao-hub device list

KIND is "tablet", or "desktop of USERNAME" for a manager's desktop. STATE
is "waiting for its code until" the code's expiry, then "code expired
unused": such a device needs a new enrolment. LAST SYNC is when a tablet last
finished a sync, and PENDING what it said it still had to send then ("-"
when it did not say).`,
		run: func(e *env, args []string) error {
			if err := wantArgs("device list", args); err != nil {
				return err
			}
			rows, err := operator(e, "", nil).Devices(e.ctx)
			if err != nil {
				return err
			}
			now := time.Now()
			expired := 0
			tw := e.table()
			fmt.Fprintln(tw, "ID\tKIND\tNAME\tREGION\tSTATE\tLAST SEEN\tLAST SYNC\tPENDING")
			for _, d := range rows {
				kind := "tablet"
				if d.Manager != "" {
					kind = "desktop of " + d.Manager
				}
				var state string
				switch {
				case d.Revoked():
					state = fmt.Sprintf("revoked %s: %s", d.RevokedAt.In(hallZone).Format("2006-01-02"), d.RevokeReason)
				case d.Enrolled:
					state = "enrolled " + d.EnrolledAt.In(hallZone).Format("2006-01-02")
				case codeExpired(d, now):
					state = "code expired unused, issued " + stamp(d.CreatedAt)
					expired++
				case !d.CodeExpiresAt.IsZero():
					state = "waiting for its code until " + stamp(d.CodeExpiresAt)
				default:
					state = "waiting for its code, issued " + stamp(d.CreatedAt)
				}
				pending := "-"
				if d.Pending >= 0 && !d.LastSync.IsZero() {
					pending = fmt.Sprint(d.Pending)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, kind, d.Name, dash(d.RegionName), state,
					stamp(d.LastSeenAt), stamp(d.LastSync), pending)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if expired > 0 {
				// On stderr, so that the table stays the whole of stdout for
				// scripts.
				fmt.Fprintf(e.stderr, "dudao-hub: hint: a code that expired unused cannot be renewed: issue a new one with "+
					"dudao-hub device enrol --name NAME, and retire the old entry with dudao-hub device revoke ID\n")
			}
			return nil
		},
	})

	var reason string
	register(&command{
		noun: "device", verb: "revoke", args: "[--reason TEXT] ID", argNames: []string{"ID"}, needsDB: true, hub: true,
		short: "revoke a device: its token stops working at once, and it is told why",
		examples: `  dudao-hub device revoke --reason "reported lost on 3 June" 019a2b3c-…
  dudao-hub device revoke 北京路一号平板

The ID may also be the device's exact name. What the tablet has not sent yet
stays on it and can be exported there; nothing is deleted. A manager's
desktop is revoked the same way: on the desktops, a regional manager
revokes tablets only, and a manager over every region may revoke another
manager's desktop but not their own.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&reason, "reason", "", "why, as the device will show it")
		},
		run: func(e *env, args []string) error {
			op := operator(e, "", nil)
			d, err := findDevice(e, op, args[0])
			if err != nil {
				return err
			}
			if d.Revoked() {
				// The first revocation's date and reason are what the device
				// was told and what an investigation goes by, so a second one
				// keeps them; saying so keeps a new --reason from looking
				// recorded.
				e.printf("device %s %q was already revoked on %s (reason: %s); nothing changed\n",
					d.ID, d.Name, d.RevokedAt.In(hallZone).Format("2006-01-02 15:04"), d.RevokeReason)
				return nil
			}
			d, err = op.RevokeDevice(e.ctx, d.ID, cmp.Or(strings.TrimSpace(reason), "revoked by the hub's administrator"))
			if err != nil {
				return notFoundHint(err, "device list")
			}
			e.printf("revoked device %s %q: %s\n", d.ID, d.Name, d.RevokeReason)
			return nil
		},
	})
}

// findDevice finds a device by its ID, or by its exact name when only one
// device has it.
func findDevice(e *env, op *admin.Local, ref string) (admin.DeviceRow, error) {
	rows, err := op.Devices(e.ctx)
	if err != nil {
		return admin.DeviceRow{}, err
	}
	ref = strings.TrimSpace(ref)
	var named []admin.DeviceRow
	for _, d := range rows {
		if d.ID == ref {
			return d, nil
		}
		if d.Name == ref {
			named = append(named, d)
		}
	}
	switch len(named) {
	case 1:
		return named[0], nil
	case 0:
		return admin.DeviceRow{}, withHint(fmt.Errorf("device %q: %w", ref, store.ErrNotFound), "devices are listed by: dudao-hub device list")
	}
	return admin.DeviceRow{}, withHint(fmt.Errorf("device %q: %w: %d devices have that name", ref, store.ErrInvalid, len(named)),
		"give the ID instead (dudao-hub device list)")
}

// maxCodeValid is the longest an enrolment code may stay valid (device
// enrol --valid; the hub and the desktops issue 15-minute codes).
const maxCodeValid = 24 * time.Hour

// codeExpired reports whether a device that never enrolled has outlived
// its code. A database from before the store kept the expiry answers no
// time: such a code counts as expired once the longest validity has passed.
func codeExpired(d admin.DeviceRow, now time.Time) bool {
	if d.Enrolled || d.Revoked() {
		return false
	}
	if !d.CodeExpiresAt.IsZero() {
		return !now.Before(d.CodeExpiresAt)
	}
	return now.Sub(d.CreatedAt) > maxCodeValid
}

// enrolDesktop enrols a manager's desktop: a device bound to the manager,
// in their region, which the admin API serves for them.
func enrolDesktop(e *env, name, username string, inv dsync.Invite, valid time.Duration) error {
	mgr, err := admin.ManagerByUsername(e.ctx, e.db, username)
	if err != nil {
		return withHint(fmt.Errorf("device enrol: %w", err),
			"a desktop is enrolled for an enabled manager account: see dudao-hub user list, or add one with dudao-hub user add --role manager")
	}
	enr, err := dsync.NewDeviceEnrolment(e.ctx, e.db, store.Device{Name: name, RegionID: mgr.RegionID, UserID: mgr.ID}, time.Now().Add(valid))
	if err != nil {
		return fmt.Errorf("enrol desktop %q: %w", name, err)
	}
	where := "every region"
	if mgr.RegionID != "" {
		regions, err := regionNames(e)
		if err != nil {
			return err
		}
		where = "region " + regions[mgr.RegionID]
	}
	e.printf("desktop %s %q for manager %s (%s), %s\n", enr.Device.ID, enr.Device.Name, mgr.Username, mgr.Name, where)
	inv.Code = enr.Code
	return printInvite(e, enr.Code, enr.Expires, inv.String())
}

// printInvite prints an enrolment's code, the hub's address and pins, the
// QR code, the invite as text and its typed form.
func printInvite(e *env, code string, expires time.Time, invite string) error {
	inv, err := dsync.ParseInvite(invite)
	if err != nil {
		return err
	}
	qr, err := inv.QR()
	if err != nil {
		return err
	}
	e.printf("one-time code: %s (single use, valid until %s)\n", code, expires.In(hallZone).Format("2006-01-02 15:04 MST"))
	e.printf("hub: %s\n", inv.URL)
	e.printf("pins: %s\n\n", strings.Join(inv.Pins, " "))
	e.printf("%s\n", qr)
	e.printf("scan the code with the device (a new tablet asks at sign-in; later: Settings, Hub), or paste:\n%s\n", invite)
	e.printf("or type on the tablet:\n%s\n", inv.Typed())
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(hallZone).Format("2006-01-02 15:04")
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
