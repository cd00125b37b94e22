package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/store"
)

func init() {
	register(&command{
		noun: "conflicts", verb: "list", needsDB: true, hub: true,
		short: "list records a tablet sent under an ID the hub holds with another seal",
		examples: `  dudao-hub conflicts list

The hub keeps the record it had; the tablet keeps its own in quarantine and
does not send it again by itself. Compare both with dudao-hub verify and the
tablet's export, then decide with the supervisor which one stands.`,
		run: func(e *env, args []string) error {
			if err := wantArgs("conflicts list", args); err != nil {
				return err
			}
			cs, err := operator(e, "", nil).Conflicts(e.ctx)
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				e.printf("no conflicts\n")
				return nil
			}
			tw := e.table()
			fmt.Fprintln(tw, "LAST SEEN\tKIND\tRECORD\tDEVICE\tTIMES\tHELD SEAL\tRECEIVED SEAL")
			for _, c := range cs {
				dev := c.DeviceName
				if dev == "" {
					dev = c.DeviceID
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.LastAt.In(hallZone).Format("2006-01-02 15:04"),
					c.Kind, c.RecordID, dev, c.Attempts, c.HeldHash, c.ReceivedHash)
			}
			return tw.Flush()
		},
	})

	var hall string
	register(&command{
		noun: "staff", verb: "offroster", args: "[--hall H]", needsDB: true, hub: true,
		short: "list people recorded in sealed inspections who were not on the roster, and not linked yet",
		examples: `  dudao-hub staff offroster
  dudao-hub staff offroster --hall YFT-KM-001

A supervisor records someone missing from the tablet's roster (a new or
temporary member of staff) as off-roster; this list is for a manager to
match them to a roster entry with dudao-hub staff link (or on the manager's
desktop). Linked people leave the list.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&hall, "hall", "", "only this hall (`H`: ID, code or exact name)")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("staff offroster", args); err != nil {
				return err
			}
			hallID := ""
			if hall != "" {
				h, err := e.db.ResolveHall(e.ctx, hall)
				if err != nil {
					return err
				}
				hallID = h.ID
			}
			ps, err := operator(e, "", nil).OffRoster(e.ctx)
			if err != nil {
				return err
			}
			ps = slices.DeleteFunc(ps, func(p store.OffRosterPerson) bool { return hallID != "" && p.HallID != hallID })
			if len(ps) == 0 {
				e.printf("no off-roster people\n")
				return nil
			}
			tw := e.table()
			fmt.Fprintln(tw, "DATE\tHALL\tNAME\tEMPLOYEE_NO\tBADGE\tROLE\tINSPECTION\tPERSON")
			for _, p := range ps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.StartedAt.In(hallZone).Format("2006-01-02"),
					p.HallName, p.Name, dash(p.EmployeeNo), dash(p.Badge), dash(p.Role), p.InspectionID, p.PersonID)
			}
			return tw.Flush()
		},
	})

	var as, by string
	register(&command{
		noun: "staff", verb: "link", args: "--as USERNAME [--by NAME] INSPECTION PERSON STAFF", argNames: []string{"INSPECTION", "PERSON", "STAFF"},
		needsDB: true, hub: true,
		short: "record, for a manager, that an off-roster person in an inspection is this member of staff",
		examples: `  dudao-hub staff link --as li 019a2b3c-… 019a2b3d-… KM1004
  dudao-hub staff link --as li --by "王工 (IT)" 019a2b3c-… 019a2b3d-… KM1004

INSPECTION and PERSON are as dudao-hub staff offroster lists them; STAFF is
the roster entry, by employee number or ID. The sealed inspection is not
changed: the link is kept beside it with the manager it is made for, who
entered it and when, and never changes.

--as names the manager the link is made for (who asked for it, and answers
for it); they may link people and staff of their own region only, as on
their desktop. The link also records that it was entered at the hub with
this command, and by whom: --by names the person at the console, otherwise
the system account running the command is recorded. A manager who links
people on their own desktop is recorded alone.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&as, "as", "", "the `USERNAME` of the manager the link is made for")
			fs.StringVar(&by, "by", "", "who is entering the link (`NAME`, recorded with it; default: the system user)")
		},
		run: func(e *env, args []string) error {
			l, mgr, err := asManager(e, as, enteredBy("staff link", by))
			if err != nil {
				return err
			}
			staff, err := resolveStaff(e, args[2])
			if err != nil {
				return err
			}
			var who string
			if ps, err := l.OffRoster(e.ctx); err == nil {
				for _, p := range ps {
					if p.InspectionID == args[0] && p.PersonID == args[1] {
						who = p.Name
					}
				}
			}
			if err := l.LinkOffRoster(e.ctx, args[0], args[1], staff.ID); err != nil {
				return notFoundHint(err, "staff offroster")
			}
			link, err := e.db.OffRosterLinkOf(e.ctx, args[1])
			if err != nil {
				return err
			}
			e.printf("linked %s (inspection %s) to %s %s for manager %s; recorded as entered by: %s\n",
				cmp.Or(who, args[1]), args[0], staff.EmployeeNo, staff.Name, mgr.Username, link.RecordedBy)
			return nil
		},
	})

	register(&command{
		noun: "backup", args: "FILE", argNames: []string{"FILE"}, needsDB: true, hub: true,
		short: "write a consistent copy of the hub's database, also while serve runs",
		examples: `  dudao-hub backup --db /var/lib/dudao/hub.db /backup/hub-2026-06-03.db

The copy is taken from one snapshot (SQLite's VACUUM INTO) and gets a new
sync epoch, so tablets notice when the hub is restored from it and send
again whatever the hub lost. Photos are files beside the database and are
not in the copy: back up the photo directory too. How to restore is in
app/sync/README-restore.md.`,
		run: func(e *env, args []string) error {
			// The store refuses any existing path as "the file exists", which
			// for a directory sends the operator looking for a file.
			if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
				base := strings.TrimSuffix(filepath.Base(e.db.Path()), filepath.Ext(e.db.Path()))
				return withHint(fmt.Errorf("back up database to %s: it is a directory", args[0]),
					"name a new file inside it, for example: dudao-hub backup --db %s %s", e.db.Path(),
					filepath.Join(args[0], base+"-"+time.Now().In(hallZone).Format("2006-01-02")+".db"))
			}
			if err := e.db.Backup(e.ctx, args[0]); err != nil {
				return err
			}
			size := int64(0)
			if fi, err := os.Stat(args[0]); err == nil {
				size = fi.Size()
			}
			e.printf("backed up %s to %s (%.1f MB)\n", e.db.Path(), args[0], float64(size)/(1<<20))
			e.printf("photos are not in the copy: back up %s as well\n", e.db.PhotoDir())
			return nil
		},
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// resolveStaff finds a member of staff by employee number or ID.
func resolveStaff(e *env, ref string) (store.Staff, error) {
	s, err := e.db.StaffByEmployeeNo(e.ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		s, err = e.db.StaffByID(e.ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Staff{}, withHint(fmt.Errorf("staff %q: %w", ref, err), "staff are listed by: dudao-hub staff list --all")
	}
	return s, err
}
