package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
)

// need fails the test when a poppler tool is missing: CI installs
// poppler-utils, and a skipped check would pass silently there.
func need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found on PATH: install poppler-utils (apt-get install poppler-utils) to run the report tests", tool)
	}
	return p
}

func render(t testing.TB, r report.InspectionReport, opt report.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.RenderInspection(&buf, r, opt); err != nil {
		t.Fatalf("RenderInspection: %v", err)
	}
	return buf.Bytes()
}

func writeTemp(t testing.TB, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdftotext runs pdftotext with args on the file and returns the text.
func pdftotext(t testing.TB, file string, args ...string) string {
	t.Helper()
	cmd := exec.Command(need(t, "pdftotext"), append(append(args, "-enc", "UTF-8"), file, "-")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext %v: %v: %s", args, err, stderr.String())
	}
	return string(out)
}

func pageCount(t testing.TB, file string) int {
	t.Helper()
	out, err := exec.Command(need(t, "pdfinfo"), file).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// columnPage returns the text of one table column of page p, whitespace
// removed: x and w in mm, between the running header and the footer.
func columnPage(t testing.TB, file string, p int, x, w float64) string {
	t.Helper()
	pt := 72 / 25.4 // at -r 72 a pixel is a point
	s := pdftotext(t, file, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), "-r", "72",
		"-x", fmt.Sprint(int(x*pt)), "-y", fmt.Sprint(int(20*pt)), "-W", fmt.Sprint(int(w*pt+2)), "-H", fmt.Sprint(int(235*pt)))
	return squeeze(s)
}

// columnText is columnPage over every page, with the repeated table headers
// taken out so that a row split across pages reads as one.
func columnText(t testing.TB, file string, pages int, x, w float64) string {
	t.Helper()
	var b strings.Builder
	for p := 1; p <= pages; p++ {
		s := columnPage(t, file, p, x, w)
		for _, head := range []string{"备注与照片Noteandphotos", "检查项Requirement"} {
			s = strings.ReplaceAll(s, head, "")
		}
		b.WriteString(s)
	}
	return b.String()
}

func TestInspectionReportText(t *testing.T) {
	fx := newFixture(t)
	pdf := render(t, fx.r, report.Options{})
	file := writeTemp(t, pdf)
	text := pdftotext(t, file, "-layout")
	flat := squeeze(text)

	n := pageCount(t, file)
	if n < 2 {
		t.Fatalf("report has %d pages, want several", n)
	}
	// Table columns are read one at a time, so that the other columns of the
	// same rows do not interleave with them (x and width in mm; see the
	// column widths in inspection.go).
	reqCol := columnText(t, file, n, 32, 55)
	noteCol := columnText(t, file, n, 117, 78)

	ins := fx.r.Inspection
	var findings []inspect.Finding
	for _, p := range ins.People {
		findings = append(findings, p.Findings...)
	}
	findings = append(findings, ins.HallFindings...)
	if len(findings) != 10 {
		t.Fatalf("fixture has %d findings, want 10", len(findings))
	}
	for _, f := range findings {
		it, ok := fx.r.Standard.Item(f.ItemID)
		if !ok {
			t.Fatalf("fixture item %s not in the standard", f.ItemID)
		}
		if !strings.Contains(flat, it.ID) {
			t.Errorf("item %s of finding %s missing", it.ID, f.ID)
		}
		if !regexp.MustCompile(`(^|[^A-Z0-9.])` + regexp.QuoteMeta(it.Clause) + `($|[^0-9.])`).MatchString(text) {
			t.Errorf("clause ID %s of finding %s missing as a word", it.Clause, f.ID)
		}
		c, _ := fx.r.Standard.Clause(it.Clause)
		if !strings.Contains(reqCol, squeeze(c.Summary.ZH)) {
			t.Errorf("clause text of %s missing: %q", it.Clause, c.Summary.ZH)
		}
		if !strings.Contains(reqCol, squeeze(it.Text.ZH)) {
			t.Errorf("item text of %s missing: %q", it.ID, it.Text.ZH)
		}
		if !strings.Contains(noteCol, squeeze(f.Note)) {
			t.Errorf("note of %s missing: %q", f.ID, f.Note)
		}
	}
	for _, want := range []string{
		"昆明五华优付通营业厅", "KM-WH-01", "周督导", "督导平板03", "2026-11-0209:30", // header facts
		"5次中2次未做到", "6次均做到", "不适用", "关键项Critical", // tallies, N/A, the critical failure
		"第2次/90天", "第3次/90天", // repeat offences
		"我没有与顾客争执", "未签名", // the disagreement and a refusal to sign
		"更正1", "孙经理", "交接班记录系督导员看错日期", "清除：视为符合", // the amendment
		"等级封顶为不合格", // the explanation of the grade
	} {
		if !strings.Contains(flat, squeeze(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The whole 600-character note must come back: every rune, in order, none
	// lost or doubled, across the page break it straddles.
	if !strings.Contains(noteCol, squeeze(longNote)) {
		t.Errorf("the 600-character note did not come back whole; note column text:\n%s", noteCol)
	}
	var notePages []int
	for p := 1; p <= n; p++ {
		s := columnPage(t, file, p, 117, 78)
		if strings.Contains(s, squeeze(string([]rune(longNote)[:20]))) || strings.Contains(s, squeeze(string([]rune(longNote)[580:]))) {
			notePages = append(notePages, p)
		}
	}
	if len(notePages) != 2 || notePages[1] != notePages[0]+1 {
		t.Errorf("the long note should start on one page and end on the next, so that the test covers a row split across pages; found on pages %v", notePages)
	}

	// Every page: the footer's page x/y, the full seal, the inspection ID.
	for p := 1; p <= n; p++ {
		s := pdftotext(t, file, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p))
		if want := fmt.Sprintf("Page %d/%d", p, n); !strings.Contains(s, want) {
			t.Errorf("page %d lacks %q", p, want)
		}
		if want := fmt.Sprintf("第%d/%d页", p, n); !strings.Contains(squeeze(s), want) {
			t.Errorf("page %d lacks %q", p, want)
		}
		if !strings.Contains(s, ins.SealHash) {
			t.Errorf("page %d lacks the seal %s", p, ins.SealHash)
		}
		if !strings.Contains(s, ins.ID) {
			t.Errorf("page %d lacks the inspection ID", p)
		}
	}
	if m := regexp.MustCompile(`\b[0-9a-f]{64}\b`).FindAllString(text, -1); len(m) < n {
		t.Errorf("found %d SHA-256 values, want at least one per page (%d)", len(m), n)
	}
	// Photos are embedded (4 photos and 3 signature images).
	if got := bytes.Count(pdf, []byte("/Subtype /Image")); got != 7 {
		t.Errorf("PDF has %d images, want 7 (4 photos, 3 signatures)", got)
	}
}

func TestInspectionReportRedacted(t *testing.T) {
	fx := newFixture(t)
	pdf := render(t, fx.r, report.Options{Redact: true})
	file := writeTemp(t, pdf)
	text := pdftotext(t, file)
	flat := squeeze(text)
	for _, name := range fx.names {
		if strings.Contains(flat, name) {
			t.Errorf("redacted report shows the staff name %q", name)
		}
	}
	for _, emp := range []string{"E1024", "E1031", "E0998", "E1102"} {
		if strings.Contains(flat, emp) {
			t.Errorf("redacted report shows the employee number %s", emp)
		}
	}
	if bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("redacted report embeds an image; it must have no photos or signature images")
	}
	for _, want := range []string{"工牌B-07", "工牌B-12", "我没有与顾客争执", "脱敏版", "照片2张", squeeze(longNote)[:30], fx.r.Inspection.SealHash} {
		if !strings.Contains(flat, want) {
			t.Errorf("redacted report lacks %q", want)
		}
	}
	// The disagreement keeps its words, attributed to the badge.
	if !regexp.MustCompile(`工牌 B-07`).MatchString(text) {
		t.Error("redacted report does not name the disagreeing person by badge")
	}
}

func TestInspectionReportQR(t *testing.T) {
	fx := newFixture(t)
	file := writeTemp(t, render(t, fx.r, report.Options{}))
	want := "dudao:inspection:" + fx.r.Inspection.ID + ":" + fx.r.Inspection.SealHash
	if got := readQR(t, file, 1); got != want {
		t.Errorf("QR code reads %q, want %q", got, want)
	}
}

// readQR renders a page at 150 dpi, as a modest scan of a printout would be,
// and decodes the QR code on it with a Go decoder independent of the encoder.
func readQR(t *testing.T, file string, page int) string {
	t.Helper()
	dir := t.TempDir()
	p := fmt.Sprint(page)
	cmd := exec.Command(need(t, "pdftoppm"), "-r", "150", "-png", "-f", p, "-l", p, file, filepath.Join(dir, "page"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(matches) != 1 {
		t.Fatalf("pdftoppm wrote %v, want one page image", matches)
	}
	f, err := os.Open(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode page image: %v", err)
	}
	// Decode the whole page, as a phone camera would see it.
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code decoded on page %d: %v", page, err)
	}
	return res.GetText()
}

func TestInspectionReportDeterministic(t *testing.T) {
	fx := newFixture(t)
	for _, opt := range []report.Options{{}, {Redact: true}, {Lang: "en"}} {
		a := render(t, fx.r, opt)
		b := render(t, newFixture(t).r, opt)
		if !bytes.Equal(a, b) {
			t.Errorf("options %+v: two renders of the same data differ (%d and %d bytes)", opt, len(a), len(b))
		}
	}
}

func TestInspectionReportSize(t *testing.T) {
	pdf := render(t, newFixture(t).r, report.Options{})
	const limit = 2 << 20
	t.Logf("PDF with 4 photos and 3 signatures: %d bytes", len(pdf))
	if len(pdf) > limit {
		t.Errorf("PDF is %d bytes, want at most %d", len(pdf), limit)
	}
}

func TestInspectionReportMissingPhotos(t *testing.T) {
	fx := newFixture(t)
	var missing, corrupt string
	for sha := range fx.photos {
		switch {
		case missing == "":
			missing = sha
		case corrupt == "":
			corrupt = sha
		}
	}
	get := fx.r.Photo
	fx.r.Photo = func(sha string) ([]byte, error) {
		switch sha {
		case missing:
			return nil, errors.New("not on this device")
		case corrupt:
			return []byte("not a jpeg"), nil
		}
		return get(sha)
	}
	text := squeeze(pdftotext(t, writeTemp(t, render(t, fx.r, report.Options{})), "-layout"))
	if !strings.Contains(text, "缺失") || !strings.Contains(text, missing[:20]) {
		t.Errorf("a missing image is not shown as missing with its SHA-256 %s", missing)
	}
	if !strings.Contains(text, "校验失败") || !strings.Contains(text, corrupt[:20]) {
		t.Errorf("an image whose bytes do not match its SHA-256 is not flagged (%s)", corrupt)
	}

	fx.r.Photo = nil
	if text := squeeze(pdftotext(t, writeTemp(t, render(t, fx.r, report.Options{})))); !strings.Contains(text, "照片缺失/photomissing") {
		t.Error("with no photo source, photos are not shown as missing")
	}
}

func TestInspectionReportRefuses(t *testing.T) {
	cases := map[string]func(r *report.InspectionReport){
		"nil inspection": func(r *report.InspectionReport) { r.Inspection = nil },
		"nil standard":   func(r *report.InspectionReport) { r.Standard = nil },
		"draft":          func(r *report.InspectionReport) { r.Inspection.Status = inspect.StatusDraft },
		"altered note": func(r *report.InspectionReport) {
			r.Inspection.People[0].Findings[0].Note += "!"
		},
		"other version": func(r *report.InspectionReport) { r.Standard.Version = 2 },
		"amendment of another seal": func(r *report.InspectionReport) {
			r.Amendments[0].OriginalHash = strings.Repeat("0", 64)
		},
		"altered amendment": func(r *report.InspectionReport) { r.Amendments[0].Reason = "changed" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			fx := newFixture(t)
			mutate(&fx.r)
			var buf bytes.Buffer
			err := report.RenderInspection(&buf, fx.r, report.Options{})
			if !errors.Is(err, report.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes on error", buf.Len())
			}
		})
	}
}

func TestInspectionReportProgress(t *testing.T) {
	fx := newFixture(t)
	var calls [][2]int
	render(t, fx.r, report.Options{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if len(calls) == 0 {
		t.Fatal("progress never called")
	}
	for i, c := range calls {
		if c[0] != i+1 || c[1] != calls[0][1] {
			t.Fatalf("progress calls %v: want 1..total with a fixed total", calls)
		}
	}
	if last := calls[len(calls)-1]; last[0] != last[1] {
		t.Errorf("last progress call %v does not reach the total", last)
	}
}

func TestInspectionReportEnglish(t *testing.T) {
	fx := newFixture(t)
	text := squeeze(pdftotext(t, writeTemp(t, render(t, fx.r, report.Options{Lang: "en"}))))
	it, _ := fx.r.Standard.Item("A3.1")
	if !strings.Contains(text, squeeze(it.Text.EN)) {
		t.Errorf("English report lacks the item text %q", it.Text.EN)
	}
	if !strings.Contains(text, squeeze("grade capped at")) {
		t.Error("English report lacks the English explanation")
	}
}
