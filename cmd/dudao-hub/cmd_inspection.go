package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// The hub's dates are the halls' local dates.
var hallZone = inspect.HallZone

func parseDate(flagName, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, hallZone)
	if err != nil {
		return time.Time{}, usagef("--%s %q: want a date as YYYY-MM-DD", flagName, s)
	}
	return t, nil
}

func init() {
	register(&command{
		noun: "standard", verb: "import", args: "FILE", argNames: []string{"FILE"}, needsDB: true,
		short: "import a new version of the service standard from a YAML file",
		examples: `  dudao-hub standard import standard-v2.yaml

A version is immutable once imported: importing the same file again does
nothing, and a different file with the same version number is refused.
Every region's tablets use the newest version, so on the manager's desktop
only a manager over every region may import one; a regional manager asks
for it to be imported here.`,
		run: func(e *env, args []string) error {
			if err := wantArgs("standard import", args, "FILE"); err != nil {
				return err
			}
			return importStandard(e, args[0])
		},
	})
	register(&command{
		noun: "standard", verb: "list", needsDB: true,
		short: "list the imported versions of the standard and how many inspections use each",
		run: func(e *env, args []string) error {
			if err := wantArgs("standard list", args); err != nil {
				return err
			}
			vs, err := e.db.Standards(e.ctx)
			if err != nil {
				return err
			}
			if len(vs) == 0 {
				e.printf("no standard imported yet\n")
				return nil
			}
			tw := e.table()
			fmt.Fprintln(tw, "VERSION\tIMPORTED\tINSPECTIONS\tHASH")
			for _, v := range vs {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", v.Version, v.ImportedAt.In(hallZone).Format("2006-01-02 15:04"), v.Inspections, v.Hash)
			}
			return tw.Flush()
		},
	})

	var listHall, listFrom, listTo string
	var listSealed bool
	var listLimit int
	register(&command{
		noun: "inspection", verb: "list", args: "[--hall H] [--from DATE] [--to DATE] [--sealed] [--limit N]", needsDB: true,
		short: "list inspections, newest first, with score, grade and seal",
		examples: `  dudao-hub inspection list --hall YFT-KM-001 --from 2026-09-01 --to 2026-09-30
  dudao-hub inspection list --sealed --limit 20`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&listHall, "hall", "", "only this hall (`H`: ID, code or exact name)")
			fs.StringVar(&listFrom, "from", "", "from this `DATE` (YYYY-MM-DD, inclusive)")
			fs.StringVar(&listTo, "to", "", "up to this `DATE` (YYYY-MM-DD, inclusive)")
			fs.BoolVar(&listSealed, "sealed", false, "only sealed inspections")
			fs.IntVar(&listLimit, "limit", 50, "at most `N` rows, newest first (0: all)")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("inspection list", args); err != nil {
				return err
			}
			f := store.InspectionFilter{Limit: listLimit}
			if listHall != "" {
				h, err := e.db.ResolveHall(e.ctx, listHall)
				if err != nil {
					return err
				}
				f.HallID = h.ID
			}
			if listFrom != "" {
				t, err := parseDate("from", listFrom)
				if err != nil {
					return err
				}
				f.From = t
			}
			if listTo != "" {
				t, err := parseDate("to", listTo)
				if err != nil {
					return err
				}
				f.To = t.AddDate(0, 0, 1)
			}
			if listSealed {
				f.Status = inspect.StatusSealed
			}
			rows, err := e.db.ListInspections(e.ctx, f)
			if err != nil {
				return err
			}
			tw := e.table()
			fmt.Fprintln(tw, "ID\tHALL\tSTARTED\tSUPERVISOR\tSCORE\tGRADE\tSEAL")
			reader := records.NewReader(e.db)
			for _, r := range rows {
				score, grade := "-", "-"
				if r.Status == inspect.StatusSealed {
					// One record that cannot be scored (its standard version
					// is missing, say) must not hide the rest of the list.
					if rec, err := reader.Load(e.ctx, r.ID); err != nil {
						score, grade = "?", "?"
						fmt.Fprintf(e.stderr, "dudao-hub: warning: inspection %s cannot be scored: %v\n", r.ID, err)
					} else if s := rec.Result.Inspection; s.Scored {
						score = fmt.Sprintf("%.1f", inspect.Round1(s.Points))
						grade = s.Grade.Name.ZH
					}
				}
				seal := r.SealHash
				if seal == "" {
					seal = "(draft)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.HallName, r.StartedAt.In(hallZone).Format("2006-01-02 15:04"), r.SupervisorName, score, grade, seal)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			switch {
			case len(rows) == 0:
				fmt.Fprintln(e.stderr, "dudao-hub: no inspections match")
			case listLimit > 0 && len(rows) == listLimit:
				fmt.Fprintf(e.stderr, "dudao-hub: showing the %d most recent; --limit 0 shows all\n", listLimit)
			}
			return nil
		},
	})

	register(&command{
		noun: "verify", args: "ID", argNames: []string{"ID"}, needsDB: true,
		short: "recompute an inspection's seal and check its photos and amendments",
		examples: `  dudao-hub verify 019a2b3c-…

Exit status 0 when everything matches, 1 when anything does not.`,
		run: func(e *env, args []string) error {
			if err := wantArgs("verify", args, "ID"); err != nil {
				return err
			}
			ins, err := e.db.Inspection(e.ctx, args[0])
			if err != nil {
				return withHint(err, "inspection IDs are listed by: dudao-hub inspection list")
			}
			if ins.Status != inspect.StatusSealed {
				return fmt.Errorf("inspection %s is a draft: it has no seal to verify yet", args[0])
			}
			r, err := e.db.Verify(e.ctx, args[0])
			if err != nil {
				return err
			}
			ok := r.SealOK
			e.printf("inspection %s\n", args[0])
			e.printf("  stored seal:   %s\n  computed seal: %s\n", r.StoredHash, r.ComputedHash)
			if r.SealOK {
				e.printf("  seal: OK, the record is as it was sealed\n")
			} else {
				e.printf("  seal: MISMATCH, the record has changed since it was sealed\n")
			}
			for _, p := range r.Photos {
				if p.OK {
					e.printf("  photo %s: OK\n", p.SHA256)
				} else {
					ok = false
					e.printf("  photo %s: %s\n", p.SHA256, p.Problem)
				}
			}
			for _, a := range r.Amendments {
				if a.OK {
					e.printf("  amendment %s: OK\n", a.ID)
				} else {
					ok = false
					e.printf("  amendment %s: %s\n", a.ID, a.Problem)
				}
			}
			if !ok {
				return fmt.Errorf("inspection %s does NOT match its seal", args[0])
			}
			e.printf("verified: inspection %s matches its seal\n", args[0])
			return nil
		},
	})
}

