package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"golang.org/x/term"

	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/store"
)

// reportFlags are the flags every report command takes.
type reportFlags struct {
	out    string
	redact bool
	lang   string
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "write the PDF to `FILE` (required)")
	fs.BoolVar(&f.redact, "redact", false, "redacted copy for wider distribution: no photos or signatures, staff shown by badge number")
	fs.StringVar(&f.lang, "lang", "zh", "`LANG` of the standard's texts and the score explanation: zh or en (labels are always bilingual)")
}

// check reports a usage mistake in the shared flags.
func (f *reportFlags) check(cmd string) error {
	if f.out == "" {
		return usagef("%s: missing -o FILE (see: dudao-hub %s --help)", cmd, cmd)
	}
	if !oneOf(f.lang, "zh", "en") {
		return usagef("%s: --lang %q: want zh or en", cmd, f.lang)
	}
	return nil
}

func (f *reportFlags) options() report.Options {
	return report.Options{Redact: f.redact, Lang: f.lang}
}

// period reads --from and --to, both required, as whole days in the halls'
// zone with --to included.
func period(cmd, from, to string) (time.Time, time.Time, error) {
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, usagef("%s: --from and --to are required (see: dudao-hub %s --help)", cmd, cmd)
	}
	f, err := parseDate("from", from)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	t, err := parseDate("to", to)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, usagef("%s: --to %s is before --from %s", cmd, to, from)
	}
	return f, t, nil
}

func init() {
	var insFlags reportFlags
	register(&command{
		noun: "report", verb: "inspection", args: "ID -o FILE [--redact] [--lang zh|en]", argNames: []string{"ID"},
		needsDB: true,
		short:   "write the PDF report of a sealed inspection",
		examples: `  dudao-hub report inspection 019a2b3c-… -o inspection.pdf
  dudao-hub report inspection 019a2b3c-… -o inspection-redacted.pdf --redact

IDs are the ones "dudao-hub inspection list --sealed" prints. Every page's
footer carries the inspection ID and its seal (SHA-256), with a QR code of
both. The file is written whole or not at all.`,
		flags: insFlags.register,
		run: func(e *env, args []string) error {
			if err := insFlags.check("report inspection"); err != nil {
				return err
			}
			in, err := records.NewReports(e.db).InspectionReport(e.ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return withHint(err, "inspection IDs are listed by: dudao-hub inspection list --sealed")
			}
			if err != nil {
				return err
			}
			return writeReport(e, insFlags, func(w io.Writer) error {
				err := report.RenderInspection(w, in, insFlags.options())
				if errors.Is(err, report.ErrInvalidInput) {
					return withHint(err, "check the stored record with: dudao-hub verify %s", args[0])
				}
				return err
			})
		},
	})

	var sumFlags reportFlags
	var sumHall, sumRegion, sumFrom, sumTo string
	register(&command{
		noun: "report", verb: "summary", args: "--hall H|--region R --from DATE --to DATE -o FILE [--redact] [--lang zh|en]",
		needsDB: true,
		short:   "write the PDF summary of a hall or a region over a period",
		examples: `  dudao-hub report summary --hall YFT-KM-001 --from 2026-09-01 --to 2026-09-30 -o km001-september.pdf
  dudao-hub report summary --region 昆明 --from 2026-07-01 --to 2026-09-30 -o kunming-q3.pdf --redact

Dates are the halls' local dates; --to is included. The summary covers the
sealed inspections started in the period: their number, the average score
by week, grades, the most violated clauses and the people observed. A period
without inspections gives a one-page report that says so.`,
		flags: func(fs *flag.FlagSet) {
			sumFlags.register(fs)
			fs.StringVar(&sumHall, "hall", "", "summarise this hall (`H`: ID, code or exact name)")
			fs.StringVar(&sumRegion, "region", "", "summarise every hall of this region (`R`: ID or exact name)")
			fs.StringVar(&sumFrom, "from", "", "first `DATE` of the period (YYYY-MM-DD, required)")
			fs.StringVar(&sumTo, "to", "", "last `DATE` of the period (YYYY-MM-DD, included, required)")
		},
		run: func(e *env, args []string) error {
			const cmd = "report summary"
			if err := wantArgs(cmd, args); err != nil {
				return err
			}
			if (sumHall == "") == (sumRegion == "") {
				return usagef("%s: give either --hall or --region (see: dudao-hub %s --help)", cmd, cmd)
			}
			from, to, err := period(cmd, sumFrom, sumTo)
			if err != nil {
				return err
			}
			if err := sumFlags.check(cmd); err != nil {
				return err
			}
			q := records.SummaryQuery{From: from, To: to}
			if sumHall != "" {
				h, err := e.db.ResolveHall(e.ctx, sumHall)
				if errors.Is(err, store.ErrNotFound) {
					return withHint(err, "halls are listed by: dudao-hub hall list")
				}
				if err != nil {
					return err
				}
				q.HallID = h.ID
			} else {
				r, err := resolveRegion(e, sumRegion)
				if err != nil {
					return err
				}
				q.RegionID = r.ID
			}
			// Reading the records and drawing the pages are each about half
			// of a long summary's time.
			p := newProgress(e.stderr, "summary")
			q.Progress = func(done, total int) { p.set(done, total, 0, 50) }
			in, err := records.NewReports(e.db).SummaryReport(e.ctx, q)
			if err != nil {
				p.done()
				return err
			}
			opt := sumFlags.options()
			opt.Progress = func(done, total int) { p.set(done, total, 50, 100) }
			err = writeReport(e, sumFlags, func(w io.Writer) error {
				err := report.RenderSummary(w, in, opt)
				p.done()
				return err
			})
			if err == nil && len(in.Records) == 0 {
				fmt.Fprintf(e.stderr, "dudao-hub: no sealed inspections of %s from %s to %s; the report says so\n", in.Scope, sumFrom, sumTo)
			}
			return err
		},
	})

	var perFlags reportFlags
	var perFrom, perTo string
	register(&command{
		noun: "report", verb: "person", args: "EMPLOYEE_NO --from DATE --to DATE -o FILE [--redact] [--lang zh|en]",
		argNames: []string{"EMPLOYEE_NO"}, needsDB: true,
		short: "write the PDF history of one member of staff over a period",
		examples: `  dudao-hub report person E1023 --from 2026-07-01 --to 2026-09-30 -o e1023.pdf
  dudao-hub report person E1023 --from 2026-07-01 --to 2026-09-30 -o e1023-redacted.pdf --redact

Employee numbers are listed by "dudao-hub staff list --all". Dates are the
halls' local dates; --to is included. The history has every finding of the
period with its date, clause and note, and the person's score trend.`,
		flags: func(fs *flag.FlagSet) {
			perFlags.register(fs)
			fs.StringVar(&perFrom, "from", "", "first `DATE` of the period (YYYY-MM-DD, required)")
			fs.StringVar(&perTo, "to", "", "last `DATE` of the period (YYYY-MM-DD, included, required)")
		},
		run: func(e *env, args []string) error {
			const cmd = "report person"
			from, to, err := period(cmd, perFrom, perTo)
			if err != nil {
				return err
			}
			if err := perFlags.check(cmd); err != nil {
				return err
			}
			in, err := records.NewReports(e.db).PersonHistoryReport(e.ctx, args[0], from, to)
			if errors.Is(err, store.ErrNotFound) {
				return withHint(err, "employee numbers are listed by: dudao-hub staff list --all")
			}
			if err != nil {
				return err
			}
			err = writeReport(e, perFlags, func(w io.Writer) error {
				return report.RenderPersonHistory(w, in, perFlags.options())
			})
			if err == nil && len(in.Records) == 0 {
				fmt.Fprintf(e.stderr, "dudao-hub: %s was not observed in a sealed inspection from %s to %s; the report says so\n", args[0], perFrom, perTo)
			}
			return err
		},
	})
}

