package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// table is a file reduced to cells and their line numbers, so that CSV and
// xlsx share every check after reading.
type table struct {
	encoding string
	lines    int
	records  []record
	warnings []string
	// ragged says the format can produce rows with the wrong number of cells
	// (CSV). xlsx rows simply stop at their last non-empty cell, so a short
	// row there is blank cells, not shifted data.
	ragged bool
	delim  rune
}

type record struct {
	line int
	// last is the physical line the record ends on; a record spanning several
	// lines has a quoted line break in it, which in a roster is more often an
	// unbalanced quote than real data.
	last   int
	fields []string
}

func (r record) blank() bool {
	for _, f := range r.fields {
		if clean(f) != "" {
			return false
		}
	}
	return true
}

func readCSV(name string, data []byte, forced string) (*table, error) {
	text, enc, err := decode(name, data, forced)
	if err != nil {
		return nil, err
	}
	// Old Mac Excel ends lines with CR alone, which encoding/csv does not split on.
	if strings.Contains(text, "\r") && !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	t := &table{encoding: enc, ragged: true}
	t.lines = strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		t.lines++
	}

	first, rest := firstLine(text)
	delim := ','
	if d, ok := sepDirective(first); ok {
		// Excel's "sep=;" line. Blank it rather than cut it, so that csv's line
		// numbers still match the file.
		delim = d
		text = rest
	} else {
		delim = detectDelimiter(text)
	}
	t.delim = delim

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // ragged rows are judged per row, not fatal
	cr.LazyQuotes = true    // 王"小"明 is a name to reject, not a file to refuse
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, fmt.Errorf("parse roster %s line %d: %w: %v", name, line, ErrUnreadable, err)
		}
		line, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(fields) - 1)
		last += strings.Count(fields[len(fields)-1], "\n")
		t.records = append(t.records, record{line: line, last: last, fields: fields})
	}
	return t, nil
}

// firstLine returns the first line of text and the text with that line's
// content removed but its line break kept.
func firstLine(text string) (first, rest string) {
	i := strings.IndexByte(text, '\n')
	if i < 0 {
		return text, ""
	}
	return text[:i], text[i:]
}

func sepDirective(line string) (rune, bool) {
	l := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(line, "\ufeff")))
	if len(l) != 5 || !strings.HasPrefix(l, "sep=") {
		return 0, false
	}
	switch d := rune(l[4]); d {
	case ',', ';', '\t', '|':
		return d, true
	}
	return 0, false
}

// detectDelimiter looks at the first non-blank line, which should be the
// header: Chinese headers never contain commas, so one without any means the
// file was written with another separator (semicolon by European-locale
// Excel, tab by "Unicode text" exports and copy-paste).
func detectDelimiter(text string) rune {
	for line := range strings.SplitSeq(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		switch {
		case strings.Contains(line, ","):
			return ','
		case strings.Contains(line, "\t"):
			return '\t'
		case strings.Contains(line, ";"):
			return ';'
		}
		return ','
	}
	return ','
}

// Workbooks are zip files; bound what they may inflate to so that a zip bomb
// fails instead of filling the tablet's memory, and keep every part in memory
// (excelize spills big sheets to temp files otherwise).
const maxUnzipped = 128 << 20

func readXLSX(name string, data []byte) (t *table, err error) {
	// excelize was written for trusted workbooks; a crafted or truncated one
	// must fail this import, not crash the app.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("parse roster %s: %w: malformed workbook: %v", name, ErrUnreadable, p)
		}
	}()
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: maxUnzipped,
	})
	if err != nil {
		return nil, fmt.Errorf("parse roster %s: %w: not a readable xlsx workbook: %v", name, ErrUnreadable, err)
	}
	defer wb.Close()

	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("parse roster %s: %w: the workbook has no sheets", name, ErrNoHeader)
	}
	t = &table{ragged: false}
	if len(sheets) > 1 {
		t.warnings = append(t.warnings, bilingual(
			fmt.Sprintf("只读取了第一个工作表 %q，工作簿中还有 %s", sheets[0], quoteListZh(sheets[1:])),
			fmt.Sprintf("only the first sheet %q was read; the workbook also has %s", sheets[0], quoteList(sheets[1:]))))
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("parse roster %s: %w: sheet %q: %v", name, ErrUnreadable, sheets[0], err)
	}
	defer rows.Close()
	var hidden []int
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			// excelize's GetRows stops silently here; a silently shortened
			// roster would deactivate everyone below the bad row.
			return nil, fmt.Errorf("parse roster %s line %d: %w: %v", name, n, ErrUnreadable, err)
		}
		rec := record{line: n, last: n, fields: cells}
		if rec.blank() {
			continue
		}
		if rows.GetRowOpts().Hidden {
			hidden = append(hidden, n)
		}
		t.records = append(t.records, rec)
		t.lines = n
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("parse roster %s: %w: sheet %q: %v", name, ErrUnreadable, sheets[0], err)
	}
	if len(hidden) > 0 {
		// A filtered sheet looks like a roster of one hall but holds them all.
		t.warnings = append(t.warnings, bilingual(fmt.Sprintf("%s在工作表中被隐藏，但仍与其他行一样被读取", lineListZh(hidden)),
			fmt.Sprintf("rows %s are hidden in the sheet but were read like the others", lineList(hidden))))
	}
	return t, nil
}

func quoteList(ss []string) string { return joinQuoted(ss, ", ") }

// quoteListZh is quoteList for the Chinese half of a warning.
func quoteListZh(ss []string) string { return joinQuoted(ss, "、") }

func joinQuoted(ss []string, sep string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, sep)
}

// lineList shortens long lists of line numbers, which only need to point
// the reader at the problem.
func lineList(lines []int) string {
	const show = 10
	var b strings.Builder
	for i, l := range lines {
		if i == show {
			fmt.Fprintf(&b, " and %d more", len(lines)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, l)
	}
	return b.String()
}

// lineListZh is lineList for the Chinese half of a reason: "第 3、8 行",
// or "第 1、2、...、10 行等 15 行" when there are many.
func lineListZh(lines []int) string {
	const show = 10
	s := make([]string, 0, min(len(lines), show))
	for _, l := range lines[:min(len(lines), show)] {
		s = append(s, strconv.Itoa(l))
	}
	out := "第 " + strings.Join(s, "、") + " 行"
	if len(lines) > show {
		out += fmt.Sprintf("等 %d 行", len(lines))
	}
	return out
}
