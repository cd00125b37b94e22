package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/dudao-app/dudao/app/store"
)

func init() {
	var regionName string
	register(&command{
		noun: "region", verb: "add", args: "NAME", argNames: []string{"NAME"}, needsDB: true, createsDB: true,
		short:    "add a region (a city's halls)",
		examples: `  dudao-hub region add 昆明`,
		run: func(e *env, args []string) error {
			if err := wantArgs("region add", args, "NAME"); err != nil {
				return err
			}
			r, err := e.db.AddRegion(e.ctx, strings.TrimSpace(args[0]))
			if err != nil {
				return err
			}
			e.printf("added region %s %s\n", r.ID, r.Name)
			return nil
		},
	})
	register(&command{
		noun: "region", verb: "list", needsDB: true,
		short: "list regions",
		run: func(e *env, args []string) error {
			if err := wantArgs("region list", args); err != nil {
				return err
			}
			rs, err := e.db.Regions(e.ctx)
			if err != nil {
				return err
			}
			tw := e.table()
			fmt.Fprintln(tw, "ID\tNAME")
			for _, r := range rs {
				fmt.Fprintf(tw, "%s\t%s\n", r.ID, r.Name)
			}
			return tw.Flush()
		},
	})

	var hallCode string
	register(&command{
		noun: "hall", verb: "add", args: "--code CODE [--region R] NAME", argNames: []string{"NAME"}, needsDB: true,
		short: "add a business hall",
		examples: `  dudao-hub hall add --code YFT-KM-004 --region 昆明 优付通金碧路营业厅
  dudao-hub hall add 优付通金碧路营业厅 --code YFT-KM-004`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&hallCode, "code", "", "the hall's short `CODE` (unique)")
			fs.StringVar(&regionName, "region", "", "the `REGION` (ID or name) the hall belongs to; may be left out when there is one region")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("hall add", args, "NAME"); err != nil {
				return err
			}
			if strings.TrimSpace(hallCode) == "" {
				return usagef("hall add: --code is required")
			}
			region, err := resolveRegion(e, regionName)
			if err != nil {
				return err
			}
			h, err := e.db.AddHall(e.ctx, store.Hall{RegionID: region.ID, Code: strings.TrimSpace(hallCode), Name: strings.TrimSpace(args[0])})
			if err != nil {
				return err
			}
			e.printf("added hall %s %s %s (region %s)\n", h.ID, h.Code, h.Name, region.Name)
			return nil
		},
	})
	register(&command{
		noun: "hall", verb: "list", needsDB: true,
		short: "list business halls",
		run: func(e *env, args []string) error {
			if err := wantArgs("hall list", args); err != nil {
				return err
			}
			hs, err := e.db.Halls(e.ctx)
			if err != nil {
				return err
			}
			regions, err := regionNames(e)
			if err != nil {
				return err
			}
			tw := e.table()
			fmt.Fprintln(tw, "ID\tCODE\tNAME\tREGION")
			for _, h := range hs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.ID, h.Code, h.Name, regions[h.RegionID])
			}
			return tw.Flush()
		},
	})

	var userRole, userName, userRegion string
	register(&command{
		noun: "user", verb: "add", args: "--role supervisor|manager --name NAME [--region R] USERNAME", argNames: []string{"USERNAME"}, needsDB: true,
		short: "add a supervisor or manager; the PIN is asked for, or read from standard input",
		examples: `  dudao-hub user add --role supervisor --name 王督导 wang
  echo 2468 | dudao-hub user add --role manager --name 李经理 li`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&userRole, "role", "", "supervisor or manager")
			fs.StringVar(&userName, "name", "", "the person's `NAME` as shown in reports")
			fs.StringVar(&userRegion, "region", "", "the `REGION` a manager oversees (ID or name)")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("user add", args, "USERNAME"); err != nil {
				return err
			}
			if !oneOf(userRole, "supervisor", "manager") {
				return usagef("user add: --role must be supervisor or manager, not %q", userRole)
			}
			if strings.TrimSpace(userName) == "" {
				return usagef("user add: --name is required")
			}
			var regionID string
			if userRegion != "" || userRole == "manager" {
				r, err := resolveRegion(e, userRegion)
				if err != nil {
					return err
				}
				regionID = r.ID
			}
			fmt.Fprintf(e.stderr, "PIN for %s (4 or more digits): ", args[0])
			pin, err := readPIN(e.stdin)
			fmt.Fprintln(e.stderr)
			if err == nil && isTerminal(e.stdin) {
				fmt.Fprintf(e.stderr, "PIN again: ")
				again, err2 := readPIN(e.stdin)
				fmt.Fprintln(e.stderr)
				if err2 != nil {
					err = err2
				} else if again != pin {
					return errors.New("the two PINs differ; nothing was added")
				}
			}
			if err != nil {
				return fmt.Errorf("read PIN: %w", err)
			}
			u, err := e.db.AddUser(e.ctx, store.User{Name: strings.TrimSpace(userName), Username: args[0], Role: store.UserRole(userRole), RegionID: regionID}, pin)
			if err != nil {
				return err
			}
			e.printf("added %s %s (%s) %s\n", u.Role, u.Username, u.Name, u.ID)
			return nil
		},
	})
	register(&command{
		noun: "user", verb: "list", needsDB: true,
		short: "list supervisors and managers",
		run: func(e *env, args []string) error {
			if err := wantArgs("user list", args); err != nil {
				return err
			}
			us, err := e.db.Users(e.ctx)
			if err != nil {
				return err
			}
			regions, err := regionNames(e)
			if err != nil {
				return err
			}
			tw := e.table()
			fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLE\tREGION")
			for _, u := range us {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Name, u.Role, regions[u.RegionID])
			}
			return tw.Flush()
		},
	})

	var staffHall string
	var staffAll bool
	register(&command{
		noun: "staff", verb: "list", args: "[--hall H] [--all]", needsDB: true,
		short: "list staff, active only unless --all",
		examples: `  dudao-hub staff list --hall YFT-KM-001
  dudao-hub staff list --all`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&staffHall, "hall", "", "only this hall (`H`: ID, code or exact name)")
			fs.BoolVar(&staffAll, "all", false, "include staff who have left")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("staff list", args); err != nil {
				return err
			}
			f := store.StaffFilter{IncludeInactive: staffAll}
			if staffHall != "" {
				h, err := e.db.ResolveHall(e.ctx, staffHall)
				if err != nil {
					return err
				}
				f.HallID = h.ID
			}
			staff, err := e.db.Staff(e.ctx, f)
			if err != nil {
				return err
			}
			halls, err := hallNames(e)
			if err != nil {
				return err
			}
			if len(staff) == 0 {
				fmt.Fprintln(e.stderr, "dudao-hub: no staff; import a roster with: dudao-hub roster import FILE")
				return nil
			}
			tw := e.table()
			fmt.Fprintln(tw, "EMPLOYEE_NO\tNAME\tGENDER\tROLE\tBADGE\tHALL\tACTIVE")
			for _, s := range staff {
				active := "yes"
				if !s.Active() {
					active = "left " + s.ActiveTo.Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.EmployeeNo, s.Name, s.Gender, s.Role, s.Badge, halls[s.HallID], active)
			}
			return tw.Flush()
		},
	})
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func resolveRegion(e *env, ref string) (store.Region, error) {
	rs, err := e.db.Regions(e.ctx)
	if err != nil {
		return store.Region{}, err
	}
	if ref == "" {
		switch len(rs) {
		case 1:
			return rs[0], nil
		case 0:
			return store.Region{}, withHint(errors.New("there is no region yet"), "add one with: dudao-hub region add NAME")
		default:
			return store.Region{}, usagef("there are %d regions: say which with --region", len(rs))
		}
	}
	for _, r := range rs {
		if r.ID == ref || r.Name == ref {
			return r, nil
		}
	}
	return store.Region{}, withHint(fmt.Errorf("unknown region %q", ref), `see the regions with: dudao-hub region list`)
}

func regionNames(e *env) (map[string]string, error) {
	rs, err := e.db.Regions(e.ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.ID] = r.Name
	}
	return m, nil
}

func hallNames(e *env) (map[string]string, error) {
	hs, err := e.db.Halls(e.ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(hs))
	for _, h := range hs {
		m[h.ID] = h.Name
	}
	return m, nil
}

// readPIN reads one line: without echo from a terminal, as is from a pipe
// (the documented way for scripts).
func readPIN(r io.Reader) (string, error) {
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		return strings.TrimSpace(string(b)), err
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no PIN given on standard input")
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}
