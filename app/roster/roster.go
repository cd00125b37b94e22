// Package roster reads the staff rosters HR exports (CSV or xlsx) and plans how
// to apply them to the staff we already know.
//
// Rosters are typed by hand, re-saved by Excel in whatever encoding the PC
// uses and passed around by e-mail, so nothing in them is trusted: every row is
// validated, and a bad row becomes a Reject that names its line, instead of
// failing the whole file or slipping into the database.
//
// The package is pure logic: Parse turns bytes into a File, Plan compares a
// File with the current state the caller loaded, and the caller applies the
// Plan in one transaction.
package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/dudao-app/dudao/app/standard"
)

// MaxFileSize bounds what Parse reads. A roster of every hall in the province
// is well under a megabyte; anything far bigger is the wrong file, and reading
// it would only exhaust a tablet's memory.
const MaxFileSize = 16 << 20

// Errors that make a whole file unusable. They are wrapped with the file name
// and line, so test for them with errors.Is.
var (
	ErrUnsupportedFormat = errors.New("unsupported file format")
	ErrTooLarge          = errors.New("file too large")
	ErrEncoding          = errors.New("bad text encoding")
	ErrNoHeader          = errors.New("no header row")
	ErrMissingColumns    = errors.New("missing required columns")
	ErrDuplicateColumn   = errors.New("duplicate column")
	ErrUnreadable        = errors.New("unreadable file")
)

// Encodings accepted in Options.Encoding, besides "" for detection.
const (
	EncodingUTF8    = "utf-8"
	EncodingGBK     = "gbk"
	EncodingGB18030 = "gb18030"
	EncodingUTF16LE = "utf-16le" // only detected from a BOM
	EncodingUTF16BE = "utf-16be" // only detected from a BOM
)

// Options tune Parse.
type Options struct {
	// Encoding of a CSV file: "" detects it (BOM, then UTF-8, then GBK);
	// "utf-8", "gbk" or "gb18030" force it. Ignored for xlsx.
	Encoding string
}

// File is a parsed roster: the rows that passed every check, and a Reject for
// each problem found in the others.
type File struct {
	Name string
	// Encoding the CSV text was decoded from; "" for xlsx, which carries its own.
	Encoding string
	// Lines is the number of physical lines (CSV) or the last sheet row (xlsx),
	// so callers can say "read 52 lines" and tests can bound line numbers.
	Lines   int
	Rows    []Row
	Rejects []Reject
	// Warnings are "中文 / English", split at ReasonSep like a Reject.Reason.
	Warnings []string
}

// Row is one valid line of the roster, normalised.
type Row struct {
	// Line is the 1-based physical line of the CSV (header usually line 1) or the
	// sheet row number of the xlsx, so HR can find it in their own tool.
	Line       int
	EmployeeNo string // upper-cased, full-width digits and letters narrowed
	Name       string
	Gender     standard.Gender
	Role       standard.Role
	// Hall is the value as written; Plan resolves it as an ID, code or exact name.
	Hall string
	// Badge is the 服务证号; empty when the column is absent or the cell blank.
	Badge string
}

// Reject is one problem with one row. A row with several problems has several.
type Reject struct {
	File   string
	Line   int
	Field  string // employee_no, name, gender, role, hall, badge; "" for the row as a whole
	Value  string
	Reason string
	// EmployeeNo and Name say who the row is about, as far as they could be read.
	// Plan uses them so that a malformed row never deactivates its person; when
	// both are empty, Plan cannot tell who was meant and holds back deactivation.
	EmployeeNo string
	Name       string
}

// ReasonSep separates the two halves of a Reject.Reason, and of each of
// File.Warnings and Plan.Warnings: Chinese for the managers and HR who read
// it, then the English the CLI and its scripts have always matched,
// "工号不能为空 / required, but empty".
const ReasonSep = " / "

// bilingual joins the halves of a reason. zh must not contain ReasonSep.
func bilingual(zh, en string) string { return zh + ReasonSep + en }

// SplitReason returns the Chinese and English halves of a reason. A reason
// with no Chinese before ReasonSep (one written by hand, or by an older
// version) is all English.
func SplitReason(reason string) (zh, en string) {
	i := strings.Index(reason, ReasonSep)
	if i < 0 || !strings.ContainsFunc(reason[:i], isHan) {
		return "", reason
	}
	return reason[:i], reason[i+len(ReasonSep):]
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// Message is the reject without its file and line: the Chinese reason
// first, then the field, value and English reason, e.g.
// `岗位无法识别（...） / role "厨师": unknown role (...)`. The English half
// reads as it did before the reasons had Chinese.
func (r Reject) Message() string {
	zh, en := SplitReason(r.Reason)
	var b strings.Builder
	if zh != "" {
		b.WriteString(zh)
		b.WriteString(ReasonSep)
	}
	if r.Field != "" {
		b.WriteString(r.Field)
		if r.Value != "" {
			fmt.Fprintf(&b, " %q", r.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(en)
	return b.String()
}

func (r Reject) Error() string {
	var b strings.Builder
	if r.File != "" {
		b.WriteString(r.File)
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "line %d: %s", r.Line, r.Message())
	return b.String()
}

// Parse reads a roster. The format comes from the extension of name (.csv,
// .txt or .xlsx), corrected by the content when a workbook was saved under a
// .csv name. An error means the file as a whole is unusable (unreadable,
// wrong encoding, no usable header); problems with single rows are Rejects.
func Parse(name string, r io.Reader, opt Options) (*File, error) {
	base := filepath.Base(name)
	if name == "" {
		base = "roster"
	}
	enc, err := normaliseEncoding(opt.Encoding)
	if err != nil {
		return nil, fmt.Errorf("parse roster %s: %w", base, err)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("parse roster %s: read: %w", base, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("parse roster %s: %w (over %d MiB); is this the right file?", base, ErrTooLarge, MaxFileSize>>20)
	}

	ext := strings.ToLower(filepath.Ext(base))
	var warnings []string
	switch {
	case bytes.HasPrefix(data, oleMagic):
		// Both legacy .xls and password-protected .xlsx are OLE containers.
		return nil, fmt.Errorf("parse roster %s: %w: this is an old .xls or password-protected workbook; save it as .xlsx without a password, or as CSV", base, ErrUnsupportedFormat)
	case ext == ".xlsx":
	case (ext == ".csv" || ext == ".txt") && bytes.HasPrefix(data, zipMagic):
		warnings = append(warnings, bilingual(fmt.Sprintf("%s 实际上是 Excel 工作簿，已按 xlsx 读取", base),
			fmt.Sprintf("%s is an Excel workbook despite its name; read it as xlsx", base)))
		ext = ".xlsx"
	case ext == ".csv" || ext == ".txt":
	case ext == ".xls":
		return nil, fmt.Errorf("parse roster %s: %w: save the .xls as .xlsx or CSV", base, ErrUnsupportedFormat)
	default:
		return nil, fmt.Errorf("parse roster %s: %w %q (expected .csv, .txt or .xlsx)", base, ErrUnsupportedFormat, ext)
	}

	var t *table
	if ext == ".xlsx" {
		t, err = readXLSX(base, data)
	} else {
		t, err = readCSV(base, data, enc)
	}
	if err != nil {
		return nil, err
	}
	t.warnings = append(warnings, t.warnings...)
	return build(base, t)
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)
