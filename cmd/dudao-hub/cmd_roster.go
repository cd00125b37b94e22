package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/roster"
)

func init() {
	var dryRun bool
	var encoding, rejectsPath string
	register(&command{
		noun: "roster", verb: "import", args: "[--dry-run] [--encoding utf-8|gbk|gb18030] [--rejects FILE] FILE", argNames: []string{"FILE"}, needsDB: true,
		short: "import a staff roster (CSV or xlsx) exported by HR",
		examples: `  dudao-hub roster import --dry-run 员工名单.csv
  dudao-hub roster import 员工名单.xlsx --rejects rejected.csv

The roster is a full snapshot of the halls it names: their staff who are not
in the file are deactivated (never deleted; their history stays). Valid rows
are applied; each bad row is listed with its line and reason, and the list is
written to the rejects file (default: FILE.rejects.csv next to the roster),
so HR can fix those lines in their file and import it again. Exit status 1
when any row was rejected (also with --dry-run). Run with --dry-run first.
CSV may be UTF-8 (with or without BOM) or GBK; the encoding is detected.`,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&dryRun, "dry-run", false, "show what would change without changing anything")
			fs.StringVar(&encoding, "encoding", "", "force the CSV text `ENCODING` (utf-8, gbk, gb18030) instead of detecting it")
			fs.StringVar(&rejectsPath, "rejects", "", "write rejected rows to this `FILE` (CSV)")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("roster import", args, "FILE"); err != nil {
				return err
			}
			return importRoster(e, args[0], encoding, rejectsPath, dryRun)
		},
	})
}

func importRoster(e *env, path, encoding, rejectsPath string, dryRun bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	// The operator plans over every region, with the planner the manager's
	// screens use (admin.PlanRosterFile); the import re-plans and applies in
	// one transaction (admin.ApplyRosterFile), so what is printed is what
	// was applied.
	f := admin.RosterFile{Name: path, Data: data, Encoding: encoding}
	now := time.Now()
	var imp *admin.RosterImport
	var out *admin.RosterOutcome
	if dryRun {
		imp, err = admin.PlanRosterFile(e.ctx, e.db, "", f, now, nil)
	} else {
		imp, out, err = admin.ApplyRosterFile(e.ctx, e.db, "", f, "", now, nil)
	}
	if err != nil {
		if errors.Is(err, roster.ErrEncoding) {
			return withHint(err, "if the file is GBK or UTF-8 but detected wrongly, say which with --encoding")
		}
		if !dryRun && !errors.Is(err, admin.ErrInvalid) {
			return fmt.Errorf("apply roster %s: %w (nothing was changed)", filepath.Base(path), err)
		}
		return err
	}
	file, plan := imp.File, imp.Plan
	for _, w := range plan.Warnings {
		fmt.Fprintf(e.stderr, "dudao-hub: warning: %s\n", w)
	}
	printPlan(e, file, plan, dryRun)
	if dryRun {
		e.printf("dry run: nothing was changed\n")
		if len(plan.Rejects) > 0 {
			// The same status as the real import, so a script can use a
			// dry run as a check.
			return fmt.Errorf("%d rows of %s would be rejected", plan.RejectedLines(), filepath.Base(path))
		}
		return nil
	}
	if len(plan.Rejects) > 0 {
		if rejectsPath == "" {
			rejectsPath = strings.TrimSuffix(path, filepath.Ext(path)) + ".rejects.csv"
		}
		if err := writeRejectsFile(rejectsPath, plan.Rejects); err != nil {
			return err
		}
		e.printf("wrote %d rejected rows to %s\n", plan.RejectedLines(), rejectsPath)
	}
	e.printf("applied: %d added, %d updated, %d deactivated\n", out.Added, out.Updated, out.Deactivated)
	if len(plan.Rejects) > 0 {
		return fmt.Errorf("%d rows of %s were rejected and not imported; fix them and import again", plan.RejectedLines(), filepath.Base(path))
	}
	return nil
}

func printPlan(e *env, file *roster.File, plan *roster.Plan, dryRun bool) {
	verb := "will"
	if dryRun {
		verb = "would"
	}
	enc := file.Encoding
	if enc == "" {
		enc = "xlsx"
	}
	e.printf("roster %s (%s, %d lines): %d rows read, %d rejected\n", file.Name, enc, file.Lines, len(file.Rows), plan.RejectedLines())
	var halls []string
	for _, h := range plan.Halls {
		halls = append(halls, h.Name)
	}
	if len(halls) > 0 {
		e.printf("covers halls: %s\n", strings.Join(halls, ", "))
	}
	e.printf("%s add %d, update %d, deactivate %d; %d unchanged\n", verb, len(plan.Add), len(plan.Update), len(plan.Deactivate), plan.Unchanged)
	for _, c := range plan.Add {
		e.printf("  add        line %d: %s %s (%s, %s) at %s\n", c.Row.Line, c.New.EmployeeNo, c.New.Name, c.New.Role, c.New.Gender, c.Hall.Name)
	}
	for _, c := range plan.Update {
		var fields []string
		for _, fc := range c.Fields {
			fields = append(fields, fc.String())
		}
		e.printf("  update     line %d: %s %s: %s\n", c.Row.Line, c.New.EmployeeNo, c.New.Name, strings.Join(fields, "; "))
	}
	for _, s := range plan.Deactivate {
		e.printf("  deactivate %s %s (not in the roster of their hall)\n", s.EmployeeNo, s.Name)
	}
	if plan.HeldBack {
		e.printf("  no one %s be deactivated: a rejected row could not be tied to a person\n", verb)
	}
	for _, r := range plan.Rejects {
		e.printf("  reject     %s\n", r.Error())
	}
}

func writeRejectsFile(path string, rejects []roster.Reject) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rejects-*.csv")
	if err != nil {
		return fmt.Errorf("write rejects file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := roster.WriteRejects(tmp, rejects); err != nil {
		tmp.Close()
		return fmt.Errorf("write rejects file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write rejects file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write rejects file %s: %w", path, err)
	}
	return nil
}