// importStandard imports a standard file through admin.Local, as a
// manager's desktop does: the loader's problems are listed one a line.
func importStandard(e *env, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read standard: %w", err)
	}
	op := operator(e, "", nil)
	before, err := op.Standards(e.ctx)
	if err != nil {
		return err
	}
	held := map[int]string{}
	for _, s := range before {
		held[s.Version] = s.Hash
	}
	info, err := op.ImportStandard(e.ctx, path, raw)
	var se *admin.StandardError
	switch {
	case errors.As(err, &se) && len(se.Problems) == 1:
		return fmt.Errorf("standard %s: %s", se.File, se.Problems[0])
	case errors.As(err, &se):
		return fmt.Errorf("standard %s: %d problems:\n  %s", se.File, len(se.Problems), strings.Join(se.Problems, "\n  "))
	case err != nil && reusesVersion(path, raw, held):
		return withHint(err, "a version never changes once imported: give the new file the next version number")
	case err != nil:
		return err
	}
	if h, ok := held[info.Version]; ok && h == info.Hash {
		e.printf("standard version %d is already imported with the same content; nothing to do\n", info.Version)
		return nil
	}
	v, err := op.Standard(e.ctx, info.Version)
	if err != nil {
		return err
	}
	items := 0
	for _, s := range v.Sections {
		items += len(s.Items)
	}
	e.printf("imported standard version %d: %d sections, %d items, hash %s\n", v.Version, len(v.Sections), items, info.Hash)
	return nil
}

// reusesVersion reports whether a standard file carries the number of a
// version imported with other content.
func reusesVersion(path string, raw []byte, held map[int]string) bool {
	v, err := standard.Parse(path, raw)
	if err != nil {
		return false
	}
	h, ok := held[v.Version]
	return ok && h != v.Hash()
}
