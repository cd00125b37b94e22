// Package report renders Dudao's PDF reports with github.com/jung-kurt/gofpdf:
// a sealed inspection (RenderInspection), the summary of a hall or region over
// a period (RenderSummary) and one member of staff's history
// (RenderPersonHistory), each with a redacted variant.
//
// The renderer never reads the store. Callers (the tablet app, the manager
// desktop, dudao-hub) fill an input struct such as InspectionReport and pass a
// writer, so one renderer serves all three and tests need no database.
//
// Two rules shape the code:
//   - No character may be lost. gofpdf v1.16.2's MultiCell and SplitText drop a
//     CJK character at every line wrap, so text is wrapped here (wrap.go) and
//     every line is written with Text; the bundled CJK font has no Latin
//     letters, so each line is written in runs, Latin in a core font.
//   - Same data, same bytes: the creation date is the seal time, the catalog is
//     sorted, and nothing reads the clock or iterates a map while drawing.
package report

import (
	"errors"
	"fmt"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// Options apply to every report.
type Options struct {
	// Redact makes a copy for wider distribution: no photos or signature
	// images, and staff shown by badge number instead of name.
	Redact bool
	// Lang is the language of the standard's texts and of the score
	// explanation: "zh" (the default, the language of record) or "en".
	// Labels are always bilingual.
	Lang string
	// Progress, when set, is called after each part of the report with the
	// parts done and the total, so a screen can show a progress bar. It is
	// called on the rendering goroutine.
	Progress func(done, total int)
}

func (o Options) lang() string {
	if o.Lang == "en" {
		return "en"
	}
	return "zh"
}

// other returns the language that is not lang, for second lines.
func other(lang string) string {
	if lang == "en" {
		return "zh"
	}
	return "en"
}

func (o Options) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// CST is the time zone every report prints times in: the halls are in China,
// whatever zone the hub's server runs in.
var CST = time.FixedZone("CST", 8*3600)

// ErrInvalidInput is wrapped by errors about the report's input (a missing
// standard, a draft, a seal that does not match), as opposed to failures to
// write the PDF.
var ErrInvalidInput = errors.New("invalid report input")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, args...))
}

func fmtDate(t time.Time) string { return t.In(CST).Format("2006-01-02") }

func fmtDateTime(t time.Time) string { return t.In(CST).Format("2006-01-02 15:04") }

func fmtClock(t time.Time) string { return t.In(CST).Format("15:04:05") }

// fmtScore prints a score with the one decimal every score is shown with.
func fmtScore(p float64) string { return fmt.Sprintf("%.1f", inspect.Round1(p)) }

// Warm loads the fonts' metrics and prepares the trimmed CJK font, which the
// first report of a process would otherwise do (about 0.2 s). An app may call
// it in the background at start so that the first export is as quick as the
// rest. Calling it is optional and safe from any goroutine.
func Warm() error {
	_, err := loadMetrics()
	return err
}