// writeReport renders into memory and then writes the file through a
// temporary file in the same directory and a rename, so that a failed
// render or a full disk never leaves a half-written PDF under the name asked
// for, and an earlier report of that name survives a failure.
func writeReport(e *env, f reportFlags, render func(w io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := writeAtomic(f.out, buf.Bytes()); err != nil {
		return err
	}
	what := ""
	if f.redact {
		what = ", redacted"
	}
	if n := pageCount(buf.Bytes()); n > 0 {
		what = fmt.Sprintf(", %d %s%s", n, plural(n, "page", "pages"), what)
	}
	e.printf("wrote %s (%s%s)\n", f.out, size(buf.Len()), what)
	return nil
}

func writeAtomic(path string, data []byte) (err error) {
	// A file replaced keeps its permissions; a new one gets the usual ones.
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", path)
		}
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	// Flushed to disk before the rename, so that a crash cannot leave the
	// name pointing at an empty file.
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// pageObject matches a page object of the PDFs gofpdf writes, which keeps
// them uncompressed and outside object streams; "/Type /Pages", the page
// tree, does not match.
var pageObject = regexp.MustCompile(`/Type /Page[^s]`)

// pageCount counts the pages of a PDF gofpdf wrote; it is for the summary
// line only.
func pageCount(pdf []byte) int { return len(pageObject.FindAllIndex(pdf, -1)) }

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// progress prints a percentage to stderr: one line rewritten in place on a
// terminal, and a line at each quarter otherwise, so that a log stays short.
type progress struct {
	w    io.Writer
	what string
	tty  bool
	last int
}

func newProgress(w io.Writer, what string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, what: what, tty: ok && term.IsTerminal(int(f.Fd())), last: -1}
}

// set shows done of total as a share of the span lo to hi percent.
func (p *progress) set(done, total, lo, hi int) {
	pct := hi
	if total > 0 {
		pct = lo + (hi-lo)*done/total
	}
	switch {
	case pct <= p.last:
	case p.tty:
		fmt.Fprintf(p.w, "\rdudao-hub: %s %3d%%", p.what, pct)
		p.last = pct
	case pct/25 > max(p.last, 0)/25:
		fmt.Fprintf(p.w, "dudao-hub: %s %d%%\n", p.what, pct/25*25)
		p.last = pct
	}
}

// done ends the line a terminal shows, before anything else is printed.
func (p *progress) done() {
	if p.tty && p.last >= 0 {
		fmt.Fprintln(p.w)
		p.tty = false
	}
}
